"""Making real items fit to quote in a guideline, a prompt or a report.

Guidelines are read by every annotator and vendor; an item quoted there must not carry a
way to reach a real person. Handles, URLs, email addresses and phone numbers become the
placeholders the guideline format already uses, whitespace is collapsed, and the text is
capped at a word boundary. Names cannot be found reliably by pattern and are left to the
policy writer reviewing the patch (the report says so).
"""

from __future__ import annotations

import re

from llmqa.items import Content, Item
from llmqa.text import trim

DEFAULT_MAX_CHARS = 240

_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|"
                  r"co|uk|de|fr|me|ly|gg|tv|fm|app|xyz|info|biz)(?:/\S*)?\b", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
# Seven or more digits, allowing spaces, dots, dashes, parentheses and a leading +; short
# numbers (years, track numbers, "500 cals") are left alone.
_PHONE = re.compile(r"(?<![\w])\+?\(?\d(?:[\s.\-()]*\d){6,}(?![\w])")
_YEARS = re.compile(r"^\d{4}\s*[-–]\s*\d{4}$")  # "1939-1945" is history, not a phone number
_SPACES = re.compile(r"\s+")


def _url(match: re.Match[str]) -> str:
    # A URL ends a sentence or a clause more often than it ends in punctuation: keep it.
    found = match.group(0)
    stripped = found.rstrip(".,;:!?)'\"")
    return "[url]" + found[len(stripped):]


def _phone(match: re.Match[str]) -> str:
    return match.group(0) if _YEARS.match(match.group(0)) else "[phone number]"


def scrub(text: str) -> str:
    """Replace contact details with placeholders; emails before handles, which they contain."""
    text = _EMAIL.sub("[email]", text)
    text = _URL.sub(_url, text)
    text = _HANDLE.sub("[handle]", text)
    text = _PHONE.sub(_phone, text)
    return _SPACES.sub(" ", text).strip()


def anonymize(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    return trim(scrub(text), max_chars)


def item_modality(content: Content) -> str:
    """The guideline modality tag closest to an item's content."""
    modality = content.modality.value
    if modality == "image":
        return "artwork"
    if modality == "text":
        fmt = str(content.metadata.get("format") or "").lower()
        return fmt if fmt in ("lyrics", "description") else "text"
    return modality


def item_excerpt(item: Item, max_chars: int = DEFAULT_MAX_CHARS) -> tuple[str, str]:
    """(modality tag, anonymized excerpt) of an item: what a guideline example would quote.

    Media are described by their caption, with the words heard or shown after it, the same
    shape as the examples in the guidelines.
    """
    content = item.content
    modality = item_modality(content)
    if modality in ("artwork", "audio", "video"):
        description = content.caption or (
            f'{modality.capitalize()} titled "{content.title}"' if content.title else "")
        words = content.transcript or content.text or ""
        lead = "Transcript" if modality in ("audio", "video") else "Visible text"
        text = description if not words else (
            f'{description.rstrip(".")}. {lead}: "{words}"' if description else words)
    elif modality == "title":
        text = content.title or content.text or ""
    elif modality == "transcript":
        text = content.transcript or content.text or ""
    else:
        text = content.text or content.caption or content.title or ""
    return modality, anonymize(text, max_chars)
