"""The review, the cascade, policy CI and the report driven as a Python user drives them:
one Workspace call each, against the OpenAI stub (no CLI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

from llmqa.config import Settings
from llmqa.errors import (
    ConfigError,
    GuidelineError,
    Hint,
    IndexMismatchError,
    InputWarning,
    StoreError,
    UsageError,
)
from llmqa.judge.render import consensus_label
from llmqa.runner.cascade import DEFAULT_WHEN, EscalateWhen
from llmqa.runner.from_settings import escalation_rule, review_checks
from llmqa.runner.terminal import review_text
from llmqa.store.decisions import DecisionStore, for_item
from llmqa.store.export import export_verdicts
from llmqa.store.reparse import ReparseReport
from llmqa.store.terminal import reparse_text
from llmqa.testing import FakeEmbedder
from llmqa.testing.openai_stub import Behaviour, OpenAIStub
from llmqa.workspace import Workspace
from review_helpers import GUIDELINES, clean_env, png_bytes, sample_items, write_items

EDITED = "HARASS-1.2"


def _ws(home: Path, url: str, guidelines: Path = GUIDELINES, **values: object) -> Workspace:
    return Workspace(Settings(home=str(home), guidelines=str(guidelines), model="gpt-4o-mini",
                              base_url=url, embedder="openai:stub-embed", **values))


def _agreeing(n: int) -> list:
    return [i for i in sample_items(3 * n) if (c := consensus_label(i)).label and not c.tie][:n]


def test_review_skips_decided_items_and_counts_them(tmp_path, monkeypatch):
    clean_env(monkeypatch)
    items = sample_items(5)
    home = tmp_path / "home"
    with OpenAIStub() as stub:
        ws = _ws(home, stub.url)
        with ws.open_store() as store:
            DecisionStore(store).record([for_item(i, "confirm", analyst="ana")
                                         for i in items[:2]])
        summary = ws.review(items)
        assert (summary.decided, summary.items, summary.reviewed) == (2, 3, 3)
        assert summary.complete and summary.to_dict()["decided"] == 2
        assert stub.chat_requests == 3
        again = ws.review(items, include_decided=True)
        assert (again.decided, again.items, again.reused, again.reviewed) == (0, 5, 3, 2)
        calls = stub.chat_requests
        settled = ws.review(items[:2])
        assert (settled.items, settled.decided) == (0, 2) and stub.chat_requests == calls
        assert review_text(settled, 0) == "every item is already decided; nothing to review"


def test_image_paths_start_from_the_items_file_and_a_missing_picture_is_said(
        tmp_path, monkeypatch):
    # The batch travels with its artwork; the command runs from elsewhere.
    clean_env(monkeypatch)
    batch = tmp_path / "batch"
    (batch / "art").mkdir(parents=True)
    (batch / "art" / "a.png").write_bytes(png_bytes())
    rows = [{"id": f"img-{name}", "content": {"modality": "image", "image_path": f"art/{name}.png",
                                             "caption": "A cover."},
             "annotations": [{"annotator": "x", "label": "allowed"}]} for name in "ab"]
    path = batch / "items.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.chdir(tmp_path)
    with OpenAIStub() as stub:
        ws = _ws(tmp_path / "home", stub.url)
        items, _ = ws.read_items(path)
        with pytest.warns(InputWarning, match=r"^1 image item without a picture the judge can "
                          r"read, .*\(first: img-b: .*art/b\.png: no such file\)"):
            summary = ws.review(items, source=str(path))
        bodies = [b for b in stub.bodies if "messages" in b]  # not the embedding requests
    assert summary.complete
    sent = {}
    for body in bodies:
        content = body["messages"][-1]["content"]
        text = content if isinstance(content, str) else content[0]["text"]
        sent["img-a" if "img-a" in text else "img-b"] = (
            [] if isinstance(content, str) else [p["type"] for p in content])
    assert sent == {"img-a": ["text", "image_url"], "img-b": []}


def test_review_refuses_before_any_work(tmp_path, monkeypatch):
    clean_env(monkeypatch)
    items = sample_items(2)
    with OpenAIStub() as stub:
        # A cost limit needs a price for the model, named as a setting (never a flag).
        unpriced = _ws(tmp_path / "a", stub.url)
        spec = unpriced.backend(model="no-such-model")
        with pytest.raises(ConfigError) as no_price:
            unpriced.review(items, spec, max_cost=1.0)
        assert "`prices`" in str(no_price.value) and "--" not in str(no_price.value)
        with pytest.raises(ConfigError):  # the same refusal, before any row is read
            review_checks(unpriced, spec, max_cost=1.0)
        path = write_items(tmp_path / "items.jsonl", items)
        bad = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
        bad["annotations"][0]["label"] = "no-such-label"
        path.write_text(path.read_text(encoding="utf-8") + json.dumps(bad | {"id": "bad"})
                        + "\n", encoding="utf-8")
        read, rows = unpriced.read_items(path, check=review_checks(unpriced, spec))
        assert len(read) == 2 and rows.rejected == 1
        # A clause ID defined twice is refused before the store or index is touched.
        twice = tmp_path / "twice"
        twice.mkdir()
        for name in ("one.md", "two.md"):
            shutil.copy(GUIDELINES / "harassment.md", twice / name)
        doubled = _ws(tmp_path / "b", stub.url, guidelines=twice)
        with pytest.raises(GuidelineError, match="duplicate clause IDs"):
            doubled.review(items)
        with pytest.raises(GuidelineError, match="duplicate clause IDs"):
            review_checks(doubled, doubled.backend())
        assert not doubled.has_store and stub.chat_requests == 0


def test_cascade_from_a_model_name_and_its_final_verdicts(tmp_path, monkeypatch):
    clean_env(monkeypatch)
    items = _agreeing(8)
    doubtful, broken = {items[1].id, items[5].id}, items[6].id
    with OpenAIStub(model="cheap") as cheap, OpenAIStub(model="strong") as strong:
        for item_id in doubtful:
            cheap.add(Behaviour(verdict={"verdict": "ambiguous"}), item=item_id, times=None)
        ws = _ws(tmp_path / "home", cheap.url)
        summary = ws.review_cascade(items, None, "gpt-4o", strong_base_url=strong.url,
                                    when=["not-agree"])
        assert set(summary.escalated) == doubtful and strong.chat_requests == len(doubtful)
        assert summary.items == len(items) and summary.complete and not summary.budget_reached
        assert summary.final_statuses == {"ok": len(items)}
        assert review_text(summary, 0).startswith("model")  # the cascade's per-model table
        # A cheap answer without a verdict that the rule does not send up stays final.
        cheap.add(Behaviour(content="not json at all"), item=broken, times=None)
        fresh = _ws(tmp_path / "other", cheap.url)
        again = fresh.review_cascade(items, None, "gpt-4o", strong_base_url=strong.url,
                                     when=["not-agree"])
        assert not again.complete and again.final_statuses["ok"] == len(items) - 1


def test_escalation_rule_defaults():
    assert escalation_rule(None, 0.7).when == DEFAULT_WHEN
    rule = escalation_rule(["supervised", EscalateWhen.NOT_AGREE], 0.5)
    assert rule.when == {EscalateWhen.SUPERVISED, EscalateWhen.NOT_AGREE}
    assert rule.min_confidence == 0.5


def test_policy_check_reads_gold_and_says_why_the_gate_failed(tmp_path, monkeypatch):
    clean_env(monkeypatch)
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(GUIDELINES, old)
    shutil.copytree(GUIDELINES, new)
    path = new / "harassment.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "The test is whether a reasonable listener",
        "Only explicit threats count; the test is whether a reasonable listener", 1),
        encoding="utf-8")
    items = sample_items(80)
    gold = {i.id: c.label for i in items if (c := consensus_label(i)).label and not c.tie}
    gold_file = tmp_path / "gold.jsonl"
    gold_file.write_text("".join(json.dumps({"id": k, "gold_label": v}) + "\n"
                                 for k, v in gold.items()) + '{"id": "x"}\n', encoding="utf-8")
    with OpenAIStub() as stub:
        ws = _ws(tmp_path / "home", stub.url, guidelines=old)
        unchanged = ws.policy_check(old, old, items, top_k=5)
        assert unchanged.passed and unchanged.gate_message is None
        for item_id, label in gold.items():
            other = "hate" if label != "hate" else "harassment"
            stub.add(Behaviour(verdict={"verdict": "likely_error", "suggested_label": other}),
                     item=item_id, times=None)
        report = ws.policy_check(old, new, items, gold=gold_file, max_kappa_drop=0.1, top_k=5)
    assert [p.line for p in report.gold_problems] == [len(gold) + 1]
    assert report.gold_items > 0 and not report.passed
    assert report.gate_message.startswith("kappa fell by more than 0.1 on ")
    assert EDITED in report.gate_message
    assert report.headline.startswith("1 changed clause(s), ")
    assert "**Gate failed**" in report.markdown()


def test_report_run_renders_the_page_and_phrases_a_triage_problem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_fake_embedder: FakeEmbedder) -> None:
    clean_env(monkeypatch)
    rows = [{"id": f"p{n}", "project": "podcasts",
             "content": {"modality": "text", "text": f"episode {n} about gardening"},
             "annotations": [{"annotator": "a", "label": "allowed"},
                             {"annotator": "b", "label": "allowed" if n % 3 else "spam"}]}
            for n in range(6)]
    items = write_items(tmp_path / "items.jsonl", rows)
    ws = Workspace(Settings(home=str(tmp_path / "home"), guidelines=str(GUIDELINES)))
    announced: list[int] = []
    run = ws.report(items, n_boot=0, on_triage=announced.append)
    assert announced == [6] and run.triage_problem is None and run.triage is not None
    assert run.source == str(items) and "Agreement" in run.html()

    def out_of_step(*args: object, **kwargs: object) -> NoReturn:
        raise IndexMismatchError("index built by another embedder",
                                 hint=Hint("rebuild it with {}", ("rebuild",)))

    monkeypatch.setattr(ws, "triage", out_of_step)
    broken = ws.report(items, n_boot=0)
    assert isinstance(broken.triage_problem, IndexMismatchError)
    assert "`rebuild`" in broken.html() and "--rebuild" in broken.html(lambda o: f"--{o}")
    assert "Agreement" in broken.html()
    skipped = ws.report(items, n_boot=0, with_triage=False, on_triage=announced.append)
    assert skipped.triage is None and announced == [6]


def test_locked_store_export_and_reparse_text(tmp_path, monkeypatch):
    clean_env(monkeypatch)
    items = sample_items(3)
    with OpenAIStub() as stub:
        ws = _ws(tmp_path / "home", stub.url)
        ws.review(items)
    with ws.locked_store(), pytest.raises(StoreError, match="another llmqa review"):
        ws.review(items)
    out = tmp_path / "verdicts.csv"
    assert export_verdicts(ws.settings.home_path, out, latest=True, status="ok") == 3
    assert out.read_text(encoding="utf-8-sig").startswith("item_id,")
    # An unknown extension is refused before the store is opened (here: there is none).
    with pytest.raises(UsageError, match=r"cannot write '\.xlsx' files"):
        export_verdicts(tmp_path / "nowhere", tmp_path / "v.xlsx")
    text = reparse_text(ReparseReport(examined=4, fixed=1, still_failing={"parse_error": 3}))
    assert text == "4 stored answers re-read, 1 now valid verdicts\nstill parse_error: 3"
