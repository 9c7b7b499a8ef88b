"""Retrieval evidence: the label the nearest guideline clauses and examples imply.

The clause index holds, per clause, its text, each sentence of it, and its in-scope and
out-of-scope examples (``Retriever.documents()``). Each document implies a label:

* the clause text, a sentence of it, or an **in-scope** example implies the clause's label;
* an **out-of-scope** example says "not this clause's label". What it says instead is read
  from the example's ``(why: ...)``: when that names other clauses ("(why: GEN-1.2 historical
  analysis)"), it implies their labels; when it names none, it implies the guidelines'
  no-violation label (``allowed`` unless declared) when the data uses it, since a near miss
  with no other home breaks no policy; failing that, the other labels in proportion to how
  often they are used.

An item's evidence is its ``m`` most similar documents (cosine on the index's own vectors,
``Retriever.vectors``), weighted by a softmax of similarity (temperature 0.05: a document
0.05 below the best counts e^-1 as much), giving a distribution ``P_ret`` over the data's
labels (labels the data does not use are dropped). Documents, not whole clauses, are voted:
a near-miss example must be able to outvote its own clause's text, which is exactly the case
the out-of-scope examples are written for. (On the sample batch this finds the answer key's
label for 66% of items, against 60% for the label of the top clause by the index's clause
score.) The index's clause ranking (``Retriever.search_vectors``) still names the item's
nearest clauses, for the reason line and the per-clause summary.

Two signals:

* ``guideline_conflict`` (likely error): 1 − ``P_ret``(label under review);
* ``guideline_split`` (ambiguity): 1 − (``P_ret`` top − ``P_ret`` second): documents that
  imply different labels match about equally well.

Fallbacks: no retriever or guidelines, or an empty index → both signals missing with a note;
an item without an embedding, or whose documents imply only labels outside the data, → NaN.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from llmqa.guidelines.model import Clause, GuidelineSet
from llmqa.index.retriever import Hit, Retriever
from llmqa.triage.data import TriageData
from llmqa.triage.signals import Signal

DEFAULT_DOCUMENTS = 10
DEFAULT_TEMPERATURE = 0.05
NEAREST_CLAUSES = 3
TRAINING_KINDS = ("clause", "in", "out")  # sentences repeat the clause text
CLAUSE_REF = re.compile(r"\b[A-Z][A-Z0-9]*-\d+(?:\.\d+)*\b")
DESCRIPTIONS = {
    "guideline_conflict": "1 − share of the nearest guideline documents implying the label "
                          "under review",
    "guideline_split": "1 − margin between the two labels the nearest guideline documents "
                       "imply most",
}
_KIND_NAMES = {"in": "in-scope example", "out": "out-of-scope example", "clause": "clause text",
               "sentence": "clause sentence"}


class LabelImplier:
    """Turns a matched guideline document into a distribution over the data's labels."""

    def __init__(self, guidelines: GuidelineSet, labels: Sequence[str],
                 prior: np.ndarray | None = None) -> None:
        self.guidelines = guidelines
        self.labels = list(labels)
        self.index = {label: i for i, label in enumerate(self.labels)}
        k = len(self.labels)
        self.prior = (np.full(k, 1.0 / max(k, 1)) if prior is None or prior.sum() == 0
                      else np.asarray(prior, dtype=float) / prior.sum())
        no_violation = guidelines.no_violation_label
        self.no_violation = no_violation if no_violation in self.index else None
        self._why: dict[tuple[str, str], str] = {
            (clause.id, example.text): example.why or ""
            for clause in guidelines.by_id.values() for example in clause.out_of_scope}

    def implied(self, clause_id: str, via: str, matched: str) -> np.ndarray:
        vector = np.zeros(len(self.labels))
        clause = self.guidelines.by_id.get(clause_id)
        if clause is None or clause.label is None:
            return vector
        if via != "out":
            if clause.label in self.index:
                vector[self.index[clause.label]] = 1.0
            return vector
        return self._not(clause, self._why.get((clause_id, matched), ""))

    def _not(self, clause: Clause, why: str) -> np.ndarray:
        vector = np.zeros(len(self.labels))
        named = [label for ref in CLAUSE_REF.findall(why)
                 if ref in self.guidelines.by_id and ref != clause.id
                 and (label := self.guidelines.by_id[ref].label) is not None
                 and label in self.index and label != clause.label]
        if named:
            for label in named:
                vector[self.index[label]] += 1.0 / len(named)
            return vector
        if self.no_violation is not None and clause.label != self.no_violation:
            vector[self.index[self.no_violation]] = 1.0
            return vector
        others = self.prior.copy()
        if clause.label in self.index:
            others[self.index[clause.label]] = 0.0
        total = others.sum()
        return others / total if total > 0 else vector


@dataclass
class GuidelineDocuments:
    """The index's documents that imply a label, with their vectors and implied labels."""

    vectors: np.ndarray   # documents × dimension, unit length
    clause_ids: list[str]
    kinds: list[str]
    texts: list[str]
    implied: np.ndarray   # documents × labels, rows sum to 1

    def __len__(self) -> int:
        return len(self.clause_ids)

    def training_rows(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Clause texts and examples as labelled rows for the classifier (classifier.py):
        vectors, implied labels, texts."""
        rows = [i for i, kind in enumerate(self.kinds) if kind in TRAINING_KINDS]
        return self.vectors[rows], self.implied[rows], [self.texts[i] for i in rows]


def guideline_documents(retriever: Retriever, implier: LabelImplier) -> GuidelineDocuments:
    entries = retriever.documents()
    vectors = retriever.vectors
    keep, implied = [], []
    for row, clause_id, kind, text in entries:
        target = implier.implied(clause_id, kind, text)
        if target.sum() > 0:
            keep.append((row, clause_id, kind, text))
            implied.append(target / target.sum())
    k = len(implier.labels)
    return GuidelineDocuments(
        vectors=np.asarray(vectors[[e[0] for e in keep]], dtype=np.float32) if keep
        else np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 1), dtype=np.float32),
        clause_ids=[e[1] for e in keep], kinds=[e[2] for e in keep], texts=[e[3] for e in keep],
        implied=np.array(implied) if implied else np.zeros((0, k)))


def retrieval_signals(data: TriageData, vectors: np.ndarray, has_vector: np.ndarray,
                      retriever: Retriever, documents: GuidelineDocuments,
                      m: int = DEFAULT_DOCUMENTS, temperature: float = DEFAULT_TEMPERATURE,
                      block: int = 2048) -> tuple[list[Signal], list[list[Hit]]]:
    """The two signals, plus each item's nearest clauses (for the clause summary)."""
    n = data.n_items
    labels = data.labels
    nearest: list[list[Hit]] = [[] for _ in range(n)]
    if len(documents) == 0:
        why = "the clause index has no document that implies one of the data's labels"
        return [Signal.missing(nm, n, d, why) for nm, d in DESCRIPTIONS.items()], nearest
    rows = np.flatnonzero(has_vector)
    m = min(m, len(documents))
    conflict = np.full(n, np.nan)
    split = np.full(n, np.nan)
    inputs: list[dict | None] = [None] * n
    phrases: list[str | None] = [None] * n
    given = data.given
    for start in range(0, len(rows), block):  # bounded memory: a block of items at a time
        chunk = rows[start:start + block]
        queries = vectors[chunk]
        for i, hits in zip(chunk, retriever.search_vectors(queries, NEAREST_CLAUSES),
                           strict=True):
            nearest[i] = hits
        sims = queries @ documents.vectors.T
        top = np.argpartition(-sims, m - 1, axis=1)[:, :m]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1)
        top = np.take_along_axis(top, order, axis=1)
        top_sims = np.take_along_axis(top_sims, order, axis=1)
        weights = np.exp((top_sims - top_sims[:, :1]) / temperature)
        dist = np.einsum("qm,qml->ql", weights, documents.implied[top])
        dist /= dist.sum(axis=1, keepdims=True)
        for q, i in enumerate(chunk):
            p = dist[q]
            ranked = np.argsort(-p)
            best = int(ranked[0])
            split[i] = 1.0 - (p[best] - (p[ranked[1]] if len(ranked) > 1 else 0.0))
            # The strongest document behind the implied label: what a reviewer should read.
            lead = next((int(d) for d in top[q] if documents.implied[d].argmax() == best),
                        int(top[q][0]))
            lead_sim = float(sims[q, lead])
            entry = {"implied_label": labels[best], "p_implied": round(float(p[best]), 4),
                     "documents": [_document(documents, int(d), float(sims[q, d]), labels)
                                   for d in top[q][:3]],
                     "nearest_clauses": [h.clause_id for h in nearest[i]]}
            if given[i] >= 0:
                conflict[i] = 1.0 - p[given[i]]
                entry["p_given"] = round(float(p[given[i]]), 4)
            inputs[i] = entry
            phrases[i] = (f"nearest guideline: {documents.clause_ids[lead]} "
                          f"{_KIND_NAMES.get(documents.kinds[lead], documents.kinds[lead])} "
                          f"({lead_sim:.2f}) → {labels[best]}")
    signals = [Signal(name, values, inputs, phrases, DESCRIPTIONS[name])
               for name, values in (("guideline_conflict", conflict), ("guideline_split", split))]
    return signals, nearest


def _document(documents: GuidelineDocuments, row: int, similarity: float,
              labels: list[str]) -> dict[str, object]:
    text = documents.texts[row]
    return {"clause_id": documents.clause_ids[row], "kind": documents.kinds[row],
            "similarity": round(similarity, 4),
            "implies": labels[int(documents.implied[row].argmax())],
            "text": text if len(text) <= 160 else text[:157] + "..."}
