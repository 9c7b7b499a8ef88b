"""The re-ask window: an unusable answer is stored before it is re-asked, so a kill during the
re-ask repeats one call (the re-ask), not two; and a killed run shows as ``interrupted``."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from llmqa.testing import Behaviour, OpenAIStub
from llmqa.verdicts import REASK_PENDING, Verdict, VerdictStatus
from review_helpers import (
    fake_model,
    hits_for,
    llmqa_command,
    make_item,
    make_judge,
    review_args,
    run_llmqa,
    sample_items,
    subprocess_env,
    verdict_with,
    write_items,
)


def test_the_unusable_answer_is_handed_over_before_the_reask() -> None:
    model = fake_model("not json at all", responder=verdict_with())
    judge = make_judge(model)
    item = make_item("w-1", "they are vermin", labels=("hate", "hate", "allowed"))
    interim: list[tuple[Verdict, int]] = []
    verdict = asyncio.run(judge.review(judge.prepare(item, hits_for("HATE-1.1")),
                                       on_interim=lambda v: interim.append((v, len(model.calls)))))
    assert verdict.status is VerdictStatus.OK and REASK_PENDING not in verdict.notes
    ((stored, calls_made),) = interim
    assert calls_made == 1  # handed over before the re-ask was sent
    assert stored.key == verdict.key and stored.status is VerdictStatus.PARSE_ERROR
    assert stored.raw_answer == "not json at all" and REASK_PENDING in stored.notes
    assert verdict.attempts == 2 and verdict.input_tokens > stored.input_tokens


def _rows(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM verdicts")]


def test_a_kill_during_the_reask_repeats_only_the_reask(tmp_path: Path) -> None:
    (item,) = sample_items(1)
    items = write_items(tmp_path / "items.jsonl", [item])
    home = tmp_path / "home"
    with OpenAIStub() as stub:
        stub.add(Behaviour(content="not json"), item=item.id)
        stub.add(Behaviour(hang=True), item=item.id)  # the re-ask never comes back
        args = review_args(items, home, stub.url, "--json")
        first = subprocess.Popen(llmqa_command(*args), cwd=tmp_path, env=subprocess_env(),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while stub.requests_for(item.id) < 2 and time.monotonic() < deadline:
            assert first.poll() is None
            time.sleep(0.05)
        assert stub.requests_for(item.id) == 2
        first.send_signal(signal.SIGKILL)
        first.wait()
        (stored,) = _rows(home / "llmqa.db")
        assert stored["status"] == "parse_error" and stored["raw_answer"] == "not json"
        assert REASK_PENDING in json.loads(stored["notes"])
        rerun = run_llmqa(args, tmp_path)
        runs = run_llmqa(["runs", "--home", str(home), "--json"], tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    # The re-run sent the re-ask only: three requests in all, not four.
    assert stub.requests_for(item.id) == 3
    reask = stub.bodies[-1]["messages"]
    assert [m["role"] for m in reask[-2:]] == ["assistant", "user"]
    assert reask[-2]["content"] == "not json"
    (final,) = _rows(home / "llmqa.db")
    assert final["status"] == "ok" and REASK_PENDING not in json.loads(final["notes"])
    assert final["attempts"] == 2 and final["input_tokens"] > stored["input_tokens"]
    statuses = [run["status"] for run in json.loads(runs.stdout)]
    assert statuses == ["done", "interrupted"], runs.stdout
