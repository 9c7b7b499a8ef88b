"""Triage queues written by ``llmqa triage -o FILE``, read back by the review app, ``themes``
and ``revise``.

``check_first`` picks the items triage ranks as likely label errors: their labels are in
doubt, so no annotator is blamed and no example is proposed from them until a person has
looked (their gold decision, once made, is used instead).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmqa.errors import InputError
from llmqa.io.delimited import header_delimiter, unquoted
from llmqa.io.json_file import read_json_lines

DEFAULT_CHECK_FIRST = 0.75  # likely-error score (rank-based, 0..1) from which an item waits


def read_queue_file(path: Path) -> list[dict[str, Any]]:
    """Triage rows from ``llmqa triage -o FILE`` (.jsonl, .csv, .tsv or .parquet, as it
    writes them). A queue is llmqa's own output, so a row without an ``item_id`` means a wrong
    or damaged file: an ``InputError`` naming the row's line, as is a file of another kind."""
    if not path.exists():
        raise InputError(f"{path}: no such queue file")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        rows = [(number, row) for number, row in read_json_lines(path, "queue file")]
    elif suffix in (".csv", ".tsv", ".parquet", ".pq"):
        header = suffix in (".csv", ".tsv")  # its first data row is line 2
        rows = list(enumerate(_table_rows(path, suffix), start=2 if header else 1))
    else:
        raise InputError(f"{path}: not a triage queue (.jsonl, .csv, .tsv or .parquet, as "
                         "triage writes them)")
    for number, row in rows:
        if not isinstance(row, dict) or not row.get("item_id"):
            raise InputError(f"{path}:{number}: a queue row needs an item_id (is this a triage "
                             "queue?)")
    return [row for _, row in rows]


def _table_rows(path: Path, suffix: str) -> list[dict[str, Any]]:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    try:
        if suffix in (".parquet", ".pq"):
            table = pq.read_table(path)
        else:
            with open(path, "rb") as handle:
                header = handle.readline().decode("utf-8-sig", errors="replace")
            delimiter = "\t" if suffix == ".tsv" else header_delimiter(header)
            # A queue opened in a spreadsheet and saved again: where Excel saves "CSV" with
            # semicolons, its numbers have a decimal comma (0,87).
            table = pacsv.read_csv(
                path, parse_options=pacsv.ParseOptions(delimiter=delimiter),
                convert_options=pacsv.ConvertOptions(decimal_point="," if delimiter == ";"
                                                     else "."))
    except ValueError as exc:  # pyarrow's ArrowInvalid: not Parquet, or CSV it cannot parse
        raise InputError(f"{path}: not a readable queue file ({exc})") from exc
    rows = [{k: unquoted(v) if isinstance(v, str) else v for k, v in row.items()}
            for row in table.to_pylist()]
    for row in rows:
        if isinstance(row.get("clause_ids"), str):
            row["clause_ids"] = json.loads(row["clause_ids"] or "[]")
    return rows


def check_first(rows: list[dict[str, Any]], threshold: float = DEFAULT_CHECK_FIRST
                ) -> dict[str, float]:
    """item id → likely-error score, for the rows at or above ``threshold``."""
    found: dict[str, float] = {}
    for row in rows:
        score = row.get("error_score")
        if score is None and row.get("kind") == "error":
            score = row.get("score")
        if score is None or score == "":
            continue
        try:
            value = float(score)
        except (TypeError, ValueError):
            raise InputError(f"queue row {row['item_id']}: error score {score!r} is not a "
                             "number") from None
        if value >= threshold:
            found[str(row["item_id"])] = value
    return found
