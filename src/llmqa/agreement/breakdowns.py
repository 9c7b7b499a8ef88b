"""The report's breakdowns: pooled agreement per project, modality and clause, per label and
per annotator, with bootstrap CIs where the slices are independent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from llmqa.agreement.bootstrap import Interval, bootstrap_intervals, bootstrap_joint
from llmqa.agreement.consensus import Consensus, leave_one_out_majority
from llmqa.agreement.metrics import (
    NO_VARIATION,
    PooledTerms,
    Score,
    krippendorff_alpha_value,
    label_counts,
    specific_agreement,
)
from llmqa.agreement.pairwise import PairScore, cohen_kappa, pair_agreement
from llmqa.agreement.ratings import Ratings


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
class Boot:
    """How to bootstrap the report's intervals (``n_boot`` 0: point estimates only)."""

    n_boot: int
    seed: int
    confidence: float

    def intervals(self, stats: dict[str, Callable[[np.ndarray], float]],
                  n_items: int) -> dict[str, Interval]:
        return bootstrap_intervals(stats, n_items, self.n_boot, self.seed, self.confidence)


def with_ci(score: Score, interval: Interval | None) -> Score:
    if interval is None or score.value is None:
        return score
    if interval.low is None:  # say why a defined score has no interval
        return Score(score.value, score.n_items, score.warning or interval.reason)
    warning = score.warning or interval.warning
    return Score(score.value, score.n_items, warning, interval.low, interval.high)


def as_score(value: float, n_items: int, undefined: str) -> Score:
    if n_items == 0:
        return Score(None, 0, "no item has two or more ratings")
    if value != value:
        return Score(None, n_items, undefined)
    return Score(float(value), n_items)


def group_agreement(codes: np.ndarray, n_labels: int, level: str, values: np.ndarray | None,
           boot: Boot | None, name: str) -> GroupAgreement:
    """Pooled coefficients (with CIs when ``boot``) for one slice of pairable items."""
    counts = label_counts(codes, n_labels)
    terms = PooledTerms(counts)

    def coefficients(w: np.ndarray | None = None) -> dict[str, float]:
        if level == "nominal":
            return terms.coefficients(w)
        return terms.coefficients(w, alpha=False) | {
            "krippendorff_alpha": krippendorff_alpha_value(counts, level, w, values)}

    n = int(terms.pairable.sum())
    scores = {k: as_score(v, n, NO_VARIATION) for k, v in coefficients().items()}
    if n_labels < 2 and scores["gwet_ac1"].value is None and n:
        scores["gwet_ac1"] = Score(None, n, "undefined: the label set has fewer than two labels")
    if boot is not None and boot.n_boot > 0 and n >= 2:
        intervals = bootstrap_joint(coefficients, list(scores), len(counts), boot.n_boot,
                                    boot.seed, boot.confidence)
        scores = {k: with_ci(s, intervals[k]) for k, s in scores.items()}
    return GroupAgreement(group=name, n_items=n, n_ratings=int(counts.sum()), **scores)


def by_key(sub: Ratings, keys: Sequence[str | None], level: str, values: np.ndarray | None,
            boot: Boot) -> list[GroupAgreement]:
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key if key is not None else "(none)", []).append(i)
    return [group_agreement(sub.codes[rows], sub.n_labels, level, values, boot, key)
            for key, rows in sorted(groups.items())]


def by_clause(sub: Ratings, level: str, values: np.ndarray | None) -> list[GroupAgreement]:
    # Point estimates only: clauses are many and small, and an item sits under every clause
    # cited for it, so their intervals would not be independent anyway.
    groups: dict[str, list[int]] = {}
    for i, clauses in enumerate(sub.clause_ids):
        for clause in clauses:
            groups.setdefault(clause, []).append(i)
    rows = [group_agreement(sub.codes[idx], sub.n_labels, level, values, None, clause)
            for clause, idx in groups.items()]
    return sorted(rows, key=lambda row: (-row.n_items, row.group))


def by_label(sub: Ratings, agreed: np.ndarray) -> list[LabelAgreement]:
    counts = label_counts(sub.codes, sub.n_labels)
    per_label = counts.sum(axis=0)
    total = int(per_label.sum())
    specific = specific_agreement(counts) if sub.n_items else np.full(sub.n_labels, np.nan)
    m = counts.sum(axis=1)
    rows = []
    for c, label in enumerate(sub.labels):
        binary = np.column_stack([counts[:, c], m - counts[:, c]])
        kappa = as_score(PooledTerms(binary).fleiss_kappa(), sub.n_items, NO_VARIATION)
        rows.append(LabelAgreement(
            label=label, n_ratings=int(per_label[c]),
            share=float(per_label[c] / total) if total else 0.0,
            specific_agreement=None if np.isnan(specific[c]) else float(specific[c]),
            kappa_one_vs_rest=kappa, consensus_items=int((agreed == c).sum())))
    return rows


def by_annotator(sub: Ratings, agreed: np.ndarray, consensus: Consensus,
                  pairs: list[PairScore]) -> list[AnnotatorAgreement]:
    rows = []
    counts = label_counts(sub.codes, sub.n_labels)
    kappas_of: dict[str, list[float]] = defaultdict(list)
    for pair in pairs:
        if pair.cohen_kappa is not None:
            kappas_of[pair.rater_a].append(pair.cohen_kappa)
            kappas_of[pair.rater_b].append(pair.cohen_kappa)
    for j, name in enumerate(sub.raters):
        mine = sub.codes[:, j]
        others = leave_one_out_majority(sub.codes, sub.n_labels, j, consensus.tie_break, counts)
        kappas = kappas_of.get(name)
        rows.append(AnnotatorAgreement(
            annotator=name, n_ratings=int((mine >= 0).sum()),
            agreement_with_consensus=pair_agreement(mine, agreed),
            kappa_vs_consensus=cohen_kappa(mine, agreed, sub.n_labels),
            kappa_vs_others_majority=cohen_kappa(mine, others, sub.n_labels),
            mean_pairwise_kappa=float(np.mean(kappas)) if kappas else None,
            reliability=consensus.reliability.get(name)))
    return rows
