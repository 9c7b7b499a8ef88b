"""Headings and their hierarchy: which blocks start a section, and each section's code.

A document with numbered headings (``1.``, ``2.3``, ``a)``) is organised by its numbers: a
dotted number is a heading when its parent exists, a single number when it continues the
sequence (so the ``4.`` of a numbered list of examples inside section 3 is not section 4),
unless a font or style already says it is a heading. Lettered headings hang under the
nearest numbered section, and a list item that names a label (``● Loss of Life - Label:
RF-LIFE``) is a subsection. Unnumbered headings in a numbered document are sub-headings
inside the current section unless their font is as large as the top-level headings'.

A document without numbers is organised by heading level (declared by Word/HTML/markdown, or
font size in a PDF) and the sections are numbered in reading order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from llmqa.guidelines.importing.blocks import Block, Extracted
from llmqa.guidelines.importing.lines import BULLET_MARK, DOTTED, short_title

LABEL_IN_TEXT = re.compile(r"\s*[-–—:,(]*\s*\blabel\s*:\s*`?([A-Za-z][\w\-/]*)`?\)?\s*$",
                           re.IGNORECASE)
_SINGLE = re.compile(r"^(?:section\s+|chapter\s+|part\s+)?(\d{1,3})[.)]?\s+(\S.*)$",
                     re.IGNORECASE)
_LETTER = re.compile(r"^\(?([a-z])[.)]\s+(\S.*)$")
_CLOSING_QUOTES = ("”", "’", '"', "»", "”.", "’.", '".')


@dataclass
class Section:
    path: tuple[str, ...]
    title: str
    where: str
    label: str | None = None
    size: float = 1.0
    numbered: bool = True
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    front: bool = False

    @property
    def code(self) -> str:
        return ".".join(self.path)


@dataclass
class _Heading:
    kind: str  # "number", "letter", "label", "plain"
    number: str
    title: str
    label: str | None
    strong: bool  # declared or set apart by font: no sequence check needed


def where(block: Block, pdf: bool) -> str:
    return f"page {block.line}" if pdf else f"line {block.line}"


def outline(doc: Extracted) -> tuple[str, list[Block], list[Section]]:
    """(title, blocks before the first heading, top-level sections)."""
    pdf = doc.source.lower().endswith(".pdf")
    blocks = list(doc.blocks)
    title = doc.title
    if not title:
        title, blocks = _take_title(blocks)
    else:
        # The same title as a first heading (<title> and <h1>, Word's Title style) is not a
        # section.
        first = next((b for b in blocks[:3] if b.kind == "heading"), None)
        if first is not None and " ".join(first.text.split()).lower() == " ".join(
                title.split()).lower():
            blocks.remove(first)
    headings = [_classify(b, blocks[i + 1] if i + 1 < len(blocks) else None)
                for i, b in enumerate(blocks)]
    numbered = sum(1 for h in headings if h and h.kind == "number") >= 2
    builder: _Builder = _Numbered(pdf) if numbered else _ByLevel(pdf)
    # When the document's own top-level numbers are set apart by font, a plain numbered line
    # is a list item, never a heading.
    builder.strict = any(h and h.kind == "number" and h.strong and "." not in h.number
                         for h in headings)
    preamble: list[Block] = []
    for block, heading in zip(blocks, headings, strict=True):
        if heading is None or not builder.add_heading(block, heading):
            if builder.current is None:
                preamble.append(block)
            else:
                builder.current.blocks.append(block)
    return title, preamble, builder.finish()


def _take_title(blocks: list[Block]) -> tuple[str, list[Block]]:
    first = blocks[:6]
    candidates = [b for b in first if (b.kind == "heading" and b.level == 1)
                  or b.size > 1.05]
    if not candidates:
        # A text export: a short first line, on its own, that is not a numbered heading.
        head = blocks[0] if blocks else None
        if head is not None and head.kind == "paragraph" and head.text[:1].isupper() and \
                short_title(head.text) and not (
                _SINGLE.match(head.text) or DOTTED.match(head.text)) and len(blocks) > 1:
            return head.text, blocks[1:]
        return "", blocks
    best = max(candidates, key=lambda b: (b.size, -(b.level or 9)))
    if _SINGLE.match(best.text) or DOTTED.match(best.text):
        return "", blocks
    return best.text, [b for b in blocks if b is not best]


def _classify(block: Block, following: Block | None) -> _Heading | None:
    text = block.text.strip()
    label_match = LABEL_IN_TEXT.search(text)
    label = label_match.group(1) if label_match else None
    bare = text[:label_match.start()].strip() if label_match else text
    strong = block.kind == "heading" or (block.kind == "paragraph" and block.is_heading_like)
    bullet = BULLET_MARK.match(bare)
    if strong and bullet:
        bare = bullet.group(2)
        if label:
            return _Heading("label", "", bare, label, True)
    if block.kind == "item":
        number = block.marker.rstrip(".)").lstrip("(")
        if label and len(bare.split()) <= 12:
            # "a) Suicidal action - Label: ACTION" keeps its letter as its code.
            lettered = len(number) == 1 and number.isalpha() and number.islower()
            return _Heading("letter" if lettered else "label", number if lettered else "",
                            bare, label, True)
        lone = following is None or following.kind != "item" or following.indent < block.indent
        if lone and short_title(bare):
            if number.isdigit() and block.indent == 0:
                return _Heading("number", number, bare, label, False)
            if len(number) == 1 and number.isalpha() and number.islower():
                return _Heading("letter", number, bare, label, bool(label))
        return None
    if block.kind == "row":
        return None
    dotted = DOTTED.match(bare)
    if dotted and (strong or short_title(dotted.group(2))):
        return _Heading("number", dotted.group(1), dotted.group(2), label, strong)
    if not strong:
        return None
    single = _SINGLE.match(bare)
    if single:
        return _Heading("number", single.group(1), single.group(2), label, True)
    letter = _LETTER.match(bare)
    if letter:
        return _Heading("letter", letter.group(1), letter.group(2), label, True)
    if bare[:1].islower() or bare.endswith(_CLOSING_QUOTES):
        return None  # the bold tail of a wrapped line or a quotation, not a title
    return _Heading("plain", "", bare.rstrip(":"), label, True)


class _Builder:
    def __init__(self, pdf: bool) -> None:
        self.pdf = pdf
        self.top: list[Section] = []
        self.current: Section | None = None
        self.strict = False

    def _attach(self, section: Section, parent: Section | None) -> None:
        (parent.children if parent else self.top).append(section)
        self.current = section

    def add_heading(self, block: Block, heading: _Heading) -> bool:
        raise NotImplementedError

    def finish(self) -> list[Section]:
        return self.top


class _Numbered(_Builder):
    def __init__(self, pdf: bool) -> None:
        super().__init__(pdf)
        self.by_path: dict[tuple[str, ...], Section] = {}
        self.last_top = 0
        self.top_size = 0.0

    def add_heading(self, block: Block, heading: _Heading) -> bool:
        if heading.kind == "number":
            path = tuple(heading.number.split("."))
            if path in self.by_path:
                return False
            parent = self.by_path.get(path[:-1]) if len(path) > 1 else None
            if len(path) == 1:
                if not heading.strong and (self.strict or int(path[0]) != self.last_top + 1):
                    return False
                self.last_top = max(self.last_top, int(path[0]))
                self.top_size = max(self.top_size, block.size)
            elif parent is None and not (heading.strong and path[0] == str(self.last_top)):
                return False
            return self._add(path, block, heading, parent)
        anchor = self._numbered_anchor()
        if heading.kind == "letter" and anchor is not None:
            path = (*anchor.path, heading.number)
            letters = [c.path[-1] for c in anchor.children if c.path[-1].isalpha()]
            expected = chr(ord(letters[-1]) + 1) if letters else "a"
            if path not in self.by_path and (heading.strong or heading.number == expected):
                return self._add(path, block, heading, anchor)
        if heading.kind == "label" and self.current is not None:
            parent = self.current
            while parent.path[-1].startswith("L") and len(parent.path) > 1:
                parent = self.by_path[parent.path[:-1]]
            path = (*parent.path, f"L{len(parent.children) + 1}")
            return self._add(path, block, heading, parent)
        if heading.kind == "plain" and (self.current is None or (block.size >= self.top_size
                                        and block.size > 1.05 and self.top_size)):
            path = (f"U{len(self.top) + 1}",)
            return self._add(path, block, heading, None, numbered=False)
        if self.current is not None:
            # A sub-heading inside the current section: kept in its body for the notes.
            self.current.blocks.append(Block("heading", heading.title, block.line))
            return True
        return False

    def _numbered_anchor(self) -> Section | None:
        section = self.current
        while section is not None and not section.path[-1].isdigit():
            section = self.by_path.get(section.path[:-1])
        return section

    def _add(self, path: tuple[str, ...], block: Block, heading: _Heading,
             parent: Section | None, numbered: bool = True) -> bool:
        section = Section(path, heading.title, where(block, self.pdf), heading.label, block.size,
                          numbered)
        self.by_path[path] = section
        self._attach(section, parent)
        return True

    def finish(self) -> list[Section]:
        # Unnumbered top-level sections take the numbers after the document's own.
        free = self.last_top
        for section in self.top:
            if not section.numbered:
                free += 1
                _renumber(section, (str(free),))
        for section in walk(self.top):
            section.path = tuple(p[1:] if p[0] == "L" and p[1:].isdigit() else p
                                 for p in section.path)
        return self.top


class _ByLevel(_Builder):
    def __init__(self, pdf: bool) -> None:
        super().__init__(pdf)
        self.stack: list[tuple[float, Section]] = []

    def add_heading(self, block: Block, heading: _Heading) -> bool:
        if heading.kind not in ("plain", "letter", "number", "label") or (
                heading.kind in ("number", "letter") and not heading.strong):
            return False
        rank = _rank(block, heading)
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()
        parent = self.stack[-1][1] if self.stack else None
        siblings = parent.children if parent else self.top
        path = (parent.path if parent else ()) + (str(len(siblings) + 1),)
        section = Section(path, heading.title, where(block, self.pdf), heading.label,
                          block.size, numbered=False)
        self._attach(section, parent)
        self.stack.append((rank, section))
        return True


def _rank(block: Block, heading: _Heading) -> float:
    if heading.kind == "label":
        return 50.0
    if block.level is not None:
        return float(block.level)
    return 10.0 - block.size * 2 - (0.5 if block.bold else 0.0)


def _renumber(section: Section, path: tuple[str, ...]) -> None:
    section.path = path
    for number, child in enumerate(section.children, start=1):
        _renumber(child, (*path, str(number)))


def walk(sections: list[Section]) -> list[Section]:
    """Every section, depth first, in reading order."""
    found: list[Section] = []
    for section in sections:
        found.append(section)
        found.extend(walk(section.children))
    return found

