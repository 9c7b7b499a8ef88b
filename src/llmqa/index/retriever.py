"""In-memory retrieval over a snapshot of the clause index.

Chroma is the durable, shareable store of clause vectors; a batch of thousands of items is
served from a snapshot of those vectors held in one numpy matrix, because one matrix product
per batch costs microseconds per item where a Chroma round trip per item costs milliseconds.
Scores are cosine similarities (vectors are unit length), the same numbers Chroma reports as
``1 - distance`` for a cosine collection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmqa.index.embedders import Embedder

DocKind = str  # "clause" (the clause text), "in" or "out" (one of its examples)


@dataclass(frozen=True)
class Hit:
    clause_id: str
    score: float
    via: DocKind
    matched: str

    def to_dict(self) -> dict[str, object]:
        return {"clause_id": self.clause_id, "score": round(self.score, 4), "via": self.via,
                "matched": self.matched}


class Retriever:
    """Top-k clauses for a text: each clause scores as its best-matching document."""

    def __init__(self, embedder: Embedder, vectors: np.ndarray, clause_ids: list[str],
                 kinds: list[DocKind], texts: list[str]) -> None:
        order = np.argsort(np.array(clause_ids), kind="stable")
        self.embedder = embedder
        self._vectors = np.ascontiguousarray(vectors[order], dtype=np.float32)
        self._doc_clause = [clause_ids[i] for i in order]
        self._kinds = [kinds[i] for i in order]
        self._texts = [texts[i] for i in order]
        # Docs are grouped by clause so a per-clause max is one reduceat over the columns.
        self.clause_ids: list[str] = []
        starts: list[int] = []
        for position, clause_id in enumerate(self._doc_clause):
            if not self.clause_ids or self.clause_ids[-1] != clause_id:
                self.clause_ids.append(clause_id)
                starts.append(position)
        self._starts = np.array(starts, dtype=np.intp)

    def __len__(self) -> int:
        return len(self._doc_clause)

    def search(self, text: str, k: int = 5) -> list[Hit]:
        return self.search_many([text], k)[0]

    def search_many(self, texts: list[str], k: int = 5) -> list[list[Hit]]:
        if not texts:
            return []
        return self.search_vectors(self.embedder.embed(texts), k)

    def search_vectors(self, queries: np.ndarray, k: int = 5) -> list[list[Hit]]:
        if len(self._doc_clause) == 0:
            return [[] for _ in range(len(queries))]
        scores = queries @ self._vectors.T  # (queries, docs)
        per_clause = np.maximum.reduceat(scores, self._starts, axis=1)
        k = min(k, per_clause.shape[1])
        top = np.argpartition(-per_clause, k - 1, axis=1)[:, :k]
        results: list[list[Hit]] = []
        for row, candidates in enumerate(top):
            ranked = sorted(candidates, key=lambda c: -per_clause[row, c])
            hits = []
            for clause_pos in ranked:
                start = self._starts[clause_pos]
                end = (self._starts[clause_pos + 1] if clause_pos + 1 < len(self._starts)
                       else len(self._doc_clause))
                best = start + int(np.argmax(scores[row, start:end]))
                hits.append(Hit(self.clause_ids[clause_pos], float(per_clause[row, clause_pos]),
                                self._kinds[best], self._texts[best]))
            results.append(hits)
        return results
