"""Gold files: analysts' decisions as JSONL, one line per item (``llmqa decisions export``).

A line is ``{"id": ITEM, "label": GOLD, "decision": ..., "clause_ids": [...], "analyst": ...,
"note": ..., "created_at": ..., "item_hash": ...}``; ``id`` and ``label`` are what
``llmqa agreement --gold`` and the evals read. ``read_gold`` accepts the same lines (also
``item_id`` for ``id``; ``decision`` defaults to ``correct`` when only a label is given) and
yields a ``RowError`` with file:line for each bad one, so one bad row never stops an import.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmqa.errors import InputError
from llmqa.io.readers import RowError
from llmqa.store.decisions import Decision, DecisionStore, record_imported
from llmqa.store.verdicts import VerdictStore


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


def import_gold(store: VerdictStore, path: str | Path,
                analyst: str | None = None) -> GoldImport:
    """Record a gold file's decisions (``analyst`` fills lines that name none); a bad line is
    rejected with file:line and the rest are recorded."""
    done = GoldImport()
    good = []
    for record in read_gold(path, analyst=analyst):
        if isinstance(record, RowError):
            done.rejected.append(record)
        else:
            good.append(record)
    record_imported(store, good)
    done.imported = len(good)
    return done


def read_gold(path: str | Path, analyst: str | None = None,
              source: str = "import") -> Iterator[Decision | RowError]:
    """Decisions from a gold JSONL file; ``analyst`` fills lines that name none."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            yield _parse(line, str(path), number, analyst, source)


def _parse(line: str, source: str, number: int, analyst: str | None,
           origin: str) -> Decision | RowError:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return RowError(source, number, None, f"not JSON ({exc.msg})")
    if not isinstance(row, dict):
        return RowError(source, number, None, "expected a JSON object")
    if "id" in row:
        row["item_id"] = row.pop("id")
    row.setdefault("decision", "correct" if row.get("label") else None)
    if analyst and not row.get("analyst"):
        row["analyst"] = analyst
    row["source"] = origin
    try:
        return Decision(**row)
    except ValidationError as exc:
        return RowError.invalid(source, number, exc)


def gold_labels(decisions: Iterable[Decision]) -> dict[str, str]:
    """item id → gold label, for the decisions that carry one."""
    return {d.item_id: d.label for d in decisions if d.is_gold and d.label}
