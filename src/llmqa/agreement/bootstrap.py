"""Seeded percentile bootstrap over items.

A replicate draws ``n`` items with replacement; it is passed to statistics as integer item
weights (how often each item was drawn), so the data are never copied. The same replicates
are shared by every statistic in one call, and the same ``seed`` always gives the same
intervals. Replicates in which a statistic is undefined (NaN) are dropped; the interval is
then over the defined ones and ``n_valid`` says how many that was.

Under ``MIN_ITEMS`` items there is no interval: a resample of a handful of items can only
repeat them, so every replicate of 1 to 3 items that agree gives the same value and the
"interval" is a point ([1.000, 1.000]) that an analyst would report upward as certainty.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from llmqa.blas import one_blas_thread

Statistic = Callable[[np.ndarray], float]
JointStatistic = Callable[[np.ndarray], Mapping[str, float]]
DEFAULT_REPLICATES = 1000
MIN_ITEMS = 10
_CHUNK = 32  # replicates drawn per batch: bounds memory at _CHUNK × n integers


@dataclass(frozen=True)
class Interval:
    low: float | None
    high: float | None
    n_valid: int
    n_boot: int
    reason: str | None = None  # why there is no interval, when that is not plain

    @property
    def warning(self) -> str | None:
        if self.reason:
            return self.reason
        if self.n_boot and self.n_valid < self.n_boot:
            return (f"{self.n_boot - self.n_valid} of {self.n_boot} bootstrap replicates were "
                    "undefined and dropped")
        return None


def replicate_weights(n_items: int, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Yield ``n_boot`` weight vectors (item draw counts), reproducibly from ``seed``."""
    rng = np.random.default_rng(seed)
    done = 0
    while done < n_boot:
        size = min(_CHUNK, n_boot - done)
        draws = rng.integers(0, n_items, size=(size, n_items))
        offsets = (np.arange(size) * n_items)[:, None]
        counts = np.bincount((draws + offsets).ravel(), minlength=size * n_items)
        yield from counts.reshape(size, n_items).astype(float)
        done += size


def bootstrap_intervals(statistics: Mapping[str, Statistic], n_items: int,
                        n_boot: int = DEFAULT_REPLICATES, seed: int = 0,
                        confidence: float = 0.95) -> dict[str, Interval]:
    """Percentile intervals for several statistics of the same items, from shared replicates.

    Each statistic takes a weight vector of length ``n_items`` and returns a float (NaN when
    undefined for that replicate).
    """
    def joint(weights: np.ndarray) -> dict[str, float]:
        return {name: fn(weights) for name, fn in statistics.items()}

    return bootstrap_joint(joint, list(statistics), n_items, n_boot, seed, confidence)


def bootstrap_joint(statistic: JointStatistic, names: Sequence[str], n_items: int,
                    n_boot: int = DEFAULT_REPLICATES, seed: int = 0,
                    confidence: float = 0.95) -> dict[str, Interval]:
    """Like ``bootstrap_intervals`` for one callable that returns every statistic at once, so
    work shared between statistics is done once per replicate."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if n_boot <= 0 or n_items == 0:
        return {name: Interval(None, None, 0, 0) for name in names}
    if n_items < MIN_ITEMS:
        why = too_few(n_items)
        return {name: Interval(None, None, 0, 0, why) for name in names}
    values = np.empty((len(names), n_boot))
    with one_blas_thread():
        for b, weights in enumerate(replicate_weights(n_items, n_boot, seed)):
            found = statistic(weights)
            values[:, b] = [found[name] for name in names]
    tail = (1 - confidence) / 2
    result: dict[str, Interval] = {}
    for s, name in enumerate(names):
        valid = values[s][~np.isnan(values[s])]
        if valid.size == 0:
            result[name] = Interval(None, None, 0, n_boot)
            continue
        low, high = np.quantile(valid, [tail, 1 - tail])
        result[name] = Interval(_finite(low), _finite(high), int(valid.size), n_boot)
    return result


def bootstrap_interval(statistic: Statistic, n_items: int, n_boot: int = DEFAULT_REPLICATES,
                       seed: int = 0, confidence: float = 0.95) -> Interval:
    """One statistic's percentile interval; see ``bootstrap_intervals``."""
    return bootstrap_intervals({"s": statistic}, n_items, n_boot, seed, confidence)["s"]


def too_few(n_items: int) -> str:
    return f"no interval on {n_items} item(s): a bootstrap needs at least {MIN_ITEMS}"


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
