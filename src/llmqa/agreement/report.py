"""The agreement report: headline coefficients with bootstrap CIs, breakdowns, LLM vs humans.

Scope. Every agreement figure is computed on the items with two or more *human* ratings
(``n_pairable``); items with one rating (``n_single``) or none (``n_unrated``) are counted but
say nothing about agreement. The consensus is computed on all items (Dawid-Skene and MACE
learn annotator error rates from single-rated items too), then compared on pairable items.

The judge is an extra rater that never votes in the consensus. Besides its kappa against the
consensus (with a CI) and against each annotator, the verdict compares like with like: the
judge's kappa against the majority vote of the humans must fall inside the range of each
human's kappa against the majority vote of the *other* humans (leave-one-out, so nobody is
compared with their own vote); its mean kappa against single annotators is also checked
against the range of human-human pairwise kappas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from llmqa.agreement.bootstrap import (
    DEFAULT_REPLICATES,
    Interval,
    bootstrap_intervals,
    bootstrap_joint,
)
from llmqa.agreement.consensus import (
    Consensus,
    compute_consensus,
    leave_one_out_majority,
    majority_vote,
)
from llmqa.agreement.metrics import (
    LEVELS,
    NO_VARIATION,
    PairScore,
    PooledTerms,
    Score,
    cohen_kappa,
    cohen_kappa_from_confusion,
    confusion_matrix,
    krippendorff_alpha_value,
    label_counts,
    mean_pairwise_kappa,
    pair_agreement,
    pairwise_cohen,
    specific_agreement,
)
from llmqa.agreement.ratings import RatingProblem, Ratings

HEADLINE = ("percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")
GATE_METRIC = "fleiss_kappa"
MAX_PROBLEMS_IN_DICT = 1000
# The judge is placed against the human range only on this many items or more.
MIN_JUDGE_ITEMS = 30


@dataclass(frozen=True)
class GroupAgreement:
    """Pooled coefficients for one slice of the items (a project, a modality, a clause)."""

    group: str
    n_items: int
    n_ratings: int
    percent_agreement: Score
    fleiss_kappa: Score
    krippendorff_alpha: Score
    gwet_ac1: Score


@dataclass(frozen=True)
class LabelAgreement:
    label: str
    n_ratings: int
    share: float
    specific_agreement: float | None
    kappa_one_vs_rest: Score
    consensus_items: int


@dataclass(frozen=True)
class AnnotatorAgreement:
    annotator: str
    n_ratings: int
    agreement_with_consensus: Score
    kappa_vs_consensus: Score
    kappa_vs_others_majority: Score
    mean_pairwise_kappa: float | None
    reliability: float | None


@dataclass(frozen=True)
class JudgeComparison:
    n_items: int
    vs_consensus: Score
    agreement_with_consensus: Score
    vs_human_majority: Score
    vs_annotators: list[PairScore]
    mean_kappa_vs_annotators: float | None
    human_vs_consensus: dict[str, float | None]
    human_vs_consensus_range: tuple[float, float] | None
    human_pairwise_range: tuple[float, float] | None
    within_human_range: bool | None
    within_pairwise_range: bool | None
    verdict: str


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
    boot = _Boot(n_boot, seed, confidence)
    warnings: list[str] = list(consensus.warnings)
    if level in ("interval", "ratio") and values is None:
        warnings.append(f"{level} alpha: labels are not numbers, so the label order is used as "
                        "an equally spaced scale (0, 1, 2...)")
    if not sub.n_items:
        warnings.append("no item has two or more human ratings: agreement cannot be measured")
    pairs = pairwise_cohen(sub.codes, sub.raters, sub.n_labels)
    overall = _group(sub.codes, sub.n_labels, level, values, boot, "all")
    headline = {name: getattr(overall, name) for name in HEADLINE}
    headline["mean_pairwise_cohen_kappa"] = mean_pairwise_kappa(pairs, sub.n_items)
    judge = _judge(sub, agreed, pairs, boot, consensus.tie_break) if sub.judge is not None \
        else None
    report = AgreementReport(
        n_items=ratings.n_items, n_pairable=sub.n_items,
        n_single=int((per_item == 1).sum()), n_unrated=int((per_item == 0).sum()),
        n_ratings=ratings.n_ratings, labels=list(ratings.labels), raters=list(ratings.raters),
        level=level, headline=headline,
        consensus=_consensus_summary(consensus, ratings),
        by_project=_by_key(sub, sub.projects, level, values, boot),
        by_modality=_by_key(sub, sub.modalities, level, values, boot),
        by_label=_by_label(sub, agreed),
        by_clause=_by_clause(sub, level, values),
        by_annotator=_by_annotator(sub, agreed, consensus, pairs),
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


@dataclass(frozen=True)
class _Boot:
    n_boot: int
    seed: int
    confidence: float

    def intervals(self, stats: dict[str, Callable[[np.ndarray], float]],
                  n_items: int) -> dict[str, Interval]:
        return bootstrap_intervals(stats, n_items, self.n_boot, self.seed, self.confidence)


def _with_ci(score: Score, interval: Interval | None) -> Score:
    if interval is None or score.value is None or interval.low is None:
        return score
    warning = score.warning or interval.warning
    return Score(score.value, score.n_items, warning, interval.low, interval.high)


def _as_score(value: float, n_items: int, undefined: str) -> Score:
    if n_items == 0:
        return Score(None, 0, "no item has two or more ratings")
    if value != value:
        return Score(None, n_items, undefined)
    return Score(float(value), n_items)


def _group(codes: np.ndarray, n_labels: int, level: str, values: np.ndarray | None,
           boot: _Boot | None, name: str) -> GroupAgreement:
    """Pooled coefficients (with CIs when ``boot``) for one slice of pairable items."""
    counts = label_counts(codes, n_labels)
    terms = PooledTerms(counts)

    def coefficients(w: np.ndarray | None = None) -> dict[str, float]:
        if level == "nominal":
            return terms.coefficients(w)
        return terms.coefficients(w, alpha=False) | {
            "krippendorff_alpha": krippendorff_alpha_value(counts, level, w, values)}

    n = int(terms.pairable.sum())
    scores = {k: _as_score(v, n, NO_VARIATION) for k, v in coefficients().items()}
    if n_labels < 2 and scores["gwet_ac1"].value is None and n:
        scores["gwet_ac1"] = Score(None, n, "undefined: the label set has fewer than two labels")
    if boot is not None and boot.n_boot > 0 and n >= 2:
        intervals = bootstrap_joint(coefficients, list(scores), len(counts), boot.n_boot,
                                    boot.seed, boot.confidence)
        scores = {k: _with_ci(s, intervals[k]) for k, s in scores.items()}
    return GroupAgreement(group=name, n_items=n, n_ratings=int(counts.sum()), **scores)


def _by_key(sub: Ratings, keys: Sequence[str | None], level: str, values: np.ndarray | None,
            boot: _Boot) -> list[GroupAgreement]:
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key if key is not None else "(none)", []).append(i)
    return [_group(sub.codes[rows], sub.n_labels, level, values, boot, key)
            for key, rows in sorted(groups.items())]


def _by_clause(sub: Ratings, level: str, values: np.ndarray | None) -> list[GroupAgreement]:
    # Point estimates only: clauses are many and small, and an item sits under every clause
    # cited for it, so their intervals would not be independent anyway.
    groups: dict[str, list[int]] = {}
    for i, clauses in enumerate(sub.clause_ids):
        for clause in clauses:
            groups.setdefault(clause, []).append(i)
    rows = [_group(sub.codes[idx], sub.n_labels, level, values, None, clause)
            for clause, idx in groups.items()]
    return sorted(rows, key=lambda row: (-row.n_items, row.group))


def _by_label(sub: Ratings, agreed: np.ndarray) -> list[LabelAgreement]:
    counts = label_counts(sub.codes, sub.n_labels)
    per_label = counts.sum(axis=0)
    total = int(per_label.sum())
    specific = specific_agreement(counts) if sub.n_items else np.full(sub.n_labels, np.nan)
    m = counts.sum(axis=1)
    rows = []
    for c, label in enumerate(sub.labels):
        binary = np.column_stack([counts[:, c], m - counts[:, c]])
        kappa = _as_score(PooledTerms(binary).fleiss_kappa(), sub.n_items, NO_VARIATION)
        rows.append(LabelAgreement(
            label=label, n_ratings=int(per_label[c]),
            share=float(per_label[c] / total) if total else 0.0,
            specific_agreement=None if np.isnan(specific[c]) else float(specific[c]),
            kappa_one_vs_rest=kappa, consensus_items=int((agreed == c).sum())))
    return rows


def _by_annotator(sub: Ratings, agreed: np.ndarray, consensus: Consensus,
                  pairs: list[PairScore]) -> list[AnnotatorAgreement]:
    rows = []
    for j, name in enumerate(sub.raters):
        mine = sub.codes[:, j]
        others = leave_one_out_majority(sub.codes, sub.n_labels, j, consensus.tie_break)
        kappas = [p.cohen_kappa for p in pairs
                  if name in (p.rater_a, p.rater_b) and p.cohen_kappa is not None]
        rows.append(AnnotatorAgreement(
            annotator=name, n_ratings=int((mine >= 0).sum()),
            agreement_with_consensus=pair_agreement(mine, agreed),
            kappa_vs_consensus=cohen_kappa(mine, agreed, sub.n_labels),
            kappa_vs_others_majority=cohen_kappa(mine, others, sub.n_labels),
            mean_pairwise_kappa=float(np.mean(kappas)) if kappas else None,
            reliability=consensus.reliability.get(name)))
    return rows


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


def _judge(sub: Ratings, agreed: np.ndarray, pairs: list[PairScore], boot: _Boot,
           tie_break: str) -> JudgeComparison:
    assert sub.judge is not None
    judge, k = sub.judge, sub.n_labels
    vs_consensus = cohen_kappa(judge, agreed, k)
    if vs_consensus.value is not None and boot.n_boot > 0:
        def stat(w: np.ndarray) -> float:
            return cohen_kappa_from_confusion(confusion_matrix(judge, agreed, k, w))

        vs_consensus = _with_ci(vs_consensus, boot.intervals({"k": stat}, len(judge))["k"])
    vs_annotators = [PairScore("judge", name, *_pair(judge, sub.codes[:, j], k))
                     for j, name in enumerate(sub.raters)]
    vs_annotators = [p for p in vs_annotators if p.n_items]
    # The verdict compares like with like: the judge against the majority of the humans, each
    # human against the majority of the other humans; neither is compared with its own vote.
    majority = majority_vote(sub.codes, k, tie_break=tie_break).labels
    vs_majority = cohen_kappa(judge, majority, k)
    if vs_majority.value is not None and boot.n_boot > 0:
        def stat_majority(w: np.ndarray) -> float:
            return cohen_kappa_from_confusion(confusion_matrix(judge, majority, k, w))

        vs_majority = _with_ci(vs_majority,
                               boot.intervals({"m": stat_majority}, len(judge))["m"])
    human = {name: cohen_kappa(sub.codes[:, j],
                               leave_one_out_majority(sub.codes, k, j, tie_break), k).value
             for j, name in enumerate(sub.raters)}
    human_range = _range(v for v in human.values() if v is not None)
    pair_range = _range(p.cohen_kappa for p in pairs if p.cohen_kappa is not None)
    judge_pairs = [p.cohen_kappa for p in vs_annotators if p.cohen_kappa is not None]
    mean_vs_humans = float(np.mean(judge_pairs)) if judge_pairs else None
    within_human = _within(vs_majority.value, human_range)
    within_pairs = _within(mean_vs_humans, pair_range)
    return JudgeComparison(
        n_items=int((judge >= 0).sum()), vs_consensus=vs_consensus,
        agreement_with_consensus=pair_agreement(judge, agreed), vs_human_majority=vs_majority,
        vs_annotators=vs_annotators,
        mean_kappa_vs_annotators=mean_vs_humans, human_vs_consensus=human,
        human_vs_consensus_range=human_range, human_pairwise_range=pair_range,
        within_human_range=within_human, within_pairwise_range=within_pairs,
        verdict=_verdict(vs_majority, human_range))


def _pair(a: np.ndarray, b: np.ndarray, k: int) -> tuple[int, float | None, float | None,
                                                        str | None]:
    kappa = cohen_kappa(a, b, k)
    return kappa.n_items, pair_agreement(a, b).value, kappa.value, kappa.warning


def _range(values: Any) -> tuple[float, float] | None:
    found = list(values)
    return (float(min(found)), float(max(found))) if found else None


def _within(value: float | None, bounds: tuple[float, float] | None) -> bool | None:
    if value is None or bounds is None:
        return None
    return bounds[0] <= value <= bounds[1]


def _verdict(score: Score, bounds: tuple[float, float] | None) -> str:
    """Where the judge stands against the humans; no verdict on fewer than
    ``MIN_JUDGE_ITEMS`` items (a kappa of 1.000 on 3 items says nothing), and always with the
    judge's interval."""
    value = score.value
    if score.n_items < MIN_JUDGE_ITEMS:
        return (f"no verdict: the judge rated {score.n_items} of these items; comparing it "
                f"with the human range needs at least {MIN_JUDGE_ITEMS}")
    if value is None:
        return "no verdict: the judge's kappa against the human majority is undefined"
    if bounds is None:
        return "no verdict: no human kappa against the others' consensus is defined"
    low, high = bounds
    ci = (f" (95% CI {score.ci_low:.3f} to {score.ci_high:.3f}, {score.n_items} items)"
          if score.ci_low is not None and score.ci_high is not None
          else f" ({score.n_items} items)")
    if value < low:
        return (f"below the human range: judge vs human majority kappa {value:.3f}{ci} < "
                f"lowest human vs the others' majority {low:.3f}")
    if value > high:
        return (f"above the human range: judge vs human majority kappa {value:.3f}{ci} > "
                f"highest human vs the others' majority {high:.3f}")
    return (f"within the human range: judge vs human majority kappa {value:.3f}{ci} in "
            f"[{low:.3f}, {high:.3f}] (each human vs the others' majority)")


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
    return found
