"""The item-vector cache: embeddings kept in the store, keyed by embedder name and text hash.

``llmqa review`` and ``llmqa triage`` both read and fill it, so an item embedded by one is
not embedded again by the other, nor by a re-run or a resume after a crash. Vectors of
different embedders never mix: the embedder's name is part of the key.

The lookup and the save touch SQLite and stay on the caller's thread; only ``Embedder.embed``
of the texts not found may run elsewhere (the review runner embeds in a worker thread while
its event loop writes verdicts through the same connection).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from llmqa.index.embedders import Embedder


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Lookup:
    """What the store had for a list of texts, and which distinct texts still need a vector."""

    hashes: list[str]
    found: dict[str, bytes]
    missing: list[str]  # distinct text hashes without a vector, in first-seen order
    missing_texts: list[str]


class VectorCache:
    """An ``Embedder`` that answers from the store's cache and embeds only what is missing."""

    def __init__(self, inner: Embedder, store: Any) -> None:
        self.inner = inner
        self.store = store

    @property
    def name(self) -> str:
        return self.inner.name

    def lookup(self, texts: list[str]) -> Lookup:
        hashes = [text_hash(text) for text in texts]
        found = self.store.cached_vectors(self.inner.name, hashes) if hashes else {}
        missing = list(dict.fromkeys(h for h in hashes if h not in found))
        text_of = dict(zip(hashes, texts, strict=True))
        return Lookup(hashes, found, missing, [text_of[h] for h in missing])

    def complete(self, lookup: Lookup, fresh: np.ndarray | None) -> np.ndarray:
        """Save the vectors computed for ``lookup.missing`` and return one row per text."""
        if lookup.missing:
            assert fresh is not None and len(fresh) == len(lookup.missing)
            rows = np.asarray(fresh, dtype="<f4")
            new = {h: rows[i].tobytes() for i, h in enumerate(lookup.missing)}
            self.store.save_vectors(self.inner.name, new)
            lookup.found.update(new)
        if not lookup.hashes:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([np.frombuffer(lookup.found[h], dtype="<f4")
                         for h in lookup.hashes]).astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.asarray(self.inner.embed([]), dtype=np.float32)
        lookup = self.lookup(texts)
        fresh = self.inner.embed(lookup.missing_texts) if lookup.missing else None
        return self.complete(lookup, fresh)
