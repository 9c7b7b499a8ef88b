"""Triage accepts multi-label answers: a set is one composite label to the single-label
signals, and a split between a set and a single label shows as disagreement."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import FakeEmbedder, write_files
from llmqa.cli import app
from llmqa.items import Annotation
from triage_support import GUIDELINE, batch


def test_triage_ranks_multi_label_items(tmp_home: Path, cli_fake_embedder: FakeEmbedder) -> None:
    items = batch()
    labels = sorted({a.label for i in items for a in i.annotations} - {"allowed"})
    both = tuple(labels[:2])
    mixed = items[0].model_copy(update={"id": "mixed", "annotations": [
        Annotation(annotator="ann0", labels=both), Annotation(annotator="ann1", labels=both),
        Annotation(annotator="ann2", label=both[0])]})
    unanimous = items[1].model_copy(update={"id": "unanimous", "annotations": [
        Annotation(annotator=f"ann{n}", labels=both) for n in range(3)]})
    rows = [*items, mixed, unanimous]
    Path("items.jsonl").write_text("".join(i.model_dump_json(exclude_none=True) + "\n"
                                           for i in rows))
    guidelines = write_files(tmp_home / "guidelines", {"policy.md": GUIDELINE})
    result = CliRunner().invoke(app, ["triage", "items.jsonl", "-g", str(guidelines), "--offline",
                                      "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["items"] == len(rows)
    queue = {row["item_id"]: row for row in payload["queue"]}
    assert queue["mixed"]["score"] > queue["unanimous"]["score"]
