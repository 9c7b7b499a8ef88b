"""Writers for flat result records (verdicts, consensus, triage rows).

Records are plain dicts. CSV (``.tsv``: tab-separated) cells that hold lists or dicts are
written as JSON so a spreadsheet round-trips them; Parquet keeps them nested. ``-`` writes to
standard output.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from llmqa.errors import Hint, UsageError
from llmqa.io.delimited import formula_safe

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")


_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv",
             ".parquet": "parquet", ".pq": "parquet"}


def output_format(path: str | Path | None, explicit: str | None) -> str:
    """The format to write: ``explicit``, else from the file name (JSONL on standard
    output). A name with another extension is refused rather than silently written as JSONL:
    ``queue.xlsx`` holding JSON lines would only fail later, in a spreadsheet."""
    if explicit:
        if explicit not in OUTPUT_FORMATS:
            raise UsageError(f"unknown output format '{explicit}': use one of "
                             f"{', '.join(OUTPUT_FORMATS)}")
        return explicit
    if path in (None, "-"):
        return "jsonl"
    suffix = Path(str(path)).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    raise UsageError(f"{path}: cannot write '{suffix or 'no extension'}' files; name the file "
                     f"with one of {', '.join(_SUFFIXES)}",
                     hint=Hint("or choose the format with {} (" + ", ".join(OUTPUT_FORMATS)
                               + ")", ("output_format",)))


@contextmanager
def _open_text(path: str | Path | None) -> Iterator[IO[str]]:
    if path in (None, "-"):
        yield sys.stdout
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


def check_output_path(path: str | Path, suffixes: tuple[str, ...] = ()) -> None:
    """An output named by the user must be a file name (a folder there is a usage error,
    said before any work is done rather than as an OS error after it), and one of
    ``suffixes`` when given: an HTML page in ``report.pdf`` would only fail when opened."""
    if Path(path).is_dir():
        raise UsageError(f"{path}: is a folder; the output must be a file name")
    suffix = Path(path).suffix.lower()
    if suffixes and suffix not in suffixes:
        raise UsageError(f"{path}: cannot write '{suffix or 'no extension'}' files here; name "
                         f"the file with one of {', '.join(suffixes)}")


def write_text(text: str, path: str | Path | None = None) -> None:
    """A text (a report, a patch, JSON) to a file, its folder made first; standard output
    for ``None`` or ``-``."""
    with _open_text(path) as handle:
        handle.write(text)


def json_text(payload: Any) -> str:
    """``payload`` as indented UTF-8 JSON with a final newline (what llmqa writes)."""
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n"


def check_records_output(path: str | Path | None, fmt: str | None = None) -> str:
    """What ``write_records`` refuses, said by a caller before its work rather than after
    it: a folder, an extension llmqa does not write, Parquet on standard output. Returns
    the format."""
    if path not in (None, "-"):
        check_output_path(path)
    fmt = output_format(path, fmt)
    if fmt == "parquet" and path in (None, "-"):
        raise UsageError("Parquet cannot be written to standard output",
                         hint=Hint("name a file with {}", ("output",)))
    return fmt


def write_records(records: Iterable[dict[str, Any]], path: str | Path | None = None,
                  fmt: str | None = None) -> int:
    """Write ``records`` to ``path`` (stdout when ``None`` or ``-``); returns the row count."""
    fmt = check_records_output(path, fmt)
    if fmt == "parquet":
        return _write_parquet(records, Path(str(path)))
    count = 0
    with _open_text(path) as handle:
        if fmt == "jsonl":
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                count += 1
            return count
        to_file = path not in (None, "-")
        # A .tsv name gets tabs: what a spreadsheet pastes and `cut -f` reads.
        tabs = to_file and Path(str(path)).suffix.lower() == ".tsv"
        return _write_csv(records, handle, "\t" if tabs else ",", bom=to_file)


def csv_text(records: Iterable[dict[str, Any]]) -> str:
    """``records`` as the CSV file ``write_records`` writes (a download, not a file here)."""
    import io

    buffer = io.StringIO(newline="")
    _write_csv(records, buffer, bom=True)
    return buffer.getvalue()


def _write_csv(records: Iterable[dict[str, Any]], handle: IO[str], delimiter: str = ",",
               bom: bool = False) -> int:
    """The header is every key any record has (first-seen order), so a column that only
    later rows carry is not dropped. Rows are spooled to a temporary file until the header is
    known: memory stays bounded however many rows there are.

    A file starts with a UTF-8 byte-order mark (``bom``): Excel opened by a double click
    reads a CSV without one in the machine's code page, and an item's text or a queue's
    reason (→, …) comes out garbled. pandas, pyarrow, polars, DuckDB and llmqa's readers skip
    it; Python's ``csv`` module wants ``encoding="utf-8-sig"``. Standard output gets none."""
    columns: dict[str, None] = {}
    count = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for record in records:
            flat = {k: _csv_cell(v) for k, v in record.items()}
            columns.update(dict.fromkeys(flat))
            spool.write(json.dumps(flat, ensure_ascii=False, default=str) + "\n")
            count += 1
        if not count:
            return 0
        spool.seek(0)
        writer = csv.DictWriter(handle, fieldnames=list(columns), restval="",
                                delimiter=delimiter)
        if bom:
            handle.write("\ufeff")
        writer.writeheader()
        for line in spool:
            writer.writerow(json.loads(line))
    return count


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    # An item's text opened in a spreadsheet must not run as a formula (=HYPERLINK(...)).
    return formula_safe(value) if isinstance(value, str) else value


def _no_empty_structs(value: Any) -> Any:
    """Parquet cannot store a struct without fields: an empty dict is written as null."""
    if isinstance(value, dict):
        return {k: (None if v == {} else _no_empty_structs(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_empty_structs(v) for v in value]
    return value


def _write_parquet(records: Iterable[dict[str, Any]], path: Path, batch: int = 5000) -> int:
    """Two passes over a spool file: the first infers each batch's schema and unifies them
    (a column or struct field that only later rows carry, or a column that is null in the
    first rows, still gets its type), the second writes with that schema. Memory holds one
    batch at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    schemas: list[pa.Schema] = []
    count = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        buffer: list[dict[str, Any]] = []

        def infer() -> None:
            if buffer:
                schemas.append(pa.Table.from_pylist(_same_keys(buffer)).schema)
                buffer.clear()

        for record in records:
            record = _no_empty_structs(record)
            spool.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            buffer.append(record)
            count += 1
            if len(buffer) >= batch:
                infer()
        infer()
        if not count:
            pq.write_table(pa.table({}), path)
            return 0
        schema = pa.unify_schemas(schemas, promote_options="permissive")
        spool.seek(0)
        with pq.ParquetWriter(path, schema) as writer:
            for line in spool:
                buffer.append(json.loads(line))
                if len(buffer) >= batch:
                    writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
                    buffer.clear()
            if buffer:
                writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
    return count


def _same_keys(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row with every key of the batch: Arrow infers the columns from the first row."""
    keys = list(dict.fromkeys(k for row in rows for k in row))
    return [{k: row.get(k) for k in keys} for row in rows]
