"""Consensus labels: majority vote, Dawid-Skene and MACE (the latter two via crowd-kit).

Every method returns, per item, the consensus label code (``-1`` for an item nobody rated,
or a tie under ``tie_break="none"``), a confidence (majority: the winning vote share;
Dawid-Skene/MACE: the posterior probability of the chosen label) and a ``tie`` flag; and, per
annotator, a reliability score:

* majority: leave-one-out agreement, i.e. how often the annotator's label is the majority of
  the *other* annotators on the item (a tie among the others gives fractional credit), so an
  annotator is never scored against their own vote;
* Dawid-Skene: the annotator's estimated accuracy, Σ_k prior_k · P(says k | truth k);
* MACE: the estimated probability that the annotator labels knowingly rather than at random.

Ties. Majority ties (two or more labels with the top vote count) are flagged ``tie=True`` and
resolved by ``tie_break``: ``"prior"`` (default) picks the tied label used most often across
all items, then the earlier label in the label set; ``"first"`` picks the earlier label in the
label set; ``"none"`` leaves the item without a consensus label. A Dawid-Skene/MACE posterior
whose top two labels are equal is flagged and resolved the same way.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from llmqa.agreement.metrics import label_counts
from llmqa.agreement.ratings import MISSING, Ratings
from llmqa.choices import ConsensusMethod, Ties, values

METHODS = values(ConsensusMethod)
TIE_BREAKS = values(Ties)
TieBreak = Literal["prior", "first", "none"]
_TIE_TOLERANCE = 1e-9


@dataclass
class Consensus:
    method: str
    labels: np.ndarray
    confidence: np.ndarray
    tie: np.ndarray
    n_ratings: np.ndarray
    reliability: dict[str, float | None]
    probabilities: np.ndarray | None = None
    tie_break: str = "prior"
    warnings: list[str] = field(default_factory=list)

    @property
    def n_ties(self) -> int:
        return int(self.tie.sum())

    def records(self, ratings: Ratings) -> Iterator[dict[str, Any]]:
        """One flat row per item, for ``write_records`` (CSV, JSONL, Parquet)."""
        counts = label_counts(ratings.codes, ratings.n_labels)
        for i, item_id in enumerate(ratings.item_ids):
            code = int(self.labels[i])
            confidence = float(self.confidence[i])
            yield {
                "item_id": item_id,
                "project": ratings.projects[i],
                "modality": ratings.modalities[i],
                "consensus": ratings.label_of(code),
                "confidence": None if np.isnan(confidence) else round(confidence, 6),
                "tie": bool(self.tie[i]),
                "n_ratings": int(self.n_ratings[i]),
                # Every label, zeros included, so Parquet sees one fixed schema.
                "votes": {label: int(counts[i, c]) for c, label in enumerate(ratings.labels)},
                "method": self.method,
            }


def compute_consensus(ratings: Ratings, method: str = "majority", tie_break: str = "prior",
                      seed: int = 0) -> Consensus:
    """Consensus of the human ratings (the judge never votes)."""
    if method not in METHODS:
        raise ValueError(f"unknown consensus method {method!r}; use one of {', '.join(METHODS)}")
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"unknown tie rule {tie_break!r}; use one of {', '.join(TIE_BREAKS)}")
    if method == "majority":
        return majority_vote(ratings.codes, ratings.n_labels, ratings.raters, tie_break)
    return _model_consensus(ratings, method, tie_break, seed)


def _priority(counts: np.ndarray, tie_break: str) -> np.ndarray:
    """A score per label; among tied labels the highest score wins."""
    k = counts.shape[1]
    order = np.arange(k)
    if tie_break == "prior":
        overall = counts.sum(axis=0)
        ranked = np.lexsort((order, -overall))  # most used first, then label-set order
        priority = np.empty(k)
        priority[ranked] = np.arange(k, 0, -1)
        return priority
    return (k - order).astype(float)


def _resolve(tied: np.ndarray, priority: np.ndarray,
             tie_break: str) -> tuple[np.ndarray, np.ndarray]:
    """Winner per item; ``tied`` marks the labels level with the item's top score."""
    is_tie = tied.sum(axis=1) > 1
    if tied.shape[1] == 0:  # no labels at all: nothing to choose
        return np.full(tied.shape[0], MISSING, dtype=np.int64), is_tie
    winner = np.where(tied, priority[None, :], -np.inf).argmax(axis=1)
    rated = tied.any(axis=1)
    winner = np.where(rated, winner, MISSING)
    if tie_break == "none":
        winner = np.where(is_tie, MISSING, winner)
    return winner.astype(np.int64), is_tie


def majority_vote(codes: np.ndarray, n_labels: int, raters: list[str] | None = None,
                  tie_break: str = "prior") -> Consensus:
    counts = label_counts(codes, n_labels)
    m = counts.sum(axis=1)
    winner, is_tie, top = _majority(counts, tie_break)
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = np.where((m > 0) & (winner >= 0), top / np.maximum(m, 1), np.nan)
    names = raters if raters is not None else [str(j) for j in range(codes.shape[1])]
    reliability = dict(zip(names, leave_one_out_agreement(codes, counts), strict=True))
    return Consensus("majority", winner, confidence, is_tie, m, reliability, tie_break=tie_break)


def _majority(counts: np.ndarray, tie_break: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Winner, tie flag and top vote count per item, from items × labels vote counts."""
    top = counts.max(axis=1) if counts.shape[1] else np.zeros(len(counts), dtype=np.int64)
    tied = (counts == top[:, None]) & (top[:, None] > 0)
    winner, is_tie = _resolve(tied, _priority(counts, tie_break), tie_break)
    return winner, is_tie, top


def leave_one_out_agreement(codes: np.ndarray, counts: np.ndarray) -> list[float | None]:
    """Per rater: how often their label is the majority of the other raters of the item."""
    scores: list[float | None] = []
    several = counts.sum(axis=1) >= 2
    for j in range(codes.shape[1]):
        mine = codes[:, j]
        rows = np.flatnonzero((mine >= 0) & several)
        if rows.size == 0:
            scores.append(None)
            continue
        others = counts[rows].copy()
        others[np.arange(rows.size), mine[rows]] -= 1
        tied = others == others.max(axis=1, keepdims=True)
        credit = tied[np.arange(rows.size), mine[rows]] / tied.sum(axis=1)
        scores.append(float(credit.mean()))
    return scores


def leave_one_out_majority(codes: np.ndarray, n_labels: int, rater: int,
                           tie_break: str = "prior",
                           counts: np.ndarray | None = None) -> np.ndarray:
    """Majority label of every rater except ``rater`` (``-1`` where nobody else rated).
    ``counts`` (``label_counts(codes, n_labels)``) spares a loop over raters recounting."""
    # The others' votes are the item's votes less the rater's own; counting them afresh for
    # each rater made a report over 600 annotators take minutes.
    others = (label_counts(codes, n_labels) if counts is None else counts).copy()
    mine = codes[:, rater]
    rated = np.flatnonzero(mine >= 0)
    others[rated, mine[rated]] -= 1
    return _majority(others, tie_break)[0]


def _model_consensus(ratings: Ratings, method: str, tie_break: str, seed: int) -> Consensus:
    codes, k = ratings.codes, ratings.n_labels
    counts = label_counts(codes, k)
    m = counts.sum(axis=1)
    rows, cols = np.nonzero(codes >= 0)
    used = np.unique(codes[rows, cols])
    if used.size < 2:
        # A latent-class model needs two labels to tell apart; with one, every rated item gets
        # it for certain and nobody can be told from anyone else.
        fallback = majority_vote(codes, k, ratings.raters, tie_break)
        fallback.method = method
        fallback.warnings.append(f"{method}: fewer than two labels were used; the consensus is "
                                 "the only label given (majority vote)")
        return fallback
    frame = _long_frame(rows, cols, codes[rows, cols])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # crowd-kit's pandas FutureWarnings are not ours to fix
        if method == "dawid-skene":
            probabilities, reliability = _dawid_skene(frame, codes.shape, k)
        else:
            probabilities, reliability = _mace(frame, codes.shape, k, seed)
    top = probabilities.max(axis=1)
    tied = (probabilities >= top[:, None] - _TIE_TOLERANCE) & (m[:, None] > 0)
    winner, is_tie = _resolve(tied, _priority(counts, tie_break), tie_break)
    confidence = np.where(winner >= 0, probabilities[np.arange(len(m)), np.maximum(winner, 0)],
                          np.nan)
    names = dict(enumerate(ratings.raters))
    return Consensus(method, winner, confidence, is_tie, m,
                     {names[j]: reliability.get(j) for j in range(len(names))},
                     probabilities=probabilities, tie_break=tie_break)


def _long_frame(rows: np.ndarray, cols: np.ndarray, labels: np.ndarray) -> Any:
    import pandas as pd  # heavy; only when a model-based consensus is asked for

    return pd.DataFrame({"task": rows, "worker": cols, "label": labels})


def _dense(probas: Any, shape: tuple[int, int], k: int) -> np.ndarray:
    """crowd-kit's task × label frame as an items × labels array (zeros for unrated items)."""
    dense = np.zeros((shape[0], k))
    columns = np.asarray(probas.columns, dtype=np.int64)
    dense[np.asarray(probas.index, dtype=np.int64)[:, None], columns[None, :]] = \
        probas.to_numpy(dtype=float)
    return dense


def _dawid_skene(frame: Any, shape: tuple[int, int], k: int) -> tuple[np.ndarray, dict[int, float]]:
    from crowdkit.aggregation import DawidSkene

    model = DawidSkene(n_iter=100, tol=1e-5).fit(frame)
    probabilities = _dense(model.probas_, shape, k)
    priors: Any = model.priors_
    reliability: dict[int, float] = {}
    errors: Any = model.errors_  # index (worker, observed label), columns: true label
    for worker in frame["worker"].unique():
        confusion = errors.loc[worker]
        accuracy = sum(float(priors[t]) * float(confusion.at[t, t])
                       for t in priors.index if t in confusion.index and t in confusion.columns)
        reliability[int(worker)] = accuracy
    return probabilities, reliability


def _mace(frame: Any, shape: tuple[int, int], k: int, seed: int) -> tuple[np.ndarray,
                                                                           dict[int, float]]:
    import pandas as pd
    from crowdkit.aggregation import MACE

    model = MACE(n_restarts=5, n_iter=50, random_state=seed).fit(frame)
    probabilities = _dense(model.probas_, shape, k)
    # MACE factorises workers in order of first appearance; spamming_[:, 1] is P(knowing).
    _, worker_names = pd.factorize(frame["worker"])
    reliability = {int(w): float(model.spamming_[i, 1]) for i, w in enumerate(worker_names)}
    return probabilities, reliability
