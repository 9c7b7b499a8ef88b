"""Gold files: analysts' decisions, one row per item (``llmqa decisions export``).

A row is ``{"id": ITEM, "label": GOLD, "decision": ..., "clause_ids": [...], "analyst": ...,
"note": ..., "created_at": ..., "item_hash": ...}``; ``id`` and ``label`` are what
``llmqa agreement --gold``, ``llmqa policy-ci --gold`` and the evals read. ``read_gold``,
the one reader of gold files, accepts these rows as JSONL, CSV or Parquet (also ``item_id``
for ``id``, the label names ``io.gold`` accepts, and in CSV ``clause_ids`` as a JSON list or
``A;B``; ``decision`` defaults to ``correct`` when only a label is given) and yields a
``RowError`` with file:line for each bad one, so one bad row never stops an import.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmqa.errors import InputError
from llmqa.io.gold import LABEL_FIELDS, gold_file_rows, gold_label
from llmqa.io.readers import RowError
from llmqa.store.decisions import (
    Decision,
    DecisionStore,
    record_imported,
    stored_item,
    unknown_clauses,
    unknown_label,
)
from llmqa.store.verdicts import VerdictStore

# Columns every triage queue row has (triage.queue) and no gold row does: a queue also has
# item_id and label, and would read as gold whose labels are the ones under review.
QUEUE_COLUMNS = frozenset({"rank", "urgency", "error_score", "ambiguity_score"})


@dataclass
class GoldImport:
    """What an import recorded, and the lines it rejected (file:line and why)."""

    imported: int = 0
    rejected: list[RowError] = field(default_factory=list)


def gold_record(decision: Decision) -> dict[str, Any]:
    row = decision.model_dump(mode="json", exclude_none=True)
    return {"id": row.pop("item_id"), **row}


def gold_rows(store: VerdictStore, include_undecided: bool = False) -> list[dict[str, Any]]:
    """The newest decision per item as gold lines; ``include_undecided`` adds the items whose
    newest decision is ambiguous or escalate (no gold label)."""
    latest = DecisionStore(store).latest().values()
    return [gold_record(d) for d in latest if include_undecided or d.is_gold]


def import_gold(store: VerdictStore, path: str | Path, analyst: str | None = None,
                labels: Collection[str] | None = None,
                clauses: Collection[str] | None = None) -> GoldImport:
    """Record a gold file's decisions (``analyst`` fills lines that name none); a bad line is
    rejected with file:line and the rest are recorded. With ``labels`` and ``clauses`` (the
    guidelines'), a gold label outside them and the item's own, or a clause ID they do not
    define, is a bad line."""
    done = GoldImport()
    good = []
    for number, record in _numbered(Path(path), analyst, "import"):
        if not isinstance(record, RowError):
            item = stored_item(store, record.item_id) if labels else None
            if problem := unknown_label(record.label, labels, item):
                record = RowError(str(path), number, "label", problem)
            elif problem := unknown_clauses(record.clause_ids, clauses):
                record = RowError(str(path), number, "clause_ids", problem)
        if isinstance(record, RowError):
            done.rejected.append(record)
        else:
            good.append(record)
    record_imported(store, good)
    done.imported = len(good)
    return done


def read_gold(path: str | Path, analyst: str | None = None, source: str = "import", *,
              other_columns: bool = False) -> Iterator[Decision | RowError]:
    """Decisions from a gold file; ``analyst`` fills rows that name none. A column that is no
    field of a decision is a bad row (a misspelt ``clause_ids`` would be lost), unless
    ``other_columns``: a spreadsheet read only for its labels may carry the text and notes."""
    return (record for _, record in _numbered(Path(path), analyst, source, other_columns))


def gold_labels(path: str | Path) -> tuple[dict[str, str], list[RowError]]:
    """``{item id: gold label}`` from a gold file, and its unusable rows. Rows decided
    ambiguous or escalate carry no gold label and are left out; an item's last row wins, as
    its newest decision does."""
    labels: dict[str, str] = {}
    errors: list[RowError] = []
    for record in read_gold(path, analyst="(file)", source="gold file", other_columns=True):
        if isinstance(record, RowError):
            errors.append(record)
        elif record.is_gold and record.label:
            labels[record.item_id] = record.label
    return labels, errors


def _numbered(path: Path, analyst: str | None, source: str,
              other_columns: bool = False) -> Iterator[tuple[int, Decision | RowError]]:
    if not path.is_file():
        raise InputError(f"{path}: no such gold file")
    rows = gold_file_rows(path)
    first = next((row for _, row in rows if isinstance(row, dict)), {})
    if first.keys() >= QUEUE_COLUMNS:
        raise InputError(f"{path}: a triage queue, not a gold file: its 'label' is the label "
                         "under review, not an analyst's decision")
    for number, row in rows:
        yield number, (row if isinstance(row, RowError)
                       else _parse(row, str(path), number, analyst, source, other_columns))


def _parse(row: Any, source: str, number: int, analyst: str | None, origin: str,
           other_columns: bool) -> Decision | RowError:
    if not isinstance(row, dict):
        return RowError(source, number, None, "expected a JSON object")
    # A spreadsheet's empty cell (or Parquet's null) is a field not given.
    row = {k: v for k, v in row.items() if v is not None and v != ""}
    if "id" in row:
        row["item_id"] = row.pop("id")
    elif "item_id" not in row:
        return RowError(source, number, "id", "missing (a gold row names its item in an 'id' "
                        "column)")
    label = gold_label(row)
    row = {k: v for k, v in row.items() if k not in LABEL_FIELDS}
    if label is not None:
        row["label"] = label
    ids = row.get("clause_ids")
    if isinstance(ids, str):  # a CSV cell: a JSON list (as llmqa writes it) or A;B
        try:
            row["clause_ids"] = (json.loads(ids) if ids.lstrip().startswith("[")
                                 else [c.strip() for c in ids.split(";") if c.strip()])
        except json.JSONDecodeError:
            return RowError(source, number, "clause_ids", "not a JSON list nor A;B")
    if "label" not in row and "decision" not in row:
        return RowError(source, number, "label", "missing (a gold row needs a label, or a "
                        "decision of ambiguous or escalate)")
    row.setdefault("decision", "correct" if row.get("label") else None)
    if analyst and not row.get("analyst"):
        row["analyst"] = analyst
    row["source"] = origin
    if other_columns:
        row = {k: v for k, v in row.items() if k in Decision.model_fields}
    try:
        return Decision(**row)
    except ValidationError as exc:
        return RowError.invalid(source, number, exc)

