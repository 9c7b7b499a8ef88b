"""Compute every available signal for a batch, then score it: the one call a notebook needs.

    from llmqa.triage import triage
    result = triage(items, embedder=ws.embedder, retriever=ws.retriever(),
                    guidelines=ws.guidelines, verdicts=store.verdicts(latest=True, status="ok"))
    rows = result.queue(kind="error", top=50)
    summary = result.clause_summary()

Each source of evidence is optional: without an embedder (or vectors) there are no content
signals, without a retriever and guidelines no retrieval evidence, without verdicts no judge
signals. What was skipped, and why, is in ``SignalSet.notes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from llmqa.index.retriever import Hit, Retriever
from llmqa.progress import StageProgress
from llmqa.triage import cleanlab_signal, judge_signal
from llmqa.triage.annotators import disagreement_signals, note_signal, posterior_signals
from llmqa.triage.classifier import (
    DEFAULT_C,
    DEFAULT_FOLDS,
    DEFAULT_REPEATS,
    out_of_fold_probabilities,
)
from llmqa.triage.clauses import clause_summary
from llmqa.triage.data import TriageData
from llmqa.triage.embeddings import embed_texts, given_vectors
from llmqa.triage.queue import QueueOptions, build_queue
from llmqa.triage.reliability import estimate
from llmqa.triage.result import Evidence, ScoredBatch
from llmqa.triage.retrieval_signal import (
    DEFAULT_DOCUMENTS,
    DEFAULT_TEMPERATURE,
    DESCRIPTIONS,
    LabelImplier,
    guideline_documents,
    retrieval_signals,
)
from llmqa.triage.scores import DEFAULT_WEIGHTS, Weights, combine
from llmqa.triage.signals import Signal, SignalSet
from llmqa.triage.single_label import single_label_conflict

if TYPE_CHECKING:
    from llmqa.agreement.gate import Gate
    from llmqa.guidelines import GuidelineSet
    from llmqa.index.embedders import Embedder
    from llmqa.triage.retrieval_signal import GuidelineDocuments


@dataclass(frozen=True)
class TriageConfig:
    folds: int = DEFAULT_FOLDS
    repeats: int = DEFAULT_REPEATS  # fold splits the cross-fitting is averaged over
    c: float = DEFAULT_C
    neighbours: int | None = None  # None: √(training items), in [5, 50]
    retrieval_documents: int = DEFAULT_DOCUMENTS
    temperature: float = DEFAULT_TEMPERATURE
    # Train the classifier on the guideline's clause texts and examples as well (see
    # classifier.py), using the index's vectors for them.
    guideline_examples: bool = True
    # Add the lexical view (TF-IDF logistic regression on the item texts) to the classifier.
    lexical: bool = True
    seed: int = 0


def compute_signals(data: TriageData, *, vectors: np.ndarray | None = None,
                    embedder: Embedder | None = None, retriever: Retriever | None = None,
                    guidelines: GuidelineSet | None = None,
                    verdicts: Iterable[Mapping[str, Any]] | None = None,
                    config: TriageConfig | None = None,
                    evidence: Evidence | None = None,
                    on_progress: StageProgress | None = None,
                    gate: Gate | None = None) -> SignalSet:
    """Every signal the given inputs allow. ``vectors`` (items × dim, NaN rows = none) wins
    over ``embedder``; ``verdicts`` are store rows (``None``: offline). ``on_progress`` hears
    from the long steps (embedding, the classifier's folds, retrieval)."""
    config = config or TriageConfig()
    n = data.n_items
    signals = SignalSet(n)
    evidence = evidence if evidence is not None else Evidence()
    for signal in disagreement_signals(data):
        signals.add(signal)
    for signal in posterior_signals(data, config.seed):
        signals.add(signal)
    hedging, mentioned = note_signal(data)
    signals.add(hedging)
    known = set(guidelines.by_id) if guidelines is not None else None
    for i in range(n):
        for clause_id in data.ratings.clause_ids[i]:
            signals.tie_clause(i, clause_id, "annotator")
        for clause_id in mentioned[i]:
            if known is None or clause_id in known:
                signals.tie_clause(i, clause_id, "note")

    if vectors is not None:
        vectors, has_vector = given_vectors(vectors, n)
    elif embedder is not None:
        vectors, has_vector = embed_texts(data.texts, embedder, on_progress=on_progress)
    else:
        has_vector = None
    evidence.vectors, evidence.has_vector = vectors, has_vector
    documents = _documents(data, guidelines, retriever)
    _content_signals(data, signals, evidence, documents, config, on_progress)
    _retrieval(data, signals, evidence, documents, retriever, config, on_progress)

    if verdicts is None:
        for signal in judge_signal.missing_signals(n, "no judge verdicts given"):
            signals.add(signal)
        _weigh_sources(data, signals)
    else:
        add_judge_signals(data, signals, verdicts, gate)
    return signals


def add_judge_signals(data: TriageData, signals: SignalSet,
                      verdicts: Iterable[Mapping[str, Any]], gate: Gate | None = None) -> None:
    """Add the judge's signals (store rows) to computed ``signals``, then re-weigh the sources:
    the judge is one of them. ``compute_signals`` does this when given verdicts; the eval calls
    it to score one batch offline and with the judge without computing the rest twice."""
    judged, cited = judge_signal.judge_signals(data, verdicts,
                                               gate.is_trusted if gate is not None else None)
    for signal in judged:
        signals.add(signal)
    for i, clause_ids in enumerate(cited):
        for clause_id in clause_ids:
            signals.tie_clause(i, clause_id, "judge")
    _weigh_sources(data, signals)


def _weigh_sources(data: TriageData, signals: SignalSet) -> None:
    signals.reliability = estimate(data, signals)
    signals.add(single_label_conflict(data, signals))  # needs the reliability estimates


def _documents(data: TriageData, guidelines: GuidelineSet | None,
               retriever: Retriever | None) -> GuidelineDocuments | None:
    """The index's documents with the labels they imply (None without an index)."""
    if guidelines is None or retriever is None or len(retriever) == 0:
        return None
    given = data.given[data.given >= 0]
    prior = np.bincount(given, minlength=len(data.labels)).astype(float)
    return guideline_documents(retriever, LabelImplier(guidelines, data.labels, prior))


def _content_signals(data: TriageData, signals: SignalSet, evidence: Evidence,
                     documents: GuidelineDocuments | None, config: TriageConfig,
                     on_progress: StageProgress | None = None) -> None:
    n = data.n_items
    if evidence.vectors is None or evidence.has_vector is None or not evidence.has_vector.any():
        reason = "no item embeddings (no embedder given, or no item has readable text)"
        for signal in cleanlab_signal.missing_signals(n, reason):
            signals.add(signal)
        return
    counts = data.ratings.counts().astype(float)
    targets = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    extra_x = extra_t = extra_texts = None
    if documents is not None and config.guideline_examples and len(documents):
        extra_x, extra_t, extra_texts = documents.training_rows()
        if extra_x.shape[1] != evidence.vectors.shape[1]:
            # another embedder built the index; retrieval says so
            extra_x = extra_t = extra_texts = None
    prediction, why = out_of_fold_probabilities(
        evidence.vectors, evidence.has_vector, targets, data.given, extra_vectors=extra_x,
        extra_targets=extra_t, folds=config.folds, c=config.c, seed=config.seed,
        neighbours=config.neighbours, texts=data.texts if config.lexical else None,
        extra_texts=extra_texts if config.lexical else None, repeats=config.repeats,
        on_progress=on_progress)
    if prediction is None:
        for signal in cleanlab_signal.missing_signals(n, why or "no classifier"):
            signals.add(signal)
        return
    evidence.probabilities = prediction.probabilities
    for signal in cleanlab_signal.cleanlab_signals(data, prediction.probabilities):
        signals.add(signal)
    missing = int((~evidence.has_vector).sum())
    if missing:
        signals.notes.append(f"content signals: {missing} items have no readable text to embed")


def _retrieval(data: TriageData, signals: SignalSet, evidence: Evidence,
               documents: GuidelineDocuments | None, retriever: Retriever | None,
               config: TriageConfig, on_progress: StageProgress | None = None) -> None:
    n = data.n_items
    why = None
    if retriever is None or documents is None:
        why = "no guidelines / clause index given (or the index is empty)"
    elif evidence.vectors is None or evidence.has_vector is None or not evidence.has_vector.any():
        why = "no item embeddings"
    elif documents.vectors.shape[1] != evidence.vectors.shape[1]:
        why = (f"the index holds {documents.vectors.shape[1]}-dimensional vectors but the items "
               f"were embedded in {evidence.vectors.shape[1]} dimensions: use one embedder")
    if why:
        for name, text in DESCRIPTIONS.items():
            signals.add(Signal.missing(name, n, text, why))
        return
    # Each None was turned into a ``why`` above.
    assert retriever is not None and documents is not None
    assert evidence.vectors is not None and evidence.has_vector is not None
    if on_progress:
        on_progress("retrieval evidence", 0, 1)
    found, hits = retrieval_signals(data, evidence.vectors, evidence.has_vector, retriever,
                                    documents, config.retrieval_documents, config.temperature)
    if on_progress:
        on_progress("retrieval evidence", 1, 1)
    for signal in found:
        signals.add(signal)
    evidence.hits = hits
    for i, item_hits in enumerate(hits):
        if item_hits and isinstance(item_hits[0], Hit):
            signals.tie_clause(i, item_hits[0].clause_id, "retrieval")


class TriageResult(ScoredBatch):
    """A scored batch with the two questions a notebook asks of it."""

    def queue(self, **options: Any) -> list[dict[str, Any]]:
        """Ranked rows; options as in ``llmqa.triage.queue.QueueOptions``."""
        return build_queue(self, QueueOptions(**options))

    def clause_summary(self, guidelines: GuidelineSet | None = None,
                       top: int = 5) -> dict[str, Any]:
        return clause_summary(self, guidelines=guidelines, top=top)


def score(data: TriageData, signals: SignalSet, weights: Weights = DEFAULT_WEIGHTS,
          evidence: Evidence | None = None) -> TriageResult:
    scores = combine(signals, weights, labelled=data.given >= 0)
    return TriageResult(data, signals, scores, evidence or Evidence())


def triage(items: Iterable[Any], *, consensus: str = "majority", weights: Weights | None = None,
           config: TriageConfig | None = None, vectors: np.ndarray | None = None,
           embedder: Embedder | None = None, retriever: Retriever | None = None,
           guidelines: GuidelineSet | None = None,
           verdicts: Iterable[Mapping[str, Any]] | None = None,
           on_progress: StageProgress | None = None) -> TriageResult:
    """Items in, scored triage result out (see the module docstring)."""
    config = config or TriageConfig()
    data = TriageData.from_items(items, consensus=consensus, seed=config.seed)
    evidence = Evidence()
    signals = compute_signals(data, vectors=vectors, embedder=embedder, retriever=retriever,
                              guidelines=guidelines, verdicts=verdicts, config=config,
                              evidence=evidence, on_progress=on_progress)
    return score(data, signals, weights or DEFAULT_WEIGHTS, evidence)
