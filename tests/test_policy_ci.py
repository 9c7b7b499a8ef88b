"""Policy CI: only the items judged against an edited clause are re-judged (counted at the
stub), the flips the stub's answers imply are reported, and the kappa-drop gate exits 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from llmqa.guidelines import load_guidelines
from llmqa.index.embedders import make_embedder
from llmqa.index.retriever import Retriever
from llmqa.judge.render import consensus_label
from llmqa.policy import flips, kappa_change
from llmqa.store.gold import gold_labels
from llmqa.testing.openai_stub import Behaviour, OpenAIStub
from review_helpers import (
    GUIDELINES,
    clean_env,
    run_main,
    sample_items,
    write_items,
)

EDITED = "HARASS-1.2"
TOP_K = 5


def _edit_clause(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst)
    path = dst / "harassment.md"
    text = path.read_text(encoding="utf-8")
    old = "The test is whether a reasonable listener"
    assert old in text
    path.write_text(text.replace(old, "Only explicit threats count; the test is whether a "
                                 "reasonable listener", 1), encoding="utf-8")


def _args(old: Path, new: Path, items: Path, home: Path, url: str, *extra: str) -> list[str]:
    return ["policy-ci", str(old), str(new), str(items), "--model", "gpt-4o-mini",
            "--base-url", url, "--embedder", "openai:stub-embed", "--home", str(home),
            "--top-k", str(TOP_K), *extra]


def _expected_affected(old: Path, new: Path, items, url: str) -> set[str]:
    """Items whose top-k clauses under either version include the edited clause: computed
    here from the retriever alone, independently of the store keys policy-ci uses."""
    embedder = make_embedder("openai:stub-embed", base_url=url)
    texts = [i.content.readable_text() for i in items]
    affected = set()
    for folder in (old, new):
        retriever = Retriever.from_guidelines(load_guidelines(folder), embedder)
        for item, hits in zip(items, retriever.search_many(texts, TOP_K), strict=True):
            if EDITED in [h.clause_id for h in hits]:
                affected.add(item.id)
    return affected


@pytest.fixture
def edit(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(GUIDELINES, old)
    _edit_clause(GUIDELINES, new)
    return old, new


def test_one_clause_edit_rejudges_only_affected_items(edit, tmp_path, monkeypatch, capsys):
    clean_env(monkeypatch)
    old, new = edit
    items = sample_items(80)
    path = write_items(tmp_path / "items.jsonl", items)
    home = tmp_path / "state"
    with OpenAIStub() as stub:
        # The reviewed state before the edit: every item judged once under the old version.
        code, _, stderr = run_main(_args(old, old, path, home, stub.url, "--json"), capsys)
        assert code == 0, stderr
        before_calls = stub.chat_requests
        assert before_calls == len(items)
        # From now on the judge disagrees with the annotators on every item it is asked about.
        expected_flips = {}
        for item in items:
            consensus = consensus_label(item)
            if consensus.label is None or consensus.tie:
                continue
            other = "hate" if consensus.label != "hate" else "harassment"
            stub.add(Behaviour(verdict={"verdict": "likely_error", "suggested_label": other}),
                     item=item.id, times=None)
            expected_flips[item.id] = other
        code, out, stderr = run_main(_args(old, new, path, home, stub.url, "--json"), capsys)
        assert code == 0, stderr
        report = json.loads(out)
        affected = _expected_affected(old, new, items, stub.url)
        assert 0 < len(affected) < len(items)
        # Exactly the affected items reached the model, once each.
        assert stub.chat_requests - before_calls == len(affected)
        assert report["calls"] == {"baseline": 0, "new": len(affected)}
        assert report["affected_items"] == len(affected)
        assert report["clauses"]["changed"] == [EDITED]
        flipped = {f["item_id"]: f for f in report["flips"]}
        assert set(flipped) == affected & set(expected_flips)
        for item_id, flip in flipped.items():
            assert (flip["old_verdict"], flip["new_verdict"]) == ("agree", "likely_error")
            assert flip["new_label"] == expected_flips[item_id]
            assert flip["clauses"] == [EDITED]
        clause_rows = {(k["scope"], k["reference"]): k for k in report["agreement"]}
        humans = clause_rows[(EDITED, "humans")]
        assert humans["before"] == pytest.approx(1.0)
        assert humans["after"] < humans["before"]
        # Five items: too few for a bootstrap interval (every resample of five agreeing items
        # says 1.000), so the report gives the change without one.
        assert humans["n_items"] == 5 and humans["change_ci"] == [None, None]
        overall = clause_rows[("overall", "humans")]
        assert overall["n_items"] >= 10 and overall["change_ci"][1] < 0  # paired: excludes 0

        # The same edit behind the gate: agreement on the edited clause fell, so exit 1, and
        # no model call is needed the second time.
        calls = stub.chat_requests
        report_md = tmp_path / "policy.md"
        code, _, stderr = run_main(_args(old, new, path, home, stub.url, "--max-kappa-drop",
                                         "0.1", "-o", str(report_md)), capsys)
        assert code == 1
        assert "gate failed" in stderr and EDITED in stderr
        assert stub.chat_requests == calls
        markdown = report_md.read_text(encoding="utf-8")
        assert "**Gate failed**" in markdown and f"`{EDITED}`" in markdown
        assert f"### Verdict flips ({len(flipped)})" in markdown


def test_progress_follows_each_version_s_model_calls(edit: tuple[Path, Path], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from llmqa.workspace import Workspace

    clean_env(monkeypatch)
    old, new = edit
    items = sample_items(30)
    seen: list[tuple[str, int, int]] = []
    with OpenAIStub() as stub:
        ws = Workspace.from_settings(model="gpt-4o-mini", base_url=stub.url,
                                     embedder="openai:stub-embed", home=str(tmp_path / "state"))
        report = ws.policy_check(old, new, items, top_k=TOP_K,
                                 on_progress=lambda *step: seen.append(step))
        affected = _expected_affected(old, new, items, stub.url)
    assert report.baseline.reviewed == len(items) and report.candidate.reviewed == len(affected)
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == ["old guidelines", "new guidelines"]
    for stage, calls in (("old guidelines", len(items)), ("new guidelines", len(affected))):
        done = [(d, t) for s, d, t in seen if s == stage]
        assert done[-1] == (calls, calls)  # the bar ends full
        assert [d for d, _ in done] == sorted(d for d, _ in done)


def test_each_item_is_prepared_once_per_version(edit: tuple[Path, Path], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Retrieval and prompt building is the per-item work every item costs even when its
    verdict is reused: policy CI does it once per item and version, not once more to learn
    the store keys (it read them back from the runs)."""
    from llmqa.items import Item
    from llmqa.judge.judge import Judge, Prepared

    clean_env(monkeypatch)
    old, new = edit
    items = sample_items(30)
    path = write_items(tmp_path / "items.jsonl", items)
    prepared: list[str] = []
    original = Judge.prepare

    def counting(self: Judge, item: Item, *args: Any, **kwargs: Any) -> Prepared:
        prepared.append(item.id)
        return original(self, item, *args, **kwargs)

    monkeypatch.setattr(Judge, "prepare", counting)
    with OpenAIStub() as stub:
        code, _, stderr = run_main(_args(old, new, path, tmp_path / "state", stub.url,
                                         "--json"), capsys)
    assert code == 0, stderr
    assert len(prepared) == 2 * len(items)
    assert set(prepared) == {i.id for i in items}


def test_gold_decides_the_gate_where_it_exists(edit, tmp_path, monkeypatch, capsys):
    """With gold that agrees with the new answers, the same edit is an improvement."""
    clean_env(monkeypatch)
    old, new = edit
    items = sample_items(80)
    path = write_items(tmp_path / "items.jsonl", items)
    home = tmp_path / "state"
    with OpenAIStub() as stub:
        assert run_main(_args(old, old, path, home, stub.url, "--json"), capsys)[0] == 0
        affected = _expected_affected(old, new, items, stub.url)
        gold = tmp_path / "gold.jsonl"
        rows = []
        # Every other item is spam by the analysts' decision, and the judge says so once it
        # is asked again (only the affected ones are): agreement with gold rises.
        for n, item in enumerate(items):
            consensus = consensus_label(item).label or "allowed"
            if n % 2 or consensus == "spam":
                rows.append({"id": item.id, "gold_label": consensus})
                continue
            stub.add(Behaviour(verdict={"verdict": "likely_error", "suggested_label": "spam"}),
                     item=item.id, times=None)
            rows.append({"id": item.id, "gold_label": "spam"})
        gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        code, out, stderr = run_main(_args(old, new, path, home, stub.url, "--json",
                                           "--gold", str(gold), "--max-kappa-drop", "0.1"),
                                     capsys)
    assert code == 0, stderr
    report = json.loads(out)
    assert report["gold_items"] == len(items)
    assert report["gate"]["passed"] is True
    by = {(k["scope"], k["reference"]): k for k in report["agreement"]}
    assert affected
    assert by[(EDITED, "gold")]["after"] == pytest.approx(1.0), (by[(EDITED, "gold")], affected)
    assert by[(EDITED, "gold")]["change"] > 0


def _row(verdict: str, label: str | None, retrieved=("A-1",), status: str = "ok"):
    return {"status": status, "verdict": verdict, "suggested_label": label,
            "retrieved_clause_ids": list(retrieved), "cited_clause_ids": list(retrieved[:1])}


def test_flips_name_the_changed_clauses_only():
    old = {"a": _row("agree", "x", ("A-1", "B-1")), "b": _row("agree", "y"),
           "c": _row("agree", "x", ("B-1",))}
    new = {"a": _row("likely_error", "y", ("A-1", "B-1")), "b": _row("agree", "y"),
           "c": _row("agree", None, ("B-1",), status="parse_error")}
    found = {f.item_id: f for f in flips(old, new, {"B-1"})}
    assert set(found) == {"a", "c"}
    assert found["a"].clauses == ("B-1",)
    assert found["c"].new_label is None  # no usable verdict is a flip too


def test_kappa_change_matches_scikit_learn():
    rng = np.random.default_rng(3)
    labels = ["p", "q", "r"]
    ids = [f"i{n}" for n in range(120)]
    ref = {i: labels[rng.integers(3)] for i in ids}
    noisy = {i: (ref[i] if rng.random() < 0.8 else labels[rng.integers(3)]) for i in ids}
    worse = {i: (ref[i] if rng.random() < 0.5 else labels[rng.integers(3)]) for i in ids}
    old = {i: _row("agree", noisy[i]) for i in ids}
    new = {i: _row("agree", worse[i]) for i in ids}
    result = kappa_change("overall", "gold", ids, ref, old, new, n_boot=200)
    expected_before = cohen_kappa_score([noisy[i] for i in ids], [ref[i] for i in ids])
    expected_after = cohen_kappa_score([worse[i] for i in ids], [ref[i] for i in ids])
    assert result.before == pytest.approx(expected_before)
    assert result.after == pytest.approx(expected_after)
    assert result.change == pytest.approx(expected_after - expected_before)
    assert result.change_ci.low <= result.change <= result.change_ci.high
    assert result.before_ci.low <= result.before <= result.before_ci.high


def test_gold_reader_reports_bad_rows(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a", "gold_label": "hate"}\n{"id": "b"}\nnot json\n'
                    '{"id": "c", "gold": {"label": "spam"}}\n', encoding="utf-8")
    gold, errors = gold_labels(path)
    assert gold == {"a": "hate", "c": "spam"}
    assert [(e.line, e.field) for e in errors] == [(2, "label"), (3, None)]
    assert "a gold row needs a label" in str(errors[0])


def test_dry_run_and_cost_limit_cover_both_versions(edit, tmp_path, monkeypatch, capsys):
    clean_env(monkeypatch)
    old, new = edit
    items = sample_items(40)
    path = write_items(tmp_path / "items.jsonl", items)
    home = tmp_path / "state"
    with OpenAIStub() as stub:
        affected = _expected_affected(old, new, items, stub.url)
        code, out, stderr = run_main(_args(old, new, path, home, stub.url, "--dry-run",
                                           "--json"), capsys)
        assert code == 0, stderr
        estimate = json.loads(out)
        # A fresh store: every item under the old version, then only the items the edit
        # touches under the new (the others get the baseline's verdict, same key).
        assert estimate["calls"] == {"baseline": len(items), "new": len(affected)}
        assert estimate["estimated_cost_usd"]["total"] > 0
        assert stub.chat_requests == 0
        # A limit of about five calls stops inside the old version: exit 3, nothing compared.
        per_call = estimate["estimated_cost_usd"]["baseline"] / len(items)
        report_md = tmp_path / "policy.md"
        code, out, stderr = run_main(_args(old, new, path, home, stub.url, "--json",
                                           "--max-cost", f"{per_call * 5:.10f}", "-o",
                                           str(report_md)), capsys)
        assert code == 3, stderr
        assert "gate failed" not in stderr
        # The pull-request comment still says what happened.
        assert report_md.read_text(encoding="utf-8").startswith("stopped at the cost limit")
        stopped = json.loads(out)
        assert stopped["budget_reached"] is True and stopped["flips"] == []
        assert stopped["gate"]["passed"] is False
        asked = stub.chat_requests
        assert 0 < asked < len(items)
        # The re-run resumes: the rest of the baseline, then the affected items.
        code, out, stderr = run_main(_args(old, new, path, home, stub.url, "--json"), capsys)
        assert code == 0, stderr
        assert stub.chat_requests - asked == len(items) - asked + len(affected)
        code, out, _ = run_main(_args(old, new, path, home, stub.url, "--dry-run", "--json"),
                                capsys)
        assert json.loads(out)["calls"] == {"baseline": 0, "new": 0}


def test_a_cost_limit_needs_a_price(edit, tmp_path, monkeypatch, capsys):
    clean_env(monkeypatch)
    old, new = edit
    path = write_items(tmp_path / "items.jsonl", sample_items(3))
    # Refused before any call (the endpoint does not exist) or index work.
    code, _, stderr = run_main(["policy-ci", str(old), str(new), str(path), "--model",
                                "no-such-model", "--base-url", "http://127.0.0.1:9/v1",
                                "--home", str(tmp_path / "state"), "--max-cost", "1"], capsys)
    assert code == 2 and "a cost limit needs a price for 'no-such-model'" in stderr
    assert "--prices" in stderr


def test_a_changed_no_violation_label_is_named_and_rejudges_every_item(tmp_path, monkeypatch,
                                                                        capsys):
    # Declaring the no-violation label changes no clause but every prompt: the report must
    # say why every item was re-judged rather than "0 changed clauses".
    from test_no_violation_label import write_offensive

    clean_env(monkeypatch)
    old, new = write_offensive(tmp_path / "old", None), write_offensive(tmp_path / "new")
    items = [{"id": f"o{n}", "content": {"modality": "text", "text": f"tweet number {n}"},
              "annotations": [{"annotator": "a", "label": "not_offensive"},
                              {"annotator": "b", "label": "not_offensive"}]} for n in range(4)]
    path = write_items(tmp_path / "items.jsonl", items)
    home = tmp_path / "state"
    report_md = tmp_path / "policy.md"
    with OpenAIStub() as stub:
        code, out, stderr = run_main(["policy-ci", str(old), str(new), str(path), "--model",
                                      "gpt-4o-mini", "--base-url", stub.url, "--embedder",
                                      "openai:stub-embed", "--home", str(home), "--json"], capsys)
        assert code == 0, stderr
        report = json.loads(out)
        assert report["no_violation_label"] == ["allowed", "not_offensive"]
        assert report["clauses"] == {"added": [], "removed": [], "changed": []}
        assert report["affected_items"] == 4
        code, out, stderr = run_main(["policy-ci", str(old), str(new), str(path), "--model",
                                      "gpt-4o-mini", "--base-url", stub.url, "--embedder",
                                      "openai:stub-embed", "--home", str(home), "-o",
                                      str(report_md)], capsys)
        assert code == 0, stderr
    assert "no-violation label allowed -> not_offensive, 4 item(s) re-judged" in out + stderr
    assert ("The no-violation label changed from `allowed` to `not_offensive`"
            in report_md.read_text(encoding="utf-8"))
