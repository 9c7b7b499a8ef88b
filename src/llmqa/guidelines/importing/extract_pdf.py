"""PDF to blocks: pdfplumber lines with their fonts, tables as rows, page furniture removed.

pdfplumber gives each line's characters with font name, size and position, which is what
tells a heading (bold or larger) from body text and a list item's wrapped lines (indented past
the marker) from the next paragraph. Words are split at a 1.5 pt gap, not pdfplumber's default
3 pt: tightly set PDFs otherwise come out as "iwantto die". Tables with ruling lines come back
as rows; the lines inside them are not read twice. When pdfplumber cannot parse a file pypdf
is tried, which has text but no fonts.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from llmqa.errors import InputError
from llmqa.guidelines.importing.blocks import Block, Extracted
from llmqa.guidelines.importing.columns import PlacedLine, Word, find_tables
from llmqa.guidelines.importing.lines import Line, group_lines

_X_TOLERANCE = 1.5
# Unruled tables (``columns``), in units of the body font size: a space this wide separates
# two cells (a word space is about a quarter of it), and a word this close to a column's
# start is in that column.
_CELL_GAP = 0.6
_ALIGN = 0.3
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–—]?\s*\d{1,4}\s*(?:of\s+\d{1,4})?\s*[-–—]?\s*$",
                          re.IGNORECASE)
_EDGE_LINES = 3  # lines at the top and bottom of a page that may be running headers/footers
_BULLETS = "●○■□◦▪▫•‣∙·➢➤✓✔-–"  # bullet glyphs a highlight "cell" may start with


def extract_pdf(path: Path) -> Extracted:
    _refuse_encrypted(path)
    try:
        pages = _pdfplumber_pages(path)
    except InputError:
        raise
    except Exception:
        pages = _pypdf_pages(path)
    if not any(line.text.strip() for page in pages for line in page if isinstance(line, Line)):
        raise InputError(f"{path}: the PDF has no text layer (scanned or image-only); run OCR "
                         "on it first, or export the text from the original document")
    furniture = _furniture(pages)
    blocks: list[Block] = []
    removed: list[str] = []
    for page in pages:
        lines: list[Line] = []
        for entry in page:
            if isinstance(entry, Block):
                blocks.extend(group_lines(lines, wrap_by_indent=True))
                lines = []
                blocks.append(entry)
            elif _key(entry.text) in furniture or (_PAGE_NUMBER.match(entry.text)
                                                   and _at_edge(page, entry)):
                removed.append(entry.text.strip())
            else:
                lines.append(entry)
        if lines:
            lines[0].gap_before = True
        blocks.extend(group_lines(lines, wrap_by_indent=True))
    return Extracted(blocks=blocks, source=str(path), furniture=sorted(set(removed)))


def _refuse_encrypted(path: Path) -> None:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs every repaired cross-reference as a warning: noise for a user importing.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{path}: the PDF is encrypted; save an unprotected copy first")
        _ = len(reader.pages)
    except InputError:
        raise
    except (PdfReadError, ValueError, OSError) as exc:
        raise InputError(f"{path}: not a readable PDF ({exc})") from exc
    except Exception as exc:
        if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise InputError(f"{path}: the PDF is encrypted; save an unprotected copy first") \
                from exc
        raise InputError(f"{path}: not a readable PDF ({exc})") from exc


PageEntries = list[Line | Block]


def _pdfplumber_pages(path: Path) -> list[PageEntries]:
    import pdfplumber

    raw: list[list[tuple[float, Any]]] = []
    sizes: Counter[float] = Counter()
    with pdfplumber.open(str(path)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            tables = [t for t in page.find_tables() if _real_table(t)]
            entries: list[tuple[float, Any]] = []
            for table in tables:
                for row in table.extract():
                    cells = [" ".join((c or "").split()) for c in row]
                    if any(cells):
                        entries.append((table.bbox[1], Block("row", " | ".join(cells), number,
                                                             cells=cells)))
            for line in page.extract_text_lines(x_tolerance=_X_TOLERANCE, return_chars=True):
                if any(_inside(line, t.bbox) for t in tables):
                    continue
                chars = [c for c in line["chars"] if c["text"].strip()]
                if not chars:
                    continue
                size = Counter(round(c["size"], 1) for c in chars).most_common(1)[0][0]
                sizes[size] += len(chars)
                bold = sum("bold" in c["fontname"].lower() for c in chars) > len(chars) / 2
                entries.append((line["top"], (line, size, bold)))
            entries.sort(key=lambda e: e[0])
            raw.append(_unruled_tables(entries, number))
    body = sizes.most_common(1)[0][0] if sizes else 1.0
    pages: list[PageEntries] = []
    for number, entries in enumerate(raw, start=1):
        kept: PageEntries = []
        last_bottom: float | None = None
        for _, entry in entries:
            if isinstance(entry, Block):
                kept.append(entry)
                last_bottom = None
                continue
            line, size, bold = entry
            gap = last_bottom is not None and line["top"] - last_bottom > 0.8 * size
            kept.append(Line(line["text"], number, x0=line["x0"], bold=bold,
                             size=size / body if body else 1.0, gap_before=gap))
            last_bottom = line["bottom"]
        pages.append(kept)
    return pages


def _unruled_tables(entries: list[tuple[float, Any]], page: int) -> list[tuple[float, Any]]:
    """Lines of a table without ruling lines → its rows (``columns``), in place."""
    placed: list[PlacedLine] = []
    where: list[int] = []  # index in entries of each placed line
    sizes: Counter[float] = Counter()
    for position, (_, entry) in enumerate(entries):
        if isinstance(entry, Block):
            continue
        line, size, _bold = entry
        sizes[size] += 1
        placed.append(PlacedLine(_words(line["chars"]), line["top"]))
        where.append(position)
    if not sizes:
        return entries
    body = sizes.most_common(1)[0][0]
    for line, (_, (_, size, _bold)) in zip(placed, (entries[i] for i in where), strict=True):
        line.larger = size > body * 1.05
    tables = find_tables(placed, gap=body * _CELL_GAP, tolerance=body * _ALIGN)
    if not tables:
        return entries
    drop = {i for t in tables for i in where[t.first:t.last + 1]}
    rows_at = {where[t.first]: t.rows for t in tables}
    out: list[tuple[float, Any]] = []
    for position, (top, entry) in enumerate(entries):
        if position in rows_at:
            out.extend((top, Block("row", " | ".join(cells), page, cells=cells))
                       for cells in rows_at[position])
        elif position not in drop:
            out.append((top, entry))
    return out


def _words(chars: list[dict[str, Any]]) -> list[Word]:
    words: list[Word] = []
    current: list[dict[str, Any]] = []
    for char in [*chars, None]:
        split = char is None or not char["text"].strip() or (
            current and char["x0"] - current[-1]["x1"] > _X_TOLERANCE)
        if split and current:
            words.append(Word(current[0]["x0"], current[-1]["x1"],
                              "".join(c["text"] for c in current)))
            current = []
        if char is not None and char["text"].strip():
            current.append(char)
    return words


def _real_table(table: Any) -> bool:
    """At least two rows with two filled cells, no bullets, mostly filled cells.

    Coloured highlights around words in running text come back from pdfplumber as tables
    whose cells cut lines (and words) apart: they start with a bullet or are mostly empty.
    """
    rows = [[(c or "").strip() for c in row] for row in table.extract()]
    filled = sum(1 for row in rows for c in row if c)
    empty = sum(1 for row in rows for c in row if not c)
    if any(next((c for c in row if c), "")[:1] in _BULLETS for row in rows):
        return False
    if sum(1 for row in rows for c in row if c and len(c) <= 2 and not c.isalnum()) > 1:
        return False  # "," and "." cells: a highlight cut a sentence apart
    return empty <= filled and sum(1 for row in rows if sum(map(bool, row)) >= 2) >= 2


def _inside(line: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    x = (line["x0"] + line["x1"]) / 2
    y = (line["top"] + line["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _pypdf_pages(path: Path) -> list[PageEntries]:
    """pypdf's layout text keeps each line's horizontal layout in spaces: indents tell list
    items apart and the columns of an unruled table can be rebuilt from it."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        pages: list[PageEntries] = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                text = page.extract_text(extraction_mode="layout") or ""
            except Exception:  # layout mode is newer and stricter than plain extraction
                text = page.extract_text() or ""
            pages.append(_layout_entries(text, number))
        return pages
    except Exception as exc:
        raise InputError(f"{path}: not a readable PDF ({exc})") from exc


def _layout_entries(text: str, page: int) -> PageEntries:
    raw = text.splitlines()
    kept = [(index, line) for index, line in enumerate(raw) if line.strip()]
    placed = [PlacedLine([Word(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", line)],
                         float(index)) for index, line in kept]
    tables = find_tables(placed, gap=2.0, tolerance=1.0)
    rows_at = {t.first: t.rows for t in tables}
    inside = {i for t in tables for i in range(t.first, t.last + 1)}
    entries: PageEntries = []
    for position, (index, line) in enumerate(kept):
        if position in rows_at:
            entries.extend(Block("row", " | ".join(cells), page, cells=cells)
                           for cells in rows_at[position])
        elif position not in inside:
            gap = index > 0 and not raw[index - 1].strip()
            entries.append(Line(line.strip(), page, x0=float(len(line) - len(line.lstrip())),
                                gap_before=gap))
    return entries


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _edges(page: PageEntries) -> list[Line]:
    lines = [e for e in page if isinstance(e, Line)]
    return lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]


def _at_edge(page: PageEntries, line: Line) -> bool:
    return any(line is edge for edge in _edges(page))


def _furniture(pages: list[PageEntries]) -> set[str]:
    """Texts at a page's top or bottom on at least half the pages (and on two or more)."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_key(line.text) for line in _edges(page) if line.text.strip()})
    threshold = max(2, len(pages) // 2)
    return {text for text, count in seen.items() if count >= threshold}
