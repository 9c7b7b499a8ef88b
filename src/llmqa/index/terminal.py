"""Search hits as text for a terminal, or as JSON rows, with their clauses' labels and titles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmqa.text import table

if TYPE_CHECKING:
    from llmqa.guidelines import GuidelineSet
    from llmqa.index.retriever import Hit


def hits_json(hits: list[Hit], guidelines: GuidelineSet | None) -> list[dict[str, Any]]:
    clauses = guidelines.by_id if guidelines else {}
    rows = []
    for hit in hits:
        clause = clauses.get(hit.clause_id)
        rows.append(hit.to_dict() | {"label": clause.label if clause else None,
                                     "title": clause.title if clause else None})
    return rows


def hits_table(hits: list[Hit], guidelines: GuidelineSet | None) -> str:
    """Rank, clause, label, score, what matched (the clause or one of its examples)."""
    clauses = guidelines.by_id if guidelines else {}
    rows = []
    for rank, hit in enumerate(hits, start=1):
        clause = clauses.get(hit.clause_id)
        matched = hit.matched.replace("\n", " ")
        rows.append([str(rank), hit.clause_id, (clause.label or "") if clause else "",
                     f"{hit.score:.3f}", hit.via,
                     (matched[:60] + "...") if len(matched) > 63 else matched])
    return table(rows, ["#", "clause", "label", "score", "via", "matched"])
