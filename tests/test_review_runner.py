"""The batch runner and the verdict store: what a re-run asks the model for again (nothing,
one changed item, the items a changed clause touches, everything after a prompt change,
failed rows), the cost budget, dry runs and the run lock."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from llmqa.errors import StoreError
from llmqa.guidelines import GuidelineSet, load_guidelines
from llmqa.items import Item
from llmqa.llm.fake import FakeChatModel
from llmqa.runner import ReviewOptions, ReviewRunner, ReviewSummary
from llmqa.store import RunLock, VerdictStore
from llmqa.verdicts import VerdictStatus
from review_helpers import (
    GUIDELINES,
    PROMPTS,
    HashEmbedder,
    agreeing,
    fake_model,
    make_judge,
    make_retriever,
    sample_guidelines,
    sample_items,
)

N = 40


@pytest.fixture(scope="module")
def guidelines() -> GuidelineSet:
    return sample_guidelines()


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return sample_items(N)


def _run(model: FakeChatModel, guidelines: GuidelineSet, items: list[Item], home: Path,
         *, name: str = "fake", options: ReviewOptions | None = None,
         **config: Any) -> ReviewSummary:
    judge = make_judge(model, guidelines, name=name, **config)
    with VerdictStore(home) as store:
        runner = ReviewRunner(judge, make_retriever(guidelines), store,
                              options or ReviewOptions(concurrency=4))
        return asyncio.run(runner.run(items, source="test"))


def _rows(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "llmqa.db") as db:
        return db.execute("SELECT key, item_id, status FROM verdicts ORDER BY item_id").fetchall()


def _reviewed_ids(model: FakeChatModel) -> set[str]:
    """Item ids the model was asked about (read back from the prompts it received)."""
    found = set()
    for call in model.calls:
        text = str(call["messages"][1].content)
        match = re.search(r"^Item (\S+?)(?: \(project: [^)]*\))?:$", text, re.MULTILINE)
        assert match is not None
        found.add(match.group(1))
    return found


def test_a_rerun_of_a_finished_batch_makes_no_calls(tmp_path: Path, guidelines: GuidelineSet,
                                                    items: list[Item]) -> None:
    first = fake_model()
    summary = _run(first, guidelines, items, tmp_path)
    assert len(first.calls) == N and summary.reviewed == N and summary.reused == 0
    assert summary.statuses == {"ok": N} and summary.status == "done"
    again = fake_model()
    summary = _run(again, guidelines, items, tmp_path)
    assert len(again.calls) == 0
    assert summary.reused == N and summary.reviewed == 0 and summary.to_review == 0
    with VerdictStore(tmp_path) as store:
        runs = store.runs()
    assert [r["reused"] for r in runs] == [N, 0]
    assert len(_rows(tmp_path)) == N


def test_a_changed_item_is_the_only_one_reviewed_again(tmp_path: Path, guidelines: GuidelineSet,
                                                       items: list[Item]) -> None:
    _run(fake_model(), guidelines, items, tmp_path)
    changed = list(items)
    target = changed[7]
    field = next(f for f in ("text", "transcript", "title", "caption")
                 if getattr(target.content, f))
    new_content = target.content.model_copy(
        update={field: getattr(target.content, field) + " (edited)"})
    changed[7] = target.model_copy(update={"content": new_content})
    model = fake_model()
    summary = _run(model, guidelines, changed, tmp_path)
    assert _reviewed_ids(model) == {target.id}
    assert summary.reviewed == 1 and summary.reused == N - 1
    # The old verdict is history; `latest` returns the new one.
    with VerdictStore(tmp_path) as store:
        latest = {r["item_id"]: r for r in store.verdicts()}
        history = [r for r in store.verdicts(latest=False) if r["item_id"] == target.id]
    assert len(history) == 2
    assert latest[target.id]["item_hash"] == changed[7].content_hash()


def test_a_relabelled_item_is_the_only_one_asked_again(tmp_path: Path,
                                                       guidelines: GuidelineSet,
                                                       items: list[Item]) -> None:
    _run(fake_model(), guidelines, items, tmp_path)
    target = items[3]
    flipped = "hate" if target.annotations[0].label != "hate" else "allowed"
    annotations = [target.annotations[0].model_copy(update={"label": flipped}),
                   *target.annotations[1:]]
    relabelled = [*items[:3], target.model_copy(update={"annotations": annotations}),
                  *items[4:]]
    model = fake_model()
    summary = _run(model, guidelines, relabelled, tmp_path)
    # The judge's verdict is about the labels it was shown: the old one no longer holds.
    assert len(model.calls) == 1 and _reviewed_ids(model) == {target.id}
    assert summary.reviewed == 1 and summary.reused == N - 1
    again = fake_model()
    _run(again, guidelines, relabelled, tmp_path)
    assert len(again.calls) == 0


def test_a_relabel_is_one_new_call_at_the_stub(tmp_path: Path, guidelines: GuidelineSet,
                                               items: list[Item]) -> None:
    from llmqa.testing import OpenAIStub
    from review_helpers import stub_seam

    def run(batch: list[Item]) -> int:
        with OpenAIStub() as stub, VerdictStore(tmp_path) as store:
            judge = make_judge(stub_seam(stub.url), guidelines)
            runner = ReviewRunner(judge, make_retriever(guidelines), store,
                                  ReviewOptions(concurrency=4))
            asyncio.run(runner.run(batch))
            return stub.chat_requests

    batch = items[:10]
    assert run(batch) == 10
    target = batch[5]
    relabelled = [*batch[:5], target.model_copy(update={"annotations": target.annotations[1:]}),
                  *batch[6:]]
    assert run(relabelled) == 1


def _edit_clause(folder: Path, clause_id: str) -> Path:
    """A copy of the sample guidelines with one sentence added to ``clause_id``."""
    target = folder / "guidelines"
    shutil.copytree(GUIDELINES, target)
    for path in target.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        heading = f"### {clause_id} "
        if heading in text:
            start = text.index(heading)
            body = text.index("\n\n", text.index("Label:", start)) + 2
            end = text.index("\n", body)
            text = text[:end] + " Coded spellings of such comparisons count too." + text[end:]
            path.write_text(text, encoding="utf-8")
            return target
    raise AssertionError(f"{clause_id} not found")


def test_a_changed_clause_re_reviews_only_items_that_retrieved_it(
        tmp_path: Path, guidelines: GuidelineSet) -> None:
    items = sample_items(120)
    first = fake_model()
    judge = make_judge(first, guidelines)
    with VerdictStore(tmp_path / "home") as store:
        runner = ReviewRunner(judge, make_retriever(guidelines), store)
        old = {p.item.id: [c.id for c in p.clauses] for p in runner.prepare(items)}
        asyncio.run(runner.run(items))
    edited = load_guidelines(_edit_clause(tmp_path, "HATE-1.1"))
    assert guidelines.diff(edited).changed == ("HATE-1.1",)
    model = fake_model()
    judge = make_judge(model, edited)
    with VerdictStore(tmp_path / "home") as store:
        runner = ReviewRunner(judge, make_retriever(edited), store)
        new = {p.item.id: [c.id for c in p.clauses] for p in runner.prepare(items)}
        summary = asyncio.run(runner.run(items))
    again = _reviewed_ids(model)
    touched = {i for i in old if "HATE-1.1" in old[i] or "HATE-1.1" in new[i]}
    assert again, "some sample items retrieve HATE-1.1"
    # Exactly the items whose clause context changed: they retrieved HATE-1.1 (before or
    # after the edit), and any item showing the edited clause must be judged again.
    assert again <= touched
    assert {i for i in new if "HATE-1.1" in new[i]} <= again
    assert len(again) < len(items) // 2
    assert summary.reused == len(items) - len(again)


def test_a_changed_prompt_template_re_reviews_everything(
        tmp_path: Path, guidelines: GuidelineSet, items: list[Item],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _run(fake_model(), guidelines, items, tmp_path / "home")
    prompts = tmp_path / "prompts"
    shutil.copytree(PROMPTS, prompts)
    with open(prompts / "judge_item.j2", "a", encoding="utf-8") as handle:
        handle.write("\nBe brief.\n")
    monkeypatch.setenv("LLMQA_PROMPTS", str(prompts))
    model = fake_model()
    summary = _run(model, guidelines, items, tmp_path / "home")
    assert len(model.calls) == N and summary.reused == 0
    # The edited template is the one rendered, not a cached copy of the old one.
    assert all("Be brief." in str(call["messages"][1].content) for call in model.calls)
    monkeypatch.delenv("LLMQA_PROMPTS")
    model = fake_model()
    _run(model, guidelines, items, tmp_path / "home")
    assert len(model.calls) == 0  # back to the original templates: their verdicts are stored


def test_failed_rows_are_retried_and_replaced(tmp_path: Path, guidelines: GuidelineSet,
                                              items: list[Item]) -> None:
    broken = {items[3].id, items[11].id}

    def flaky(messages: list) -> object:
        text = str(messages[1].content)
        if any(f"Item {i}" in text for i in broken):
            return ConnectionError("connection reset by peer")
        return agreeing(messages)

    first = FakeChatModel(responder=flaky)
    summary = _run(first, guidelines, items, tmp_path)
    assert summary.statuses == {"ok": N - 2, "failed": 2}
    # Transient failures were retried up to the cap: 4 attempts for each broken item.
    assert len(first.calls) == N - 2 + 2 * 4
    with VerdictStore(tmp_path) as store:
        failed = [r for r in store.verdicts() if r["status"] == "failed"]
    assert {r["item_id"] for r in failed} == broken
    assert all(r["attempts"] == 4 and "connection_error" in r["error"] for r in failed)

    second = fake_model()
    summary = _run(second, guidelines, items, tmp_path)
    assert _reviewed_ids(second) == broken
    assert summary.reviewed == 2 and summary.reused == N - 2
    rows = _rows(tmp_path)
    assert len(rows) == N  # one row per key: the failed rows were replaced, not added to
    assert {status for _, _, status in rows} == {"ok"}


def test_final_failure_statuses_are_not_retried(tmp_path: Path, guidelines: GuidelineSet,
                                                items: list[Item]) -> None:
    model = fake_model("not json", "still not json")
    _run(model, guidelines, items[:1], tmp_path)
    assert _rows(tmp_path)[0][2] == VerdictStatus.PARSE_ERROR.value
    again = fake_model()
    _run(again, guidelines, items[:1], tmp_path)
    assert len(again.calls) == 0


def test_duplicate_items_in_one_batch_are_reviewed_once(tmp_path: Path,
                                                        guidelines: GuidelineSet,
                                                        items: list[Item]) -> None:
    model = fake_model()
    summary = _run(model, guidelines, [*items[:5], *items[:5]], tmp_path)
    assert len(model.calls) == 5 and summary.reviewed == 5


def test_max_cost_stops_cleanly_and_a_rerun_resumes(tmp_path: Path, guidelines: GuidelineSet,
                                                    items: list[Item]) -> None:
    probe = _run(fake_model(), guidelines, items, tmp_path / "probe", name="gpt-4o-mini",
                 options=ReviewOptions(dry_run=True))
    assert probe.estimated_cost_usd is not None
    per_call = probe.estimated_cost_usd / N
    budget = per_call * 10.5
    first = fake_model()
    summary = _run(first, guidelines, items, tmp_path / "home", name="gpt-4o-mini",
                   options=ReviewOptions(concurrency=4, max_cost=budget))
    assert summary.budget_reached and summary.status == "budget_reached"
    assert 0 < summary.reviewed < N
    assert summary.cost_usd is not None and summary.cost_usd <= budget
    assert len(first.calls) == summary.reviewed
    done = {item_id for _, item_id, _ in _rows(tmp_path / "home")}
    second = fake_model()
    summary = _run(second, guidelines, items, tmp_path / "home", name="gpt-4o-mini")
    assert summary.status == "done" and summary.reused == len(done)
    assert _reviewed_ids(second) == {i.id for i in items} - done
    assert len(_rows(tmp_path / "home")) == N
    with VerdictStore(tmp_path / "home") as store:
        assert [r["status"] for r in store.runs()] == ["done", "budget_reached"]


def test_a_dry_run_calls_nothing_and_estimates(tmp_path: Path, guidelines: GuidelineSet,
                                               items: list[Item]) -> None:
    model = fake_model()
    summary = _run(model, guidelines, items, tmp_path, name="gpt-4o-mini",
                   options=ReviewOptions(dry_run=True))
    assert len(model.calls) == 0
    assert summary.status == "dry_run" and summary.to_review == N
    assert summary.estimated_input_tokens > N * 500
    assert summary.estimated_output_tokens == N * 220
    assert summary.estimated_cost_usd is not None and summary.estimated_cost_usd > 0
    assert _rows(tmp_path) == []
    # With samples=3 the estimate triples.
    triple = _run(fake_model(), guidelines, items, tmp_path, name="gpt-4o-mini",
                  options=ReviewOptions(dry_run=True), samples=3)
    assert triple.estimated_input_tokens == 3 * summary.estimated_input_tokens


def test_unknown_price_reports_unknown_cost(tmp_path: Path, guidelines: GuidelineSet,
                                            items: list[Item]) -> None:
    summary = _run(fake_model(), guidelines, items[:3], tmp_path, name="some-local-model")
    assert summary.cost_usd is None
    assert summary.statuses == {"ok": 3}


def test_progress_is_reported_per_item(tmp_path: Path, guidelines: GuidelineSet,
                                       items: list[Item]) -> None:
    ticks: list[int] = []
    judge = make_judge(fake_model(), guidelines)
    with VerdictStore(tmp_path) as store:
        runner = ReviewRunner(judge, make_retriever(guidelines, HashEmbedder()), store,
                              on_progress=ticks.append)
        asyncio.run(runner.run(items[:6]))
    assert sum(ticks) == 6


def test_the_run_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    with RunLock(tmp_path):
        with pytest.raises(StoreError, match="another llmqa review is running") as caught:
            RunLock(tmp_path).acquire()
        assert str(os.getpid()) in str(caught.value)
    with RunLock(tmp_path):  # released on exit: the next run gets it
        pass


def test_store_integrity_and_one_row_per_key(tmp_path: Path, guidelines: GuidelineSet,
                                             items: list[Item]) -> None:
    _run(fake_model(), guidelines, items, tmp_path)
    with VerdictStore(tmp_path) as store:
        assert store.integrity_check() == "ok"
        per_key = store.db.execute("SELECT COUNT(*) FROM verdicts GROUP BY item_id")
        assert all(count == 1 for (count,) in per_key)
        row = next(store.verdicts())
    assert row["retrieved_clause_ids"] and row["seen"] and row["prompt_hash"]


def test_a_rerun_embeds_nothing_and_a_changed_item_embeds_only_itself(
        tmp_path: Path, guidelines: GuidelineSet, items: list[Item]) -> None:
    embedder = HashEmbedder()
    retriever = make_retriever(guidelines, embedder)

    def run(batch: list[Item]) -> int:
        embedder.reset()
        with VerdictStore(tmp_path) as store:
            runner = ReviewRunner(make_judge(fake_model(), guidelines), retriever, store)
            asyncio.run(runner.run(batch))
        return len(embedder.texts)

    assert run(items) == N
    assert run(items) == 0  # the stored vectors answer: no embedding to find the stored keys
    edited = items[0].content.model_copy(update={"title": "A brand new title"})
    assert run([items[0].model_copy(update={"content": edited}), *items[1:]]) == 1
    with sqlite3.connect(tmp_path / "llmqa.db") as db:
        (count, size) = db.execute("SELECT COUNT(*), MAX(LENGTH(vector)) FROM embeddings "
                                   "WHERE embedder = ?", (embedder.name,)).fetchone()
    assert count == N + 1 and size == embedder.dimension * 4


def test_cached_vectors_give_the_same_clauses_as_fresh_ones(
        tmp_path: Path, guidelines: GuidelineSet, items: list[Item]) -> None:
    retriever = make_retriever(guidelines)
    with VerdictStore(tmp_path) as store:
        runner = ReviewRunner(make_judge(fake_model(), guidelines), retriever, store)
        fresh = [p.key for p in runner.prepare(items)]
        cached = [p.key for p in runner.prepare(items)]
    direct = retriever.search_many([i.content.readable_text() for i in items], 5)
    assert fresh == cached
    judge = make_judge(fake_model(), guidelines)
    assert [judge.prepare(i, h).key for i, h in zip(items, direct, strict=True)] == fresh


def test_progress_hooks_get_the_planned_total_and_one_tick_per_answer(
        tmp_path: Path, guidelines: GuidelineSet, items: list[Item]) -> None:
    planned: list[int] = []
    ticks: list[int] = []
    with VerdictStore(tmp_path) as store:
        runs = []
        for _ in range(2):
            planned = []
            runner = ReviewRunner(make_judge(fake_model(), guidelines),
                                  make_retriever(guidelines), store,
                                  on_progress=ticks.append, on_plan=planned.append)
            asyncio.run(runner.run(items))
            runs.append(planned)
    # The total grows chunk by chunk as the pipeline plans (32 first, then the rest).
    assert runs[0] == sorted(runs[0]) and runs[0][-1] == len(items) and runs[0][0] < len(items)
    assert set(runs[1]) == {0}  # the re-run has nothing left to ask
    assert sum(ticks) == len(items)


def test_the_summary_says_why_answers_held_no_verdict() -> None:
    """Reasons that differ only in quoted values are one reason, shown by its first message;
    the JSON lists every reason with its count."""
    from llmqa.runner.review import ReviewSummary
    from llmqa.runner.terminal import review_text
    from llmqa.verdicts import Verdict, VerdictStatus

    def answer(status: VerdictStatus, error: str | None) -> Verdict:
        return Verdict(key="k", item_id="i", item_hash="h", guideline_version="g",
                       context_hash="c", prompt_hash="p", model="m", status=status,
                       error=error, verdict=None, input_tokens=1, output_tokens=1, cost_usd=0.0)

    summary = ReviewSummary(items=6)
    for label in ("spam", "hate", "spam"):
        summary.record(answer(VerdictStatus.INCONSISTENT,
                              f"verdict 'agree' but suggested label '{label}' differs"))
    summary.record(answer(VerdictStatus.FAILED, "connection_error: Connection error. "
                                                "(http://127.0.0.1:9/v1/chat/completions)"))
    summary.record(answer(VerdictStatus.OK, None))
    text = review_text(summary, 0)
    assert "\n  3 × e.g. verdict 'agree' but suggested label 'spam' differs\n" in text
    assert "\n  1 × connection_error: Connection error. (http://127.0.0.1:9/v1/chat/" in text
    assert summary.to_dict()["errors"] == [
        {"reason": "verdict 'agree' but suggested label 'spam' differs", "count": 3},
        {"reason": "connection_error: Connection error. "
                   "(http://127.0.0.1:9/v1/chat/completions)", "count": 1}]
