"""Review through the OpenAI Batch API against the stub: answers map back by ``custom_id``
whatever their order, a run killed after submitting reuses its stored batch, and only the
requests a batch lost (or failed) are submitted again."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmqa.guidelines import GuidelineSet
from llmqa.items import Item
from llmqa.llm.backends import BackendSpec
from llmqa.llm.openai_batch import BatchClient
from llmqa.runner import ReviewRunner, ReviewSummary
from llmqa.runner.batch_api import BatchApiReview
from llmqa.store import VerdictStore
from llmqa.testing import Behaviour, OpenAIStub
from review_helpers import (
    clean_env,
    fake_model,
    make_judge,
    make_retriever,
    review_args,
    run_main,
    sample_guidelines,
    sample_items,
    stub_seam,
    write_items,
)

N = 12


@pytest.fixture(scope="module")
def guidelines() -> GuidelineSet:
    return sample_guidelines()


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIStub]:
    clean_env(monkeypatch)
    with OpenAIStub(batch_delay=0.2) as server:
        yield server


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return sample_items(N)


def _batch_run(stub: OpenAIStub, guidelines: GuidelineSet, items: list[Item], home: Path
               ) -> tuple[ReviewSummary, dict[str, dict]]:
    spec = BackendSpec(model="gpt-4o-mini", base_url=stub.url)
    judge = make_judge(stub_seam(stub.url), guidelines)
    with VerdictStore(home) as store:
        runner = ReviewRunner(judge, make_retriever(guidelines), store)
        summary = BatchApiReview(runner, spec, poll_interval=0.02).run(items, "test")
        rows = {r["item_id"]: r for r in store.verdicts()}
    return summary, rows


def _uploaded_batches(stub: OpenAIStub) -> list[list[str]]:
    """custom_ids of every request file submitted as a batch, in submission order."""
    files = [b["input_file_id"] for b in sorted(stub.batches.values(),
                                                 key=lambda b: b["created_at"])]
    return [[json.loads(line)["custom_id"] for line in stub.files[f].decode().splitlines()
             if line.strip()] for f in files]


def test_answers_come_back_out_of_order_and_map_by_custom_id(
        stub: OpenAIStub, guidelines: GuidelineSet, items: list[Item], tmp_path: Path) -> None:
    # Each item gets a different confidence, so a mix-up between items would show.
    for number, item in enumerate(items):
        stub.add(Behaviour(verdict={"confidence": round(0.05 + number / 20, 2)}), item=item.id)
    summary, rows = _batch_run(stub, guidelines, items, tmp_path)
    assert summary.reviewed == N and summary.statuses == {"ok": N}
    output = next(b for b in stub.batches.values())["output_file_id"]
    order = [json.loads(line)["custom_id"] for line in stub.files[output].decode().splitlines()]
    submitted = _uploaded_batches(stub)[0]
    assert order != submitted and sorted(order) == sorted(submitted)  # shuffled
    for number, item in enumerate(items):
        assert rows[item.id]["confidence"] == round(0.05 + number / 20, 2)
        assert rows[item.id]["item_hash"] == item.content_hash()
    assert stub.chat_requests == 0 and stub.paths["/v1/batches"] == 1


def test_batch_answers_are_priced_at_the_discount(stub: OpenAIStub, guidelines: GuidelineSet,
                                                  items: list[Item], tmp_path: Path) -> None:
    _, rows = _batch_run(stub, guidelines, items[:2], tmp_path)
    from llmqa.llm.pricing import PriceTable

    for row in rows.values():
        full = PriceTable().cost("gpt-4o-mini", row["input_tokens"], row["output_tokens"])
        assert row["cost_usd"] == pytest.approx(full / 2)  # type: ignore[operator]


def test_a_run_killed_after_submitting_reuses_its_batch(
        stub: OpenAIStub, guidelines: GuidelineSet, items: list[Item], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def killed(self: BatchApiReview, *args: object) -> None:
        raise KeyboardInterrupt("killed while polling")

    with monkeypatch.context() as patch:
        patch.setattr(BatchApiReview, "_collect", killed)
        with pytest.raises(KeyboardInterrupt):
            _batch_run(stub, guidelines, items, tmp_path)
    assert stub.paths["/v1/batches"] == 1
    with VerdictStore(tmp_path) as store:
        (batch,) = store.open_batches()
        assert not list(store.verdicts())
    summary, rows = _batch_run(stub, guidelines, items, tmp_path)
    assert stub.paths["/v1/batches"] == 1  # no second submission
    assert len(rows) == N and summary.reviewed == N
    assert all(count == 1 for count in stub.counts.values())
    with VerdictStore(tmp_path) as store:
        assert store.open_batches() == []
    with sqlite3.connect(tmp_path / "llmqa.db") as db:
        assert db.execute("SELECT status FROM batches WHERE id = ?",
                          (batch["id"],)).fetchone() == ("collected",)


def test_a_submit_then_stop_is_collected_by_the_next_run(
        stub: OpenAIStub, guidelines: GuidelineSet, items: list[Item], tmp_path: Path) -> None:
    """The crash window between 'batch created' and 'first poll', by hand."""
    judge = make_judge(stub_seam(stub.url), guidelines)
    client = BatchClient("gpt-4o-mini", stub.url)
    with VerdictStore(tmp_path) as store:
        runner = ReviewRunner(judge, make_retriever(guidelines), store)
        todo, _ = runner.plan(runner.prepare(items))
        schema = judge.schema.model_json_schema()
        batch_id, file_id = client.submit(
            [client.request_line(p.key, p.rendered.messages, schema) for p in todo])
        store.save_batch(batch_id, None, [p.key for p in todo], file_id)
    summary, rows = _batch_run(stub, guidelines, items, tmp_path)
    assert stub.paths["/v1/batches"] == 1 and len(rows) == N
    assert summary.reused == 0


def test_only_lost_or_failed_requests_are_submitted_again(
        stub: OpenAIStub, guidelines: GuidelineSet, items: list[Item], tmp_path: Path) -> None:
    lost = [items[2].id, items[7].id]
    failed = items[5].id
    for item_id in lost:
        stub.add(Behaviour(missing=True), item=item_id)
    stub.add(Behaviour(status=500), item=failed)
    summary, rows = _batch_run(stub, guidelines, items, tmp_path)
    assert set(rows) == {i.id for i in items} - set(lost)
    assert rows[failed]["status"] == "failed" and "HTTP 500" in rows[failed]["error"]
    assert summary.reviewed == N - 2

    summary, rows = _batch_run(stub, guidelines, items, tmp_path)
    batches = _uploaded_batches(stub)
    assert len(batches) == 2
    assert len(batches[1]) == 3  # the two lost answers and the failed one, nothing else
    assert all(rows[i.id]["status"] == "ok" for i in items)
    assert summary.reused == N - 3 and summary.reviewed == 3
    for item in items:
        expected = 2 if item.id in (*lost, failed) else 1
        assert stub.requests_for(item.id) == expected
    with sqlite3.connect(tmp_path / "llmqa.db") as db:
        counts = db.execute("SELECT item_id, COUNT(*) FROM verdicts GROUP BY item_id").fetchall()
    assert all(count == 1 for _, count in counts) and len(counts) == N


def test_the_cli_batch_api_path(stub: OpenAIStub, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMQA_BATCH_POLL", "0.02")
    path = write_items(tmp_path / "items.jsonl", sample_items(6))
    args = review_args(path, tmp_path / "home", stub.url, "--batch-api", "--json")
    code, out, err = run_main(args, capsys)
    summary = json.loads(out)
    assert code == 0, err
    assert summary["reviewed"] == 6 and summary["statuses"] == {"ok": 6}
    assert stub.chat_requests == 0 and stub.paths["/v1/batches"] == 1
    # The poll interval came from LLMQA_BATCH_POLL: a 0.2 s batch needed several polls.
    polls = sum(n for p, n in stub.paths.items() if p.startswith("/v1/batches/"))
    assert polls >= 3
    code, out, _ = run_main(args, capsys)
    assert json.loads(out)["reused"] == 6 and stub.paths["/v1/batches"] == 1


def test_max_cost_limits_what_is_submitted_and_a_rerun_resumes(
        stub: OpenAIStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMQA_BATCH_POLL", "0.02")
    path = write_items(tmp_path / "items.jsonl", sample_items(10))
    home = tmp_path / "home"
    code, out, _ = run_main(review_args(path, home, stub.url, "--dry-run", "--json"), capsys)
    per_request = json.loads(out)["estimated_cost_usd"] / 10 / 2  # the batch price
    args = review_args(path, home, stub.url, "--batch-api", "--json")
    code, out, _ = run_main([*args, "--max-cost", f"{per_request * 4.5:.8f}"], capsys)
    summary = json.loads(out)
    assert code == 3 and summary["budget_reached"] and summary["reviewed"] == 4
    assert len(_uploaded_batches(stub)[0]) == 4
    code, out, _ = run_main(args, capsys)
    summary = json.loads(out)
    assert code == 0 and summary["reused"] == 4 and summary["reviewed"] == 6
    assert [len(b) for b in _uploaded_batches(stub)] == [4, 6]


def test_dry_run_with_batch_api_estimates_at_the_batch_price(
        stub: OpenAIStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_items(tmp_path / "items.jsonl", sample_items(6))
    home = tmp_path / "home"
    _, out, _ = run_main(review_args(path, home, stub.url, "--dry-run", "--json"), capsys)
    full = json.loads(out)["estimated_cost_usd"]
    _, out, _ = run_main(review_args(path, home, stub.url, "--dry-run", "--batch-api",
                                     "--json"), capsys)
    summary = json.loads(out)
    assert full > 0 and summary["estimated_cost_usd"] == pytest.approx(full / 2)
    assert not stub.paths.get("/v1/batches") and not stub.paths.get("/v1/chat/completions")


def test_an_unreachable_batch_endpoint_is_a_clear_backend_error(
        guidelines: GuidelineSet, items: list[Item], tmp_path: Path) -> None:
    import socket

    from llmqa.errors import BackendError

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    client = BatchClient("gpt-4o-mini", url)
    client.client = client.client.with_options(max_retries=0)
    spec = BackendSpec(model="gpt-4o-mini", base_url=url)
    judge = make_judge(fake_model(), guidelines, name="gpt-4o-mini")
    with VerdictStore(tmp_path) as store:
        runner = ReviewRunner(judge, make_retriever(guidelines), store)
        with pytest.raises(BackendError, match="Batch API request failed: APIConnectionError"):
            BatchApiReview(runner, spec, poll_interval=0.01, client=client).run(items[:2])
        assert store.open_batches() == []
