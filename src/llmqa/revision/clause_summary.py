"""Reading the triage clause summary (``llmqa triage --clause-summary FILE``) tolerantly.

The triage queue summarises, per clause, how many of its items it ranks among the most
suspicious and which ones (version 1: ``high_error_items``, ``high_ambiguity_items``,
``top_error_item_ids``, ``top_ambiguous_item_ids``, ``suggested_changes``; see
``llmqa.triage.clauses``). Revision needs four facts from it: the clause, the flagged item
ids, how many items are flagged and the label changes suggested. The reader takes those
fields when they are there and otherwise accepts the shapes such a summary plausibly takes (a
list of rows, ``{"clauses": [...]}``, or a mapping keyed by clause id; item ids as strings or
as rows with an ``item_id``), and ignores anything else, so a change in the summary's other
fields never breaks revision. ``items`` alone is a clause's membership, not a flag count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmqa.errors import InputError
from llmqa.io.json_file import read_json_file

_ID_KEYS = ("clause_id", "clause", "id")
_ITEM_KEYS = ("top_error_item_ids", "top_ambiguous_item_ids", "item_ids", "flagged_item_ids",
              "flagged_items", "top_items", "representative_items", "examples", "items")
_FLAG_KEYS = ("high_error_items", "high_ambiguity_items")  # triage summary version 1
_COUNT_KEYS = ("flagged", "n_flagged", "count", "likely_errors")
_SCORE_KEYS = ("mean_error", "score", "mean_score", "max_score", "priority")


@dataclass(frozen=True)
class TriageClause:
    clause_id: str
    item_ids: tuple[str, ...] = ()
    count: int = 0
    score: float | None = None
    changes: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def describe(self) -> str:
        text = f"{self.count} flagged"
        if self.changes:
            text += " (suggested: " + ", ".join(f"{k} {v}" for k, v in self.changes.items()) + ")"
        return text


def _item_ids(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    ids: list[str] = []
    for entry in value:
        if isinstance(entry, str | int):
            ids.append(str(entry))
        elif isinstance(entry, dict):
            found = entry.get("item_id", entry.get("id"))
            if found is not None:
                ids.append(str(found))
    return tuple(dict.fromkeys(ids))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _entry(clause_id: str | None, row: dict[str, Any]) -> TriageClause | None:
    clause_id = clause_id or next((str(row[k]) for k in _ID_KEYS if row.get(k)), None)
    if not clause_id:
        return None
    item_ids = tuple(dict.fromkeys(i for k in _ITEM_KEYS for i in _item_ids(row.get(k))))
    if any(_number(row.get(k)) for k in _FLAG_KEYS):
        count = sum(int(row[k]) for k in _FLAG_KEYS if _number(row.get(k)))
    else:
        count = next((int(row[k]) for k in _COUNT_KEYS if _number(row.get(k))), len(item_ids))
    score = next((float(row[k]) for k in _SCORE_KEYS if _number(row.get(k))), None)
    raw_changes = row.get("suggested_changes")
    changes = ({str(k): int(v) for k, v in raw_changes.items() if _number(v)}
               if isinstance(raw_changes, dict) else {})
    return TriageClause(clause_id, item_ids, count, score, changes, row)


def parse_clause_summary(data: Any, source: str = "clause summary") -> dict[str, TriageClause]:
    if isinstance(data, dict) and "clauses" in data:
        data = data["clauses"]
    rows: list[tuple[str | None, Any]]
    if isinstance(data, list):
        rows = [(None, row) for row in data]
    elif isinstance(data, dict):
        rows = [(str(key), row) for key, row in data.items()]
    else:
        raise InputError(f"{source}: expected a JSON list or object of clauses")
    found: dict[str, TriageClause] = {}
    for clause_id, row in rows:
        if isinstance(row, int | float) and clause_id:  # {"HATE-1.1": 4}
            row = {"count": row}
        if isinstance(row, dict) and (entry := _entry(clause_id, row)) is not None:
            found[entry.clause_id] = entry
    if rows and not found:  # some other JSON file: silence would read as "nothing troubled"
        raise InputError(f"{source}: none of its {len(rows)} entries names a clause "
                         "(clause_id, or a clause ID as the key)")
    return found


def load_clause_summary(path: str | Path) -> tuple[dict[str, TriageClause], str | None]:
    """(clauses, the guideline version the summary was made with, when it says)."""
    data = read_json_file(path, "clause summary file")
    version = data.get("guideline_version") if isinstance(data, dict) else None
    return parse_clause_summary(data, str(path)), str(version) if version else None


def read_clause_summary(path: str | Path) -> dict[str, TriageClause]:
    return load_clause_summary(path)[0]
