"""Making item-controlled text safe to put in a prompt.

Everything an item carries (its id, project, content, metadata, and the annotators' names,
labels, cited clauses and notes) is written by people under review or by whoever produced the
export, so none of it may pass for llmqa's own prompt text:

- ``defuse`` makes invisible characters visible and breaks anything that looks like the
  content fence markers, after NFKC-normalising and ignoring zero-width characters, so a
  fullwidth ``＜＜＜`` or a marker split by a joiner is caught as well as the plain one;
- ``inert`` does that and also escapes line breaks and control characters and cuts the text
  to a length, for the one-line fields (id, project, annotator, label, note, metadata), so a
  note cannot start a line of its own (a forged consensus line, a fake instruction).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Characters a human reader does not see but a model reads: zero-width spaces and joiners,
# the byte-order mark, invisible operators, bidirectional overrides and isolates, and the
# "tag" block used to smuggle ASCII. (ZWJ, ZWNJ, LRM and RLM are left alone: emoji and
# right-to-left scripts need them; they are ignored when looking for markers instead.)
_INVISIBLE = re.compile("[\u200b\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069"
                        "\U000e0000-\U000e007f]+")
# Ignored when looking for markers: joiners, direction marks, soft hyphen, grapheme joiner,
# Mongolian vowel separator (all invisible, so a marker split by one still reads as a marker).
_IGNORABLE = frozenset("\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u2060\ufeff")
_DASH = "[-\u2010-\u2015\u2212\ufe58\ufe63]?"
_MARKER = re.compile(rf"<{{2,}}|>{{2,}}|(END{_DASH})?ITEM{_DASH}CONTENT", re.IGNORECASE)
# Line breaks and other control characters (C0, DEL, C1, and the Unicode line and paragraph
# separators a model may read as a new line).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# Length limits for the one-line fields; longer text is cut with a visible note.
MAX_ID_CHARS = 200
MAX_NAME_CHARS = 200
MAX_NOTE_CHARS = 1000


def _reveal(match: re.Match[str]) -> str:
    run = match.group(0)
    tags = "".join(chr(ord(c) - 0xE0000) for c in run if ord(c) >= 0xE0000)
    shown = "".join(f"[U+{ord(c):04X}]" for c in run if ord(c) < 0xE0000)
    return shown + (f"[hidden tag text: {tags}]" if tags else "")


def _skeleton(text: str) -> tuple[str, list[int]]:
    """``text`` NFKC-normalised with invisible characters dropped, and for each character of
    the result the index of the original character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in _IGNORABLE:
            continue
        for normal in unicodedata.normalize("NFKC", char):
            chars.append(normal)
            origin.append(index)
    return "".join(chars), origin


def _broken(marker: str) -> str:
    if marker[0] in "<>":
        return " ".join(marker)
    # With a U+2010 hyphen, which no fence marker uses.
    return ("END\u2010" if marker.upper().startswith("END") else "") + "ITEM\u2010CONTENT"


def break_markers(text: str) -> str:
    """Break every marker-like run (``<<<``, ``>>>``, ``ITEM-CONTENT``) in ``text``, found
    on its normalised form so look-alikes and split markers are broken too."""
    origin: Sequence[int]
    if text.isascii():
        # NFKC leaves ASCII as it is and every ignorable character is non-ASCII: the
        # skeleton is the text itself (the common case; about 2.7x cheaper than building
        # it, benchmarks/bench_sanitize.py).
        skeleton, origin = text, range(len(text))
    else:
        skeleton, origin = _skeleton(text)
    matches = list(_MARKER.finditer(skeleton))
    if not matches:
        return text
    out = []
    last = 0
    for match in matches:
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        if start < last:
            continue
        out.append(text[last:start])
        out.append(_broken(match.group(0)))
        last = end
    out.append(text[last:])
    return "".join(out)


def defuse(text: str) -> str:
    """Make invisible characters visible, then break anything that looks like our content
    markers, so neither hidden nor look-alike text can pass as a marker."""
    return break_markers(_INVISIBLE.sub(_reveal, text))


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ESCAPES.get(char, f"\\x{ord(char):02x}" if ord(char) < 0x100
                        else f"\\u{ord(char):04x}")


def cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]} [... {len(text) - limit} characters omitted]"


def inert(text: str, limit: int = MAX_NAME_CHARS) -> str:
    """One line of item-controlled text that cannot pass for prompt structure: cut to
    ``limit`` characters, line breaks and control characters escaped, markers broken."""
    return defuse(_CONTROL.sub(_escape, cut(text, limit)))


def escape_lines(text: str) -> str:
    """Multi-line content keeps its line breaks (lyrics, transcripts) but loses every other
    control character, which a model may read as structure."""
    return _CONTROL.sub(lambda m: m.group(0) if m.group(0) in "\n\t" else _escape(m),
                        text.replace("\r\n", "\n"))
