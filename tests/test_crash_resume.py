"""A review killed mid-run (``kill -9``, Ctrl-C) resumes without paying twice: every stored
answer is kept, each item ends with exactly one verdict row, and the store stays intact."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from llmqa.testing import OpenAIStub
from review_helpers import (
    llmqa_command,
    review_args,
    run_llmqa,
    subprocess_env,
    vary_items,
    write_items,
)

ITEMS = 200
CONCURRENCY = 8


def _interruptible() -> None:
    # As in a terminal: a suite started in the background by a non-interactive shell
    # (``cmd &``) inherits SIGINT ignored, and so would every llmqa started from it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(llmqa_command(*args), cwd=cwd, env=subprocess_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_interruptible)


def _wait_for_requests(stub: OpenAIStub, process: subprocess.Popen[str], n: int) -> None:
    deadline = time.monotonic() + 90
    while stub.chat_requests < n:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the review never got going"
        time.sleep(0.005)


def _stored(home: Path) -> dict[str, str]:
    with sqlite3.connect(home / "llmqa.db") as db:
        return dict(db.execute("SELECT item_id, status FROM verdicts").fetchall())


def test_kill_9_mid_run_then_resume(tmp_path: Path) -> None:
    items = write_items(tmp_path / "items.jsonl", vary_items(ITEMS, seed=3))
    home = tmp_path / "home"
    with OpenAIStub(latency=0.05) as stub:
        stub.keep_bodies = False
        args = review_args(items, home, stub.url, "-c", str(CONCURRENCY))
        process = _start(args, tmp_path)
        _wait_for_requests(stub, process, 60)
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL
        killed_at = stub.chat_requests
        stored = _stored(home)
        assert 0 < len(stored) < ITEMS, "killed too late to test a resume"
        assert set(stored.values()) == {"ok"}

        second = run_llmqa(args, tmp_path, timeout=180)
        total = stub.chat_requests
        counts = dict(stub.counts)
    assert second.returncode == 0, second.stderr
    assert f"{ITEMS - len(stored)} reviewed now, {len(stored)} reused" in second.stdout
    # No stored answer was paid for twice; only calls in flight at the kill were repeated.
    assert all(counts[item_id] == 1 for item_id in stored)
    assert total <= ITEMS + CONCURRENCY
    assert killed_at - len(stored) <= CONCURRENCY
    with sqlite3.connect(home / "llmqa.db") as db:
        rows = db.execute("SELECT item_id, COUNT(*) FROM verdicts GROUP BY item_id").fetchall()
        assert len(rows) == ITEMS and all(count == 1 for _, count in rows)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM verdicts WHERE status != 'ok'").fetchone() == (0,)
        runs = db.execute("SELECT status FROM runs ORDER BY id").fetchall()
    # The killed run never finished its row; the next run marked it interrupted.
    assert runs == [("interrupted",), ("done",)]


def test_ctrl_c_stops_cleanly_and_resumes(tmp_path: Path) -> None:
    items = write_items(tmp_path / "items.jsonl", vary_items(60, seed=4))
    home = tmp_path / "home"
    with OpenAIStub(latency=0.1) as stub:
        args = review_args(items, home, stub.url, "-c", "4")
        process = _start(args, tmp_path)
        _wait_for_requests(stub, process, 8)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 130, (out, err)
        assert "interrupted" in err and "Traceback" not in err
        stored = _stored(home)
        second = run_llmqa(args, tmp_path, timeout=120)
        counts = dict(stub.counts)
    assert second.returncode == 0, second.stderr
    assert all(counts[item_id] == 1 for item_id in stored)
    with sqlite3.connect(home / "llmqa.db") as db:
        runs = db.execute("SELECT status FROM runs ORDER BY id").fetchall()
        assert db.execute("SELECT COUNT(DISTINCT item_id), COUNT(*) FROM verdicts").fetchone() \
            == (60, 60)
    assert runs == [("interrupted",), ("done",)]
