"""Two scores per item, each a simple combination of rank-normalised signals.

Each signal becomes its percentile among the items that have it, so signals on different
scales are comparable and one extreme value cannot swamp the rest; the judge's signals, already
probabilities, are used as they are (``PROBABILITY_SIGNALS``). The default score is a weighted
mean over the signals an item has, ``Σ w_s·f_s·r_s / Σ w_s·f_s``, so a missing signal neither
helps nor hurts; ``f_s`` is the batch's own reliability estimate for the signal's source
(reliability.py). A calibrated fit is ``σ(b + Σ w_s·(r_s − 0.5))``, missing counting 0.5.
Hedged notes discount the default error score by ``1 − hedge_discount × h``: an annotator who
hedges says the item is hard, not that someone slipped. docs/triage.md explains the weights;
evals/README.md has the figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from llmqa.errors import InputError
from llmqa.triage.signals import AMBIGUITY, ERROR, SignalSet

SCORES = (ERROR, AMBIGUITY)
PROBABILITY_SIGNALS = frozenset({"judge_error", "judge_ambiguity", "self_consistency_spread"})

DEFAULT_ERROR_WEIGHTS: dict[str, float] = {
    "guideline_conflict": 1.0,
    "label_issue": 1.0,
    "label_issue_multi": 0.5,
    "minority_share": 0.5,
    "consensus_dissent": 0.25,
    "judge_error": 2.0,
}
DEFAULT_AMBIGUITY_WEIGHTS: dict[str, float] = {
    "label_entropy": 1.0,
    "note_hedging": 1.0,
    "single_label_conflict": 1.0,
    "consensus_uncertainty": 0.5,
    "model_uncertainty": 0.25,
    "guideline_split": 0.5,
    "judge_ambiguity": 1.5,
    "self_consistency_spread": 0.5,
}


@dataclass(frozen=True)
class Weights:
    """Per-score signal weights; an ``intercept`` per score marks a calibrated (logistic) fit."""

    error: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ERROR_WEIGHTS))
    ambiguity: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_AMBIGUITY_WEIGHTS))
    intercept: dict[str, float] | None = None
    source: str = "default"
    adaptive: bool = True  # scale by the batch's reliability estimates (not when calibrated)
    hedge_discount: float = 0.5  # error score × (1 − this × hedged share); not when calibrated

    def __post_init__(self) -> None:
        if self.intercept is not None and self.adaptive:
            # Fitted weights already say how much each signal is worth on this kind of data.
            object.__setattr__(self, "adaptive", False)

    def for_score(self, score: str) -> dict[str, float]:
        return self.error if score == ERROR else self.ambiguity

    @property
    def calibrated(self) -> bool:
        return self.intercept is not None

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.error, "ambiguity": self.ambiguity, "intercept": self.intercept,
                "source": self.source, "adaptive": self.adaptive,
                "hedge_discount": self.hedge_discount}

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> Weights:
        try:
            error = {str(k): float(v) for k, v in payload["error"].items()}
            ambiguity = {str(k): float(v) for k, v in payload["ambiguity"].items()}
            intercept = payload.get("intercept")
            if intercept is not None:
                intercept = {s: float(intercept[s]) for s in SCORES}
            hedge = float(payload.get("hedge_discount", 0.5))
            if not 0.0 <= hedge <= 1.0:
                raise ValueError("hedge_discount must be between 0 and 1")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"weights must have 'error' and 'ambiguity' maps of numbers "
                             f"(and an optional 'intercept' per score): {exc}") from exc
        adaptive = bool(payload.get("adaptive", intercept is None))
        return cls(error, ambiguity, intercept, str(payload.get("source", "file")), adaptive,
                   hedge)

    @classmethod
    def load(cls, path: str | Path) -> Weights:
        from llmqa.io.json_file import read_json_file

        return cls.from_dict(read_json_file(path, "weights file"))

    def save(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")


DEFAULT_WEIGHTS = Weights()


def rank_normalise(values: np.ndarray) -> np.ndarray:
    """Percentile in (0, 1) among the available (non-NaN) values; NaN stays NaN."""
    from scipy.stats import rankdata

    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    count = int(ok.sum())
    if count:
        out[ok] = (rankdata(values[ok], method="average") - 0.5) / count
    return out


_SOURCE_NAMES = {"classifier": "classifier", "guideline": "guideline evidence",
                 "annotators": "annotators' dissent", "judge": "judge"}


@dataclass
class Scores:
    error: np.ndarray      # NaN for items without a label under review
    ambiguity: np.ndarray  # NaN only when no ambiguity signal is available for the item
    ranks: dict[str, np.ndarray]
    weights: Weights
    effective: dict[str, dict[str, float]] = field(default_factory=dict)  # after factors
    # The multiplier the hedged-note discount put on each item's error score (1: none).
    hedge_factor: np.ndarray | None = None

    def error_basis(self, reliability: dict[str, Any]) -> str | None:
        """A note when the reliability factors left the likely-error score to one source
        while others were there but turned off: its top rows are then that source's
        disagreements with the label, however many annotators agree (evals/README.md,
        "The queue on a batch as it is")."""
        from llmqa.triage.reliability import FAMILY

        weights = self.effective.get(ERROR, {})
        present = {name: w for name, w in weights.items()
                   if name in self.ranks and (~np.isnan(self.ranks[name])).any()}
        used = {FAMILY.get(name, name) for name, w in present.items() if w > 0}
        off = sorted({FAMILY.get(name, name) for name, w in present.items() if w <= 0} - used)
        if len(used) != 1 or not off or self.weights.intercept is not None:
            return None
        (family,) = used

        def value(source: str) -> str:
            found = getattr(reliability.get(source), "value", None)
            return "n/a" if found is None else f"{found:.2f}"

        name = _SOURCE_NAMES.get(family, family)
        others = " and ".join(f"{_SOURCE_NAMES.get(s, s)} ({value(s)})" for s in off)
        crowd = ", however many annotators agree" if "annotators" in off else ""
        return (f"the likely-error score rests on the {name} alone on this batch (reliability "
                f"{value(family)}; 0 is no better than always guessing the most common label, "
                f"1 agrees with every label): {others} "
                f"{'carry' if len(off) > 1 else 'carries'} no weight here, so the top rows are "
                f"where the {name} disagrees with the label{crowd}")

    def contributions(self, index: int, score: str) -> list[tuple[str, float, float]]:
        """(signal, weight, percentile) for the item's available signals, largest weight ×
        percentile first: what pushed this item up."""
        rows = []
        used = self.effective.get(score) or self.weights.for_score(score)
        for name, weight in used.items():
            rank = self.ranks.get(name)
            if rank is None or np.isnan(rank[index]) or weight <= 0:
                continue
            rows.append((name, weight, float(rank[index])))
        return sorted(rows, key=lambda row: -row[1] * row[2])


def combine(signals: SignalSet, weights: Weights = DEFAULT_WEIGHTS,
            labelled: np.ndarray | None = None) -> Scores:
    """Both scores for every item. ``labelled`` marks items with a label under review; the
    others get no error score (there is nothing to be wrong)."""
    n = signals.n_items
    names = set(weights.error) | set(weights.ambiguity)
    ranks = {name: normalise_signal(name, signals[name].values)
             for name in names if name in signals}
    factors = _factors(signals) if weights.adaptive and weights.intercept is None else {}
    result = {}
    effective: dict[str, dict[str, float]] = {}
    for score in SCORES:
        chosen = {k: w for k, w in weights.for_score(score).items() if k in ranks}
        if weights.intercept is not None:
            effective[score] = chosen
            result[score] = _logistic(ranks, chosen, weights.intercept[score], n)
            continue
        scaled = {k: w * factors.get(k, 1.0) for k, w in chosen.items()}
        if not any(w > 0 and (~np.isnan(ranks[k])).any() for k, w in scaled.items()):
            scaled = chosen  # every available source was judged unreliable: use the base
        effective[score] = {k: round(w, 4) for k, w in scaled.items()}
        result[score] = _weighted_mean(ranks, scaled, n)
    hedge: np.ndarray = np.ones(n)
    if weights.intercept is None and weights.hedge_discount > 0 and "note_hedging" in signals:
        hedged = np.nan_to_num(np.asarray(signals["note_hedging"].values, dtype=float))
        hedge = 1.0 - weights.hedge_discount * np.clip(hedged, 0.0, 1.0)
    error = result[ERROR] * hedge
    if labelled is not None:
        error = np.where(labelled, error, np.nan)
    return Scores(error, result[AMBIGUITY], ranks, weights, effective, hedge)


def _factors(signals: SignalSet) -> dict[str, float]:
    from llmqa.triage.reliability import FAMILY, weight_factors

    if not signals.reliability:
        return {}
    per_family = weight_factors(signals.reliability)
    return {name: per_family[family] for name, family in FAMILY.items() if family in per_family}


def normalise_signal(name: str, values: np.ndarray) -> np.ndarray:
    """What the combination uses for a signal: its percentile, or the value itself for the
    judge's probability-scaled signals."""
    if name in PROBABILITY_SIGNALS:
        return np.clip(np.asarray(values, dtype=float), 0.0, 1.0)
    return rank_normalise(values)


def _weighted_mean(ranks: dict[str, np.ndarray], weights: dict[str, float], n: int) -> np.ndarray:
    total = np.zeros(n)
    weight = np.zeros(n)
    for name, w in weights.items():
        if w <= 0:
            continue
        r = ranks[name]
        ok = ~np.isnan(r)
        total[ok] += w * r[ok]
        weight[ok] += w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, total / weight, np.nan)


def feature_matrix(ranks: dict[str, np.ndarray], names: list[str], n: int) -> np.ndarray:
    """Centred percentiles, missing → 0 (the neutral middle), one column per signal."""
    columns = [np.nan_to_num(ranks[name] - 0.5, nan=0.0) if name in ranks else np.zeros(n)
               for name in names]
    return np.column_stack(columns) if columns else np.zeros((n, 0))


def _logistic(ranks: dict[str, np.ndarray], weights: dict[str, float], intercept: float,
              n: int) -> np.ndarray:
    names = list(weights)
    x = feature_matrix(ranks, names, n)
    z = intercept + x @ np.array([weights[k] for k in names]) if names else np.full(n, intercept)
    return 1.0 / (1.0 + np.exp(-z))
