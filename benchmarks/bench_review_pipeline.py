"""The pipelined review against the bare OpenAI client, and the local embedders' throughput.

Run: ``python benchmarks/bench_review_pipeline.py [--items 1000] [--latency 0.2]
[--concurrency 16] [--review-embedders local,local-onnx,local-static]
[--embedders local,local-onnx,local-static] [--models DIR]``.

1. Review phase, cold item vectors: ``ReviewRunner.run`` over ``--items`` new items in a fresh
   store (embedding with each of ``--review-embedders`` in turn, retrieval, prompts, calls,
   SQLite), against the
   local OpenAI-protocol stub (a child process) answering after ``--latency`` s, at
   ``--concurrency``. Next to it: the official ``openai.AsyncOpenAI`` client sending the same
   number of requests (the same prompts, already built) at the same concurrency, which is
   what a user would otherwise write. Target: llmqa >= 0.9 of the bare client's speed.
   For ``local`` (torch) it is also run with ``ReviewOptions.spare_core`` flipped from the
   default (torch on one core fewer while the event loop sends the calls).
2. The same with a warm vector cache: the verdicts are deleted, the item vectors kept.
3. Embedding throughput (items/s) of each local embedder on the same item texts, after the
   model is loaded (load or first-use build time printed separately), with the sentence-
   transformers batch size and torch thread count varied for ``local``.

The embedder's load is not counted in (1) and (2): it is loaded once, before, as in a
long-lived process; ``llmqa review`` overlaps it with writing the store.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_review import make_items, make_retriever, stub_process


async def bare_client(url: str, bodies: list[dict[str, Any]], concurrency: int) -> float:
    """Seconds for the official AsyncOpenAI client to send ``bodies`` at ``concurrency``."""
    import openai

    client = openai.AsyncOpenAI(base_url=url, api_key="bench", max_retries=0, timeout=30)
    limit = asyncio.Semaphore(concurrency)

    async def one(body: dict[str, Any]) -> None:
        async with limit:
            await client.chat.completions.create(**body)

    started = time.perf_counter()
    await asyncio.gather(*(one(b) for b in bodies))
    seconds = time.perf_counter() - started
    await client.close()
    return seconds


def request_bodies(prepared: list[Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    from llmqa.llm.adapter import openai_messages

    return [{"model": "gpt-4o-mini", "messages": openai_messages(p.rendered.messages),
             "response_format": {"type": "json_schema", "json_schema": {
                 "name": "JudgeVerdict", "schema": schema}}} for p in prepared]


def bench_review(items: list[Any], guidelines: Any, embedders: list[tuple[str, Any]],
                 latency: float, concurrency: int) -> None:
    from llmqa.judge import Judge, JudgeConfig
    from llmqa.llm.backends import BackendSpec, make_seam
    from llmqa.runner import ReviewOptions, ReviewRunner
    from llmqa.store import VerdictStore

    with stub_process(latency) as (url, _):
        seam = make_seam(BackendSpec(model="gpt-4o-mini", base_url=url, timeout=30))
        judge = Judge(seam, guidelines, JudgeConfig())
        retriever = embedders[0][1]
        hits = retriever.search_many([i.content.readable_text() for i in items], 5)
        bodies = request_bodies([judge.prepare(i, h) for i, h in zip(items, hits, strict=True)],
                                judge.schema.model_json_schema())
        bare_s = asyncio.run(bare_client(url, bodies, concurrency))
        runs = []
        default = ReviewOptions().spare_core
        variants = [(name, retriever, default) for name, retriever in embedders]
        variants += [(name, retriever, not default) for name, retriever in embedders
                     if name == "local"]
        for name, retriever, spare in variants:
            with tempfile.TemporaryDirectory() as tmp:
                home = Path(tmp)
                for label in ("cold item vectors", "warm item vectors"):
                    if label.startswith("warm") and spare != default:
                        continue  # a warm run embeds nothing: sparing a core changes nothing
                    # A seam per run: its HTTP client belongs to one asyncio.run's loop.
                    judge = Judge(make_seam(BackendSpec(model="gpt-4o-mini", base_url=url,
                                                        timeout=30)), guidelines, JudgeConfig())
                    first: list[float] = []  # when the first answer was stored

                    def tick(_: int, first: list[float] = first) -> None:
                        if not first:
                            first.append(time.perf_counter())

                    with VerdictStore(home) as store:
                        runner = ReviewRunner(judge, retriever, store, ReviewOptions(
                            concurrency=concurrency, spare_core=spare), on_progress=tick)
                        started = time.perf_counter()
                        summary = asyncio.run(runner.run(items))
                        flag = "" if spare == default else f" (spare_core {spare})"
                        runs.append((f"{name}{flag}, {label}",
                                     time.perf_counter() - started, summary,
                                     first[0] - started if first else float("nan")))
                    with sqlite3.connect(home / "llmqa.db") as db:
                        db.execute("DELETE FROM verdicts")  # keep the vectors: next is warm
    ideal = len(items) * latency / concurrency
    print(f"(1, 2) review phase: {len(items)} items, stub latency {latency * 1000:.0f} ms, "
          f"concurrency {concurrency}; ideal {ideal:.2f} s")
    print(f"    bare openai.AsyncOpenAI, same {len(bodies)} requests: {bare_s:.2f} s")
    for label, seconds, summary, first_s in runs:
        ratio = bare_s / seconds
        print(f"    llmqa review, {label}: {seconds:.2f} s = {ratio:.3f} of the bare "
              f"client's speed ({'meets' if ratio >= 0.9 else 'misses'} the 0.9 target); "
              f"first answer after {first_s:.2f} s; {summary.reviewed} calls, statuses "
              f"{dict(summary.statuses)}")


def bench_embedders(texts: list[str], specs: list[str], models: Path) -> None:
    import torch

    from llmqa.index.embedders import LocalEmbedder, make_embedder

    mean = sum(map(len, texts)) // max(1, len(texts))
    print(f"(3) embedding throughput, {len(texts)} item texts (mean {mean} characters), "
          f"{torch.get_num_threads()} torch threads by default")
    default_threads = torch.get_num_threads()
    for spec in specs:
        variants: list[tuple[str, Any, int | None]] = []
        if spec == "local":
            for batch in (32, 64, 128):
                variants.append((f"local (sentence-transformers, batch {batch})",
                                 LocalEmbedder(batch_size=batch), None))
            variants.append(("local (batch 64, 1 torch thread)", LocalEmbedder(), 1))
        else:
            variants.append((spec, make_embedder(spec, cache_dir=models), None))
        for label, embedder, threads in variants:
            torch.set_num_threads(threads or default_threads)
            started = time.perf_counter()
            embedder.warm()
            load_s = time.perf_counter() - started
            embedder.embed(texts[:16])
            started = time.perf_counter()
            embedder.embed(texts)
            seconds = time.perf_counter() - started
            print(f"    {label:<44} {len(texts) / seconds:8.0f} items/s "
                  f"(load or first-use build {load_s:.1f} s)")
    torch.set_num_threads(default_threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--review-embedders", default="local,local-onnx,local-static",
                        help="embedders the review phase (1, 2) is run with, each in turn")
    parser.add_argument("--embedders", default="local,local-onnx,local-static",
                        help="embedders whose throughput (3) is measured")
    parser.add_argument("--models", default=".llmqa/models",
                        help="where local-onnx and local-static keep their first-use builds")
    parser.add_argument("--skip-review", action="store_true")
    args = parser.parse_args()

    from llmqa.guidelines import load_guidelines
    from llmqa.index.embedders import make_embedder

    repo = Path(__file__).resolve().parent.parent
    guidelines = load_guidelines(repo / "guidelines")
    items = make_items(args.items)
    if not args.skip_review:
        retrievers = []
        for spec in [s for s in args.review_embedders.split(",") if s]:
            embedder = make_embedder(spec, cache_dir=Path(args.models))
            warm = getattr(embedder, "warm", None)  # loaded (or built) before the clock
            if callable(warm):  # starts, see the docstring
                warm()
            retrievers.append((spec, make_retriever(guidelines, embedder)))
        bench_review(items, guidelines, retrievers, args.latency, args.concurrency)
    specs = [s for s in args.embedders.split(",") if s]
    bench_embedders([i.content.readable_text() for i in items], specs, Path(args.models))


if __name__ == "__main__":
    main()
