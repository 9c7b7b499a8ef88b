"""Settled stays settled: review and triage skip (or mark) items an analyst decided, until
their content or labels change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FakeEmbedder
from llmqa.cli import app
from llmqa.items import Item
from llmqa.store.decisions import DecisionStore, for_item
from llmqa.store.verdicts import VerdictStore
from llmqa.testing.openai_stub import OpenAIStub
from review_helpers import clean_env, review_args, run_main, sample_items, write_items
from triage_support import batch

runner = CliRunner()


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


def _decide(home: Path, items: list[Item]) -> None:
    with VerdictStore(home) as store:
        DecisionStore(store).record([for_item(i, "confirm", analyst="ana") for i in items])


def test_review_skips_decided_items(tmp_path: Path, stub: OpenAIStub,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture) -> None:
    clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    items = sample_items(6)
    path = write_items(tmp_path / "items.jsonl", items)
    home = tmp_path / "home"
    _decide(home, items[:2])
    code, out, err = run_main(review_args(path, home, stub.url, "--json"), capsys)
    assert code == 0, err
    assert json.loads(out)["reviewed"] == 4
    assert "2 items already decided by an analyst are skipped" in err
    # New labels on a decided item unsettle it: it is reviewed again.
    changed = [items[0].model_copy(update={"annotations": items[0].annotations[:1]}), *items[1:]]
    write_items(path, changed)
    code, out, err = run_main(review_args(path, home, stub.url, "--json"), capsys)
    assert json.loads(out)["reviewed"] == 1 and "1 items already decided" in err


def test_triage_leaves_decided_items_out_or_marks_them(
        tmp_home: Path, cli_fake_embedder: FakeEmbedder) -> None:
    items = batch()
    path = write_items(tmp_home / "items.jsonl", items)
    _decide(tmp_home, [i for i in items if i.id in ("flip", "split")])
    result = runner.invoke(app, ["triage", str(path), "--no-guidelines", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {r["item_id"] for r in payload["queue"]}.isdisjoint({"flip", "split"})
    assert payload["rows"] == len(items) - 2
    assert any(f"{len(items) - 2} undecided of {len(items)} items" in n for n in payload["notes"])
    kept = json.loads(runner.invoke(app, ["triage", str(path), "--no-guidelines", "--json",
                                          "--include-decided"]).output)
    marked = {r["item_id"]: r.get("decision") for r in kept["queue"]}
    assert marked["flip"] == "confirm allowed" and marked["split"] == "confirm spam"
