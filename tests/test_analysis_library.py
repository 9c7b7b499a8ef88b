"""The analysis commands' work as single library calls: what a Python user gets from a
``Workspace`` for triage, agreement, themes, examples, revisions and decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FakeEmbedder, write_files
from llmqa.agreement.from_settings import run_agreement
from llmqa.agreement.gate import compute_gate
from llmqa.agreement.terminal import render_run, render_trust_gate
from llmqa.config import Settings
from llmqa.errors import InputError
from llmqa.generation.from_settings import DISPUTED, example_clauses
from llmqa.items import Item
from llmqa.revision import Thresholds
from llmqa.revision.pipeline import RevisionOptions
from llmqa.store.decisions import DecisionStore, for_item, history_table
from llmqa.store.gold import gold_rows
from llmqa.triage import QueueOptions
from llmqa.workspace import Workspace
from triage_support import GUIDELINE, batch, item

ROOT = Path(__file__).resolve().parent.parent


def _ws(tmp_path: Path, guidelines: Path | None = None) -> Workspace:
    return Workspace(Settings(home=str(tmp_path / "home"),
                              guidelines=str(guidelines or tmp_path / "no-guidelines")))


def _decide(ws: Workspace, items: list[Item], kind: str = "confirm", **fields: str) -> None:
    with ws.open_store() as store:
        DecisionStore(store).record([for_item(i, kind, analyst="ana", **fields) for i in items])


def _flag(option: str) -> str:
    return "--" + option.replace("_", "-")


def test_triage_queue_settles_decided_items(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import llmqa.index.embedders as embedders

    monkeypatch.setattr(embedders, "make_embedder", lambda *a, **k: FakeEmbedder())
    ws = _ws(tmp_path)
    items = batch()
    _decide(ws, [i for i in items if i.id in ("flip", "split")])
    queue = ws.triage_queue(items, QueueOptions(kind="error"), use_guidelines=False,
                            source="batch")
    assert {r["item_id"] for r in queue.rows}.isdisjoint({"flip", "split"})
    assert queue.decided == 2 and len(queue.rows) == len(items) - 2
    head = queue.notes()[0]
    assert head == (f"{len(items) - 2} undecided of {len(items)} items; 2 decided by analysts "
                    "left out (`include_decided` keeps them)")
    assert "(--include-decided keeps them)" in queue.notes(_flag)[0]
    data = queue.to_dict()
    assert data["source"] == "batch" and data["rows"] == len(items) - 2
    assert all(r["kind"] == "error" for r in data["queue"])
    assert queue.render(show=1).count("\n") < queue.render(show=5).count("\n")
    kept = ws.triage_queue(items, include_decided=True, use_guidelines=False)
    marked = {r["item_id"]: r.get("decision") for r in kept.rows}
    assert marked["flip"] == "confirm allowed" and len(kept.rows) == len(items)
    assert "left out" not in kept.notes()[0]


def _gold_batch() -> list[Item]:
    """ann0 always gives the gold label, ann1 never does."""
    out = []
    for n in range(8):
        truth = "spam" if n % 2 else "allowed"
        wrong = "allowed" if truth == "spam" else "spam"
        out.append(item(f"i{n}", f"text {n}", [truth, wrong, truth]))
    return out


def test_agreement_run_carries_gold_and_the_gate(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    items = _gold_batch()
    _decide(ws, items)  # confirm: the plurality label is the truth
    plain = run_agreement(ws, items, n_boot=20)
    assert plain.against_gold is None and plain.passed is None
    run = run_agreement(ws, items, n_boot=20, against_gold=True, min_kappa=0.99)
    assert run.against_gold is not None and run.against_gold.gold_items == 8
    assert run.passed is False  # ann1 always disagrees
    data = run.to_dict("batch.jsonl")
    assert data["source"] == "batch.jsonl" and data["against_gold"]["gold_items"] == 8
    assert data["gate"]["min_kappa"] == 0.99 and data["gate"]["passed"] is False
    assert "against gold (8 items decided by analysts" in render_run(run)
    gold_file = tmp_path / "gold.jsonl"
    gold_file.write_text('{"id": "i0", "label": "allowed"}\nnot json\n', encoding="utf-8")
    filed = run_agreement(ws, items, n_boot=20, gold=gold_file)
    assert filed.against_gold is not None and filed.against_gold.gold_items == 1
    assert filed.gold_problems == [f"{gold_file}:2: not JSON (Expecting value)"]


def test_themes_take_the_store_gold_and_filter_projects(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    items = [item("x", "calm piano album", ["spam", "spam", "allowed"], project="music"),
             item("z", "free download viral", ["spam", "spam", "allowed"], project="music"),
             item("w", "other", ["spam", "allowed", "allowed"], project="video")]
    _decide(ws, items[:1], "correct", label="allowed")
    summary = ws.themes(items, projects=["music"])
    assert set(summary.items) == {"x", "z"} and summary.references["x"].by == "gold"
    assert {(m.item_id, m.annotator) for m in summary.mistakes} == {
        ("x", "ann0"), ("x", "ann1"), ("z", "ann2")}
    with pytest.raises(InputError, match="no items in project"):
        ws.themes(items, projects=["nowhere"])


def test_example_clauses_by_id_all_or_disputed(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "g", {"policy.md": GUIDELINE})
    ws = _ws(tmp_path, folder)
    ids = list(ws.guidelines.by_id)
    assert [c.id for c in example_clauses(ws, "all")] == ids
    assert [c.id for c in example_clauses(ws, [ids[1], ids[0], ids[1]])] == ids[1::-1]
    with pytest.raises(InputError, match="unknown clause"):
        example_clauses(ws, ["NOPE-1"])
    with pytest.raises(InputError) as missing:
        example_clauses(ws, DISPUTED)
    assert missing.value.describe(_flag).endswith("pass --items FILE, or review them first "
                                                  "so the store holds them")
    split = [item(f"d{n}", f"keyword stuffing {n}", ["spam", "allowed", "hate"],
                  clause={0: ids[0], 1: ids[0], 2: ids[0]}) for n in range(4)]
    assert [c.id for c in example_clauses(ws, DISPUTED, split, max_clauses=1)] == [ids[0]]


def test_revision_summary_lines(tmp_path: Path) -> None:
    ws = _ws(tmp_path, ROOT / "guidelines")
    items, _ = ws.read_items(ROOT / "examples" / "sample_batch" / "items.jsonl")
    none = ws.revise(items, RevisionOptions(wording=False, thresholds=Thresholds(
        max_agreement=0.0, min_flags=10_000)), use_judge=False)
    assert none.summary() == ["no clause meets the thresholds (see `max_agreement`, "
                              "`min_flags`); nothing to revise"]
    assert "(see --max-agreement, --min-flags)" in none.summary(_flag)[0]
    run = ws.revise(items, RevisionOptions(wording=False, thresholds=Thresholds(max_clauses=2),
                                           apply=False), use_judge=False)
    lines = run.summary()
    assert len(lines) == len(run.drafts) == 2
    assert lines[0].startswith(f"{run.drafts[0].clause.id}: ")
    assert lines[0].endswith(f"; {len(run.drafts[0].examples)} new examples")


def test_import_decisions_counts_and_names_bad_lines(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "label": "spam"}\n{"id": "b"}\n'
                    '{"id": "c", "decision": "escalate"}\n', encoding="utf-8")
    done = ws.import_decisions(gold, analyst="ana")
    assert done.imported == 2 and [str(r).split(":")[:2] for r in done.rejected] == [
        [str(gold), "2"]]
    with ws.open_store(readonly=True) as store:
        assert [r["id"] for r in gold_rows(store)] == ["a"]
        assert sorted(r["id"] for r in gold_rows(store, include_undecided=True)) == ["a", "c"]
        history = DecisionStore(store).history("a")
    text = history_table(history)
    assert text.splitlines()[0].split() == ["when", "analyst", "decision", "label", "clauses",
                                            "note"]
    assert "ana" in text and "spam" in text


def test_decide_names_what_is_missing_and_sums_up(tmp_path: Path) -> None:
    from llmqa.store.decisions import decide

    ws = _ws(tmp_path)
    with ws.open_store() as store:
        with pytest.raises(InputError) as nobody:
            decide(store, "a", analyst=None, label="spam")
        assert nobody.value.describe(_flag).endswith("pass --analyst NAME")
        with pytest.raises(InputError) as nothing:
            decide(store, "a", analyst="ana")
        assert nothing.value.describe(_flag).endswith(
            "pass --label LABEL, or --decision ambiguous|escalate")
        made, known = decide(store, "a", analyst="ana", label="spam")
    assert not known and made.summary() == "a: correct → spam by ana"


def test_trust_gate_text_without_gold() -> None:
    text = render_trust_gate(compute_gate([], {}), 0.6, 20)
    assert text.startswith("no item has both a judge verdict and a gold decision")
