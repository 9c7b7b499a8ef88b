"""Near-duplicate detection by embedding cosine: against existing examples and accepted ones.

A candidate that says what an existing example already says teaches annotators nothing, and
two candidates that say the same thing would be one example twice. Vectors are unit length
(every llmqa embedder normalises), so cosine similarity is a dot product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmqa.guidelines.model import GuidelineSet
from llmqa.index.embedders import Embedder
from llmqa.index.retriever import Retriever

DEFAULT_THRESHOLD = 0.92


@dataclass(frozen=True)
class Nearest:
    score: float
    against: str  # "existing" or "candidate"
    ref: str  # "HATE-1.1 in#0" for an existing example, the candidate key otherwise
    text: str


def _example_refs(guidelines: GuidelineSet) -> dict[tuple[str, str, str], str]:
    refs: dict[tuple[str, str, str], str] = {}
    for clause in guidelines.by_id.values():
        for kind, examples in (("in", clause.in_scope), ("out", clause.out_of_scope)):
            for number, example in enumerate(examples):
                refs.setdefault((clause.id, kind, example.text), f"{clause.id} {kind}#{number}")
    return refs


def index_vectors(retriever: Retriever, guidelines: GuidelineSet
                  ) -> tuple[list[str], list[str], np.ndarray]:
    """The example vectors a retriever snapshot already holds, so they are not embedded twice."""
    lookup = _example_refs(guidelines)
    docs = [d for d in retriever.documents() if d[2] in ("in", "out")]
    refs = [lookup.get((clause, kind, text), f"{clause} {kind}") for _, clause, kind, text in docs]
    return refs, [d[3] for d in docs], retriever.vectors[[d[0] for d in docs]]


class NearDuplicates:
    """Remembers what is already said; ``check`` a vector, ``accept`` it when kept."""

    def __init__(self, embedder: Embedder, guidelines: GuidelineSet,
                 threshold: float = DEFAULT_THRESHOLD,
                 existing: tuple[list[str], list[str], np.ndarray] | None = None) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self._existing: np.ndarray | None = None  # embedded on first use
        if existing is not None:
            self._existing_refs, self._existing_texts, self._existing = existing
        else:
            lookup = _example_refs(guidelines)
            self._existing_refs = list(lookup.values())
            self._existing_texts = [text for _, _, text in lookup]
        self._accepted: list[np.ndarray] = []
        self._accepted_refs: list[str] = []
        self._accepted_texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)

    def _existing_vectors(self) -> np.ndarray:
        if self._existing is None:
            self._existing = self.embed(self._existing_texts)
        return self._existing

    def nearest(self, vector: np.ndarray) -> Nearest | None:
        best: Nearest | None = None
        existing = self._existing_vectors()
        if len(existing):
            scores = existing @ vector
            i = int(np.argmax(scores))
            best = Nearest(float(scores[i]), "existing", self._existing_refs[i],
                           self._existing_texts[i])
        if self._accepted:
            scores = np.vstack(self._accepted) @ vector
            i = int(np.argmax(scores))
            if best is None or scores[i] > best.score:
                best = Nearest(float(scores[i]), "candidate", self._accepted_refs[i],
                               self._accepted_texts[i])
        return best

    def is_duplicate(self, nearest: Nearest | None) -> bool:
        return nearest is not None and nearest.score > self.threshold

    def accept(self, vector: np.ndarray, ref: str, text: str) -> None:
        self._accepted.append(np.asarray(vector, dtype=np.float32))
        self._accepted_refs.append(ref)
        self._accepted_texts.append(text)
