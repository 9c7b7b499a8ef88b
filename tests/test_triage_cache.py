"""A triage is computed once per state folder and inputs: ``llmqa report`` after ``llmqa
triage`` on the same batch reuses it; any change to what feeds the scores recomputes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import llmqa.triage as triage_package
from conftest import write_files
from llmqa.store.verdicts import VerdictStore
from llmqa.testing import FakeEmbedder
from llmqa.verdicts import Verdict, VerdictStatus
from review_helpers import run_main, write_items
from triage_support import GUIDELINE, batch


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the triage's signal computations (embedding, folds, retrieval, scores)."""
    calls: list[int] = []
    real = triage_package.compute_signals

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(triage_package, "compute_signals", counting)
    return calls


def _store_verdict(home: Path, item: Any) -> None:
    with VerdictStore(home) as store:
        store.save_items([item])
        store.save_verdict(Verdict(key=f"k-{item.id}", item_id=item.id,
                                   item_hash=item.content_hash(), guideline_version="v",
                                   context_hash="c", prompt_hash="p", model="fake",
                                   status=VerdictStatus.OK, verdict="likely_error",
                                   confidence=0.99, suggested_label="hate",
                                   cited_clause_ids=["HATE-1.1"]), run_id=None)


def test_report_reuses_the_triage_llmqa_triage_computed(
        tmp_home: Path, cli_fake_embedder: FakeEmbedder, computations: list[int],
        capsys: pytest.CaptureFixture[str]) -> None:
    items = batch()
    path = write_items(tmp_home / "items.jsonl", items)
    guidelines = write_files(tmp_home / "guidelines", {"policy.md": GUIDELINE})
    out = tmp_home / "report.html"
    code, triage_out, err = run_main(["triage", str(path), "-g", str(guidelines), "--top", "5",
                                      "--no-progress"], capsys)
    assert code == 0, err
    report = ["report", str(path), "-g", str(guidelines), "-o", str(out), "--bootstrap", "0",
              "--no-progress"]
    code, _, err = run_main(report, capsys)
    assert code == 0, err
    assert len(computations) == 1  # the report took the triage's run
    page = out.read_text()
    assert "Likely errors (top 15)" in page and "triage reused" in page
    first = triage_out.split("\n")
    assert any("flip" in line for line in first)  # both show the same ranked batch

    # A new verdict feeds the judge signal: the next report recomputes, once.
    _store_verdict(tmp_home, next(i for i in items if i.id == "flip"))
    code, _, err = run_main(report, capsys)
    assert code == 0, err
    assert len(computations) == 2
    code, _, err = run_main(report, capsys)
    assert code == 0, err
    assert len(computations) == 2

    # Other settings (a seed) or other items are other inputs.
    code, _, err = run_main([*report, "--seed", "3"], capsys)
    assert code == 0, err
    assert len(computations) == 3
    write_items(path, items[:-1])
    code, _, err = run_main(report, capsys)
    assert code == 0, err
    assert len(computations) == 4
    assert len(list((tmp_home / "cache" / "triage").glob("*.pkl"))) == 1  # the newest only


def test_an_unreadable_kept_triage_is_recomputed(
        tmp_home: Path, cli_fake_embedder: FakeEmbedder, computations: list[int],
        capsys: pytest.CaptureFixture[str]) -> None:
    path = write_items(tmp_home / "items.jsonl", batch())
    args = ["triage", str(path), "--no-guidelines", "--no-progress"]
    code, first, err = run_main(args, capsys)
    assert code == 0, err
    for kept in (tmp_home / "cache" / "triage").glob("*.pkl"):
        kept.write_bytes(b"not a pickle")
    code, second, err = run_main(args, capsys)
    assert code == 0, err
    assert len(computations) == 2

    def ranked(out: str) -> list[str]:  # the notes say whether the store existed yet
        return [line for line in out.splitlines() if "judge:" not in line]

    assert ranked(first) == ranked(second)


def test_a_triage_kept_by_other_triage_code_is_recomputed(
        tmp_home: Path, cli_fake_embedder: FakeEmbedder, computations: list[int],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """An upgrade or a local edit of the scoring code is a new key without anyone bumping a
    format number by hand."""
    from llmqa.triage import cache

    path = write_items(tmp_home / "items.jsonl", batch())
    args = ["triage", str(path), "--no-guidelines", "--no-progress"]
    assert run_main(args, capsys)[0] == 0
    assert run_main(args, capsys)[0] == 0
    assert len(computations) == 1
    monkeypatch.setattr(cache, "_code_digest", lambda: "other triage code")
    assert run_main(args, capsys)[0] == 0
    assert len(computations) == 2
