"""The batch review: retrieve, skip what is stored, call the judge concurrently, store.

Work is pulled by a fixed pool of ``concurrency`` workers, so memory and open requests stay
bounded however large the batch. Every answer is committed as it arrives: a run killed at any
point loses only the calls in flight, and the next run skips every stored key. ``max_cost``
is enforced before each call, counting the estimated cost of calls still in flight, so the
run stops cleanly at the budget and a later run resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmqa.aio import gather_or_cancel
from llmqa.errors import BackendError
from llmqa.index.retriever import Retriever
from llmqa.items import Item
from llmqa.judge.judge import AbortRun, Judge, Prepared
from llmqa.store.verdicts import RETRY_STATUSES, VerdictStore
from llmqa.verdicts import Verdict

ESTIMATED_OUTPUT_TOKENS = 220
RETRIEVAL_CHUNK = 256


@dataclass(frozen=True)
class ReviewOptions:
    concurrency: int = 8
    max_cost: float | None = None
    dry_run: bool = False
    progress: bool = True
    batch_pricing: bool = False  # estimates at the Batch API's price (--batch-api)


@dataclass
class ReviewSummary:
    items: int = 0
    reused: int = 0
    to_review: int = 0
    reviewed: int = 0
    statuses: Counter = field(default_factory=Counter)
    verdicts: Counter = field(default_factory=Counter)
    # Statuses of the items answered from the store (a stored parse_error is final until the
    # item, clauses, prompt or model change; the exit code must still count it).
    reused_statuses: Counter = field(default_factory=Counter)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    estimated_input_tokens: int = 0
    estimated_output_tokens: int = 0
    estimated_cost_usd: float | None = None
    budget_reached: bool = False
    run_id: int | None = None
    seconds: float = 0.0
    status: str = "done"

    # Known costs so far; ``cost_usd`` becomes None once any answer has no price.
    spent_usd: float = 0.0

    def record(self, verdict: Verdict) -> None:
        """Count one stored answer (live or from a batch)."""
        self.reviewed += 1
        self.statuses[verdict.status.value] += 1
        if verdict.verdict:
            self.verdicts[verdict.verdict.value] += 1
        self.input_tokens += verdict.input_tokens
        self.output_tokens += verdict.output_tokens
        if verdict.cost_usd is None:
            self.cost_usd = None
        else:
            self.spent_usd += verdict.cost_usd
            if self.cost_usd is not None:
                self.cost_usd = round(self.spent_usd, 6)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["statuses"] = dict(self.statuses)
        data["verdicts"] = dict(self.verdicts)
        data["reused_statuses"] = dict(self.reused_statuses)
        return data


class ReviewRunner:
    def __init__(self, judge: Judge, retriever: Retriever, store: VerdictStore,
                 options: ReviewOptions | None = None,
                 on_progress: Callable[[int], None] | None = None,
                 on_plan: Callable[[int], None] | None = None) -> None:
        """``on_plan(n)`` is called once the number of items needing a model call is known;
        ``on_progress(1)`` after each stored answer (a progress bar needs both)."""
        self.judge = judge
        self.retriever = retriever
        self.store = store
        self.options = options or ReviewOptions()
        self.on_progress = on_progress
        self.on_plan = on_plan

    def prepare(self, items: list[Item]) -> list[Prepared]:
        """Retrieve clauses for every item (batched embeddings) and build prompts and keys."""
        prepared: list[Prepared] = []
        k = self.judge.config.top_k
        for start in range(0, len(items), RETRIEVAL_CHUNK):
            chunk = items[start:start + RETRIEVAL_CHUNK]
            vectors = self._embed([i.content.readable_text() for i in chunk])
            hits = self.retriever.search_vectors(vectors, k)
            prepared.extend(self.judge.prepare(item, h) for item, h in zip(chunk, hits,
                                                                            strict=True))
        return prepared

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Item vectors, from the store where it has them: the key of a stored verdict depends
        on the clauses retrieved, so without the cache a re-run (or a resume after a crash)
        would embed every item again before finding that nothing needs a call."""
        embedder = self.retriever.embedder
        hashes = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
        cached = self.store.cached_vectors(embedder.name, hashes)
        missing = list(dict.fromkeys(h for h in hashes if h not in cached))
        if missing:
            text_of = dict(zip(hashes, texts, strict=True))
            fresh = np.asarray(embedder.embed([text_of[h] for h in missing]), dtype="<f4")
            new = {h: fresh[row].tobytes() for row, h in enumerate(missing)}
            self.store.save_vectors(embedder.name, new)
            cached.update(new)
        if not hashes:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([np.frombuffer(cached[h], dtype="<f4") for h in hashes])

    def plan(self, prepared: list[Prepared]) -> tuple[list[Prepared], int]:
        """The items that need a model call, and how many are answered from the store."""
        stored = self.store.existing([p.key for p in prepared])
        todo, seen = [], set()
        for p in prepared:
            if p.key in seen:
                continue  # the same item twice in one batch is reviewed once
            seen.add(p.key)
            if p.key not in stored or stored[p.key] in RETRY_STATUSES:
                todo.append(p)
        return todo, len(seen) - len(todo)

    def stored_statuses(self, prepared: list[Prepared], todo: list[Prepared]) -> Counter:
        """How the items answered from the store stand: ``{"ok": n, "parse_error": m, ...}``."""
        asked = {p.key for p in todo}
        keys = list(dict.fromkeys(p.key for p in prepared if p.key not in asked))
        return Counter(self.store.existing(keys).values())

    def estimate(self, todo: list[Prepared],
                 batch: bool | None = None) -> tuple[int, int, float | None]:
        """Estimated tokens in, out and cost for ``todo``; ``batch`` prices it at the Batch
        API's discount (default: ``options.batch_pricing``)."""
        samples = max(1, self.judge.config.samples)
        tokens_in = sum(p.estimated_input_tokens for p in todo) * samples
        tokens_out = ESTIMATED_OUTPUT_TOKENS * len(todo) * samples
        return tokens_in, tokens_out, self.judge.prices.cost(
            self.judge.seam.name, tokens_in, tokens_out,
            batch=self.options.batch_pricing if batch is None else batch)

    async def run(self, items: list[Item], source: str = "") -> ReviewSummary:
        started = time.perf_counter()
        summary = ReviewSummary(items=len(items))
        prepared = self.prepare(items)
        todo, summary.reused = self.plan(prepared)
        summary.reused_statuses = self.stored_statuses(prepared, todo)
        summary.to_review = len(todo)
        if self.on_plan and not self.options.dry_run:
            self.on_plan(len(todo))
        (summary.estimated_input_tokens, summary.estimated_output_tokens,
         summary.estimated_cost_usd) = self.estimate(todo)
        if self.options.dry_run:
            summary.status = "dry_run"
            summary.seconds = time.perf_counter() - started
            return summary
        self.store.save_items(items)
        summary.run_id = self.store.start_run(
            self.judge.seam.name, self.judge.guidelines.version, self.judge.prompt_hash, source,
            {"concurrency": self.options.concurrency, "max_cost": self.options.max_cost,
             "judge": self.judge.config.fingerprint()})
        try:
            await self._work(todo, summary)
        except AbortRun as exc:
            summary.status = "aborted"
            self._finish(summary, started)
            raise BackendError(f"stopped: {exc}. Nothing more was sent; fix the model settings "
                               "and re-run to resume.") from exc
        except (KeyboardInterrupt, asyncio.CancelledError):
            summary.status = "interrupted"
            self._finish(summary, started)
            raise
        summary.status = "budget_reached" if summary.budget_reached else "done"
        self._finish(summary, started)
        return summary

    def _finish(self, summary: ReviewSummary, started: float) -> None:
        summary.seconds = time.perf_counter() - started
        if summary.run_id is not None:
            self.store.finish_run(
                summary.run_id, summary.status, items=summary.items, reviewed=summary.reviewed,
                reused=summary.reused, failed=sum(n for s, n in summary.statuses.items()
                                                  if s != "ok"),
                input_tokens=summary.input_tokens, output_tokens=summary.output_tokens,
                cost_usd=summary.cost_usd)

    async def _work(self, todo: list[Prepared], summary: ReviewSummary) -> None:
        queue: asyncio.Queue[Prepared] = asyncio.Queue()
        for p in todo:
            queue.put_nowait(p)
        per_call = (summary.estimated_cost_usd or 0.0) / max(1, len(todo))
        in_flight = [0]
        stop = asyncio.Event()

        async def worker() -> None:
            while not stop.is_set():
                try:
                    prepared = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                if self.options.max_cost is not None and (
                        summary.spent_usd + (in_flight[0] + 1) * per_call > self.options.max_cost):
                    summary.budget_reached = True
                    stop.set()
                    return
                in_flight[0] += 1
                try:
                    verdict = await self.judge.review(prepared)
                finally:
                    in_flight[0] -= 1
                self.store.save_verdict(verdict, summary.run_id)
                summary.record(verdict)
                if self.on_progress:
                    self.on_progress(1)

        try:
            await gather_or_cancel(*(worker() for _ in range(
                max(1, min(self.options.concurrency, len(todo))))))
        finally:
            stop.set()
