"""Helpers for the LLM-judge review tests: plain functions and classes, imported explicitly.

Nothing here loads a real model: ``HashEmbedder`` is llmqa.testing's bag-of-words embedder,
``make_retriever`` builds the in-memory ``Retriever`` straight from guideline clauses (no
Chroma), and ``make_judge`` wires a ``Judge`` to a ``FakeChatModel`` or a ``ChatOpenAI``
pointed at ``OpenAIStub``.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from llmqa.guidelines import GuidelineSet, load_guidelines
from llmqa.index.retriever import Hit, Retriever
from llmqa.items import Item
from llmqa.judge.judge import Judge, JudgeConfig
from llmqa.llm.backends import BackendSpec, make_seam
from llmqa.llm.fake import FakeChatModel
from llmqa.llm.messages import Message
from llmqa.llm.pricing import PriceTable
from llmqa.llm.retry import RetryPolicy
from llmqa.llm.seam import ChatSeam
from llmqa.testing import FakeEmbedder, distinct_copies
from llmqa.testing.openai_stub import default_verdict

REPO_ROOT = Path(__file__).resolve().parent.parent
GUIDELINES = REPO_ROOT / "guidelines"
SAMPLE_ITEMS = REPO_ROOT / "examples" / "sample_batch" / "items.jsonl"
INJECTION_ITEMS = REPO_ROOT / "examples" / "injection" / "items.jsonl"
PROMPTS = REPO_ROOT / "prompts"
TEST_KEY = "sk-test-VERYSECRET-123"
FAST_RETRY = RetryPolicy(max_attempts=4, base_wait=0.01, max_wait=0.05, deadline=30.0)



# -- retrieval without a real embedder ------------------------------------------------------
# The review tests' name for the shared fake embedder.
HashEmbedder = FakeEmbedder


def make_retriever(guidelines: GuidelineSet, embedder: Any | None = None) -> Retriever:
    """The in-memory retriever over ``guidelines``, as ``ClauseIndex.retriever`` builds it."""
    return Retriever.from_guidelines(guidelines, embedder or HashEmbedder())

def sample_guidelines() -> GuidelineSet:
    return load_guidelines(GUIDELINES)


def hits_for(*clause_ids: str) -> list[Hit]:
    return [Hit(cid, 1.0 - i / 100, "clause", "") for i, cid in enumerate(clause_ids)]


# -- items -----------------------------------------------------------------------------------
def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def sample_items(n: int | None = None) -> list[Item]:
    rows = read_jsonl(SAMPLE_ITEMS)
    return [Item.model_validate(r) for r in rows[:n]]


def make_item(item_id: str, text: str, labels: Iterable[str] = ("allowed", "allowed", "hate"),
              modality: str = "text", **content: Any) -> Item:
    body: dict[str, Any] = {"modality": modality, **content}
    if modality in ("text",) and "text" not in body:
        body["text"] = text
    elif modality == "transcript" and "transcript" not in body:
        body["transcript"] = text
    elif modality == "title" and "title" not in body:
        body["title"] = text
    return Item.model_validate({
        "id": item_id, "content": body,
        "annotations": [{"annotator": f"ann{i}", "label": label}
                        for i, label in enumerate(labels, start=1)]})


def vary_items(n: int, seed: int = 0, prefix: str = "gen") -> list[dict[str, Any]]:
    """``n`` distinct items made by sampling the sample batch and varying one text field."""
    return distinct_copies(read_jsonl(SAMPLE_ITEMS), n, seed=seed, prefix=prefix)


def write_items(path: Path, rows: Iterable[Mapping[str, Any] | Item]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            data = row.model_dump(mode="json", exclude_none=True) if isinstance(row, Item) \
                else row
            handle.write(json.dumps(data, ensure_ascii=False) + "\n")
    return path


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A valid, tiny RGB PNG (no PIL needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# -- models and judges -----------------------------------------------------------------------
def prompt_of(messages: Sequence[BaseMessage | Message]) -> str:
    """The text of LangChain messages (as the model sees them) or of llmqa's own messages."""
    parts: list[str] = []
    for message in messages:
        if isinstance(message, Message):
            parts.append(message.text)
            continue
        content = message.content
        if isinstance(content, list):
            parts.extend(p.get("text", "") for p in content if isinstance(p, dict))
        else:
            parts.append(str(content))
    return "\n".join(parts)


def agreeing(messages: Sequence[BaseMessage | Message]) -> dict[str, Any]:
    """A valid verdict agreeing with the consensus label shown, citing the first clause."""
    return default_verdict(prompt_of(messages))


def verdict_with(**fields: Any) -> Callable[[list[BaseMessage]], dict[str, Any]]:
    return lambda messages: agreeing(messages) | fields


def fake_model(*replies: Any, responder: Callable | None = agreeing) -> FakeChatModel:
    return FakeChatModel(list(replies), responder=responder)


def make_judge(model: Any, guidelines: GuidelineSet | None = None, *, name: str = "fake",
               method: str = "json_schema", timeout: float = 30.0,
               **config: Any) -> Judge:
    """A judge over ``model`` (a chat model, or a ready ``ChatSeam``) and the sample policy."""
    config.setdefault("retry", FAST_RETRY)
    seam = model if isinstance(model, ChatSeam) else ChatSeam(
        model, name=name, method=method, timeout=timeout)  # type: ignore[arg-type]
    return Judge(seam, guidelines or sample_guidelines(), JudgeConfig(**config), PriceTable())


def stub_seam(url: str, method: str = "json_schema", timeout: float = 10.0,
              model: str = "gpt-4o-mini", **spec: Any) -> ChatSeam:
    """A seam over a real ``ChatOpenAI`` talking to the stub at ``url``."""
    return make_seam(BackendSpec(model=model, base_url=url, method=method,  # type: ignore[arg-type]
                                 timeout=timeout, **spec))


# -- the command line ------------------------------------------------------------------------
def clean_env(monkeypatch: Any, key: str = TEST_KEY) -> None:
    """No stray LLMQA_* / OpenAI settings from the developer's shell; a test key."""
    for name in list(os.environ):
        if name.startswith("LLMQA_") or name.startswith("OPENAI_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", key)


def review_args(items: Path | str, home: Path, url: str, *extra: str,
                guidelines: Path = GUIDELINES) -> list[str]:
    """``llmqa review`` against the stub, with stub-served embeddings (no local model)."""
    return ["review", str(items), "-g", str(guidelines), "--model", "gpt-4o-mini",
            "--base-url", url, "--embedder", "openai:stub-embed", "--home", str(home),
            "--no-progress", *extra]


def subprocess_env(key: str = TEST_KEY, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("LLMQA_") or k.startswith("OPENAI_"))}
    env.update({"OPENAI_API_KEY": key, "PYTHONUNBUFFERED": "1"}, **extra)
    return env


def llmqa_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "llmqa", *args]


def run_llmqa(args: list[str], cwd: Path, env: dict[str, str] | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(llmqa_command(*args), cwd=cwd, env=env or subprocess_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)


def run_main(args: list[str], capsys: Any) -> tuple[int, str, str]:
    """``llmqa ARGS`` in this process through ``llmqa.cli.main`` (error handling included):
    (exit code, stdout, stderr)."""
    from llmqa.cli import main

    capsys.readouterr()
    saved = sys.argv
    sys.argv = ["llmqa", *args]
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.argv = saved
    captured = capsys.readouterr()
    return (code if isinstance(code, int) else (0 if code is None else 1),
            captured.out, captured.err)


class Terminal:
    """A stderr that says it is a terminal (tqdm shows bars only there) and keeps the text;
    ``tty=False`` makes it a pipe."""

    def __init__(self, tty: bool = True) -> None:
        self.text = ""
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass
