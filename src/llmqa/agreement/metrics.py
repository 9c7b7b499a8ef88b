"""Agreement coefficients on an items × raters matrix of label codes (``-1`` = missing).

Every coefficient that pools raters is computed from the items × labels count matrix, with
optional per-item ``weights``: a bootstrap replicate is just integer weights (how often each
item was drawn), so resampling never copies the data.

Conventions (see docs/agreement.md):

* Items with fewer than two ratings say nothing about agreement: they are left out of the
  observed agreement of every coefficient. (The chance term of Fleiss' kappa and Gwet's AC1
  follows Gwet (2014) and uses every rated item; the agreement report passes only items with
  two or more ratings, so there the distinction does not arise.)
* A coefficient whose chance-corrected form is 0/0 (every rating is the same label, so there
  is no variation to agree on) is *undefined*: ``Score.value`` is ``None`` and
  ``Score.warning`` says why. It is never reported as NaN and never silently as 1.0; percent
  agreement and Gwet's AC1 stay defined in that case.

Measures between two raters (Cohen's kappa, pairwise tables) are in ``pairwise``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np

from llmqa.choices import Level as MeasurementLevel
from llmqa.choices import values

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = values(MeasurementLevel)
NO_PAIRS = "no item has two or more ratings"
NO_VARIATION = ("undefined: every rating is the same label, so chance agreement is 100% "
                "and the coefficient is 0/0")


@dataclass(frozen=True)
class Score:
    """A coefficient with the items it rests on; ``value`` is ``None`` when undefined."""

    value: float | None
    n_items: int
    warning: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def defined_score(value: float, n_items: int, why_undefined: str | None = None) -> Score:
    """The score for a computed value; NaN (a 0/0 coefficient) becomes undefined, with why."""
    if math.isnan(value):
        return Score(None, n_items, why_undefined or NO_VARIATION)
    return Score(float(value), n_items)


# --- counts -------------------------------------------------------------------------------

def infer_n_labels(codes: np.ndarray) -> int:
    return int(codes.max()) + 1 if codes.size and codes.max() >= 0 else 0


def label_counts(codes: np.ndarray, n_labels: int | None = None) -> np.ndarray:
    """Items × labels matrix: how many raters gave label ``c`` to item ``i``."""
    codes = np.asarray(codes, dtype=np.int64)
    n_labels = infer_n_labels(codes) if n_labels is None else n_labels
    n_items = codes.shape[0]
    rows, cols = np.nonzero(codes >= 0)
    flat = rows * n_labels + codes[rows, cols]
    counts = np.bincount(flat, minlength=n_items * n_labels)
    return counts.reshape(n_items, n_labels)


def _weights(counts: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    return np.ones(counts.shape[0]) if weights is None else np.asarray(weights, dtype=float)


class PooledTerms:
    """Per-item terms of the pooled coefficients, computed once.

    Each coefficient is then a few weighted sums over items, which is what makes a
    1000-replicate bootstrap cheap: a replicate only changes the weights. Terms are computed
    lazily so that, say, nominal alpha alone never builds the share matrix Fleiss needs.
    """

    def __init__(self, counts: np.ndarray) -> None:
        self.counts = np.asarray(counts)
        self.n_labels = self.counts.shape[1]
        self.m = self.counts.sum(axis=1)
        self.pairable = self.m >= 2
        self.rated = self.m >= 1

    @cached_property
    def _pair_sums(self) -> np.ndarray:
        # Σ_c n_ic (n_ic - 1): ordered pairs of ratings on item i that agree.
        c = self.counts.astype(float)
        return (c * (c - 1)).sum(axis=1)

    @cached_property
    def item_agreement(self) -> np.ndarray:
        m = self.m.astype(float)
        return np.divide(self._pair_sums, m * (m - 1), out=np.zeros_like(m), where=self.pairable)

    @cached_property
    def shares(self) -> np.ndarray:
        m = np.maximum(self.m, 1).astype(float)
        return self.counts / m[:, None]

    @cached_property
    def _alpha_agree(self) -> np.ndarray:
        # Item i's contribution to the diagonal of the coincidence matrix, Σ_c o_cc.
        m = self.m.astype(float)
        return np.divide(self._pair_sums, m - 1, out=np.zeros_like(m), where=self.pairable)

    @cached_property
    def _pairable_counts(self) -> np.ndarray:
        return np.where(self.pairable[:, None], self.counts, 0).astype(float)

    @cached_property
    def _pairable_f(self) -> np.ndarray:
        # Float copies: a float @ bool product skips BLAS and is several times slower.
        return self.pairable.astype(float)

    @cached_property
    def _rated_f(self) -> np.ndarray:
        return self.rated.astype(float)

    def _w(self, weights: np.ndarray | None) -> np.ndarray:
        return _weights(self.counts, weights)

    def percent_agreement(self, weights: np.ndarray | None = None) -> float:
        w = self._w(weights)
        total = float(w @ self._pairable_f)
        return float(w @ self.item_agreement) / total if total else math.nan

    def class_shares(self, weights: np.ndarray | None = None) -> np.ndarray:
        """π_k: the mean, over rated items, of the share of an item's ratings that are k."""
        w = self._w(weights)
        total = float(w @ self._rated_f)
        if not total:
            return np.full(self.n_labels, math.nan)
        return (w @ self.shares) / total

    def fleiss_kappa(self, weights: np.ndarray | None = None) -> float:
        return self.coefficients(weights, alpha=False)["fleiss_kappa"]

    def gwet_ac1(self, weights: np.ndarray | None = None) -> float:
        return self.coefficients(weights, alpha=False)["gwet_ac1"]

    def coefficients(self, weights: np.ndarray | None = None,
                     alpha: bool = True) -> dict[str, float]:
        """Percent agreement, Fleiss' kappa, Gwet's AC1 and (optionally) nominal alpha at once,
        sharing the observed agreement and π between them (one bootstrap replicate's work)."""
        pa = self.percent_agreement(weights)
        pi = self.class_shares(weights)
        q = self.n_labels
        ac1 = math.nan if q < 2 else _chance_corrected(pa, float((pi * (1 - pi)).sum() / (q - 1)))
        out = {"percent_agreement": pa,
               "fleiss_kappa": _chance_corrected(pa, float((pi**2).sum())),
               "gwet_ac1": ac1}
        if alpha:
            out["krippendorff_alpha"] = self.krippendorff_alpha_nominal(weights)
        return out

    def krippendorff_alpha_nominal(self, weights: np.ndarray | None = None) -> float:
        # Nominal alpha needs only trace(o) and the marginals n_c: O(items × labels).
        w = self._w(weights)
        n_c = w @ self._pairable_counts
        n = float(n_c.sum())
        expected = n * n - float(n_c @ n_c)
        if n <= 1 or expected <= 0:
            return math.nan
        agree = float(w @ self._alpha_agree)
        return 1.0 - (n - 1) * (n - agree) / expected


def percent_agreement_value(counts: np.ndarray, weights: np.ndarray | None = None) -> float:
    return PooledTerms(counts).percent_agreement(weights)


def fleiss_kappa_value(counts: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Fleiss' kappa, generalised to a varying number of ratings per item (Gwet 2014, as in
    irrCAC's ``fleiss.kappa.raw``); equal to Fleiss (1971) when every item has the same count."""
    return PooledTerms(counts).fleiss_kappa(weights)


def gwet_ac1_value(counts: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Gwet's AC1 with chance agreement Σ π_k(1-π_k)/(q-1), q = size of the label set."""
    return PooledTerms(counts).gwet_ac1(weights)


def _chance_corrected(pa: float, pe: float) -> float:
    if math.isnan(pa) or math.isnan(pe) or math.isclose(pe, 1.0, rel_tol=0, abs_tol=1e-12):
        return math.nan
    return (pa - pe) / (1 - pe)


def coincidence_matrix(counts: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Krippendorff's coincidence matrix o_ck over items with 2+ ratings (labels × labels)."""
    w = _weights(counts, weights)
    m = counts.sum(axis=1)
    keep = m >= 2
    c = counts[keep].astype(float)
    scale = w[keep] / (m[keep] - 1)
    o = (c * scale[:, None]).T @ c
    o[np.diag_indices_from(o)] -= scale @ c
    return o


def distance_matrix(level: str, n_c: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """Squared distances δ²(c, k) between label codes for a level of measurement.

    ``values`` are the numbers behind the codes for interval and ratio data (default: the code
    itself); ordinal distances depend only on the order and the label marginals ``n_c``.
    """
    k = len(n_c)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        cum = np.concatenate(([0.0], np.cumsum(n_c)))
        lo, hi = np.minimum.outer(np.arange(k), np.arange(k)), np.maximum.outer(np.arange(k),
                                                                              np.arange(k))
        between = cum[hi + 1] - cum[lo]
        return (between - (n_c[lo] + n_c[hi]) / 2) ** 2
    v = np.arange(k, dtype=float) if values is None else np.asarray(values, dtype=float)
    if level == "interval":
        return np.subtract.outer(v, v) ** 2
    if level == "ratio":
        total = np.add.outer(v, v)
        diff = np.subtract.outer(v, v)
        ratio = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0)
        return ratio**2
    raise ValueError(f"unknown level of measurement {level!r}; use one of {', '.join(LEVELS)}")


def krippendorff_alpha_value(counts: np.ndarray, level: str = "nominal",
                             weights: np.ndarray | None = None,
                             values: np.ndarray | None = None) -> float:
    """Krippendorff's alpha from the coincidence matrix: 1 - (n-1) Σ o·δ / Σ n_c n_k δ."""
    if level == "nominal":
        return PooledTerms(counts).krippendorff_alpha_nominal(weights)
    o = coincidence_matrix(counts, weights)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return math.nan
    d = distance_matrix(level, n_c, values)
    expected = float(n_c @ d @ n_c)
    if expected <= 0:
        return math.nan
    return 1.0 - (n - 1) * float((o * d).sum()) / expected


def _pooled(value: float, counts: np.ndarray) -> Score:
    n_items = int((counts.sum(axis=1) >= 2).sum())
    return defined_score(value, n_items, NO_PAIRS if n_items == 0 else None)


def _counts_of(codes: np.ndarray, n_labels: int | None) -> np.ndarray:
    return label_counts(np.asarray(codes), n_labels)


def percent_agreement(codes: np.ndarray, n_labels: int | None = None) -> Score:
    """Share of agreeing rater pairs within an item, averaged over items with 2+ ratings."""
    counts = _counts_of(codes, n_labels)
    return _pooled(percent_agreement_value(counts), counts)


def fleiss_kappa(codes: np.ndarray, n_labels: int | None = None) -> Score:
    counts = _counts_of(codes, n_labels)
    return _pooled(fleiss_kappa_value(counts), counts)


def gwet_ac1(codes: np.ndarray, n_labels: int | None = None) -> Score:
    counts = _counts_of(codes, n_labels)
    score = _pooled(gwet_ac1_value(counts), counts)
    if counts.shape[1] < 2 and score.n_items:
        return Score(None, score.n_items, "undefined: the label set has fewer than two labels")
    return score


def krippendorff_alpha(codes: np.ndarray, level: str = "nominal", n_labels: int | None = None,
                       values: Sequence[float] | None = None) -> Score:
    """Krippendorff's alpha for ``level`` (nominal, ordinal, interval, ratio), missing allowed.

    ``values`` gives the number each code stands for (interval/ratio); by default codes
    0, 1, 2... are the values, i.e. the label order is an equally spaced scale.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level of measurement {level!r}; use one of {', '.join(LEVELS)}")
    codes = np.asarray(codes, dtype=np.int64)
    if level == "nominal" and codes.shape[1] <= _PAIR_PATH_MAX_RATERS:
        return _alpha_nominal_from_pairs(codes)
    counts = _counts_of(codes, n_labels)
    array = None if values is None else np.asarray(values, dtype=float)
    return _pooled(krippendorff_alpha_value(counts, level, values=array), counts)


_PAIR_PATH_MAX_RATERS = 12


def _alpha_nominal_from_pairs(codes: np.ndarray) -> Score:
    """Nominal alpha straight from the codes, for the usual few-raters case.

    trace(o) only needs, per item, the number of rater pairs that agree, which r(r-1)/2
    column comparisons give without building the items × labels count matrix; that is
    what makes this several times faster than the generic path on large files.
    """
    valid = codes >= 0
    m = valid.sum(axis=1)
    keep = m >= 2
    n_items = int(keep.sum())
    if n_items == 0:
        return Score(None, 0, NO_PAIRS)
    same = np.zeros(codes.shape[0])
    for j in range(codes.shape[1]):
        for k in range(j + 1, codes.shape[1]):
            same += (codes[:, j] == codes[:, k]) & valid[:, j]
    agree = 2.0 * float((same[keep] / (m[keep] - 1)).sum())
    kept = codes[keep]
    n_c = np.bincount(kept[kept >= 0]).astype(float)
    n = float(n_c.sum())
    expected = n * n - float(n_c @ n_c)
    if expected <= 0:
        return Score(None, n_items, NO_VARIATION)
    return Score(1.0 - (n - 1) * (n - agree) / expected, n_items)


def specific_agreement(counts: np.ndarray) -> np.ndarray:
    """Per label: given one rating of c on an item, the chance another rating there is also c
    (o_cc / n_c from the coincidence matrix); NaN for labels never used on pairable items."""
    o = coincidence_matrix(counts)
    n_c = o.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_c > 0, np.diag(o) / np.where(n_c > 0, n_c, 1), math.nan)

