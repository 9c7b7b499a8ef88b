"""Streaming, validating readers for item files.

Every reader yields one ``Item`` or one ``RowError`` per input row and holds only the current
row (Parquet: the current record batch) in memory, so a file of any size streams in constant
memory. A bad row never stops the stream: the caller decides what a rejected row means.

CSV and Parquet carry the same fields as JSONL, or one row per annotation (``long_rows``,
grouped by ``id``; such a file is held in memory). In every format the content fields may be
flat, beside ``id`` (``modality``, ``text``, ``caption``...), or nested under ``content`` (a
column holding JSON in CSV); ``annotations`` and ``metadata`` are JSON strings in CSV and may
be nested columns in Parquet. CSV means any delimited text (``delimited``: commas, semicolons,
tabs). A ``.json`` file may hold JSONL or one JSON array of items (read whole; errors name the
element's position).
"""

from __future__ import annotations

import difflib
import json
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmqa.errors import (
    Hint,
    InputError,
    MissingInputError,
    UnannotatedWarning,
    validation_problems,
)
from llmqa.io.delimited import DelimitedRows, json_cell_problem
from llmqa.io.json_array import TOO_DEEP, TOO_DEEP_ELEMENT, array_elements
from llmqa.io.long_rows import ANNOTATION_COLUMNS, LongRows, is_long
from llmqa.items import Content, Item

FORMATS = ("jsonl", "csv", "parquet")
_CONTENT_FIELDS = set(Content.model_fields)
_ITEM_COLUMNS = set(Item.model_fields) | _CONTENT_FIELDS  # flat content fields are columns too
_JSON_COLUMNS = ("annotations", "metadata", "content")
_LABEL_LIKE_COLUMNS = frozenset({"annotation", "label", "labels", "annotator", "annotators",
                                 "human_label", "human_labels", "ratings"})
RowCheck = Callable[[Item], "tuple[str, str] | None"]


@dataclass(frozen=True)
class RowError:
    """A row that could not be turned into an item. ``line`` is 1-based (CSV: the data row;
    a JSON array file: the element's position, ``unit="element"``)."""

    source: str
    line: int
    field: str | None
    message: str
    unit: str = "line"
    # Every further problem of the same row, each as "field: message".
    more: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = (f"{self.source}:{self.line}" if self.unit == "line"
                 else f"{self.source}: {self.unit} {self.line}")
        return "; ".join((f"{where}: {self.problems()[0]}", *self.more))

    def problems(self) -> list[str]:
        """Every problem of the row, each "field: message" (or the message alone)."""
        first = f"{self.field}: {self.message}" if self.field else self.message
        return [first, *self.more]

    @classmethod
    def invalid(cls, source: str, number: int, exc: ValidationError,
                unit: str = "line") -> RowError:
        """A row pydantic refused, naming every problem it found, not only the first."""
        problems = [_mendable(*problem) for problem in validation_problems(exc)]
        (location, message), rest = problems[0], problems[1:]
        return cls(source, number, location, message, unit,
                   more=tuple(f"{loc}: {msg}" if loc else msg for loc, msg in rest))


def _mendable(location: str | None, message: str) -> tuple[str | None, str]:
    """A row problem as a newcomer can mend it: the field a typo meant, where content goes."""
    if location == "content" and message == "Field required":
        return location, ("missing: give 'content', or its fields beside 'id' (text, "
                          "transcript, title, image_url, audio_url, video_url, ...)")
    if message == "unknown field" and location in _LABEL_LIKE_COLUMNS:
        return location, ('not an item field: labels go in "annotations": [{"annotator": '
                          '"...", "label": "..."}], one per annotator (one labeller too)')
    if message == "unknown field" and location:
        *parent, name = location.split(".")
        known = {"": _ITEM_COLUMNS, "content": _CONTENT_FIELDS,
                 "annotations": ANNOTATION_COLUMNS}.get(parent[0] if parent else "", ())
        if meant := _near(name, known):
            return location, f"unknown field (did you mean '{meant}'?)"
    return location, message


def _near(name: str, known: Iterable[str]) -> str | None:
    """The known field a misspelt ``name`` most likely meant."""
    found = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.8)
    return found[0] if found else None


@dataclass
class ReadReport:
    """Counts kept while streaming, for the summary line and the exit code."""

    accepted: int = 0
    errors: list[RowError] = field(default_factory=list)
    max_errors_kept: int = 1000
    rejected: int = 0

    def add(self, record: Item | RowError) -> None:
        if isinstance(record, RowError):
            self.rejected += 1
            if len(self.errors) < self.max_errors_kept:
                self.errors.append(record)
        else:
            self.accepted += 1

    @property
    def ok(self) -> bool:
        return self.rejected == 0 and self.accepted > 0

    def track(self, records: Iterable[Item | RowError],
              on_error: Callable[[RowError], object] | None = None) -> Iterator[Item]:
        """Count ``records`` while passing their items on; ``on_error`` sees each bad row."""
        for record in records:
            self.add(record)
            if not isinstance(record, RowError):
                yield record
            elif on_error is not None:
                on_error(record)


def detect_format(path: str | Path, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise InputError(f"unknown format '{explicit}': use one of {', '.join(FORMATS)}")
        return explicit
    name = str(path).lower()
    if name == "-":
        return "jsonl"
    # A .tsv file is read as CSV: the delimiter is read off its header row.
    for suffix, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"),
                        (".csv", "csv"), (".tsv", "csv"), (".parquet", "parquet"),
                        (".pq", "parquet")):
        if name.endswith(suffix):
            return fmt
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods", ".numbers")):
        raise InputError(f"{path}: a spreadsheet workbook is not read; save the sheet as CSV "
                         "(UTF-8; semicolons or tabs are read too) and give that file")
    raise InputError(f"{path}: cannot tell the format from the file name",
                     hint=Hint("name the format with {}", ("input_format",)))


def read_items(path: str | Path, fmt: str | None = None,
               check: RowCheck | None = None) -> Iterator[Item | RowError]:
    """Yield items (or row errors) from ``path``; ``-`` reads JSONL from standard input.

    ``check`` adds checks that need context (duplicate IDs, the guideline label set): it gets
    each valid item and returns ``(field, message)`` to reject it.
    """
    if str(path) != "-" and Path(path).is_dir():
        raise InputError(f"{path}: is a folder; give an items file (.jsonl, .json, .csv, "
                         ".parquet)")
    fmt = detect_format(path, fmt)
    check = check or (lambda item: None)
    source = "<stdin>" if str(path) == "-" else str(path)
    if source != "<stdin>" and not Path(path).is_file():
        raise MissingInputError(f"{path}: no such file")
    if fmt == "jsonl" and source != "<stdin>" and _starts_with_array(Path(path)):
        yield from _read_json_array(Path(path), source, check)
    elif fmt == "jsonl":
        stream = sys.stdin.buffer if source == "<stdin>" else open(path, "rb")  # noqa: SIM115
        try:
            yield from _read_jsonl(stream, source, check)
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
    elif fmt == "csv":
        yield from _read_csv(Path(path), source, check)
    else:
        yield from _read_parquet(Path(path), source, check)


def text_lines(stream: Iterable[bytes], source: str) -> Iterator[tuple[int, str | RowError]]:
    """``(line number, text)`` per non-blank line of a JSONL byte stream; a line that is not
    UTF-8 is a ``RowError`` naming its byte, and the lines after it are still read."""
    for number, raw in enumerate(stream, start=1):
        try:
            # A byte-order mark (Windows "UTF-8 with BOM" exports) is not part of the first row.
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield number, RowError(source, number, None, f"not valid UTF-8 (byte {exc.start})")
            continue
        if line.strip():
            yield number, line


def _read_jsonl(stream: Iterable[bytes], source: str, check: RowCheck) -> Iterator[Item | RowError]:
    for number, line in text_lines(stream, source):
        if isinstance(line, RowError):
            yield line
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RowError(source, number, None, f"malformed JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield RowError(source, number, None, TOO_DEEP)
            continue
        if not isinstance(row, dict):
            yield RowError(source, number, None,
                           f"expected a JSON object, got {type(row).__name__}")
            continue
        yield _validate(_nest_flat_content(row), source, number, check)


def _starts_with_array(path: Path) -> bool:
    """A ``.json`` export is often one JSON array rather than one object per line."""
    if not str(path).lower().endswith(".json"):
        return False
    with open(path, "rb") as handle:
        head = handle.read(4096).decode("utf-8-sig", errors="replace").lstrip()
    return head.startswith("[")


def _read_json_array(path: Path, source: str, check: RowCheck) -> Iterator[Item | RowError]:
    # A JSON array cannot be streamed with the standard library; such files are exports of a
    # size that fits in memory (a JSONL file is the format for large batches).
    try:
        text = path.read_bytes().decode("utf-8-sig")
        rows: list[Any] = json.loads(text)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON array: {exc.msg} (line {exc.lineno}, "
                         f"column {exc.colno}); nothing was read") from exc
    except RecursionError:
        # One element nested past the parser's depth: decode element by element, so only
        # that element is rejected.
        rows = list(array_elements(text, str(path)))
    for number, row in enumerate(rows, start=1):
        if row is TOO_DEEP_ELEMENT:
            yield RowError(source, number, None, TOO_DEEP, "element")
            continue
        if not isinstance(row, dict):
            yield RowError(source, number, None,
                           f"expected a JSON object, got {type(row).__name__}", "element")
            continue
        result = _validate(_nest_flat_content(row), source, number, check)
        yield (replace(result, unit="element") if isinstance(result, RowError) else result)


def _read_csv(path: Path, source: str, check: RowCheck) -> Iterator[Item | RowError]:
    with open(path, "rb") as handle:
        table = DelimitedRows(handle, str(path), numbers=("priority",))
        if table.header_problem is not None:
            yield RowError(source, 1, None, table.header_problem)
            return
        long = LongRows() if is_long(table.fieldnames) else None
        _check_columns(path, table.fieldnames, long is not None)
        for number, row in table.rows():
            if isinstance(row, str):
                yield RowError(source, number, None, row)
            elif (record := _take(row, source, number, check, long)) is not None:
                yield record
    yield from _grouped(long, source, check)


def _check_columns(path: Path, columns: list[str], long: bool) -> None:
    """A header no row could be read under is refused once, for the file, instead of every
    row failing with the same long message: no ``id`` column (often a JSONL file given
    ``--input-format csv``), labels under another name, or columns that are not item fields.
    Those are not moved into ``metadata`` unasked: the judge and the embeddings read metadata,
    and a spreadsheet's extra columns (``final_label``, ``qa_status``) would hand them the
    answer. No ``annotations`` column and nothing like one: unannotated items, with a warning
    (a batch of unlabelled items is legitimate)."""
    if not columns:  # an empty file is an empty batch
        return
    shown = ", ".join(c[:40] for c in columns[:12]) + (", ..." if len(columns) > 12 else "")
    if "id" not in columns:
        cased = next((c for c in columns if c.strip().lower() == "id"), None)
        raise InputError(f"{path}: no 'id' column in the header row (columns: {shown})"
                         + (f"; rename '{cased}' to 'id' (column names are lower case)"
                            if cased else ""))
    bare = None if "annotations" in columns or long else (
        f"{path}: no 'annotations' column (columns: {shown})")
    lookalikes = [c for c in columns if c.strip().lower() in _LABEL_LIKE_COLUMNS]
    if bare and lookalikes:
        raise InputError(f"{bare}; '{lookalikes[0]}' is not read as annotations. Name the "
                         "column 'annotations', holding a JSON list of "
                         '{"annotator": ..., "label": ...}, or give one row per annotation '
                         "with 'annotator' and 'label' columns")
    allowed = _ITEM_COLUMNS | (set(ANNOTATION_COLUMNS) if long else set())
    if unknown := [c for c in columns if c not in allowed]:
        typo = {c: m for c in unknown if (m := _near(c, allowed))}
        named = ", ".join(f"'{c}'" + (f" (did you mean '{typo[c]}'?)" if c in typo else "")
                          for c in unknown[:10]) + (", ..." if len(unknown) > 10 else "")
        raise InputError(f"{path}: columns that are not item fields: {named}. Remove them, or "
                         "carry them in a 'metadata' column holding a JSON object (the judge "
                         "reads metadata: leave out anything that gives the label away)")
    if bare:
        warnings.warn(f"{bare}: every item is read as unannotated", UnannotatedWarning,
                      stacklevel=4)


def _read_parquet(path: Path, source: str, check: RowCheck) -> Iterator[Item | RowError]:
    import pyarrow.parquet as pq  # heavy; only when a Parquet file is read

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    number = 0
    long = LongRows() if is_long(parquet.schema_arrow.names) else None
    _check_columns(path, list(parquet.schema_arrow.names), long is not None)
    for batch in parquet.iter_batches(batch_size=2048):
        for row in batch.to_pylist():
            number += 1
            cleaned = {k: _drop_nulls(v) for k, v in row.items() if v is not None and v != ""}
            if (record := _take(cleaned, source, number, check, long)) is not None:
                yield record
    yield from _grouped(long, source, check)


def _take(row: dict[str, Any], source: str, number: int, check: RowCheck,
          long: LongRows | None) -> Item | RowError | None:
    """A wide row's item; a long row goes into its item (yielded by ``_grouped``), None
    unless it has a problem of its own."""
    parsed = _parse_json_columns(row, source, number)
    if isinstance(parsed, RowError):
        return parsed
    if long is None:
        return _validate(_nest_flat_content(parsed), source, number, check)
    problem = long.add(number, parsed)
    return None if problem is None else RowError(source, number, *problem)


def _grouped(long: LongRows | None, source: str, check: RowCheck) -> Iterator[Item | RowError]:
    for number, row in (long.rows() if long is not None else ()):
        yield _validate(_nest_flat_content(row), source, number, check)


def _drop_nulls(value: Any) -> Any:
    """Parquet structs carry every field of the column (null where a row lacks it): drop those."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _parse_json_columns(row: dict[str, Any], source: str, number: int) -> dict[str, Any] | RowError:
    for column in _JSON_COLUMNS:
        value = row.get(column)
        if isinstance(value, str):
            try:
                row[column] = json.loads(value)
            except json.JSONDecodeError as exc:
                return RowError(source, number, column, json_cell_problem(value, exc))
            except RecursionError:
                return RowError(source, number, column, TOO_DEEP)
    return row


def _nest_flat_content(row: dict[str, Any]) -> dict[str, Any]:
    if "content" in row:
        return row
    content = {k: row.pop(k) for k in list(row) if k in _CONTENT_FIELDS}
    if content:
        row["content"] = content
    return row


def _serialisable(item: Item, source: str, number: int) -> Item | RowError:
    """Hashing and storing serialise the item: a structure too deep for that fails here, as
    this row's error, not later as the whole run's."""
    try:
        item.content_hash()
        item.model_dump_json()
    except (RecursionError, ValueError):  # pydantic: "Maximum serialization depth exceeded"
        return RowError(source, number, None, TOO_DEEP)
    return item


def _validate(row: dict[str, Any], source: str, number: int, check: RowCheck) -> Item | RowError:
    try:
        item = Item.model_validate(row)
        problem = check(item)
        return RowError(source, number, *problem) if problem else _serialisable(item, source,
                                                                                number)
    except RecursionError:
        return RowError(source, number, None, TOO_DEEP)
    except ValidationError as exc:
        return RowError.invalid(source, number, exc)
