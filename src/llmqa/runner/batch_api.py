"""Review through the OpenAI Batch API, resumable at every step.

1. Items already stored are skipped, as in a live run.
2. Batches submitted by an earlier run that were not collected are polled and collected
   first (a run killed after submitting never pays twice): their keys are not resubmitted.
3. The rest are written as one request file, submitted, and the batch id is stored at once.
4. The run polls until the batch ends, then stores every answer under its ``custom_id``
   (results come back in any order). Keys with no result are left unstored, so the next run
   resubmits only those.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from llmqa.errors import BackendError
from llmqa.items import Item
from llmqa.judge.judge import Prepared
from llmqa.llm.openai_batch import TERMINAL, BatchClient
from llmqa.llm.spec import BackendSpec
from llmqa.redact import redact
from llmqa.runner.review import ReviewRunner, ReviewSummary
from llmqa.verdicts import Verdict, VerdictStatus


class BatchApiReview:
    def __init__(self, runner: ReviewRunner, spec: BackendSpec, poll_interval: float = 30.0,
                 max_wait: float = 26 * 3600, client: BatchClient | None = None) -> None:
        self.runner = runner
        self.spec = spec
        self.poll_interval = poll_interval
        self.max_wait = max_wait
        self.client = client or BatchClient(spec.display_name, spec.base_url, spec.timeout,
                                            spec.max_tokens, spec.temperature)

    def run(self, items: list[Item], source: str = "") -> ReviewSummary:
        runner, store, judge = self.runner, self.runner.store, self.runner.judge
        started = time.perf_counter()
        summary = ReviewSummary(items=len(items))
        prepared = runner.prepare(items)
        todo, summary.reused = runner.plan(prepared)
        summary.reused_statuses = runner.stored_statuses(prepared, todo)
        by_key = {p.key: p for p in todo}
        summary.to_review = len(todo)
        if runner.on_plan:
            runner.on_plan(len(todo))
        store.save_items(items)
        summary.run_id = store.start_run(judge.seam.name, judge.guidelines.version,
                                         judge.prompt_hash, source, {"batch_api": True})
        pending = [b for b in store.open_batches() if set(b["keys"]) & by_key.keys()]
        in_batches = {k for b in pending for k in b["keys"]}
        fresh = self._within_budget([p for p in todo if p.key not in in_batches], summary)
        if fresh:
            schemas: dict[type, dict] = {}
            lines = [self.client.request_line(
                p.key, p.rendered.messages,
                schemas.setdefault(p.schema, p.schema.model_json_schema())) for p in fresh]
            with _batch_errors():
                batch_id, file_id = self.client.submit(lines)
            store.save_batch(batch_id, summary.run_id, [p.key for p in fresh], file_id)
            pending.append({"id": batch_id, "keys": [p.key for p in fresh]})
        for batch in pending:
            with _batch_errors():
                self._collect(batch, by_key, summary)
        summary.status = "budget_reached" if summary.budget_reached else "done"
        summary.seconds = time.perf_counter() - started
        store.finish_run(summary.run_id, summary.status, items=summary.items,
                         reviewed=summary.reviewed, reused=summary.reused,
                         input_tokens=summary.input_tokens, output_tokens=summary.output_tokens,
                         cost_usd=summary.cost_usd)
        return summary

    def _within_budget(self, fresh: list[Prepared], summary: ReviewSummary) -> list[Prepared]:
        """The requests that fit ``--max-cost`` at the batch price (estimated, as live runs
        estimate calls in flight); the rest wait for a later run."""
        budget = self.runner.options.max_cost
        if budget is None or not fresh:
            return fresh
        _, _, cost = self.runner.estimate(fresh, batch=True)
        per_request = (cost or 0.0) / len(fresh)
        affordable = len(fresh) if per_request == 0 else int(budget // per_request)
        if affordable < len(fresh):
            summary.budget_reached = True
            return fresh[:affordable]
        return fresh

    def _collect(self, batch: dict, by_key: dict[str, Prepared], summary: ReviewSummary) -> None:
        store = self.runner.store
        deadline = time.monotonic() + self.max_wait
        while True:
            state = self.client.status(batch["id"])
            store.update_batch(batch["id"], state["status"], state["output_file_id"],
                               state["error_file_id"])
            if state["status"] in TERMINAL:
                break
            if time.monotonic() > deadline:
                return  # still running: a later run collects it
            time.sleep(self.poll_interval)
        if state["status"] != "completed":
            return  # failed/expired: keys stay unstored and are resubmitted next run
        for file_id in (state["output_file_id"], state["error_file_id"]):
            if not file_id:
                continue
            for custom_id, status, body in self.client.results(file_id):
                prepared = by_key.get(custom_id)
                if prepared is None:
                    continue  # already stored, or not part of this run's items
                verdict = (self._answer(prepared, body) if status == 200
                           else self._failure(prepared, status, body))
                store.save_verdict(verdict, summary.run_id)
                summary.record(verdict)
                if self.runner.on_progress:
                    self.runner.on_progress(1)
        store.update_batch(batch["id"], "collected")

    def _answer(self, prepared: Prepared, body: dict) -> Verdict:
        judge = self.runner.judge
        reply = judge.seam.interpret_body(body, prepared.schema)
        return judge.from_reply(prepared, reply, batch=True)

    def _failure(self, prepared: Prepared, status: int, body: dict) -> Verdict:
        judge = self.runner.judge
        error = (body.get("error") or {}) if isinstance(body, dict) else {}
        message = error.get("message") if isinstance(error, dict) else str(error)
        return Verdict(**judge._base(prepared), status=VerdictStatus.FAILED,
                       error=redact(f"batch request failed with HTTP {status}: {message}"))


@contextmanager
def _batch_errors() -> Iterator[None]:
    """The Batch API's transport and HTTP errors as one clear, key-free ``BackendError``."""
    import openai

    try:
        yield
    except openai.APIError as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise BackendError(redact(f"Batch API request failed: {type(exc).__name__}: {message}. "
                                  "Submitted batches are stored; re-run to resume.")) from exc


__all__ = ["BatchApiReview"]
