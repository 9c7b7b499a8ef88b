"""One signal per item, kept with the inputs it was computed from so it can be explained.

A ``Signal`` is an array over items (``NaN`` where the signal is not available for an item,
never a made-up value) plus, per item, the inputs that produced it and a short phrase for the
queue's reason line. ``SignalSet`` holds the signals of one triage run together with the
clauses each item was tied to (by annotators, the judge or retrieval) and the notes that
explain any fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Which score each signal feeds; a signal may feed both.
ERROR = "error"
AMBIGUITY = "ambiguity"


@dataclass
class Signal:
    name: str
    values: np.ndarray
    inputs: list[dict[str, Any] | None]
    phrases: list[str | None]
    description: str
    note: str | None = None  # why the signal is missing or degraded, for the whole run

    def __post_init__(self) -> None:
        self.values = np.asarray(self.values, dtype=float)
        if not (len(self.values) == len(self.inputs) == len(self.phrases)):
            raise ValueError(f"signal {self.name}: values, inputs and phrases differ in length")

    @property
    def available(self) -> np.ndarray:
        return ~np.isnan(self.values)

    @classmethod
    def missing(cls, name: str, n: int, description: str, note: str) -> Signal:
        """The signal could not be computed for any item; ``note`` says why."""
        return cls(name, np.full(n, np.nan), [None] * n, [None] * n, description, note)

    def value(self, index: int) -> float | None:
        value = self.values[index]
        return None if np.isnan(value) else float(value)


@dataclass
class SignalSet:
    n_items: int
    signals: dict[str, Signal] = field(default_factory=dict)
    # item index -> clause id -> sources ("annotator", "note", "judge", "retrieval")
    clauses: list[dict[str, set[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # family -> reliability.Reliability, estimated after all signals are in (pipeline.py)
    reliability: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.clauses:
            self.clauses = [{} for _ in range(self.n_items)]

    def add(self, signal: Signal) -> None:
        if len(signal.values) != self.n_items:
            raise ValueError(f"signal {signal.name} has {len(signal.values)} values for "
                             f"{self.n_items} items")
        self.signals[signal.name] = signal

    def all_notes(self) -> list[str]:
        """Run notes, then each signal note once, naming every signal it applies to."""
        by_note: dict[str, list[str]] = {}
        for signal in self.signals.values():
            if signal.note:
                by_note.setdefault(signal.note, []).append(signal.name)
        return self.notes + [f"{', '.join(names)}: {note}" for note, names in by_note.items()]

    def tie_clause(self, index: int, clause_id: str, source: str) -> None:
        self.clauses[index].setdefault(clause_id, set()).add(source)

    def __getitem__(self, name: str) -> Signal:
        return self.signals[name]

    def __contains__(self, name: str) -> bool:
        return name in self.signals

    def __iter__(self):
        return iter(self.signals.values())

    def values(self, index: int) -> dict[str, float | None]:
        return {name: signal.value(index) for name, signal in self.signals.items()}

    def inputs(self, index: int) -> dict[str, Any]:
        return {name: signal.inputs[index] for name, signal in self.signals.items()
                if signal.inputs[index] is not None}


def normalised_entropy(p: np.ndarray, support: np.ndarray | int | None = None) -> np.ndarray:
    """Row entropy of probability rows scaled to [0, 1] by log(support) (default: columns).

    ``support`` caps the possible number of outcomes (three votes cannot spread over more
    than three labels), so a 1-1-1 split scores 1 whatever the size of the label set.
    """
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
    k = p.shape[1] if support is None else support
    k = np.minimum(np.asarray(k, dtype=float), p.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(k > 1, h / np.log(np.maximum(k, 2)), np.nan)
