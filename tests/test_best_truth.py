"""The best truth downstream: themes use analysts' gold and leave triage's likely errors
to be checked first."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from llmqa.cli import app
from llmqa.store.decisions import DecisionStore, for_item
from llmqa.store.verdicts import VerdictStore
from llmqa.themes import find_mistakes, render_themes
from review_helpers import write_items
from triage_support import item

runner = CliRunner()


def _items() -> list:
    # "x" and "y": the majority says spam, ann2 says allowed, and ann2 is right.
    return [item("x", "calm piano album", ["spam", "spam", "allowed"]),
            item("y", "calm piano album two", ["spam", "spam", "allowed"]),
            item("z", "free download viral", ["spam", "spam", "allowed"])]


def test_gold_decides_who_was_wrong_and_likely_errors_wait() -> None:
    items = _items()
    plain = find_mistakes(items)
    assert {(m.item_id, m.annotator) for m in plain.mistakes} == {
        ("x", "ann2"), ("y", "ann2"), ("z", "ann2")}
    summary = find_mistakes(items, gold={"x": "allowed"}, check_first={"y": 0.93})
    blamed = {(m.item_id, m.annotator) for m in summary.mistakes}
    assert blamed == {("x", "ann0"), ("x", "ann1"), ("z", "ann2")}  # ann2 not blamed on x, y
    assert summary.references["x"].by == "gold"
    assert summary.check_first == {"y": 0.93}
    text = render_themes(summary, min_count=1)
    assert "## Check first" in text and "- y (likely error 0.93)" in text
    assert "an analyst's decision where one was made (1 items)" in text


def test_cli_themes_with_store_gold_and_queue(tmp_home: Path) -> None:
    items = _items()
    path = write_items(tmp_home / "items.jsonl", items)
    with VerdictStore(tmp_home) as store:
        DecisionStore(store).record(for_item(items[0], "correct", analyst="ana",
                                             label="allowed"))
    queue = tmp_home / "queue.jsonl"
    queue.write_text("".join(json.dumps({"item_id": i, "error_score": s, "kind": "error"}) + "\n"
                             for i, s in (("x", 0.95), ("y", 0.9), ("z", 0.2))))
    result = runner.invoke(app, ["themes", str(path), "--no-judge", "--queue", str(queue),
                                 "--min-count", "1"])
    assert result.exit_code == 0, result.output
    assert "- y (likely error 0.90)" in result.output
    assert "- x (likely error" not in result.output  # decided: its gold label is used
