"""What triage produces, as plain data: the evidence kept along the way and a scored batch.

The queue (``queue.py``) and the clause summary (``clauses.py``) read a ``ScoredBatch``;
the pipeline (``pipeline.py``) builds one. Keeping the types here, apart from all three,
means none of them imports another to name its input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmqa.triage.data import TriageData
from llmqa.triage.scores import Scores
from llmqa.triage.signals import SignalSet


@dataclass
class Evidence:
    """Intermediate results kept for explanation and for the eval (not part of the scores)."""

    vectors: np.ndarray | None = None
    has_vector: np.ndarray | None = None
    probabilities: np.ndarray | None = None
    hits: list[list[Any]] = field(default_factory=list)


@dataclass
class ScoredBatch:
    """A batch, its signals, their combined scores, and the evidence behind them."""

    data: TriageData
    signals: SignalSet
    scores: Scores
    evidence: Evidence
