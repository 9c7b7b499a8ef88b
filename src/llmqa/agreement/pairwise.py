"""Agreement between two raters: confusion matrix, Cohen's kappa, every pair of raters.

The pooled coefficients (Fleiss, Gwet, Krippendorff) are in ``metrics``; these compare two
label vectors over the items both rated (``-1`` = missing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from llmqa.agreement.metrics import Score, defined_score, infer_n_labels


def confusion_matrix(a: np.ndarray, b: np.ndarray, n_labels: int | None = None,
                     weights: np.ndarray | None = None) -> np.ndarray:
    """Labels × labels counts of (a's label, b's label) over items both rated."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    if n_labels is None:
        n_labels = max(infer_n_labels(a), infer_n_labels(b))
    both = (a >= 0) & (b >= 0)
    flat = a[both] * n_labels + b[both]
    w = None if weights is None else np.asarray(weights, dtype=float)[both]
    return np.bincount(flat, weights=w, minlength=n_labels * n_labels).reshape(n_labels, n_labels)


def _kappa_weights(k: int, weights: str | None) -> np.ndarray:
    idx = np.arange(k)
    if weights is None:
        return 1.0 - np.eye(k)
    if weights == "linear":
        return np.abs(np.subtract.outer(idx, idx)).astype(float)
    if weights == "quadratic":
        return np.subtract.outer(idx, idx).astype(float) ** 2
    raise ValueError(f"unknown kappa weights {weights!r}; use linear or quadratic")


def cohen_kappa_from_confusion(confusion: np.ndarray, weights: str | None = None) -> float:
    """Cohen's kappa (optionally linear/quadratic weighted, as in scikit-learn)."""
    total = confusion.sum()
    if total <= 0:
        return math.nan
    expected = np.outer(confusion.sum(axis=1), confusion.sum(axis=0)) / total
    w = _kappa_weights(confusion.shape[0], weights)
    chance = float((w * expected).sum())
    if chance <= 1e-12 * total:
        return math.nan
    return 1.0 - float((w * confusion).sum()) / chance


def cohen_kappa(a: np.ndarray, b: np.ndarray, n_labels: int | None = None,
                weights: str | None = None) -> Score:
    """Cohen's kappa between two raters over the items both rated."""
    confusion = confusion_matrix(a, b, n_labels)
    n_items = int(confusion.sum())
    if n_items == 0:
        return Score(None, 0, "no item was rated by both")
    return defined_score(cohen_kappa_from_confusion(confusion, weights), n_items)


def pair_agreement(a: np.ndarray, b: np.ndarray) -> Score:
    """Share of the items rated by both on which the two labels are the same."""
    a, b = np.asarray(a), np.asarray(b)
    both = (a >= 0) & (b >= 0)
    n_items = int(both.sum())
    if n_items == 0:
        return Score(None, 0, "no item was rated by both")
    return Score(float((a[both] == b[both]).mean()), n_items)


@dataclass(frozen=True)
class PairScore:
    rater_a: str
    rater_b: str
    n_items: int
    percent_agreement: float | None
    cohen_kappa: float | None
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pairwise_cohen(codes: np.ndarray, raters: Sequence[str] | None = None,
                   n_labels: int | None = None, weights: str | None = None) -> list[PairScore]:
    """Cohen's kappa and percent agreement for every pair of raters that share an item."""
    codes = np.asarray(codes, dtype=np.int64)
    names = list(raters) if raters is not None else [str(j) for j in range(codes.shape[1])]
    n_labels = infer_n_labels(codes) if n_labels is None else n_labels
    pairs: list[PairScore] = []
    rated = codes >= 0
    for i in range(codes.shape[1]):
        # Only rater i's items, and only the raters who share one: a crowd of hundreds shares
        # few items pairwise, and scanning every item for every pair took most of a report.
        mine = codes[rated[:, i]]
        for j in np.flatnonzero((mine[:, i + 1:] >= 0).any(axis=0)) + i + 1:
            kappa = cohen_kappa(mine[:, i], mine[:, j], n_labels, weights)
            agree = pair_agreement(mine[:, i], mine[:, j])
            pairs.append(PairScore(names[i], names[j], kappa.n_items, agree.value, kappa.value,
                                   kappa.warning))
    return pairs


SPARSE_PAIRS = 10  # median items per pair under which the mean of pairwise kappas is noise


def mean_pairwise_kappa(pairs: Sequence[PairScore], n_items: int | None = None) -> Score:
    """Light's kappa: the mean of the defined pairwise Cohen's kappas.

    ``n_items`` is what the score reports as its base (the report passes the items with two or
    more ratings); by default the largest number of items any pair shares.
    """
    values = [p.cohen_kappa for p in pairs if p.cohen_kappa is not None]
    if n_items is None:
        n_items = max((p.n_items for p in pairs), default=0)
    if not pairs:
        return Score(None, 0, "no two raters share an item")
    if not values:
        return Score(None, n_items, "every pairwise kappa is undefined (no variation)")
    skipped = len(pairs) - len(values)
    problems = [f"{skipped} undefined pair(s) left out of the mean"] if skipped else []
    shared = float(np.median([p.n_items for p in pairs if p.cohen_kappa is not None]))
    if shared < SPARSE_PAIRS:
        # Light's kappa is for raters who rate the same items; in a crowd most pairs meet on
        # one or two items, where a kappa is -1, 0 or 1 by chance.
        problems.append(f"annotator pairs share a median of {shared:g} items, too few for a "
                        "pairwise kappa to mean much: read Fleiss' kappa or Krippendorff's alpha")
    return Score(float(np.mean(values)), n_items, "; ".join(problems) or None)
