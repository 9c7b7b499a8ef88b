"""The review app on a large store: does the queue page answer in under 200 ms?

Run: ``python benchmarks/bench_serve.py [--items 50000] [--decided 5000] [--repeats 20]``.

Builds a store with N items (copies of the sample batch), a judge verdict for every item, a
gold decision for ``--decided`` of them, and a triage queue file for all of them; starts
``llmqa serve``'s app under uvicorn on 127.0.0.1 and times real HTTP requests (httpx, one
client, median and worst of ``--repeats``): the queue page unfiltered, filtered by clause,
undecided only, an item page, and a decision (POST + redirect).

Side by side, what one would otherwise do per page view without the app's in-memory queue:
re-read the queue file and the store's current decisions and filter them (the work a
script over ``llmqa triage -o queue.jsonl`` does on every refresh). Target: queue page
< 200 ms at 50,000 items.
"""

from __future__ import annotations

import argparse
import functools
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))


def build(root: Path, n: int, decided: int) -> dict[str, Path]:
    from bench_review import make_items

    from llmqa.store.decisions import DecisionStore, for_item
    from llmqa.store.verdicts import VerdictStore

    items = make_items(n)
    items_file = root / "items.jsonl"
    items_file.write_text("".join(i.model_dump_json(exclude_none=True) + "\n" for i in items))
    clauses = ["HATE-1.1", "HATE-1.2", "SPAM-1.1", "SEX-1.1", "VIO-1.1", "GEN-1.1"]
    queue = root / "queue.jsonl"
    with queue.open("w") as handle:
        for rank, item in enumerate(items, 1):
            label = item.labels()[0] if item.annotations else None
            handle.write(json.dumps({
                "rank": rank, "item_id": item.id, "kind": "error", "score": 1 - rank / (n + 1),
                "label": label, "clause_ids": [clauses[rank % len(clauses)]],
                "reason": f"likely error ({1 - rank / (n + 1):.2f}): synthetic"}) + "\n")
    home = root / "home"
    with VerdictStore(home) as store:
        store.save_items(items)
        with store._write() as db:  # one transaction: save_verdict commits each row
            db.executemany(
                "INSERT INTO verdicts (key, item_id, item_hash, guideline_version, "
                "context_hash, prompt_hash, model, status, verdict, suggested_label, "
                "cited_clause_ids, rationale, confidence, human_label, retrieved_clause_ids, "
                "seen, notes, created_at) VALUES (?, ?, ?, 'v', 'c', 'p', 'bench', 'ok', ?, "
                "?, ?, 'synthetic', 0.8, ?, '[]', '[]', '[]', '2026-01-01')",
                [(f"k{i}", item.id, item.content_hash(),
                  "likely_error" if i % 3 == 0 else "agree", "allowed" if i % 3 == 0 else None,
                  json.dumps([clauses[i % len(clauses)]]),
                  item.labels()[0] if item.annotations else None)
                 for i, item in enumerate(items)])
        DecisionStore(store).record([for_item(item, "confirm", analyst="bench")
                                     for item in items[:decided] if item.annotations])
    return {"items": items_file, "queue": queue, "home": home}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(call: Callable[[], Any], repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def naive_page(paths: dict[str, Path], clause: str | None) -> int:
    """Without the app: re-read the queue and the decisions, filter, take a page."""
    from llmqa.serve.load import read_queue_file
    from llmqa.store.decisions import DecisionStore
    from llmqa.store.verdicts import VerdictStore

    rows = read_queue_file(paths["queue"])
    with VerdictStore(paths["home"], readonly=True) as store:
        decided = DecisionStore(store).latest()
    kept = [r for r in rows if (clause is None or clause in r["clause_ids"])]
    undecided = sum(1 for r in kept if r["item_id"] not in decided)
    return len(kept[:100]) + undecided


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--decided", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--dir", type=Path, help="Keep the built store here and reuse it on "
                        "the next run (default: a temporary folder).")
    args = parser.parse_args()

    import httpx
    import uvicorn

    from llmqa.serve import create_app, load
    from llmqa.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        root = args.dir or Path(tmp)
        start = time.perf_counter()
        if args.dir is not None and (root / "queue.jsonl").exists():
            paths = {"items": root / "items.jsonl", "queue": root / "queue.jsonl",
                     "home": root / "home"}
            print(f"reusing the store in {root}")
        else:
            root.mkdir(parents=True, exist_ok=True)
            paths = build(root, args.items, args.decided)
            print(f"built {args.items} items, verdicts, {args.decided} decisions, queue file "
                  f"in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        ws = Workspace.from_settings(home=str(paths["home"]), guidelines=str(REPO / "guidelines"))
        data = load(str(paths["items"]), ws, queue_path=paths["queue"])
        print(f"app start (load items, queue, verdicts, decisions, gate): "
              f"{time.perf_counter() - start:.1f} s")
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(data, paths["home"]),
                                               host="127.0.0.1", port=port, log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        first = data.queue.rows[args.decided + 1].item_id
        with httpx.Client(base_url=base) as client:
            client.get("/")  # templates compiled once
            page = client.get(f"/item/{first}").text
            csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            cases = {
                "queue page, all items": lambda: client.get("/"),
                "queue page, clause=HATE-1.1": lambda: client.get("/?clause=HATE-1.1"),
                "queue page, undecided only": lambda: client.get("/?undecided=1"),
                "queue page, 3 filters, page 50": lambda: client.get(
                    "/?clause=SPAM-1.1&verdict=likely_error&undecided=1&offset=5000"),
                "item page": lambda: client.get(f"/item/{first}"),
            }
            print(f"\n{args.items} items, median / worst of {args.repeats} requests (ms):")
            for name, call in cases.items():
                median, worst = timed(call, args.repeats)
                print(f"  {name:<34} {median:7.1f} / {worst:7.1f}")
            ids = iter(row.item_id for row in data.queue.rows[args.decided + 2:])
            median, worst = timed(lambda: client.post(
                f"/item/{next(ids)}/decide", data={"csrf": csrf, "analyst": "bench",
                                                   "choice": "confirm"}), args.repeats)
            print(f"  {'decision (POST + redirect)':<34} {median:7.1f} / {worst:7.1f}")
        print("\nwithout the app's in-memory queue (re-read queue file + decisions, filter):")
        for clause in (None, "HATE-1.1"):
            median, worst = timed(functools.partial(naive_page, paths, clause),
                                  max(args.repeats // 4, 3))
            print(f"  {'per page view, clause=' + str(clause):<34} {median:7.1f} / {worst:7.1f}")
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
