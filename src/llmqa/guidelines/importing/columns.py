"""Tables set without ruling lines, rebuilt from where their words sit on the page.

PDF text extraction reads such a table line by line, so a row ``threat | Threats | A statement
of intent… | “I will hurt you”`` comes out as one line of running text and its wrapped cells
as more lines. The columns are still there in the word positions: a header line whose cells
(word groups separated by a wide gap) name definition-table roles (label / category /
subcategory / definition / examples, as ``tables.header_roles`` reads them) fixes where each
column starts, and the lines below it are cut at those starts for as long as they fit (no word
group straddles a column start, no big vertical gap, no larger font).

Rows: when the table leaves extra space between rows, a wider line pitch starts a row;
otherwise a line with text in the most specific naming column (subcategory, else label, code,
category) starts one, and lines without it continue the row above (wrapped cells). The same
code serves pdfplumber (x in points) and pypdf's layout text (x in characters); the caller
gives the units through ``gap`` and ``tolerance``.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmqa.guidelines.importing.tables import header_roles, names_a_column

_KEY_ROLES = ("subcategory", "label", "code", "category")
_END_GAP = 2.5  # a gap this many typical line pitches below the previous line ends a table
_ITEM_START = "•●○■▪‣-–“‘\"«"
_SPACED = 1.25  # pitches this much wider than the tightest mean the rows are spaced apart


@dataclass(frozen=True)
class Word:
    x0: float
    x1: float
    text: str


@dataclass
class PlacedLine:
    words: list[Word]
    top: float
    larger: bool = False  # set in a larger font than the body (a heading)


@dataclass
class Table:
    first: int  # index of the header line
    last: int  # index of the last line read into the table
    rows: list[list[str]]  # header row first


def cells(line: PlacedLine, gap: float) -> list[Word]:
    """The line's words joined into groups wherever the space between them is under ``gap``."""
    groups: list[Word] = []
    for word in line.words:
        if groups and word.x0 - groups[-1].x1 < gap:
            last = groups[-1]
            groups[-1] = Word(last.x0, word.x1, f"{last.text} {word.text}")
        else:
            groups.append(word)
    return groups


def find_tables(lines: list[PlacedLine], gap: float, tolerance: float) -> list[Table]:
    tables: list[Table] = []
    index = 0
    while index < len(lines):
        table = _table_at(lines, index, gap, tolerance)
        if table is None:
            index += 1
            continue
        tables.append(table)
        index = table.last + 1
    return tables


def _table_at(lines: list[PlacedLine], index: int, gap: float,
              tolerance: float) -> Table | None:
    header = cells(lines[index], gap)
    roles = header_roles([c.text for c in header]) if len(header) >= 2 else None
    words = lines[index].words
    if len(words) > len(header) and len(words) >= 3 and all(names_a_column(w.text)
                                                            for w in words):
        # A bold header set tight (two names read as one cell): when every word names a
        # column, each word is one.
        header = words
        roles = header_roles([w.text for w in words])
    if roles is None:
        return None
    starts = [c.x0 for c in header]
    body: list[tuple[float, list[str]]] = []
    previous_top = lines[index].top
    pitch = 0.0
    for position in range(index + 1, len(lines)):
        line = lines[position]
        step = line.top - previous_top
        if line.larger or not _fits(cells(line, gap), starts, tolerance) or (
                pitch and step > _END_GAP * pitch):
            break
        pitch = min(pitch, step) if pitch else step
        body.append((step, _split(line, starts, tolerance)))
        previous_top = line.top
    while body and not any(body[-1][1][1:]):
        body.pop()  # a short line after the table that happened to fit the first column
    if not body:
        return None
    key = next((roles[r] for r in _KEY_ROLES if r in roles), 0)
    rows = _rows(body, key)
    return Table(index, index + len(body), [[c.text for c in header], *rows])


def _fits(groups: list[Word], starts: list[float], tolerance: float) -> bool:
    if not groups or groups[0].x0 < starts[0] - tolerance:
        return False
    return not any(g.x0 < start - tolerance and g.x1 > start + tolerance
                   for g in groups for start in starts[1:])


def _split(line: PlacedLine, starts: list[float], tolerance: float) -> list[str]:
    columns = [""] * len(starts)
    for word in line.words:
        column = max(i for i, start in enumerate(starts) if i == 0 or start - tolerance
                     <= word.x0)
        columns[column] = f"{columns[column]} {word.text}".strip()
    return columns


def _rows(body: list[tuple[float, list[str]]], key: int) -> list[list[str]]:
    steps = [step for step, _ in body[1:]]
    spaced = bool(steps) and max(steps) > _SPACED * min(steps)
    threshold = (max(steps) + min(steps)) / 2 if spaced else 0.0
    rows: list[list[str]] = []
    for step, columns in body:
        if not rows or (step > threshold if spaced else bool(columns[key])):
            rows.append(list(columns))
            continue
        rows[-1] = [_join(a, b) for a, b in zip(rows[-1], columns, strict=True)]
    return rows


def _join(left: str, right: str) -> str:
    if not left or not right:
        return left or right
    if right[:1] in _ITEM_START:
        return f"{left}\n{right}"  # a new bullet or quotation in the cell: keep them apart
    return f"{left}{right}" if left.endswith("-") and left[-2:-1].isalpha() else f"{left} {right}"
