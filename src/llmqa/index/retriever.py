"""Clause scoring, and in-memory retrieval over a snapshot of the clause index.

A clause is represented by several documents: its full text, each sentence of its text, and
each in-/out-of-scope example. A clause's score for a query is

    best match among its text documents  +  EXAMPLE_WEIGHT × mean of its two best examples

Sentence documents let a short item match the one sentence of a long clause that applies;
averaging the two best examples stops one look-alike example of a neighbouring clause from
pulling a query to the wrong clause (evals/README.md, retrieval, has the figures).

Chroma is the durable, shareable store of clause vectors; a batch of thousands of items is
served from a snapshot of those vectors held in one numpy matrix, because one matrix product
per batch costs microseconds per item where a Chroma round trip per item costs milliseconds.
Similarities are cosine (vectors are unit length), the same numbers Chroma reports as
``1 - distance`` for a cosine collection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from llmqa.guidelines.model import GuidelineSet
from llmqa.index.documents import clause_documents
from llmqa.index.embedders import Embedder

DocKind = str  # "clause" (full text), "sentence", "in" or "out" (an example)
TEXT_KINDS = frozenset({"clause", "sentence"})
EXAMPLE_WEIGHT = 1.0
EXAMPLES_AVERAGED = 2


@dataclass(frozen=True)
class Hit:
    clause_id: str
    score: float
    via: DocKind  # the kind of the single best-matching document
    matched: str  # that document's text

    def to_dict(self) -> dict[str, object]:
        return {"clause_id": self.clause_id, "score": round(self.score, 4), "via": self.via,
                "matched": self.matched}


def score_clauses(matches: Iterable[tuple[str, DocKind, float, str]], k: int) -> list[Hit]:
    """Top-k clauses from (clause id, kind, similarity, text) per document; the reference
    implementation of the scoring, used for Chroma query results."""
    text_best: dict[str, float] = {}
    examples: dict[str, list[float]] = {}
    best_doc: dict[str, tuple[float, DocKind, str]] = {}
    for clause_id, kind, score, text in matches:
        if kind in TEXT_KINDS:
            text_best[clause_id] = max(score, text_best.get(clause_id, -np.inf))
        else:
            examples.setdefault(clause_id, []).append(score)
        if clause_id not in best_doc or score > best_doc[clause_id][0]:
            best_doc[clause_id] = (score, kind, text)
    hits = []
    for clause_id, (_, kind, text) in best_doc.items():
        top = sorted(examples.get(clause_id, []))[-EXAMPLES_AVERAGED:]
        bonus = EXAMPLE_WEIGHT * (sum(top) / len(top)) if top else 0.0
        base = text_best.get(clause_id, 0.0)
        hits.append(Hit(clause_id, float(base + bonus), kind, text))
    return sorted(hits, key=lambda h: -h.score)[:k]


class Retriever:
    """Top-k clauses for a text, scored as ``score_clauses`` does, vectorised."""

    def __init__(self, embedder: Embedder, vectors: np.ndarray, clause_ids: list[str],
                 kinds: list[DocKind], texts: list[str]) -> None:
        self.embedder = embedder
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._clause = clause_ids
        self._kinds = kinds
        self._texts = texts
        self.clause_ids = sorted(set(clause_ids))
        position = {c: i for i, c in enumerate(self.clause_ids)}
        text_cols: list[list[int]] = [[] for _ in self.clause_ids]
        example_cols: list[list[int]] = [[] for _ in self.clause_ids]
        for column, (clause_id, kind) in enumerate(zip(clause_ids, kinds, strict=True)):
            target = text_cols if kind in TEXT_KINDS else example_cols
            target[position[clause_id]].append(column)
        self._text_index = _padded(text_cols)
        self._example_index = _padded(example_cols)
        self._all_index = _padded([t + e for t, e in zip(text_cols, example_cols, strict=True)])

    @classmethod
    def from_guidelines(cls, guidelines: GuidelineSet, embedder: Embedder,
                        documents: Embedder | None = None) -> Retriever:
        """Embed every clause document now, without Chroma (tests, notebooks, small sets).
        ``documents`` embeds the clause texts instead of ``embedder`` (the same model behind
        a cache: policy CI embeds two versions that share most clauses)."""
        docs = [doc for clause in guidelines.by_id.values() for doc in clause_documents(clause)]
        vectors = (documents or embedder).embed([text for _, text, _ in docs])
        return cls(embedder, vectors, [meta["clause_id"] for _, _, meta in docs],
                   [meta["kind"] for _, _, meta in docs], [text for _, text, _ in docs])

    def __len__(self) -> int:
        return len(self._clause)

    @property
    def vectors(self) -> np.ndarray:
        """The document vectors (read-only view), e.g. for near-duplicate checks."""
        view = self._vectors.view()
        view.flags.writeable = False
        return view

    def documents(self, kind: DocKind | None = None) -> list[tuple[int, str, DocKind, str]]:
        """(row in ``vectors``, clause id, kind, text) for every document, or one kind."""
        return [(i, c, k, t) for i, (c, k, t) in
                enumerate(zip(self._clause, self._kinds, self._texts, strict=True))
                if kind is None or k == kind]

    def search(self, text: str, k: int = 5) -> list[Hit]:
        return self.search_many([text], k)[0]

    def search_many(self, texts: list[str], k: int = 5) -> list[list[Hit]]:
        if not texts:
            return []
        return self.search_vectors(self.embedder.embed(texts), k)

    def search_vectors(self, queries: np.ndarray, k: int = 5) -> list[list[Hit]]:
        if not self.clause_ids:
            return [[] for _ in range(len(queries))]
        scores = np.asarray(queries, dtype=np.float32) @ self._vectors.T  # (queries, docs)
        text = _gather(scores, self._text_index)
        base = np.where(np.isfinite(text), text, -np.inf).max(axis=2)
        base = np.where(np.isfinite(base), base, 0.0)
        examples = _gather(scores, self._example_index)
        count = min(EXAMPLES_AVERAGED, examples.shape[2])
        if count:
            top = -np.partition(-examples, count - 1, axis=2)[:, :, :count]
            valid = np.isfinite(top)
            n = valid.sum(axis=2)
            mean = np.where(valid, top, 0.0).sum(axis=2) / np.maximum(n, 1)
            bonus: np.ndarray | float = np.where(n > 0, EXAMPLE_WEIGHT * mean, 0.0)
        else:
            bonus = 0.0
        total = base + bonus
        every = _gather(scores, self._all_index)
        k = min(k, total.shape[1])
        top_clauses = np.argpartition(-total, k - 1, axis=1)[:, :k]
        results: list[list[Hit]] = []
        for row, candidates in enumerate(top_clauses):
            hits = []
            for clause_pos in sorted(candidates, key=lambda c: -total[row, c]):
                best = int(np.argmax(every[row, clause_pos]))
                column = int(self._all_index[clause_pos, best])
                hits.append(Hit(self.clause_ids[clause_pos], float(total[row, clause_pos]),
                                self._kinds[column], self._texts[column]))
            results.append(hits)
        return results


def _padded(groups: list[list[int]]) -> np.ndarray:
    width = max((len(g) for g in groups), default=0)
    index = np.full((len(groups), width), -1, dtype=np.intp)
    for row, group in enumerate(groups):
        index[row, :len(group)] = group
    return index


def _gather(scores: np.ndarray, index: np.ndarray) -> np.ndarray:
    """scores[:, index] with padding (-1) as -inf: shape (queries, clauses, width)."""
    if index.shape[1] == 0:
        return np.full((scores.shape[0], index.shape[0], 0), -np.inf, dtype=np.float32)
    gathered = scores[:, np.where(index < 0, 0, index)]
    return np.where(index[None, :, :] < 0, -np.inf, gathered)
