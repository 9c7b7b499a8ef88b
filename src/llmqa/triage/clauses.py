"""Where likely errors and ambiguity cluster, per guideline clause.

An item is tied to a clause when an annotator cited it (``clause_id`` on an annotation), an
annotator's note names it, the judge cited it, or it is the item's nearest clause in the
index. Per clause the summary gives the items tied to it, their mean scores, how many are
among the run's most suspicious (top 10% by that score, "high"), which label changes the
evidence suggests, and the worst item ids: the input the guideline-revision work consumes.

JSON shape (``version`` 1; documented in docs/triage.md)::

    {"version": 1, "guideline_version": "9f2c..." | null, "n_items": 320,
     "high_threshold": {"error": 0.71, "ambiguity": 0.68},
     "clauses": [
       {"clause_id": "HATE-1.1", "label": "hate", "title": "Dehumanising comparisons",
        "items": 12, "mean_error": 0.52, "mean_ambiguity": 0.47,
        "high_error_items": 3, "high_ambiguity_items": 2,
        "sources": {"annotator": 9, "retrieval": 5, "judge": 0, "note": 1},
        "suggested_changes": {"hate -> allowed": 2},
        "top_error_item_ids": ["sb-0244", ...], "top_ambiguous_item_ids": [...]}]}

Clauses are sorted by high-error plus high-ambiguity items, then by mean error.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from llmqa.triage.queue import suggested_label
from llmqa.triage.result import ScoredBatch

if TYPE_CHECKING:
    from llmqa.guidelines import GuidelineSet

SUMMARY_VERSION = 1
HIGH_QUANTILE = 0.9
SOURCES = ("annotator", "note", "judge", "retrieval")


def _threshold(values: np.ndarray) -> float | None:
    ok = values[~np.isnan(values)]
    return float(np.quantile(ok, HIGH_QUANTILE)) if len(ok) else None


def _mean(values: np.ndarray) -> float | None:
    ok = values[~np.isnan(values)]
    return round(float(ok.mean()), 4) if len(ok) else None


def _top(ids: list[str], values: np.ndarray, rows: list[int], top: int) -> list[str]:
    scored = [i for i in rows if not np.isnan(values[i])]
    return [ids[i] for i in sorted(scored, key=lambda i: (-values[i], ids[i]))[:top]]


def clause_summary(result: ScoredBatch, guidelines: GuidelineSet | None = None,
                   top: int = 5) -> dict[str, Any]:
    """Per-clause aggregation of a triage result (see the module docstring for the shape)."""
    data = result.data
    error, ambiguity = result.scores.error, result.scores.ambiguity
    high_error, high_ambiguity = _threshold(error), _threshold(ambiguity)
    members: dict[str, list[int]] = {}
    sources: dict[str, Counter[str]] = {}
    for i, clauses in enumerate(result.signals.clauses):
        for clause_id, found_by in clauses.items():
            members.setdefault(clause_id, []).append(i)
            sources.setdefault(clause_id, Counter()).update(found_by)
    ids = data.item_ids
    rows: list[dict[str, Any]] = []
    for clause_id, items in members.items():
        clause = guidelines.by_id.get(clause_id) if guidelines is not None else None
        e, a = error[items], ambiguity[items]
        changes: Counter[str] = Counter()
        for i in items:
            if high_error is not None and not np.isnan(error[i]) and error[i] >= high_error:
                better = suggested_label(result, i)
                if better:
                    changes[f"{data.given_label(i)} -> {better}"] += 1
        rows.append({
            "clause_id": clause_id,
            "label": clause.label if clause is not None else None,
            "title": clause.title if clause is not None else None,
            "items": len(items),
            "mean_error": _mean(e),
            "mean_ambiguity": _mean(a),
            "high_error_items": int(np.sum(e >= high_error)) if high_error is not None else 0,
            "high_ambiguity_items": (int(np.sum(a >= high_ambiguity))
                                     if high_ambiguity is not None else 0),
            "sources": {s: int(sources[clause_id][s]) for s in SOURCES},
            "suggested_changes": dict(changes.most_common()),
            "top_error_item_ids": _top(ids, error, items, top),
            "top_ambiguous_item_ids": _top(ids, ambiguity, items, top),
        })
    rows.sort(key=lambda r: (-(r["high_error_items"] + r["high_ambiguity_items"]),
                             -(r["mean_error"] or 0.0), r["clause_id"]))
    return {
        "version": SUMMARY_VERSION,
        "guideline_version": guidelines.version if guidelines is not None else None,
        "n_items": data.n_items,
        "high_threshold": {"error": None if high_error is None else round(high_error, 4),
                           "ambiguity": None if high_ambiguity is None
                           else round(high_ambiguity, 4)},
        "clauses": rows,
    }
