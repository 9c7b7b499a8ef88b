"""``llmqa runs --costs``: answers, tokens and cost per run and model, at the Batch price
where the Batch API was used."""

from __future__ import annotations

import json

import pytest

from llmqa.llm.pricing import PriceTable
from llmqa.testing import OpenAIStub
from review_helpers import clean_env, review_args, run_main, sample_items, write_items


def test_costs_per_run_and_model_with_the_batch_discount(tmp_path, monkeypatch, capsys):
    clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMQA_BATCH_POLL", "0.02")
    path = write_items(tmp_path / "items.jsonl", sample_items(6))
    home = tmp_path / "home"
    with OpenAIStub() as stub:
        assert run_main(review_args(path, home, stub.url, "--json"), capsys)[0] == 0
        batch = review_args(path, home, stub.url, "--batch-api", "--json")
        batch[batch.index("gpt-4o-mini")] = "gpt-4o"
        assert run_main(batch, capsys)[0] == 0
    code, out, err = run_main(["runs", "--costs", "--home", str(home), "--json"], capsys)
    assert code == 0, err
    report = json.loads(out)
    by_model = {r["model"]: r for r in report["runs"]}
    live, batched = by_model["gpt-4o-mini"], by_model["gpt-4o"]
    assert (live["answers"], batched["answers"]) == (6, 6)
    assert (live["batch"], batched["batch"]) == (False, True)
    prices = PriceTable()
    assert live["cost_usd"] == pytest.approx(
        prices.cost("gpt-4o-mini", live["input_tokens"], live["output_tokens"]), rel=1e-4)
    assert batched["cost_usd"] == pytest.approx(
        prices.cost("gpt-4o", batched["input_tokens"], batched["output_tokens"], batch=True),
        rel=1e-4)
    assert {t["model"]: t["answers"] for t in report["models"]} == {"gpt-4o": 6,
                                                                    "gpt-4o-mini": 6}
    code, out, _ = run_main(["runs", "--costs", "--home", str(home)], capsys)
    assert code == 0 and "batch" in out and "gpt-4o-mini" in out
