"""The ranked queue (priority, filters, reasons) and the per-clause summary."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import FakeEmbedder
from llmqa.triage import SUMMARY_VERSION, QueueOptions, TriageResult, triage
from triage_support import batch, guidelines, make_retriever


@pytest.fixture
def result(tmp_path: Path) -> TriageResult:
    g = guidelines(tmp_path)
    embedder = FakeEmbedder()
    verdicts = [{"item_id": "flip", "status": "ok", "verdict": "likely_error", "confidence": 0.95,
                 "suggested_label": "hate", "cited_clause_ids": ["HATE-1.1"], "samples": 1}]
    return triage(batch(), embedder=embedder, retriever=make_retriever(g, embedder),
                  guidelines=g, verdicts=verdicts)


def test_the_flipped_item_leads_the_error_queue(result: TriageResult) -> None:
    rows = result.queue(kind="error")
    top = rows[0]
    assert top["item_id"] == "flip" and top["kind"] == "error" and top["rank"] == 1
    assert top["label"] == "allowed" and top["suggested_label"] == "hate"
    assert top["reason"].startswith("likely error (") and "allowed → hate?" in top["reason"]
    assert "judge: hate (0.95) citing HATE-1.1" in top["reason"]
    # How the annotators voted leads the evidence of every error row.
    votes = top["evidence"]["minority_share"]["votes"]
    split = ("annotators split " + "-".join(map(str, votes.values())) if len(votes) > 1
             else f"{sum(votes.values())} annotators agree")
    assert top["reason"].split("; ")[1].startswith(split)
    assert all(("annotators split" in r["reason"] or "annotators agree" in r["reason"])
               for r in rows if r["evidence"].get("minority_share"))
    assert "HATE-1.1" in top["clause_ids"]
    # the item's own priority; both are rounded to 4 places in the row
    assert top["urgency"] == pytest.approx(top["score"] * 3, abs=1e-3)
    assert set(top["signals"]) >= {"label_issue", "guideline_conflict", "judge_error"}
    assert top["evidence"]["judge_error"]["verdict"] == "likely_error"
    json.dumps(rows)  # every row serialises as it is


def test_the_split_item_leads_the_ambiguity_queue(result: TriageResult) -> None:
    rows = result.queue(kind="ambiguous")
    assert rows[0]["item_id"] == "split" and rows[0]["kind"] == "ambiguous"
    assert "annotators split 2-1" in rows[0]["reason"]
    assert "borderline" in rows[0]["reason"]


def test_a_hedged_item_says_its_error_score_was_discounted(result: TriageResult) -> None:
    errors = {row["item_id"]: row for row in result.queue(kind="error")}
    split = errors["split"]
    assert "annotators hedged: error score ×0.83" in split["reason"]  # 1 of 3 hedged
    assert split["signals"]["note_hedging"] == pytest.approx(1 / 3, abs=1e-4)
    assert "hedged" not in errors["flip"]["reason"]


def test_all_kind_takes_the_larger_score(result: TriageResult) -> None:
    rows = result.queue()
    for row in rows:
        expected = max(row["error_score"], row["ambiguity_score"])
        assert row["score"] == pytest.approx(expected)
        assert row["kind"] == ("error" if row["error_score"] >= row["ambiguity_score"]
                               else "ambiguous")
    urgency = [row["urgency"] for row in rows]
    assert urgency == sorted(urgency, reverse=True)


def test_filters_and_project_priority(result: TriageResult) -> None:
    rows = result.queue(projects=("music",), top=3, with_evidence=False)
    assert len(rows) == 3 and {r["project"] for r in rows} == {"music"}
    assert "signals" not in rows[0]
    high = result.queue(min_score=0.7)
    assert all(r["score"] >= 0.7 for r in high)
    boosted = result.queue(project_priority={"podcasts": 10.0})
    assert boosted[0]["project"] == "podcasts" and boosted[0]["priority"] == 10.0
    music = next(r for r in boosted if r["project"] == "music" and r["item_id"] != "flip")
    assert music["priority"] == 1.0  # no map entry, no own priority
    with pytest.raises(ValueError, match="unknown kind"):
        QueueOptions(kind="urgent")


def test_clause_summary_shape(result: TriageResult, tmp_path: Path) -> None:
    g = guidelines(tmp_path / "again")
    summary = result.clause_summary(guidelines=g, top=3)
    assert summary["version"] == SUMMARY_VERSION and summary["n_items"] == result.data.n_items
    assert summary["guideline_version"] == g.version
    assert set(summary["high_threshold"]) == {"error", "ambiguity"}
    by_id = {row["clause_id"]: row for row in summary["clauses"]}
    hate = by_id["HATE-1.1"]
    assert hate["label"] == "hate" and hate["title"] == "Dehumanising comparisons"
    assert "flip" in hate["top_error_item_ids"] and len(hate["top_error_item_ids"]) <= 3
    assert hate["sources"]["judge"] == 1 and hate["sources"]["retrieval"] >= 1
    assert hate["suggested_changes"].get("allowed -> hate") == 1
    assert by_id["SPAM-1.1"]["sources"]["annotator"] == 1  # the split item's citation
    expected = {"clause_id", "label", "title", "items", "mean_error", "mean_ambiguity",
                "high_error_items", "high_ambiguity_items", "sources", "suggested_changes",
                "top_error_item_ids", "top_ambiguous_item_ids"}
    assert all(set(row) == expected for row in summary["clauses"])
    keys = [(-(r["high_error_items"] + r["high_ambiguity_items"]), -(r["mean_error"] or 0))
            for r in summary["clauses"]]
    assert keys == sorted(keys)
    json.dumps(summary)


def test_library_clause_summary_without_guidelines() -> None:
    from llmqa.triage import clause_summary

    plain = triage(batch(), embedder=FakeEmbedder())
    summary = clause_summary(plain)
    assert summary["guideline_version"] is None
    assert [row["clause_id"] for row in summary["clauses"]] == ["SPAM-1.1"]
    assert summary["clauses"][0]["label"] is None


def test_queue_without_any_content_signal() -> None:
    plain = triage(batch())  # no embedder, no guidelines, no verdicts
    rows = plain.queue(kind="ambiguous", project_priority={"music": 1, "podcasts": 1})
    assert rows[0]["item_id"] == "split"
    errors = plain.queue(kind="error")
    assert all(not np.isnan(r["error_score"]) for r in errors)
    assert any("no item embeddings" in note for note in plain.signals.all_notes())


def test_long_steps_report_progress(tmp_path: Path) -> None:
    g = guidelines(tmp_path)
    embedder = FakeEmbedder()
    heard: list[tuple[str, int, int]] = []
    triage(batch(), embedder=embedder, retriever=make_retriever(g, embedder), guidelines=g,
           on_progress=lambda stage, done, total: heard.append((stage, done, total)))
    stages = list(dict.fromkeys(stage for stage, _, _ in heard))
    assert stages == ["embedding items", "classifier folds", "retrieval evidence"]
    last = {stage: (done, total) for stage, done, total in heard}
    assert last["embedding items"][0] == last["embedding items"][1] == len(batch())
    folds = [(done, total) for stage, done, total in heard if stage == "classifier folds"]
    # every fold of both fold splits, counted up to the total
    assert [done for done, _ in folds] == list(range(1, folds[-1][1] + 1))
    assert folds[-1][1] % 2 == 0 and last["retrieval evidence"] == (1, 1)


def test_no_retrieval_stage_without_guidelines() -> None:
    heard: list[str] = []
    triage(batch(), embedder=FakeEmbedder(),
           on_progress=lambda stage, done, total: heard.append(stage))
    assert "retrieval evidence" not in heard and "classifier folds" in heard
