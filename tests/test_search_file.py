"""``llmqa search --file``: one JSON line per item with its top clauses, bad rows named."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from llmqa.cli import app
from llmqa.guidelines import load_guidelines
from llmqa.index.batch_search import search_items
from llmqa.index.retriever import Retriever
from llmqa.items import Item
from llmqa.testing import FakeEmbedder

runner = CliRunner()


def _item(item_id: str, text: str) -> dict[str, object]:
    return {"id": item_id, "content": {"modality": "text", "text": text},
            "annotations": [{"annotator": "a1", "label": "hate"}]}


def test_search_items_matches_single_searches(tiny_guidelines: Path,
                                              fake_embedder: FakeEmbedder) -> None:
    guidelines = load_guidelines(tiny_guidelines)
    retriever = Retriever.from_guidelines(guidelines, fake_embedder)
    texts = ["[group] are rats crawling", "keyword stuffing in titles", "a news report"]
    items = [Item.model_validate(_item(f"i{n}", t)) for n, t in enumerate(texts)]
    found = list(search_items(retriever, items, k=2, guidelines=guidelines, chunk=2))
    assert [f.id for f in found] == ["i0", "i1", "i2"]
    for result, text in zip(found, texts, strict=True):
        single = retriever.search(text, k=2)
        assert [c.id for c in result.clauses] == [h.clause_id for h in single]
        assert [c.score for c in result.clauses] == [round(h.score, 4) for h in single]
    first = found[0].clauses[0]
    assert first.id == "HATE-1.1" and first.label == "hate"
    assert first.title == guidelines.by_id["HATE-1.1"].title


def test_cli_search_file_json_lines_and_bad_rows(tmp_home: Path, tiny_guidelines: Path,
                                                 cli_fake_embedder: FakeEmbedder) -> None:
    assert runner.invoke(app, ["index"]).exit_code == 0
    items = tmp_home / "items.jsonl"
    items.write_text("\n".join([json.dumps(_item("a", "[group] are rats crawling")),
                                "{not json",
                                json.dumps(_item("b", "keyword stuffing in titles"))]) + "\n")
    result = runner.invoke(app, ["search", "--file", str(items), "-k", "2", "--json"])
    assert result.exit_code == 1  # a bad row
    assert "items.jsonl:2" in result.stderr and "1 bad row skipped" in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[0]["clauses"][0] == {"id": "HATE-1.1", "label": "hate",
                                      "title": lines[0]["clauses"][0]["title"],
                                      "score": lines[0]["clauses"][0]["score"]}
    assert len(lines[1]["clauses"]) == 2 and lines[1]["clauses"][0]["id"] == "SPAM-1.1"
    both = runner.invoke(app, ["search", "rats", "--file", str(items)])
    assert both.exit_code == 2
