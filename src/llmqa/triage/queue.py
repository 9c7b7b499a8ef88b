"""The triage queue: items ranked by score × priority, each with a one-line reason.

``kind="error"`` ranks by the likely-error score, ``"ambiguous"`` by the ambiguity score and
``"all"`` (the default) by the larger of the two, the row's ``kind`` saying which. Priority
is the item's own ``priority`` field; a ``project_priority`` map overrides it for the
projects it names; anything else counts 1. ``urgency = score × priority`` orders the queue
(ties: higher score, then item id), then ``projects`` / ``min_score`` / ``exclude`` (items
an analyst already decided) / ``top`` filter it.

The reason names the signals that pushed the item up (highest weight × percentile first,
only those in the item's top 40% for that signal) with their inputs: which annotators split,
which clause or example the item matched and the label it implies, what the classifier and
the judge said.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from llmqa.choices import Kind, values
from llmqa.triage.result import ScoredBatch
from llmqa.triage.signals import AMBIGUITY, ERROR

KINDS = values(Kind)
_NOTABLE = 0.6  # a signal is named in the reason when the item is in its top 40%
_MAX_REASONS = 3


@dataclass(frozen=True)
class QueueOptions:
    kind: str = "all"
    projects: tuple[str, ...] | None = None
    min_score: float | None = None
    top: int | None = None
    project_priority: dict[str, float] | None = None
    default_priority: float = 1.0
    with_evidence: bool = True
    exclude: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; use one of {', '.join(KINDS)}")


def parse_priorities(values: Iterable[str]) -> dict[str, float]:
    """``PROJECT=WEIGHT`` pairs as a project priority map; ``ValueError`` names a bad pair."""
    mapping: dict[str, float] = {}
    for value in values:
        project, sep, weight = value.rpartition("=")
        try:
            number = float(weight)
        except ValueError:
            number = -1.0
        if not sep or not project or number < 0:
            raise ValueError(f"'{value}': use PROJECT=WEIGHT with a weight >= 0")
        mapping[project] = number
    return mapping


def priorities(result: ScoredBatch, options: QueueOptions) -> np.ndarray:
    mapping = options.project_priority or {}
    values = []
    for project, own in zip(result.data.projects, result.data.priorities, strict=True):
        if project is not None and project in mapping:
            values.append(float(mapping[project]))
        elif own is not None:
            values.append(float(own))
        else:
            values.append(options.default_priority)
    return np.array(values, dtype=float)


def _kind_scores(result: ScoredBatch, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(score used for ranking, which score it is: True = error) per item."""
    error = result.scores.error
    ambiguity = result.scores.ambiguity
    if kind == "error":
        return error, np.ones(len(error), dtype=bool)
    if kind == "ambiguous":
        return ambiguity, np.zeros(len(error), dtype=bool)
    e = np.nan_to_num(error, nan=-1.0)
    a = np.nan_to_num(ambiguity, nan=-1.0)
    is_error = e >= a
    chosen = np.where(is_error, error, ambiguity)
    return chosen, is_error


def build_queue(result: ScoredBatch, options: QueueOptions | None = None
                ) -> list[dict[str, Any]]:
    options = options or QueueOptions()
    data = result.data
    score, is_error = _kind_scores(result, options.kind)
    priority = priorities(result, options)
    urgency = score * priority
    wanted = ~np.isnan(urgency)
    if options.projects:
        allowed = set(options.projects)
        wanted &= np.array([p in allowed for p in data.projects], dtype=bool)
    if options.min_score is not None:
        wanted &= np.nan_to_num(score, nan=-np.inf) >= options.min_score
    if options.exclude:
        wanted &= np.array([i not in options.exclude for i in data.item_ids], dtype=bool)
    rows = np.flatnonzero(wanted)
    ids = np.array(data.item_ids, dtype=object)
    order = sorted(rows, key=lambda i: (-urgency[i], -score[i], ids[i]))
    if options.top is not None:
        order = order[:options.top]
    return [_row(result, i, rank, bool(is_error[i]), float(score[i]), float(priority[i]),
                 options.with_evidence) for rank, i in enumerate(order, start=1)]


def suggested_label(result: ScoredBatch, index: int) -> str | None:
    """The most direct evidence of a better label: the judge's suggestion, then the label the
    nearest guideline evidence implies, then the classifier's, then the dissenting vote."""
    given = result.data.given_label(index)
    signals = result.signals
    candidates: list[str | None] = []
    for name, key in (("judge_error", "suggested_label"), ("guideline_conflict", "implied_label"),
                      ("label_issue", "predicted")):
        if name in signals and (inputs := signals[name].inputs[index]):
            candidates.append(inputs.get(key))
    if "minority_share" in signals and (inputs := signals["minority_share"].inputs[index]):
        candidates += [label for label in inputs["votes"] if label != given][:1]
    return next((c for c in candidates if c and c != given), None)


def reason(result: ScoredBatch, index: int, is_error: bool, score: float) -> str:
    which = ERROR if is_error else AMBIGUITY
    head = f"{'likely error' if is_error else 'ambiguous'} ({score:.2f})"
    phrases: list[str] = []
    for name, _, rank in result.scores.contributions(index, which):
        if rank < _NOTABLE or len(phrases) >= _MAX_REASONS:
            continue
        phrase = result.signals[name].phrases[index]
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    if is_error:
        given = result.data.given_label(index)
        better = suggested_label(result, index)
        if better:
            head += f": {given} → {better}?"
        # How the annotators voted is the first thing a reviewer asks of a suspect label (a 3-2
        # split is common enough not to rank among the notable signals).
        votes = result.signals["minority_share"].phrases[index] if (
            "minority_share" in result.signals) else None
        if votes and votes not in phrases:
            phrases.insert(0, votes)
    if is_error:
        hedge = result.scores.hedge_factor
        factor = 1.0 if hedge is None else float(hedge[index])
        if factor < 1.0:
            phrases.append(f"annotators hedged: error score ×{factor:.2f}")
    if not phrases:
        return head + (": no single signal stands out" if ":" not in head else "")
    return head + ("; " if ":" in head else ": ") + "; ".join(phrases)


def _round(value: float | None) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), 4)


def _row(result: ScoredBatch, index: int, rank: int, is_error: bool, score: float,
         priority: float, with_evidence: bool) -> dict[str, Any]:
    data = result.data
    clauses = result.signals.clauses[index]
    row: dict[str, Any] = {
        "rank": rank,
        "item_id": data.item_ids[index],
        "project": data.projects[index],
        "priority": priority,
        "kind": "error" if is_error else "ambiguous",
        "score": _round(score),
        "urgency": _round(score * priority),
        "error_score": _round(result.scores.error[index]),
        "ambiguity_score": _round(result.scores.ambiguity[index]),
        "label": data.given_label(index),
        "suggested_label": suggested_label(result, index),
        "clause_ids": sorted(clauses),
        "reason": reason(result, index, is_error, score),
    }
    if with_evidence:
        # Every signal value, and what each was computed from: the row explains itself.
        row["signals"] = {k: _round(v) for k, v in result.signals.values(index).items()}
        row["evidence"] = result.signals.inputs(index)
    return row
