"""Policy CI and the cheap-then-strong cascade: what they cost against the plain alternative.

Run: ``python benchmarks/bench_policy.py [--items N] [--concurrency C]``.

1. Cascade on the sample batch (320 items) with two local OpenAI-protocol stubs: the cheap
   one flags the answer key's seeded errors and answers with a confidence spread by item
   (a stand-in for a real cheap model's doubt); the strong one agrees. Printed: calls and
   cost per model, against a strong-only review of the same items in a fresh store (the
   same stub, measured, not estimated). Costs use llmqa's built-in price table
   (gpt-4o-mini for the cheap stage, gpt-4o for the strong one).
2. Policy CI on a one-clause edit of an N-item reviewed batch (default 10,000, stub
   embeddings so the timing is the review's own, the stub answering after ``--latency``
   s): the wall time of the baseline review of the whole batch, then of ``PolicyCheck`` for
   the edit, with the number of items it re-judged, and the time left once the re-judged
   items are counted at the baseline's rate: the per-item work every item still costs. The
   target: policy CI's time follows the affected items, not the batch.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "examples/sample_batch"
EDITED = "HARASS-1.2"


def _items(n: int | None = None) -> list[Any]:
    from llmqa.items import Item
    from llmqa.testing import distinct_copies

    rows = [json.loads(line) for line in (SAMPLE / "items.jsonl").read_text().splitlines()]
    if n is None:
        return [Item.model_validate(r) for r in rows]
    return [Item.model_validate(r) for r in distinct_copies(rows, n, seed=0, prefix="pci")]


def _runner(url: str, model: str, store: Any, guidelines: Any, embedder: Any,
            concurrency: int) -> Any:
    from llmqa.index.retriever import Retriever
    from llmqa.judge import Judge, JudgeConfig
    from llmqa.llm.backends import BackendSpec, make_seam
    from llmqa.runner import ReviewOptions, ReviewRunner

    seam = make_seam(BackendSpec(model=model, base_url=url, timeout=30.0))
    judge = Judge(seam, guidelines, JudgeConfig())
    return ReviewRunner(judge, Retriever.from_guidelines(guidelines, embedder), store,
                        ReviewOptions(concurrency=concurrency))


def _live(runner: Any) -> Any:
    return lambda items, source: asyncio.run(runner.run(items, source))


def bench_cascade(concurrency: int) -> None:
    from llmqa.guidelines import load_guidelines
    from llmqa.index.embedders import make_embedder
    from llmqa.runner.cascade import Cascade, EscalationRule
    from llmqa.store import VerdictStore
    from llmqa.testing import Behaviour, OpenAIStub

    guidelines = load_guidelines(REPO / "guidelines")
    items = _items()
    key = {json.loads(line)["id"]: json.loads(line)
           for line in (SAMPLE / "answer_key.jsonl").read_text().splitlines()}
    with OpenAIStub() as cheap_stub, OpenAIStub() as strong_stub:
        cheap_stub.keep_bodies = strong_stub.keep_bodies = False
        for item in items:
            spread = int(hashlib.sha256(item.id.encode()).hexdigest(), 16) % 1000 / 1000
            fields: dict[str, Any] = {"confidence": round(0.55 + 0.45 * spread, 3)}
            truth = key.get(item.id, {})
            if truth.get("kind") == "error" and truth.get("true_label"):
                fields = {"verdict": "likely_error", "suggested_label": truth["true_label"],
                          "confidence": 0.8}
            cheap_stub.add(Behaviour(verdict=fields), item=item.id, times=None)
        embedder = make_embedder("openai:stub-embed", base_url=cheap_stub.url)
        with tempfile.TemporaryDirectory() as home, VerdictStore(home) as store:
            cheap = _runner(cheap_stub.url, "gpt-4o-mini", store, guidelines, embedder,
                            concurrency)
            strong = _runner(strong_stub.url, "gpt-4o", store, guidelines, embedder,
                             concurrency)
            started = time.perf_counter()
            summary = Cascade(cheap, strong, EscalationRule(), _live(cheap),
                              _live(strong)).run(items, "bench")
            cascade_s = time.perf_counter() - started
        strong_calls_before = strong_stub.chat_requests
        with tempfile.TemporaryDirectory() as home, VerdictStore(home) as store:
            alone = _runner(strong_stub.url, "gpt-4o", store, guidelines, embedder, concurrency)
            started = time.perf_counter()
            only = asyncio.run(alone.run(items, "bench"))
            alone_s = time.perf_counter() - started
    data = summary.to_dict()
    cheap_m, strong_m = data["models"]["gpt-4o-mini"], data["models"]["gpt-4o"]
    print(f"cascade on the sample batch ({len(items)} items), escalation when not agree, "
          f"confidence < 0.7 or no verdict:")
    print(f"  cheap  gpt-4o-mini: {cheap_m['calls']:>4} calls  ${cheap_m['cost_usd']:.4f}")
    print(f"  strong gpt-4o     : {strong_m['calls']:>4} calls  ${strong_m['cost_usd']:.4f}  "
          f"(escalated: {dict(summary.reasons)})")
    print(f"  cascade total     : {cheap_m['calls'] + strong_m['calls']:>4} calls  "
          f"${summary.cost_usd:.4f}  {cascade_s:.1f}s")
    print(f"  strong only       : {strong_stub.chat_requests - strong_calls_before:>4} calls  "
          f"${only.cost_usd:.4f}  {alone_s:.1f}s  (estimated before the run: "
          f"${data['strong_only_estimated_usd']:.4f})")
    print(f"  cascade / strong-only cost: {summary.cost_usd / only.cost_usd:.2f}")


def bench_policy_ci(n: int, concurrency: int, latency: float) -> None:
    from llmqa.guidelines import load_guidelines
    from llmqa.index.embedders import make_embedder
    from llmqa.judge import Judge, JudgeConfig
    from llmqa.llm.backends import BackendSpec, make_seam
    from llmqa.policy import PolicyCheck
    from llmqa.runner import ReviewOptions
    from llmqa.store import VerdictStore
    from llmqa.testing import OpenAIStub

    items = _items(n)
    with tempfile.TemporaryDirectory() as tmp, OpenAIStub(latency=latency) as stub:
        stub.keep_bodies = False
        old, new = Path(tmp) / "old", Path(tmp) / "new"
        shutil.copytree(REPO / "guidelines", old)
        shutil.copytree(REPO / "guidelines", new)
        path = new / "harassment.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("The test is whether", "Only explicit threats count; "
                                     "the test is whether", 1), encoding="utf-8")
        before, after = load_guidelines(old), load_guidelines(new)
        embedder = make_embedder("openai:stub-embed", base_url=stub.url)
        seam = make_seam(BackendSpec(model="gpt-4o-mini", base_url=stub.url, timeout=30.0))

        def check(store: Any) -> PolicyCheck:
            return PolicyCheck(lambda g: Judge(seam, g, JudgeConfig()), embedder, store,
                               ReviewOptions(concurrency=concurrency), n_boot=200)

        with VerdictStore(Path(tmp) / "home") as store:
            started = time.perf_counter()
            asyncio.run(check(store).run(before, before, items))
            baseline_s = time.perf_counter() - started
            baseline_calls = stub.chat_requests
            started = time.perf_counter()
            report = asyncio.run(check(store).run(before, after, items, max_kappa_drop=0.1))
            edit_s = time.perf_counter() - started
    calls = stub.chat_requests - baseline_calls
    print(f"policy CI, one-clause edit ({EDITED}) of a {n}-item reviewed batch "
          f"(stub latency {latency * 1000:.0f} ms, concurrency {concurrency}):")
    print(f"  baseline review of the whole batch: {baseline_calls:>6} calls  {baseline_s:7.1f}s")
    print(f"  policy-ci old -> new              : {calls:>6} calls  {edit_s:7.1f}s  "
          f"({len(report.affected)} affected items, {len(report.flips)} flips)")
    per_call = baseline_s / max(1, baseline_calls)
    fixed = edit_s - calls * per_call
    print(f"  affected share {len(report.affected) / n:.3f}, time share "
          f"{edit_s / baseline_s:.3f}")
    print(f"  at the baseline's {per_call * 1000:.1f} ms per item, the re-judged items account "
          f"for {calls * per_call:.1f}s; the rest, {fixed:.1f}s, is the work on every item "
          f"(vector-cache reads, retrieval and prompts for both versions, store reads, "
          f"bootstrap): {fixed / n * 1000:.2f} ms per item")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2,
                        help="the stub's answer delay in seconds for policy CI (a real "
                             "model takes longer)")
    parser.add_argument("--skip-cascade", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_cascade:
        bench_cascade(args.concurrency)
    bench_policy_ci(args.items, args.concurrency, args.latency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
