"""kill -9 at random points of a review, then resume: is every promise kept?

For each trial (seeded): start ``llmqa review`` on N items against a local OpenAI-protocol stub,
SIGKILL it at a random point (sometimes before the first model call, i.e. while indexing),
re-run it to completion, and check:

- every item ends with exactly one stored row (a verdict or a terminal failure);
- paid calls <= items + calls in flight at the kill (at most the concurrency);
- no item stored before the kill is requested again by the re-run;
- SQLite ``PRAGMA integrity_check`` is ok;
- the killed run is marked ``interrupted`` once the re-run starts (none left ``running``).

``--malformed F`` answers a seeded fraction F of the items malformed the first time, so they
are re-asked: an answer stored before its re-ask (``re-ask pending``) may be asked again
once, with the re-ask only, and repeated calls stay within the calls in flight at the kill.

Embeddings come from the stub too (``--embedder openai:...``), so a trial costs seconds.

    python evals/kill_trials.py --trials 20 --items 2000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from llmqa.testing import Behaviour, OpenAIStub, distinct_copies
from llmqa.verdicts import REASK_PENDING

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_batch" / "items.jsonl"


def make_items(path: Path, count: int, seed: int) -> None:
    base = [json.loads(line) for line in SAMPLE.read_text().splitlines()]
    with open(path, "w") as handle:
        for row in distinct_copies(base, count, seed=seed, prefix="kt", tag="copy"):
            handle.write(json.dumps(row) + "\n")


def review_command(items: Path, home: Path, url: str, concurrency: int) -> list[str]:
    return [sys.executable, "-m", "llmqa", "review", str(items), "--model", "stub-model",
            "--base-url", url, "--embedder", "openai:stub-embed", "--home", str(home),
            "-c", str(concurrency), "--no-progress", "--json"]


def trial(number: int, items: Path, count: int, rng: random.Random, concurrency: int,
          env: dict[str, str], malformed: float = 0.0) -> dict[str, object]:
    home = Path(tempfile.mkdtemp(prefix=f"llmqa-kill-{number}-"))
    ids = [json.loads(line)["id"] for line in items.read_text().splitlines()]
    bad = [item for item in ids if rng.random() < malformed]
    with OpenAIStub(latency=0.01) as stub:
        for item in bad:  # the first answer is malformed; the re-ask gets a valid one
            stub.add(Behaviour(content="not json"), item=item)
        command = review_command(items, home, stub.url, concurrency)
        # One trial in five dies before any model call: during reading, embedding, indexing.
        target = 0 if rng.random() < 0.2 else rng.randint(1, count - 1)
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        started = time.monotonic()
        if target == 0:
            time.sleep(rng.uniform(0.5, 4.0))
        else:
            while stub.chat_requests < target and process.poll() is None:
                time.sleep(0.002)
                if time.monotonic() - started > 300:
                    break
        process.send_signal(signal.SIGKILL)
        process.wait()
        calls_at_kill = stub.chat_requests
        db = home / "llmqa.db"
        stored_before: set[str] = set()
        pending: set[str] = set()
        if db.exists():
            with sqlite3.connect(db) as conn:
                for item, notes in conn.execute("SELECT item_id, notes FROM verdicts"):
                    (pending if REASK_PENDING in json.loads(notes or "[]")
                     else stored_before).add(item)
        before = dict(stub.counts)
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        repeated = sum(1 for item in stored_before if stub.counts[item] > before.get(item, 0))
        # A pending answer gets its re-ask and nothing more.
        reasked = [stub.counts[item] - before.get(item, 0) for item in pending]
        with sqlite3.connect(db) as conn:
            per_item = dict(conn.execute("SELECT item_id, COUNT(*) FROM verdicts GROUP BY 1"))
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            running = conn.execute("SELECT COUNT(*) FROM runs WHERE status = 'running'"
                                   ).fetchone()[0]
        total_calls = stub.chat_requests
    needed = count + len(bad)  # one call per item, two for a malformed first answer
    result = {
        "trial": number, "killed_after_calls": calls_at_kill, "stored_at_kill": len(stored_before),
        "pending_at_kill": len(pending), "rerun_exit": finished.returncode,
        "items_with_rows": len(per_item),
        "max_rows_per_item": max(per_item.values(), default=0), "paid_calls": total_calls,
        "repeated_calls": total_calls - needed, "repeated_stored": repeated,
        "integrity": integrity, "left_running": running,
    }
    result["ok"] = bool(
        len(per_item) == count and result["max_rows_per_item"] == 1 and repeated == 0
        and all(n <= 1 for n in reasked) and integrity == "ok" and running == 0
        and 0 <= total_calls - needed <= concurrency and finished.returncode in (0, 1))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--malformed", type=float, default=0.0,
                        help="fraction of items whose first answer is malformed (re-asked)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    env = dict(os.environ, OPENAI_API_KEY="sk-test-kill-trials", HF_HUB_OFFLINE="1")
    with tempfile.TemporaryDirectory() as tmp:
        items = Path(tmp) / "items.jsonl"
        make_items(items, args.items, args.seed)
        results = [trial(n, items, args.items, rng, args.concurrency, env, args.malformed)
                   for n in range(1, args.trials + 1)]
    header = ("trial", "killed_after_calls", "stored_at_kill", "pending_at_kill", "paid_calls",
              "repeated_calls", "repeated_stored", "max_rows_per_item", "left_running",
              "integrity", "ok")
    print("  ".join(header))
    for r in results:
        print("  ".join(str(r[h]) for h in header))
    failed = [r for r in results if not r["ok"]]
    print(f"\n{len(results) - len(failed)}/{len(results)} trials kept every promise "
          f"({args.items} items, concurrency {args.concurrency}, malformed first answers "
          f"{args.malformed:.0%}); most repeated calls in a trial: "
          f"{max(int(str(r['repeated_calls'])) for r in results)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
