"""The review for a workspace: what a batch must pass before any call (a price for a cost
limit, guidelines a verdict can cite faithfully), leaving out items an analyst already
decided, then one judge (``review``) or a cheap-then-strong cascade (``review_cascade``).

``Workspace.review`` and ``Workspace.review_cascade`` run these, so a script and
``llmqa review`` admit, skip and stage a batch alike.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from llmqa.choices import EscalateWhen
from llmqa.errors import ConfigError, Hint, InputWarning

if TYPE_CHECKING:
    from llmqa.index.retriever import Retriever
    from llmqa.io.readers import RowCheck
    from llmqa.items import Item
    from llmqa.judge import Judge
    from llmqa.llm.backends import BackendSpec
    from llmqa.runner import ReviewRunner, ReviewSummary
    from llmqa.runner.cascade import CascadeSummary, EscalationRule
    from llmqa.store import VerdictStore
    from llmqa.workspace import Workspace

StageRun = Callable[[list["Item"], str], "ReviewSummary"]
# Said before a review with the embedded model, so nobody takes its verdicts for QA.
LOCAL_REVIEW_WARNING = Hint(
    "Judging with the embedded SmolLM2-135M model (offline, no key). It follows the verdict "
    "schema but is far too small to judge well: treat its verdicts as a pipeline check, not QA. "
    "For real review pass {} gpt-4o-mini (with OPENAI_API_KEY), or {} http://HOST:PORT/v1 {} "
    "NAME for vLLM, Ollama or a llama.cpp server.", ("model", "base_url", "model"))


def require_price(ws: Workspace, spec: BackendSpec, max_cost: float | None) -> None:
    """Refuse a cost limit the price table cannot enforce for the model."""
    if max_cost is not None and ws.prices().get(spec.display_name) is None:
        raise ConfigError(f"a cost limit needs a price for '{spec.display_name}'",
                          hint=Hint("add it with {}", ("prices",)))


def refuse_unusable(ws: Workspace, spec: BackendSpec, max_cost: float | None) -> None:
    """Refuse what no review can run with: a cost limit without a price (``require_price``),
    guidelines with a clause ID defined twice."""
    from llmqa.guidelines.check import ensure_reviewable

    require_price(ws, spec, max_cost)
    ensure_reviewable(ws.guidelines)


def review_checks(ws: Workspace, spec: BackendSpec, max_cost: float | None = None) -> RowCheck:
    """The row checks for a review's items (labels and clause IDs the guidelines know), after
    ``refuse_unusable``: call it before reading a batch, so a setting that cannot work is
    reported before any row."""
    refuse_unusable(ws, spec, max_cost)
    return ws.label_checks()


def warn_unreadable_images(items: list[Item], judges: Iterable[Judge]) -> None:
    """Say before any call when image items have no picture to send: the judge would judge
    them from their text alone, and each verdict's ``seen`` is the only other trace."""
    from llmqa.judge.render import image_problem

    sending = [j for j in judges if j.config.send_images]
    if not sending:
        return
    root = sending[0].config.media_root
    problems = [(i.id, p) for i in items if (p := image_problem(i.content, root))]
    if problems:
        (first, why), n = problems[0], len(problems)
        warnings.warn(f"{n} image item{'s' if n != 1 else ''} without a picture the judge can "
                      f"read, judged from their text alone (first: {first}: {why}); a "
                      "relative image_path starts from the items file's folder",
                      InputWarning, stacklevel=3)


def admit(ws: Workspace, items: list[Item], spec: BackendSpec, max_cost: float | None,
          include_decided: bool) -> tuple[list[Item], int]:
    """The items to review and how many were left out as decided (settled stays settled: no
    model call for an item whose gold label is known), after ``refuse_unusable``: before any
    index or store work."""
    refuse_unusable(ws, spec, max_cost)
    if include_decided:
        return items, 0
    return ws.undecided(items)


def review(ws: Workspace, items: list[Item], spec: BackendSpec, judge: Judge | None, *,
           samples: int, top_k: int | None, send_images: bool | None, max_cost: float | None,
           dry_run: bool, batch_api: bool, include_decided: bool, source: str,
           on_progress: Callable[[int], None] | None,
           on_plan: Callable[[int], None] | None) -> ReviewSummary:
    from llmqa.items import media_folder
    from llmqa.runner import ReviewSummary

    items, decided = admit(ws, items, spec, max_cost, include_decided)
    if not items:
        return ReviewSummary(decided=decided)
    with ws.locked_store() as store:
        judge = judge or ws.judge(spec, samples=samples, top_k=top_k, send_images=send_images,
                                  prices=ws.prices(), media_root=media_folder(source))
        warn_unreadable_images(items, [judge])
        _, run = stage(ws, judge, spec, store, ws.retriever(), max_cost, dry_run, batch_api,
                       on_progress, on_plan)
        summary = run(items, source)
    summary.decided = decided
    return summary


def escalation_rule(when: Iterable[EscalateWhen | str] | None,
                    below: float) -> EscalationRule:
    """The rule for ``when`` (the default conditions when empty) at confidence ``below``."""
    from llmqa.runner.cascade import DEFAULT_WHEN, EscalationRule

    chosen = frozenset(EscalateWhen(w) for w in when or ())
    return EscalationRule(when=chosen or DEFAULT_WHEN, min_confidence=below)


def review_cascade(ws: Workspace, items: list[Item], cheap: BackendSpec,
                   strong: BackendSpec, rule: EscalationRule, *, samples: int,
                   top_k: int | None, send_images: bool | None, max_cost: float | None,
                   batch_api: bool, include_decided: bool, source: str,
                   gate: dict[str, Any] | None) -> CascadeSummary:
    from llmqa.items import media_folder
    from llmqa.runner import ReviewSummary
    from llmqa.runner.cascade import Cascade, CascadeSummary

    items, decided = admit(ws, items, cheap, max_cost, include_decided)
    if not items:
        return CascadeSummary(cheap.display_name, strong.display_name,
                              ReviewSummary(decided=decided), ReviewSummary(status="skipped"))
    with ws.locked_store() as store:
        retriever, prices = ws.retriever(), ws.prices()
        judges = [ws.judge(spec, samples=samples, top_k=top_k, send_images=send_images,
                           prices=prices, media_root=media_folder(source))
                  for spec in (cheap, strong)]
        warn_unreadable_images(items, judges)
        cheap_runner, cheap_run = stage(ws, judges[0], cheap, store, retriever, max_cost,
                                        False, batch_api)
        strong_runner, strong_run = stage(ws, judges[1], strong, store, retriever, max_cost,
                                          False, batch_api)
        spent = ReviewSummary()

        def run_cheap(batch: list[Item], name: str) -> ReviewSummary:
            nonlocal spent
            spent = cheap_run(batch, name)
            return spent

        def run_strong(batch: list[Item], name: str) -> ReviewSummary:
            # ``max_cost`` bounds both stages together: the strong one gets what is left.
            if max_cost is not None:
                strong_runner.options = replace(strong_runner.options,
                                                max_cost=max(0.0, max_cost - spent.spent_usd))
            return strong_run(batch, name)

        def supervised() -> frozenset[str]:
            from llmqa.agreement.gate import untrusted_clauses

            return untrusted_clauses(store, judges[0].seam.name, judges[0].guidelines.by_id,
                                     **(gate or {}))

        summary = Cascade(cheap_runner, strong_runner, rule, run_cheap, run_strong,
                          supervised if not rule.supervised_clauses else None
                          ).run(items, source)
    summary.cheap.decided = decided
    return summary


def stage(ws: Workspace, judge: Judge, spec: BackendSpec, store: VerdictStore,
          retriever: Retriever, max_cost: float | None, dry_run: bool, batch_api: bool,
          on_progress: Callable[[int], None] | None = None,
          on_plan: Callable[[int], None] | None = None) -> tuple[ReviewRunner, StageRun]:
    """A review runner for one judge and how to run it: live, or through the Batch API."""
    from llmqa.runner import ReviewOptions, ReviewRunner

    # The embedded model runs one request at a time on the CPU; queued requests would only
    # eat into their own timeouts.
    workers = 1 if spec.is_local else ws.settings.concurrency
    options = ReviewOptions(concurrency=workers, max_cost=max_cost, dry_run=dry_run,
                            batch_pricing=batch_api)
    runner = ReviewRunner(judge, retriever, store, options, on_progress=on_progress,
                          on_plan=on_plan)
    if batch_api and not dry_run:
        from llmqa.runner.batch_api import BatchApiReview

        poll = float(os.environ.get("LLMQA_BATCH_POLL") or 30.0)
        return runner, BatchApiReview(runner, spec, poll_interval=poll).run
    return runner, lambda batch, name: asyncio.run(runner.run(batch, name))
