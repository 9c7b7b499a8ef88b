"""The batch review's own costs: concurrency, CPU overhead per item, and free re-runs.

Run: ``python benchmarks/bench_review.py [--items N] [--latency S] [--concurrency C]``.

1. Throughput against the local OpenAI-protocol stub (run in a child process, so it does not
   share a GIL with the client) answering after ``--latency`` seconds, at ``--concurrency``:
   the model-call phase (``ReviewRunner._work``) as a fraction of the ideal
   ``items × latency / concurrency``; target ≥ 0.9. The whole run (retrieval with the real
   local embedder included) is reported too.
2. CPU overhead per item with a zero-latency ``FakeChatModel``: embedding (real
   all-MiniLM-L6-v2), in-memory retrieval, prompt rendering, and judge + SQLite store;
   target ≤ 5 ms per item.
3. A re-run of the finished batch: wall time and model calls (target 0).

The items are the sample batch, sampled with replacement and varied so every one is new.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def make_items(n: int, seed: int = 0) -> list[Any]:
    from llmqa.items import Item
    from llmqa.testing import distinct_copies

    rows = [json.loads(line) for line in
            (REPO / "examples/sample_batch/items.jsonl").read_text().splitlines()]
    return [Item.model_validate(row)
            for row in distinct_copies(rows, n, seed=seed, prefix="bench", tag="take")]


def make_retriever(guidelines: Any, embedder: Any) -> Any:
    from llmqa.index.retriever import Retriever

    return Retriever.from_guidelines(guidelines, embedder)

def _serve_stub(latency: float, queue: Any, stop: Any) -> None:
    from llmqa.testing import OpenAIStub

    with OpenAIStub(latency=latency) as stub:
        stub.keep_bodies = False
        queue.put(stub.url)
        stop.wait()
        queue.put(stub.chat_requests)


@contextmanager
def stub_process(latency: float) -> Iterator[tuple[str, list[int]]]:
    """The local stub in a child process, so its HTTP work does not share this process's
    GIL with the client being timed. Yields its URL and a list that receives the number of
    chat requests it served once it has stopped."""
    context = multiprocessing.get_context("spawn")
    queue, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve_stub, args=(latency, queue, stop), daemon=True)
    server.start()
    served: list[int] = []
    try:
        yield queue.get(timeout=60), served
    finally:
        stop.set()
        served.append(queue.get(timeout=30))
        server.join(timeout=30)


def agreeing(messages: list[Any]) -> dict[str, Any]:
    from llmqa.testing.openai_stub import default_verdict

    parts = []
    for message in messages:
        content = message.content
        parts.append(content if isinstance(content, str) else
                     "\n".join(p.get("text", "") for p in content if isinstance(p, dict)))
    return default_verdict("\n".join(parts))


class TimedRunner:
    """Wraps a ``ReviewRunner`` to time its retrieval and model-call phases separately."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self.prepare_s = 0.0
        self.work_s = 0.0
        prepare, work = runner.prepare, runner._work

        def timed_prepare(items: list[Any]) -> list[Any]:
            started = time.perf_counter()
            try:
                return prepare(items)
            finally:
                self.prepare_s += time.perf_counter() - started

        async def timed_work(todo: list[Any], summary: Any) -> None:
            started = time.perf_counter()
            try:
                await work(todo, summary)
            finally:
                self.work_s += time.perf_counter() - started

        runner.prepare = timed_prepare
        runner._work = timed_work


async def _bare_client(url: str, prepared: list[Any], schema: dict[str, Any], latency: float,
                       concurrency: int) -> tuple[float, float]:
    """The environment's ceiling: plain httpx posts of the judge's requests, no LangChain,
    no OpenAI SDK, no llmqa. Returns (efficiency, mean latency)."""
    import httpx

    from llmqa.llm.adapter import openai_messages

    bodies = []
    for p in prepared:
        bodies.append({"model": "gpt-4o-mini",
                       "messages": openai_messages(p.rendered.messages),
                       "response_format": {"type": "json_schema", "json_schema": {
                           "name": "JudgeVerdict", "schema": schema}}})
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post("/chat/completions", json=body)
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return len(bodies) * latency / concurrency / wall, sum(latencies) / len(latencies)


def bench_throughput(items: list[Any], guidelines: Any, retriever: Any, latency: float,
                     concurrency: int, home: Path) -> None:
    from llmqa.judge import Judge, JudgeConfig
    from llmqa.llm.backends import BackendSpec, make_seam
    from llmqa.runner import ReviewOptions, ReviewRunner
    from llmqa.store import VerdictStore

    with stub_process(latency) as (url, served):
        seam = make_seam(BackendSpec(model="gpt-4o-mini", base_url=url, timeout=30))
        judge = Judge(seam, guidelines, JudgeConfig())
        sample = items[:400]
        hits = retriever.search_many([i.content.readable_text() for i in sample], 5)
        baseline = asyncio.run(_bare_client(
            url, [judge.prepare(i, h) for i, h in zip(sample, hits, strict=True)],
            judge.schema.model_json_schema(), latency, concurrency))
        with VerdictStore(home) as store:
            runner = ReviewRunner(judge, retriever, store, ReviewOptions(concurrency=concurrency))
            timed = TimedRunner(runner)
            started = time.perf_counter()
            summary = asyncio.run(runner.run(items))
            wall = time.perf_counter() - started
            latencies = sorted(r["latency_s"] for r in store.verdicts())
    requests = served[0]
    ideal = len(items) * latency / concurrency
    print(f"(1) throughput: {len(items)} items, stub latency {latency * 1000:.0f} ms, "
          f"concurrency {concurrency}; {requests - len(sample)} requests by llmqa (+{len(sample)} "
          f"baseline), statuses {dict(summary.statuses)}")
    print(f"    model-call phase {timed.work_s:.2f} s vs ideal {ideal:.2f} s: efficiency "
          f"{ideal / timed.work_s:.3f} (target >= 0.9)")
    print(f"    baseline on this machine: a bare httpx client sending the same requests "
          f"to the same stub reaches efficiency {baseline[0]:.3f} (mean latency "
          f"{baseline[1] * 1000:.0f} ms); llmqa relative to it: "
          f"{ideal / timed.work_s / baseline[0]:.3f}")
    print(f"    call latency seen by the client: mean {sum(latencies) / len(latencies) * 1000:.0f}"
          f" ms, p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms (stub sleeps "
          f"{latency * 1000:.0f} ms)")
    print(f"    whole run {wall:.2f} s (retrieval + prompts {timed.prepare_s:.2f} s, "
          f"model calls {timed.work_s:.2f} s, store setup and the rest "
          f"{wall - timed.prepare_s - timed.work_s:.2f} s)")


def bench_overhead(items: list[Any], guidelines: Any, embedder: Any, retriever: Any,
                   concurrency: int, home: Path) -> None:
    from llmqa.judge import Judge, JudgeConfig
    from llmqa.llm.fake import FakeChatModel
    from llmqa.llm.seam import ChatSeam
    from llmqa.runner import ReviewOptions, ReviewRunner, ReviewSummary
    from llmqa.runner.review import RETRIEVAL_CHUNK
    from llmqa.store import VerdictStore

    n = len(items)
    texts = [i.content.readable_text() for i in items]
    model = FakeChatModel(responder=agreeing)
    judge = Judge(ChatSeam(model, name="fake"), guidelines, JudgeConfig())
    with VerdictStore(home) as store:
        runner = ReviewRunner(judge, retriever, store, ReviewOptions(concurrency=concurrency))
        # The runner's own phases, one at a time; embedding includes writing the vectors to
        # the store's cache. ``_work`` then runs the pipeline as a review does (from the
        # cached vectors: retrieval and rendering again, then the judge and the store).
        started = time.perf_counter()
        cache = runner.vectors
        vectors = [cache.embed(texts[s:s + RETRIEVAL_CHUNK]) for s in range(0, n, RETRIEVAL_CHUNK)]
        embed_s = time.perf_counter() - started

        k = JudgeConfig().top_k
        started = time.perf_counter()
        hits = [h for block in vectors for h in retriever.search_vectors(block, k)]
        retrieve_s = time.perf_counter() - started

        started = time.perf_counter()
        for item, h in zip(items, hits, strict=True):
            judge.prepare(item, h)
        prompt_s = time.perf_counter() - started

        summary = ReviewSummary(items=n)
        store.save_items(items)
        summary.run_id = store.start_run("fake", guidelines.version, judge.prompt_hash, "", {})
        started = time.perf_counter()
        asyncio.run(runner._work(items, summary))
        work_s = time.perf_counter() - started
    judge_s = max(work_s - retrieve_s - prompt_s, 0.0)
    total = embed_s + work_s
    per = 1000 / n
    print(f"(2) CPU overhead per item, zero-latency fake model, {n} items, "
          f"concurrency {concurrency}: {total * per:.2f} ms (target <= 5 ms)")
    print(f"    embedding {embed_s * per:.2f} ms | retrieval {retrieve_s * per:.3f} ms | "
          f"prompt {prompt_s * per:.2f} ms | judge + store about {judge_s * per:.2f} ms "
          f"(the pipeline from cached vectors, {work_s * per:.2f} ms, less the two before; "
          f"{len(model.calls)} calls, statuses {dict(summary.statuses)})")
    print(f"    without embedding (vectors cached, or a hosted embedder): "
          f"{work_s * per:.2f} ms")


def bench_rerun(items: list[Any], guidelines: Any, retriever: Any, home: Path) -> None:
    from llmqa.judge import Judge, JudgeConfig
    from llmqa.llm.fake import FakeChatModel
    from llmqa.llm.seam import ChatSeam
    from llmqa.runner import ReviewRunner
    from llmqa.store import VerdictStore

    # The same store as (2), the same key inputs: everything is already judged, and the item
    # vectors are cached, so nothing is embedded either.
    model = FakeChatModel(responder=agreeing)
    judge = Judge(ChatSeam(model, name="fake"), guidelines, JudgeConfig())
    with VerdictStore(home) as store:
        runner = ReviewRunner(judge, retriever, store)
        started = time.perf_counter()
        summary = asyncio.run(runner.run(items))
        wall = time.perf_counter() - started
    print(f"(3) re-run of the finished batch: {wall:.2f} s wall, {len(model.calls)} model calls "
          f"(target 0), {summary.reused} reused, {summary.reviewed} reviewed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    from llmqa.guidelines import load_guidelines
    from llmqa.index.embedders import LocalEmbedder

    guidelines = load_guidelines(REPO / "guidelines")
    items = make_items(args.items)
    started = time.perf_counter()
    embedder = LocalEmbedder()
    retriever = make_retriever(guidelines, embedder)
    print(f"setup: {len(items)} items; local embedder loaded and {len(retriever)} clause "
          f"documents embedded in {time.perf_counter() - started:.1f} s (not counted below)")
    with tempfile.TemporaryDirectory() as tmp:
        bench_throughput(items, guidelines, retriever, args.latency, args.concurrency,
                         Path(tmp) / "live")
        bench_overhead(items, guidelines, embedder, retriever, args.concurrency,
                       Path(tmp) / "fake")
        bench_rerun(items, guidelines, retriever, Path(tmp) / "fake")


if __name__ == "__main__":
    main()
