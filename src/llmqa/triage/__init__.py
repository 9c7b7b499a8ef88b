"""Triage: which labels are probably wrong, which items are genuinely ambiguous, and where.

The pipeline reads as the module list:

* ``data``: the items, their ratings matrix and the label under review (the consensus);
* signals, each stored with its inputs: ``annotators`` (disagreement, consensus posterior,
  hedged notes), ``classifier`` + ``cleanlab_signal`` (confident learning on out-of-fold
  probabilities from the item embeddings), ``retrieval_signal`` (the label the nearest
  guideline clauses and examples imply), ``judge_signal`` (the stored LLM verdict);
* ``scores``: two scores (likely error, ambiguous) from rank-normalised signals, with
  ``calibrate`` to fit the weights on an answer key;
* ``queue``: the ranked, filterable queue with one-line reasons;
* ``clauses``: where errors and ambiguity cluster, per clause;
* ``result``: the plain result types (``Evidence``, ``ScoredBatch``) the last two read.

``triage(items, ...)`` runs it all; see docs/triage.md.
"""

from llmqa.triage.calibrate import Key, auroc, calibrate, load_key, precision_at_k
from llmqa.triage.clauses import SUMMARY_VERSION, clause_summary
from llmqa.triage.data import TriageData
from llmqa.triage.pipeline import (
    TriageConfig,
    TriageResult,
    add_judge_signals,
    compute_signals,
    score,
    triage,
)
from llmqa.triage.queue import KINDS, QueueOptions, build_queue
from llmqa.triage.result import Evidence, ScoredBatch
from llmqa.triage.scores import DEFAULT_WEIGHTS, Scores, Weights, combine, rank_normalise
from llmqa.triage.signals import Signal, SignalSet

__all__ = [
    "DEFAULT_WEIGHTS",
    "KINDS",
    "SUMMARY_VERSION",
    "Evidence",
    "Key",
    "QueueOptions",
    "ScoredBatch",
    "Scores",
    "Signal",
    "SignalSet",
    "TriageConfig",
    "TriageData",
    "TriageResult",
    "Weights",
    "add_judge_signals",
    "auroc",
    "build_queue",
    "calibrate",
    "clause_summary",
    "combine",
    "compute_signals",
    "load_key",
    "precision_at_k",
    "rank_normalise",
    "score",
    "triage",
]
