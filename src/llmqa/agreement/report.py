"""The agreement report: headline coefficients with bootstrap CIs, breakdowns, LLM vs humans.

Scope. Every agreement figure is computed on the items with two or more *human* ratings
(``n_pairable``); items with one rating (``n_single``) or none (``n_unrated``) are counted but
say nothing about agreement. The consensus is computed on all items (Dawid-Skene and MACE
learn annotator error rates from single-rated items too), then compared on pairable items.
The breakdowns are built in ``breakdowns``, the judge's comparison in ``judge_vs_humans``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from llmqa.agreement.bootstrap import DEFAULT_REPLICATES
from llmqa.agreement.breakdowns import (
    AnnotatorAgreement,
    Boot,
    GroupAgreement,
    LabelAgreement,
    by_annotator,
    by_clause,
    by_key,
    by_label,
    group_agreement,
)
from llmqa.agreement.consensus import Consensus, compute_consensus
from llmqa.agreement.judge_vs_humans import JudgeComparison, compare_judge
from llmqa.agreement.metrics import LEVELS, Score
from llmqa.agreement.pairwise import (
    PairScore,
    confusion_matrix,
    mean_pairwise_kappa,
    pairwise_cohen,
)
from llmqa.agreement.ratings import RatingProblem, Ratings
from llmqa.items import near_duplicate_labels

HEADLINE = ("percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")
GATE_METRIC = "fleiss_kappa"
MAX_PROBLEMS_IN_DICT = 1000


@dataclass
class AgreementReport:
    n_items: int
    n_pairable: int
    n_single: int
    n_unrated: int
    n_ratings: int
    labels: list[str]
    raters: list[str]
    level: str
    headline: dict[str, Score]
    consensus: dict[str, Any]
    by_project: list[GroupAgreement]
    by_modality: list[GroupAgreement]
    by_label: list[LabelAgreement]
    by_clause: list[GroupAgreement]
    by_annotator: list[AnnotatorAgreement]
    pairwise: list[PairScore]
    confusion: dict[str, Any]
    judge: JudgeComparison | None
    bootstrap: dict[str, Any]
    problems: list[RatingProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def gate_value(self) -> float | None:
        """The figure ``--min-kappa`` checks: the headline Fleiss' kappa."""
        return self.headline[GATE_METRIC].value

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in (
            "n_items", "n_pairable", "n_single", "n_unrated", "n_ratings", "labels", "raters",
            "level", "consensus", "confusion", "bootstrap", "warnings")}
        data["headline"] = {k: v.to_dict() for k, v in self.headline.items()}
        data["gate"] = {"metric": GATE_METRIC, "value": self.gate_value}
        for name in ("by_project", "by_modality", "by_label", "by_clause", "by_annotator",
                     "pairwise"):
            data[name] = [asdict(row) for row in getattr(self, name)]
        data["judge"] = asdict(self.judge) if self.judge else None
        data["n_problems"] = len(self.problems)
        data["problems"] = [p.to_dict() for p in self.problems[:MAX_PROBLEMS_IN_DICT]]
        return _plain(data)


def _plain(value: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, tuples to lists, NaN to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def interval_values(labels: Sequence[str]) -> np.ndarray | None:
    """Numbers behind the labels for interval/ratio alpha when every label is a number."""
    try:
        return np.array([float(label) for label in labels])
    except ValueError:
        return None


# --- building -------------------------------------------------------------------------------

def agreement_report(ratings: Ratings, *, method: str = "majority", tie_break: str = "prior",
                     n_boot: int = DEFAULT_REPLICATES, seed: int = 0, confidence: float = 0.95,
                     level: str = "nominal", consensus: Consensus | None = None) -> AgreementReport:
    """Everything ``llmqa agreement`` prints. ``consensus`` may be passed to reuse one."""
    if level not in LEVELS:
        raise ValueError(f"unknown level of measurement {level!r}; use one of {', '.join(LEVELS)}")
    if consensus is None:
        consensus = compute_consensus(ratings, method, tie_break, seed)
    per_item = ratings.per_item
    pairable = ratings.per_item >= 2
    sub = ratings.subset(pairable)
    agreed = consensus.labels[pairable]
    values = interval_values(ratings.labels) if level in ("interval", "ratio") else None
    boot = Boot(n_boot, seed, confidence)
    warnings: list[str] = list(consensus.warnings)
    if level in ("interval", "ratio") and values is None:
        warnings.append(f"{level} alpha: labels are not numbers, so the label order is used as "
                        "an equally spaced scale (0, 1, 2...)")
    if not sub.n_items:
        warnings.append("no item has two or more human ratings: agreement cannot be measured")
    pairs = pairwise_cohen(sub.codes, sub.raters, sub.n_labels)
    overall = group_agreement(sub.codes, sub.n_labels, level, values, boot, "all")
    headline = {name: getattr(overall, name) for name in HEADLINE}
    headline["mean_pairwise_cohen_kappa"] = mean_pairwise_kappa(pairs, sub.n_items)
    judge = compare_judge(sub, agreed, pairs, boot, consensus.tie_break) if sub.judge is not None \
        else None
    report = AgreementReport(
        n_items=ratings.n_items, n_pairable=sub.n_items,
        n_single=int((per_item == 1).sum()), n_unrated=int((per_item == 0).sum()),
        n_ratings=ratings.n_ratings, labels=list(ratings.labels), raters=list(ratings.raters),
        level=level, headline=headline,
        consensus=_consensus_summary(consensus, ratings),
        by_project=by_key(sub, sub.projects, level, values, boot),
        by_modality=by_key(sub, sub.modalities, level, values, boot),
        by_label=by_label(sub, agreed),
        by_clause=by_clause(sub, level, values),
        by_annotator=by_annotator(sub, agreed, consensus, pairs),
        pairwise=pairs,
        confusion=_confusions(sub, agreed),
        judge=judge,
        bootstrap={"replicates": max(n_boot, 0), "seed": seed, "confidence": confidence,
                   "method": "percentile; items resampled with replacement; consensus held "
                             "fixed"},
        problems=list(ratings.problems), warnings=warnings,
    )
    report.warnings.extend(_score_warnings(report))
    return report


def _confusions(sub: Ratings, agreed: np.ndarray) -> dict[str, Any]:
    k = sub.n_labels
    out: dict[str, Any] = {
        "labels": list(sub.labels),
        "rows": "rater's label", "columns": "consensus label",
        "annotator_vs_consensus": {name: confusion_matrix(sub.codes[:, j], agreed, k).astype(int)
                                   for j, name in enumerate(sub.raters)},
    }
    if sub.judge is not None:
        out["judge_vs_consensus"] = confusion_matrix(sub.judge, agreed, k).astype(int)
    return out


def _consensus_summary(consensus: Consensus, ratings: Ratings) -> dict[str, Any]:
    labelled = consensus.labels[consensus.labels >= 0]
    rule = {"prior": "most used label overall, then label-set order",
            "first": "earlier label in the label set", "none": "left without a label"}
    return {
        "method": consensus.method,
        "tie_break": consensus.tie_break,
        "tie_rule": rule[consensus.tie_break],
        "n_ties": consensus.n_ties,
        "n_items": int((consensus.n_ratings > 0).sum()),
        "label_counts": {ratings.labels[c]: int((labelled == c).sum())
                         for c in range(ratings.n_labels)},
        "reliability": dict(consensus.reliability),
    }


def _score_warnings(report: AgreementReport) -> list[str]:
    found = []
    for name, score in report.headline.items():
        if score.warning:
            found.append(f"{name}: {score.warning}")
    if report.n_single:
        found.append(f"{report.n_single} item(s) with a single rating left out of agreement")
    if report.n_unrated:
        found.append(f"{report.n_unrated} item(s) with no valid rating left out of agreement")
    if report.problems:
        found.append(f"{len(report.problems)} rating problem(s); see problems")
    found.extend(near_duplicate_labels(report.labels))
    return found
