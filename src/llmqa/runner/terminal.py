"""A review's outcome as plain text for a terminal; the figures are the summaries' own.

The command line adds what only it can say (which flag stopped the run, how to see results).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from llmqa.runner.review import ReviewSummary
from llmqa.text import one_line, table

if TYPE_CHECKING:
    from llmqa.runner.cascade import CascadeSummary


def _counts(counter: Counter | dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))


def _money(value: float | None) -> str:
    return "?" if value is None else f"{value:.4f}"


def duration(seconds: float) -> str:
    """A time estimate at a glance: seconds, minutes or hours."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    minutes = seconds / 60
    return f"about {minutes:.0f} min" if minutes < 90 else f"about {minutes / 60:.1f} h"


def review_text(summary: ReviewSummary | CascadeSummary, rejected: int) -> str:
    """What a review (or its dry-run estimate, or a cascade) did: items, verdicts, tokens and
    cost."""
    if summary.decided and not summary.items:
        return "every item is already decided; nothing to review"
    if not isinstance(summary, ReviewSummary):
        return cascade_text(summary)
    if summary.status == "dry_run":
        estimate = ("unknown (no price)" if summary.estimated_cost_usd is None
                    else f"${summary.estimated_cost_usd:.4f}")
        text = (f"dry run: {summary.items} items, {summary.reused} already judged, "
                f"{summary.to_review} to review\n"
                f"estimated tokens: {summary.estimated_input_tokens} in, "
                f"{summary.estimated_output_tokens} out; estimated cost {estimate}")
        if summary.estimated_seconds is not None:
            text += (f"\nestimated time: {duration(summary.estimated_seconds)} with the "
                     "embedded model on the CPU (at the rates measured on 2 cores; "
                     "benchmarks/bench_local_model.py measures this machine)")
        return text
    cost = "unknown (no price for this model)" if summary.cost_usd is None \
        else f"${summary.cost_usd:.4f}"
    lines = [f"{summary.items} items: {summary.reviewed} reviewed now, {summary.reused} "
             f"reused from the store, {rejected} rejected rows ({summary.seconds:.1f}s)"]
    if summary.verdicts:
        lines.append("verdicts: " + _counts(summary.verdicts))
    problems = {k: v for k, v in summary.statuses.items() if k != "ok"}
    if problems:
        lines.append("without a verdict: " + _counts(problems))
        # The reason, so a wrong URL or model name is plain without a query of the store.
        for kind, n in summary.errors.most_common(3):
            example = summary.error_examples.get(kind, kind)
            like = "e.g. " if n > 1 and example != kind else ""
            lines.append(f"  {n} × {like}{one_line(example, 200)}")
        if len(summary.errors) > 3:
            lines.append(f"  ... and {len(summary.errors) - 3} other reasons")
    stored = {k: v for k, v in summary.reused_statuses.items() if k != "ok"}
    if stored:
        lines.append("stored earlier without a verdict (not asked again): " + _counts(stored))
    lines.append(f"tokens: {summary.input_tokens} in, {summary.output_tokens} out; cost {cost}")
    return "\n".join(lines)


def cascade_text(summary: CascadeSummary) -> str:
    """Per model of the cascade: its stage, calls and cost; then what escalating saved."""
    rows = [[model, m["stage"], str(m["calls"]), str(m["reused"]), _money(m["cost_usd"])]
            for model, m in summary.to_dict()["models"].items()]
    reasons = _counts(summary.reasons) or "none"
    return (table(rows, ["model", "stage", "calls", "reused", "cost $"]) + "\n"
            f"{len(summary.escalated)} of {summary.cheap.items} items escalated ({reasons}); "
            f"cascade cost ${_money(summary.cost_usd)}, the strong model alone: about "
            f"${_money(summary.strong_only_estimated_usd)} (estimated)")


def probe_table(outcome: dict) -> str:
    """A model probe's outcome: per structured-output method, how many verdicts were valid."""
    rows = [[m, f"{r['valid']}/{r['tried']}", r.get("problem") or ""]
            for m, r in outcome["methods"].items()]
    return f"model {outcome['model']}\n" + table(rows, ["method", "valid", "problem"])
