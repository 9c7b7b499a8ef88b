"""Delimited text files (CSV, TSV, a spreadsheet's semicolon "CSV") read row by row.

The delimiter is read off the header row: Excel saves "CSV" with semicolons where the decimal
separator is a comma, and column names contain none of the candidates, so the commonest one
there is the delimiter (a comma when none appears). Lines are decoded one at a time, so a row
that is not UTF-8 is named with its line and the rest of the file is still read.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from collections.abc import Collection, Iterable, Iterator
from typing import BinaryIO

from llmqa.errors import Hint, InputError

DELIMITERS = (",", ";", "\t", "|")  # a tie goes to the earlier one
# Excel's plain "CSV" is the machine's code page (é as one byte); its "CSV UTF-8" is UTF-8.
RESAVE = "re-save the file as UTF-8 (in Excel: CSV UTF-8)"
CSV_FIELD_LIMIT = 64 * 1024 * 1024  # characters in one cell: a JSONL value's size, not 128 KiB
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
# A spreadsheet runs a cell that starts with one of these as a formula; item text is untrusted.
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")
_AS_JSON = Hint("read it as JSONL: {} jsonl", ("input_format",))


def header_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class DelimitedRows:
    """The header and then ``(first line, row or problem)`` per row of an open binary file.

    A row's number is the physical line it starts on (blank lines before it skipped), so a
    quoted cell spanning lines does not shift the numbers of the rows after it. A file
    separated by semicolons comes from a locale whose decimal separator is a comma: in the
    ``numbers`` columns, ``1,5`` is read as ``1.5``."""

    def __init__(self, handle: BinaryIO, name: str, numbers: Collection[str] = (),
                 as_json: Hint = _AS_JSON) -> None:
        self._bad: dict[int, int] = {}  # physical line -> offending byte offset
        self._blank: set[int] = set()
        header = handle.readline().decode("utf-8-sig", errors="replace")
        handle.seek(0)
        if header.lstrip().startswith(("{", "[")):  # JSONL named .csv or read as CSV
            raise InputError(f"{name}: the first line is JSON, not a CSV header row",
                             hint=as_json)
        csv.field_size_limit(CSV_FIELD_LIMIT)
        delimiter = header_delimiter(header)
        # "id, text, annotations" typed by hand: a space after every delimiter of the header
        # means the rows have them too (`1, hi, "[]"`), where they would hide a quoted cell.
        typed = header.count(delimiter) > 0 and (
            header.count(delimiter + " ") == header.count(delimiter))
        self._numbers = set(numbers) if delimiter == ";" else set()
        self._reader = csv.DictReader(self._lines(handle), delimiter=delimiter,
                                      skipinitialspace=typed)
        try:
            self.fieldnames: list[str] = [f.strip() for f in self._reader.fieldnames or []]
        except csv.Error as exc:
            raise InputError(f"{name}: the header row is not valid CSV ({exc})") from exc
        if repeated := sorted({f for f in self.fieldnames if f and self.fieldnames.count(f) > 1}):
            # csv.DictReader keeps the last cell of a repeated column: the others would vanish.
            raise InputError(f"{name}: the header row names {', '.join(map(repr, repeated))} "
                             "more than once; rename or remove the repeated column")
        self._reader.fieldnames = self.fieldnames
        # Not a refusal of the file: the caller reports it as line 1's problem.
        self.header_problem = (f"header row is not valid UTF-8 (byte {self._bad[1]}); "
                               f"{RESAVE}") if 1 in self._bad else None

    def _lines(self, handle: Iterable[bytes]) -> Iterator[str]:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                self._blank.add(number)
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                self._bad[number] = exc.start
                yield raw.decode("utf-8", errors="replace")

    def _first_line(self, previous: int, last: int) -> int:
        return next((n for n in range(previous + 1, last + 1) if n not in self._blank), last)

    def rows(self) -> Iterator[tuple[int, dict[str, str] | str]]:
        """Each row with its empty cells dropped, or a message saying why it cannot be read."""
        previous = self._reader.line_num
        while True:
            try:
                row = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield self._first_line(previous, self._reader.line_num), f"malformed CSV: {exc}"
                previous = self._reader.line_num
                continue
            number = self._first_line(previous, self._reader.line_num)
            spanned = [n for n in range(previous + 1, self._reader.line_num + 1) if n in self._bad]
            previous = self._reader.line_num
            if spanned:
                yield number, (f"not valid UTF-8 (byte {self._bad[spanned[0]]} of line "
                               f"{spanned[0]}); {RESAVE}")
                continue
            yield number, {k: self._number(k, v) for k, v in row.items()
                           if k is not None and v not in (None, "")}

    def _number(self, column: str, value: str) -> str:
        if column in self._numbers and _DECIMAL_COMMA.fullmatch(value.strip()):
            return value.strip().replace(",", ".")
        return unquoted(value)


def json_cell_problem(value: str, exc: json.JSONDecodeError) -> str:
    """Why a cell meant to hold JSON does not, saying so when it holds a Python literal: a
    DataFrame column of lists or dicts written by ``to_csv`` is their repr, single quotes and
    all."""
    try:
        literal = ast.literal_eval(value.strip()) if value.lstrip().startswith(("[", "{")) else None
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        literal = None
    if isinstance(literal, list | dict):
        return ("a Python literal, not JSON (as pandas' to_csv writes a column of lists or "
                "dicts): write the column as JSON, df[column].map(json.dumps)")
    return f"malformed JSON in column: {exc.msg}"


def formula_safe(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows and never runs: one quote before a formula
    lead (the marker Excel, Calc and Sheets read as "text" and do not show), and before a
    cell already written that way, so ``unquoted`` gives the text back exactly."""
    lead = text.lstrip("'")[:1]
    if lead and lead in FORMULA_LEAD and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unquoted(cell: str) -> str:
    """A cell as ``formula_safe`` had it (a quote before a formula lead dropped)."""
    lead = cell.lstrip("'")[:1]
    if cell.startswith("'") and lead and lead in FORMULA_LEAD:
        return cell[1:]
    return cell
