"""Item embeddings for the content signals, with the items that have none marked.

An item has no embedding when it has no readable text (an image or audio file with no
caption, transcript, title or metadata): the content signals are then missing for it and its
scores rest on the other signals. Vectors computed elsewhere (a notebook, a cache) can be
passed in; they must be unit length like every ``Embedder``'s output.
"""

from __future__ import annotations

import numpy as np

from llmqa.index.embedders import Embedder
from llmqa.progress import StageProgress
from llmqa.store.vector_cache import VectorCache


def embed_texts(texts: list[str], embedder: Embedder, batch: int = 1024,
                on_progress: StageProgress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, has_vector): one row per text, zeros where the text is empty."""
    has_vector = np.array([bool(t and t.strip()) for t in texts], dtype=bool)
    rows = np.flatnonzero(has_vector)
    if len(rows) == 0:
        return np.zeros((len(texts), 1), dtype=np.float32), has_vector
    parts = []
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        parts.append(np.asarray(embedder.embed([texts[i] for i in chunk]), dtype=np.float32))
        if on_progress:
            on_progress("embedding items", start + len(chunk), len(rows))
    found = np.vstack(parts)
    vectors = np.zeros((len(texts), found.shape[1]), dtype=np.float32)
    vectors[rows] = found
    return vectors, has_vector


def given_vectors(vectors: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Validate precomputed vectors; rows of NaN (or all zeros) mean "no embedding"."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != n:
        raise ValueError(f"expected an items × dimension array with {n} rows, "
                         f"got shape {vectors.shape}")
    has_vector = ~np.isnan(vectors).any(axis=1) & (np.abs(vectors).sum(axis=1) > 0)
    return np.where(has_vector[:, None], vectors, 0.0).astype(np.float32), has_vector


# The store's item-vector cache, shared with ``llmqa review`` (one implementation).
StoreCachedEmbedder = VectorCache
