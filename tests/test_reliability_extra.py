"""Reliability promises not covered elsewhere: re-parsing stored answers without a call, and
an embedder mismatch stopping a review before any paid call."""

from __future__ import annotations

import json
from pathlib import Path

from llmqa.guidelines import load_guidelines
from llmqa.store import VerdictStore
from llmqa.store.reparse import reparse
from llmqa.testing import OpenAIStub
from llmqa.verdicts import Verdict, VerdictStatus
from review_helpers import (
    clean_env,
    review_args,
    run_main,
    sample_guidelines,
    write_items,
)


def _stored(key: str, raw: str, status: VerdictStatus, **extra: object) -> Verdict:
    return Verdict(key=key, item_id=key, item_hash="h", guideline_version="v", context_hash="c",
                   prompt_hash="p", model="m", status=status, raw_answer=raw,
                   retrieved_clause_ids=["HATE-1.1", "GEN-1.4"], human_label="hate",
                   error="stored failure", **extra)


def test_reparse_turns_fixable_answers_into_verdicts_without_a_call(tmp_path):
    # A label the guidelines did not have when the answer came back: a parse error then.
    raw_new_label = json.dumps({"rationale": "r", "cited_clause_ids": ["HATE-1.1"],
                                "suggested_label": "podcast_spam", "verdict": "likely_error",
                                "confidence": 0.7})
    raw_fenced = "```json\n" + json.dumps({"rationale": "r", "cited_clause_ids": ["GEN-1.4"],
                                          "suggested_label": "allowed",
                                          "verdict": "likely_error", "confidence": 0.9}) + "\n```"
    raw_bad = "I think this is fine."
    raw_wrong_cite = json.dumps({"rationale": "r", "cited_clause_ids": ["SPAM-9.9"],
                                 "suggested_label": "allowed", "verdict": "likely_error",
                                 "confidence": 0.5})
    with VerdictStore(tmp_path) as store:
        store.save_verdict(_stored("a", raw_new_label, VerdictStatus.PARSE_ERROR), None)
        store.save_verdict(_stored("b", raw_fenced, VerdictStatus.PARSE_ERROR), None)
        store.save_verdict(_stored("c", raw_bad, VerdictStatus.PARSE_ERROR), None)
        store.save_verdict(_stored("d", raw_wrong_cite, VerdictStatus.INVALID_CITATION), None)

        guidelines = sample_guidelines()
        report = reparse(store, guidelines)
        # "podcast_spam" is still unknown; the fenced answer was valid all along.
        assert (report.examined, report.fixed) == (4, 1)
        rows = {r["item_id"]: r for r in store.verdicts()}
        assert rows["b"]["status"] == "ok" and rows["b"]["suggested_label"] == "allowed"
        assert rows["c"]["status"] == "parse_error" and rows["c"]["raw_answer"] == raw_bad
        assert rows["d"]["status"] == "invalid_citation"

        # The label is added to the guidelines: the stored answer now parses, no model call.
        extended = tmp_path / "g"
        extended.mkdir()
        for source in guidelines.sources:
            (extended / Path(source).name).write_text(Path(source).read_text())
        (extended / "podcast-spam.md").write_text(
            "# Podcast spam\n\n### PSPAM-1.1 Episode farms\nLabel: podcast_spam\n\n"
            "Mass-produced episodes.\n\nIn scope:\n- a\n- b\n\nOut of scope:\n- c\n- d\n")
        report = reparse(store, load_guidelines(extended))
        assert report.fixed == 1
        row = next(r for r in store.verdicts() if r["item_id"] == "a")
        assert (row["status"], row["suggested_label"]) == ("ok", "podcast_spam")


def test_embedder_mismatch_stops_before_any_paid_call(tmp_path, monkeypatch, capsys):
    clean_env(monkeypatch)
    items = write_items(tmp_path / "items.jsonl", [
        {"id": "m1", "content": {"modality": "text", "text": "a playlist of piano music"},
         "annotations": [{"annotator": "a", "label": "allowed"}]}])
    home = tmp_path / "home"
    with OpenAIStub() as stub:
        code, _, err = run_main(review_args(items, home, stub.url), capsys)
        assert code == 0, err
        calls = stub.chat_requests
        # Same store and index, another embedder: refused before the judge is asked anything.
        args = review_args(items, home, stub.url)
        args[args.index("openai:stub-embed")] = "openai:other-embed"
        code, out, err = run_main([*args, "--max-cost", "1", "--prices",
                                   str(_prices(tmp_path))], capsys)
        assert code == 1
        assert "built with embedder 'openai/stub-embed'" in err
        assert "Traceback" not in err + out
        assert stub.chat_requests == calls


def _prices(tmp_path):
    path = tmp_path / "prices.toml"
    path.write_text('[gpt-4o-mini]\ninput = 0.15\noutput = 0.6\n')
    return path


def test_runs_lists_reviews_and_reparse_reports(tmp_path, monkeypatch, capsys):
    clean_env(monkeypatch)
    items = write_items(tmp_path / "items.jsonl", [
        {"id": f"r{n}", "content": {"modality": "text", "text": f"piano playlist {n}"},
         "annotations": [{"annotator": "a", "label": "allowed"}]} for n in range(3)])
    home = tmp_path / "home"
    with OpenAIStub() as stub:
        code, _, err = run_main(review_args(items, home, stub.url), capsys)
        assert code == 0, err
    code, out, _ = run_main(["runs", "--home", str(home), "--json"], capsys)
    assert code == 0
    runs = json.loads(out)
    assert len(runs) == 1 and runs[0]["status"] == "done" and runs[0]["reviewed"] == 3
    code, out, _ = run_main(["reparse", "--home", str(home)], capsys)
    assert code == 0 and "0 stored answers re-read" in out
