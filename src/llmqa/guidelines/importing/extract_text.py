"""Markdown and plain-text documents to blocks."""

from __future__ import annotations

import re

from llmqa.guidelines.importing.blocks import Block, Extracted
from llmqa.guidelines.importing.lines import Line, group_lines

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_PIPE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
# Running headers and footers left in a text export: "Page 2 of 4", "- 3 -".
_PAGE_FURNITURE = re.compile(r"^\s*(?:page\s+\d+(?:\s+of\s+\d+)?|[-–—]\s*\d+\s*[-–—])\s*$",
                             re.IGNORECASE)
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(.+?)\1\s*:?\s*$")


def extract_text(text: str, source: str) -> Extracted:
    blocks: list[Block] = []
    furniture: list[str] = []
    pending: list[Line] = []
    gap = False

    def flush() -> None:
        blocks.extend(group_lines(pending, wrap_by_indent=False))
        pending.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        heading = _MD_HEADING.match(raw)
        row = _PIPE_ROW.match(raw)
        if heading or row or _PIPE_RULE.match(raw):
            flush()
            if heading:
                blocks.append(Block("heading", heading.group(2).strip(), number,
                                    level=len(heading.group(1))))
            elif row:
                cells = [c.strip() for c in row.group(1).split("|")]
                blocks.append(Block("row", " | ".join(cells), number, cells=cells))
            gap = True
            continue
        if not raw.strip():
            gap = True
            continue
        if _PAGE_FURNITURE.match(raw):
            furniture.append(raw.strip())
            gap = True
            continue
        bold = _BOLD_LINE.match(raw)
        indent = len(raw) - len(raw.lstrip())
        pending.append(Line(bold.group(2).strip() if bold else raw.strip(), number,
                            x0=float(indent), bold=bool(bold), gap_before=gap))
        gap = False
    flush()
    return Extracted(blocks=blocks, source=source, furniture=furniture)
