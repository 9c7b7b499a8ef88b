"""Lines of text (from a PDF page or a text file) grouped into paragraphs and list items.

A line starts a new block when it follows a gap, is set apart by its font (bold or larger:
a heading), carries a list marker, or looks like a numbered heading. A list item's wrapped
lines continue it: in a PDF they are indented past the marker, in a text file they simply
follow without a blank line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmqa.guidelines.importing.blocks import Block

BULLET_MARK = re.compile(r"^([●○■□◦▪▫•‣∙·*+\-–—➢➤✓✔])\s+(.*)$")
NUMBER_MARK = re.compile(r"^\(?((?:\d{1,3}\.){0,3}\d{1,3}|[a-z]|[ivx]{1,4}|[A-Z])([.)])\s+(.*)$")
# "3.1 Threatening language": a dotted number needs no trailing dot to be a heading.
DOTTED = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){1,3})\.?\s+(\S.*)$")
_HEADING_WORDS = 12
_LABEL_LINE = re.compile(r"^(?:label|category|tag)\s*:\s*\S+\s*$", re.IGNORECASE)


@dataclass
class Line:
    text: str
    where: int  # line number (text) or page (PDF)
    x0: float = 0.0
    bold: bool = False
    size: float = 1.0
    gap_before: bool = False


def short_title(text: str) -> bool:
    """Short enough, and shaped like a title rather than a sentence."""
    words = text.split()
    if not words or len(words) > _HEADING_WORDS or len(text) > 100:
        return False
    if text[0] in "\"“'‘(«[":
        return False
    if text.rstrip().endswith(".") and len(words) > 3:
        return False  # a sentence, not a title
    if text.count("(") > text.count(")"):
        return False  # a line cut off inside a parenthesis: the rest wraps onto the next line
    return not text.rstrip().endswith((",", ";", "-", "–"))


def heading_candidate(line: Line) -> bool:
    text = line.text.strip()
    if (line.bold or line.size > 1.05) and len(text) <= 160:
        return True
    dotted = DOTTED.match(text)
    return bool(dotted and short_title(dotted.group(2)))


def group_lines(lines: list[Line], wrap_by_indent: bool) -> list[Block]:
    blocks: list[Block] = []
    current: Block | None = None
    current_x = 0.0
    indents: list[float] = []  # x positions of list markers seen, outermost first
    for position, line in enumerate(lines):
        text = line.text.strip()
        if not text:
            current = None
            continue
        if heading_candidate(line):
            blocks.append(Block("paragraph", text, line.where, bold=line.bold, size=line.size))
            current = None
            continue
        marked = BULLET_MARK.match(text) or NUMBER_MARK.match(text)
        if marked:
            indent = _indent_level(indents, line.x0)
            marker = marked.group(1) + (marked.group(2) if marked.re is NUMBER_MARK else "")
            current = Block("item", marked.groups()[-1], line.where, indent=indent, marker=marker)
            current_x = line.x0
            blocks.append(current)
            following = lines[position + 1] if position + 1 < len(lines) else None
            if marked.re is NUMBER_MARK and _heading_then_text(current.text, following):
                current = None  # "1. Scope" then its text: the text is not part of the item
            continue
        previous = lines[position - 1].text.strip() if position else ""
        following = lines[position + 1] if position + 1 < len(lines) else None
        if _subheading(text, previous, following) or _LABEL_LINE.match(text):
            blocks.append(Block("paragraph", text, line.where, alone=True))
            current = None
            continue
        continues = current is not None and not line.gap_before and (
            current.kind == "paragraph" or not wrap_by_indent or line.x0 > current_x + 1)
        if continues and current is not None:
            current.text = _join(current.text, text)
            continue
        current = Block("paragraph", text, line.where)
        current_x = line.x0
        indents.clear()
        blocks.append(current)
    return blocks


_SENTENCE_END = (".", ":", "!", "?", "”", '"', "’", ")", "…")
_SUBHEADING_WORDS = 10


def _subheading(text: str, previous: str, following: Line | None) -> bool:
    """``Making a threat`` between two paragraphs, in body font: a sub-heading."""
    if len(text.split()) > _SUBHEADING_WORDS or not short_title(text) or not text[0].isupper():
        return False
    if text.endswith((*_SENTENCE_END, ",", ";")) or (previous and not previous.endswith(
            _SENTENCE_END)):
        return False
    after = following.text.strip() if following is not None else ""
    return bool(after) and after[0].isupper()


def _heading_then_text(text: str, following: Line | None) -> bool:
    if following is None or following.gap_before or not short_title(text):
        return False
    after = following.text.strip()
    return bool(after) and after[0].isupper() and not (BULLET_MARK.match(after)
                                                      or NUMBER_MARK.match(after))


def _indent_level(indents: list[float], x0: float) -> int:
    for level, x in enumerate(indents):
        if abs(x - x0) <= 2:
            del indents[level + 1:]
            return level
        if x0 < x:
            del indents[level:]
            indents.append(x0)
            return level
    indents.append(x0)
    return len(indents) - 1


def _join(left: str, right: str) -> str:
    # A word hyphenated across a line break ("well-" + "established") keeps its hyphen: PDFs
    # rarely carry soft hyphens, and a wrong join is worse than a stray hyphen.
    return f"{left}{right}" if left.endswith("-") and left[-2:-1].isalpha() else f"{left} {right}"
