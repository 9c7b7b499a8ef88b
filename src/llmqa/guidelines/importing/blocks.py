"""The normalised document every extractor produces: a flat list of blocks.

Extractors (PDF, Word, HTML, text) differ in what they know: Word and HTML say which
paragraphs are headings; a PDF only gives lines with fonts and positions. Each extractor
records what it knows on the block (``level`` for a declared heading, ``bold``/``size`` for a
visual one) and structure recovery decides the rest, the same way for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "row"]


@dataclass
class Block:
    kind: BlockKind
    text: str
    line: int = 0  # where it starts: a line of a text file, or a page for a PDF
    level: int | None = None  # declared heading level (Word style, <h2>, ## ...)
    bold: bool = False  # the whole block is bold (a visual heading in a PDF or Word file)
    size: float = 0.0  # font size relative to the body text: 1.0 = body, >1 larger
    indent: int = 0  # list nesting depth, 0 for the outermost list
    marker: str = ""  # the bullet or number that started a list item, as written
    cells: list[str] = field(default_factory=list)  # a table row's cells
    alone: bool = False  # a short title-like line set apart by the text around it

    @property
    def is_heading_like(self) -> bool:
        return self.kind == "heading" or self.bold or self.size > 1.05


@dataclass
class Extracted:
    """Blocks plus what the extractor already removed (kept for the summary)."""

    blocks: list[Block]
    source: str
    title: str = ""
    furniture: list[str] = field(default_factory=list)  # page headers/footers/numbers removed
