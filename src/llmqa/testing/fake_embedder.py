"""A deterministic, model-free embedder for tests and smoke runs.

Hashed bag of words (``zlib.crc32`` of each lower-cased token), L2-normalised: texts that share
words get similar vectors, and the vectors are the same in every process. It records what it
embeds and can be told to fail, so tests can count embeddings and simulate a crash mid-index.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+")


class FakeEmbedder:
    """Hash-of-tokens bag-of-words vectors, L2-normalised; records every text it embeds.

    Texts that share words get similar vectors, so retrieval behaves sensibly in tests, and
    the vectors are the same in every process (``zlib.crc32``, not the salted ``hash``).
    """

    def __init__(self, dimension: int = 256, name: str | None = None) -> None:
        self.dimension = dimension
        self._name = name or f"fake/bow-{dimension}"
        self.calls: list[list[str]] = []
        self.fail_after: int | None = None  # raise once this many texts have been embedded

    @property
    def name(self) -> str:
        return self._name

    @property
    def texts(self) -> list[str]:
        return [text for call in self.calls for text in call]

    def reset(self) -> None:
        self.calls.clear()

    def embed(self, texts: list[str]) -> np.ndarray:
        if self.fail_after is not None and len(self.texts) + len(texts) > self.fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.calls.append(list(texts))
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = _TOKEN.findall(text.lower())
            for token in tokens:
                vectors[row, zlib.crc32(token.encode()) % self.dimension] += 1.0
            if not tokens:
                vectors[row, 0] = 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)
