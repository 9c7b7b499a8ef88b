"""The batch review: retrieve, skip what is stored, call the judge concurrently, store.

The work is a pipeline, so a batch takes about the longer of embedding and calling, not
their sum: a producer embeds items in chunks in a worker thread (answered from the store's
vector cache where it can), retrieves clauses, builds prompts and keys, drops the keys already
stored, and feeds a bounded queue; ``concurrency`` workers on the event loop take prompts from
it and call the model while later chunks are being embedded. The first chunk is small so the
first calls go out at once; the embedder loads in a thread while the store is read.

Every answer is committed as it arrives: a run killed at any point loses only the calls in
flight, and the next run skips every stored key. ``max_cost`` is enforced before each call,
counting the estimated cost of calls still in flight, so the run stops cleanly at the budget
and a later run resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmqa.aio import gather_or_cancel
from llmqa.index.retriever import Retriever
from llmqa.index.threads import spare_a_core
from llmqa.items import Item
from llmqa.judge.judge import AbortRun, Judge, Prepared, Resume
from llmqa.store.vector_cache import VectorCache
from llmqa.store.verdicts import RETRY_STATUSES, VerdictStore
from llmqa.verdicts import Verdict

_QUOTED = re.compile(r"'[^']*'")

ESTIMATED_OUTPUT_TOKENS = 220
RETRIEVAL_CHUNK = 256
# The pipeline's first chunk: small, so calls start while the rest is embedded; later chunks
# grow fourfold up to RETRIEVAL_CHUNK (16, 64, 256, ...), so the workers never wait long.
FIRST_CHUNK = 16


def estimated_output_tokens(model: str) -> int:
    """Tokens in one verdict: the embedded model's grammar keeps its answers shorter."""
    from llmqa.llm import local_rate
    from llmqa.llm.spec import LOCAL_MODEL_NAME

    return local_rate.ANSWER_TOKENS if model == LOCAL_MODEL_NAME else ESTIMATED_OUTPUT_TOKENS


@dataclass(frozen=True)
class ReviewOptions:
    concurrency: int = 8
    max_cost: float | None = None
    dry_run: bool = False
    batch_pricing: bool = False  # estimates at the Batch API's price (--batch-api)
    # Run a local embedder's torch on one core fewer than the machine has while calls are in
    # flight (see spare_a_core). Off: measured on a quiet 2-core machine it makes a cold
    # 1,000-item review slower (31.5 / 29.0 s against 25.8 / 24.3 s off, bench_review_pipeline):
    # torch loses more than the event loop gains.
    spare_core: bool = False


@dataclass
class ReviewSummary:
    items: int = 0
    reused: int = 0
    to_review: int = 0
    reviewed: int = 0
    statuses: Counter = field(default_factory=Counter)
    verdicts: Counter = field(default_factory=Counter)
    # Why answers held no verdict: the message with its quoted values blanked → count, and the
    # first message of each such kind, so five "suggested label 'x'" answers are one reason.
    errors: Counter = field(default_factory=Counter)
    error_examples: dict[str, str] = field(default_factory=dict)
    # Statuses of the items answered from the store (a stored parse_error is final until the
    # item, clauses, prompt or model change; the exit code must still count it).
    reused_statuses: Counter = field(default_factory=Counter)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    estimated_input_tokens: int = 0
    estimated_output_tokens: int = 0
    estimated_cost_usd: float | None = None
    # The dry run's time estimate, for the embedded model only (a served model's speed is
    # not known here; its cost is).
    estimated_seconds: float | None = None
    budget_reached: bool = False
    run_id: int | None = None
    seconds: float = 0.0
    status: str = "done"
    decided: int = 0  # items left out because an analyst already decided them

    # Known costs so far; ``cost_usd`` becomes None once any answer has no price.
    spent_usd: float = 0.0

    def record(self, verdict: Verdict) -> None:
        """Count one stored answer (live or from a batch)."""
        self.reviewed += 1
        self.statuses[verdict.status.value] += 1
        if verdict.error:
            kind = _QUOTED.sub("'…'", verdict.error)
            self.errors[kind] += 1
            self.error_examples.setdefault(kind, verdict.error)
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

    @property
    def without_verdict(self) -> int:
        """Items whose answer, asked now or stored earlier, holds no usable verdict."""
        return sum(n for s, n in self.statuses.items() if s != "ok") + sum(
            n for s, n in self.reused_statuses.items() if s != "ok")

    @property
    def complete(self) -> bool:
        """Every item has a usable verdict (a dry run, which asks nothing, counts as one)."""
        return self.status == "dry_run" or not self.without_verdict

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["statuses"] = dict(self.statuses)
        data["verdicts"] = dict(self.verdicts)
        data["reused_statuses"] = dict(self.reused_statuses)
        data["errors"] = [{"reason": self.error_examples[kind], "count": n}
                          for kind, n in self.errors.most_common()]
        del data["error_examples"]
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
        self.resume: dict[str, Resume] = {}  # filled by ``plan``
        # Every item ``plan`` has seen: its store key and estimated prompt tokens, so a caller
        # (policy CI, the cascade) reads them after ``run`` instead of preparing again.
        self.keys: dict[str, str] = {}
        self.prompt_tokens: dict[str, int] = {}

    @property
    def vectors(self) -> VectorCache:
        return VectorCache(self.retriever.embedder, self.store)

    def prepare(self, items: list[Item]) -> list[Prepared]:
        """Retrieve clauses for every item (batched embeddings) and build prompts and keys."""
        prepared: list[Prepared] = []
        cache = self.vectors
        for start in range(0, len(items), RETRIEVAL_CHUNK):
            chunk = items[start:start + RETRIEVAL_CHUNK]
            prepared.extend(self._prepare_chunk(
                chunk, cache.embed([i.content.readable_text() for i in chunk])))
        return prepared

    def _prepare_chunk(self, chunk: list[Item], vectors: np.ndarray) -> list[Prepared]:
        hits = self.retriever.search_vectors(vectors, self.judge.config.top_k)
        return [self.judge.prepare(item, h) for item, h in zip(chunk, hits, strict=True)]

    async def _prepared_chunks(self, items: list[Item]) -> AsyncIterator[list[Prepared]]:
        """``prepare`` in growing chunks: the store is read and written on the event loop's
        thread (one SQLite connection), embedding, retrieval and rendering run in a worker."""
        cache = self.vectors
        start, size = 0, FIRST_CHUNK
        while start < len(items):
            chunk = items[start:start + size]
            lookup = cache.lookup([i.content.readable_text() for i in chunk])
            fresh = (await asyncio.to_thread(self._embed, cache.inner, lookup.missing_texts)
                     if lookup.missing else None)
            vectors = cache.complete(lookup, fresh)
            yield await asyncio.to_thread(self._prepare_chunk, chunk, vectors)
            start += len(chunk)
            size = min(RETRIEVAL_CHUNK, 4 * size)

    def _embed(self, embedder: Any, texts: list[str]) -> np.ndarray:
        """Embed in the worker thread, sparing a core for the event loop when asked."""
        if not self.options.spare_core:
            return embedder.embed(texts)
        load = getattr(embedder, "warm", None)
        if callable(load):
            load()  # torch is imported by the load: only then can its threads be set
        with spare_a_core():
            return embedder.embed(texts)

    def _warm(self, texts: list[str]) -> None:
        """Start loading the embedder's model (seconds for a local one) in the background while
        the store is written, when the first chunk needs it (a re-run with every vector
        cached never loads it). A daemon thread: a run that ends first does not wait for it."""
        load = getattr(self.retriever.embedder, "warm", None)
        if callable(load) and self.vectors.lookup(texts).missing:
            threading.Thread(target=load, name="llmqa-embedder-load", daemon=True).start()

    def plan(self, prepared: list[Prepared],
             seen: set[str] | None = None) -> tuple[list[Prepared], int]:
        """The items that need a model call, and how many are answered from the store;
        ``seen`` carries the keys of earlier chunks of the same batch."""
        for p in prepared:
            self.keys[p.item.id] = p.key
            self.prompt_tokens[p.item.id] = p.estimated_input_tokens
        stored = self.store.existing([p.key for p in prepared])
        # An unusable answer stored before its re-ask (a kill during the re-ask) gets the
        # re-ask, one call, rather than being final or asked again from the start. Chunks
        # add to ``self.resume``; a worker takes its item's entry out.
        pending = self.store.pending_reasks(list(stored))
        self.resume.update({key: Resume(raw=row["raw_answer"] or "",
                                        error=row["error"] or "invalid answer",
                                        input_tokens=row["input_tokens"] or 0,
                                        output_tokens=row["output_tokens"] or 0,
                                        cached_tokens=row["cached_tokens"] or 0,
                                        attempts=row["attempts"] or 1)
                            for key, row in pending.items()})
        seen = set() if seen is None else seen
        todo, new = [], 0
        for p in prepared:
            if p.key in seen:
                continue  # the same item twice in one batch is reviewed once
            seen.add(p.key)
            new += 1
            if p.key not in stored or stored[p.key] in RETRY_STATUSES or p.key in pending:
                todo.append(p)
        return todo, new - len(todo)

    def stored_statuses(self, prepared: list[Prepared], todo: list[Prepared]) -> Counter:
        """How the items answered from the store stand: ``{"ok": n, "parse_error": m, ...}``."""
        asked = {p.key for p in todo}
        keys = list(dict.fromkeys(p.key for p in prepared if p.key not in asked))
        return Counter(self.store.existing(keys).values())

    def estimate(self, todo: list[Prepared],
                 batch: bool | None = None) -> tuple[int, int, float | None]:
        """Estimated tokens in, out and cost for ``todo``; ``batch`` prices it at the Batch
        API's discount (default: ``options.batch_pricing``)."""
        return self.price(sum(p.estimated_input_tokens for p in todo), len(todo), batch)

    def price(self, prompt_tokens: int, calls: int,
              batch: bool | None = None) -> tuple[int, int, float | None]:
        """Estimated tokens in, out and cost of ``calls`` prompts of ``prompt_tokens`` in all,
        at this runner's model and sample count."""
        samples = max(1, self.judge.config.samples)
        tokens_in = prompt_tokens * samples
        tokens_out = estimated_output_tokens(self.judge.seam.name) * calls * samples
        return tokens_in, tokens_out, self.judge.prices.cost(
            self.judge.seam.name, tokens_in, tokens_out,
            batch=self.options.batch_pricing if batch is None else batch)

    def estimate_seconds(self, tokens_in: int, tokens_out: int, calls: int) -> float | None:
        """The embedded model's time for these calls at its documented rates (see
        llm/local_rate.py); None for any other model."""
        from llmqa.llm import local_rate
        from llmqa.llm.spec import LOCAL_MODEL_NAME

        if self.judge.seam.name != LOCAL_MODEL_NAME:
            return None
        return local_rate.seconds(tokens_in, tokens_out, calls)

    async def run(self, items: list[Item], source: str = "") -> ReviewSummary:
        started = time.perf_counter()
        summary = ReviewSummary(items=len(items))
        if self.options.dry_run:
            prepared = self.prepare(items)
            todo, summary.reused = self.plan(prepared)
            summary.reused_statuses = self.stored_statuses(prepared, todo)
            summary.to_review = len(todo)
            (summary.estimated_input_tokens, summary.estimated_output_tokens,
             summary.estimated_cost_usd) = self.estimate(todo)
            summary.estimated_seconds = self.estimate_seconds(
                summary.estimated_input_tokens, summary.estimated_output_tokens,
                len(todo) * max(1, self.judge.config.samples))
            summary.status = "dry_run"
            summary.seconds = time.perf_counter() - started
            return summary
        self._warm([i.content.readable_text() for i in items[:FIRST_CHUNK]])
        summary.estimated_cost_usd = 0.0
        try:
            self.store.save_items(items)
            summary.run_id = self.store.start_run(
                self.judge.seam.name, self.judge.guidelines.version, self.judge.prompt_hash,
                source, {"concurrency": self.options.concurrency,
                         "max_cost": self.options.max_cost,
                         "judge": self.judge.config.fingerprint()})
            await self._work(items, summary)
        except AbortRun as exc:
            summary.status = "aborted"
            self._finish(summary, started)
            raise exc.as_error(f"stopped: {exc}. Nothing more was sent; fix the model "
                               "settings and re-run to resume.") from exc
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

    def _planned(self, prepared: list[Prepared], todo: list[Prepared], reused: int,
                 summary: ReviewSummary) -> None:
        """Count one planned chunk into the summary and tell ``on_plan`` the total so far."""
        summary.reused += reused
        summary.reused_statuses.update(self.stored_statuses(prepared, todo))
        summary.to_review += len(todo)
        tokens_in, tokens_out, cost = self.estimate(todo)
        summary.estimated_input_tokens += tokens_in
        summary.estimated_output_tokens += tokens_out
        if cost is None or summary.estimated_cost_usd is None:
            summary.estimated_cost_usd = None
        else:
            summary.estimated_cost_usd += cost
        if self.on_plan:
            self.on_plan(summary.to_review)

    async def _work(self, items: list[Item], summary: ReviewSummary) -> None:
        workers = max(1, self.options.concurrency)
        # Room for a chunk's calls ahead of the workers; the producer waits when it is full.
        queue: asyncio.Queue[Prepared | None] = asyncio.Queue(
            maxsize=max(2 * workers, RETRIEVAL_CHUNK))
        stop = asyncio.Event()
        in_flight = [0.0]  # estimated cost of the calls in flight

        async def produce() -> None:
            seen: set[str] = set()
            async for prepared in self._prepared_chunks(items):
                if stop.is_set():
                    return
                todo, reused = self.plan(prepared, seen)
                self._planned(prepared, todo, reused, summary)
                for p in todo:
                    await queue.put(p)
                    if stop.is_set():
                        return
            for _ in range(workers):
                await queue.put(None)
                if stop.is_set():
                    return

        def halt() -> None:
            """Stop at the budget: drop what is queued and wake every waiting worker."""
            stop.set()
            while not queue.empty():
                queue.get_nowait()
            for _ in range(workers):
                queue.put_nowait(None)

        async def worker() -> None:
            while True:
                prepared = await queue.get()
                if prepared is None or stop.is_set():
                    return
                cost = self.estimate([prepared])[2] or 0.0
                if self.options.max_cost is not None and (
                        summary.spent_usd + in_flight[0] + cost > self.options.max_cost):
                    summary.budget_reached = True
                    halt()
                    return
                in_flight[0] += cost
                try:
                    verdict = await self.judge.review(
                        prepared, resume=self.resume.pop(prepared.key, None),
                        on_interim=lambda v: self.store.save_verdict(v, summary.run_id))
                finally:
                    in_flight[0] -= cost
                self.store.save_verdict(verdict, summary.run_id)
                summary.record(verdict)
                if self.on_progress:
                    self.on_progress(1)

        await gather_or_cancel(produce(), *(worker() for _ in range(workers)))
