"""``llmqa review --escalate-model``: the cheap-then-strong cascade's CLI side."""

from __future__ import annotations

import typer

from llmqa.choices import EscalateWhen
from llmqa.cli._common import print_json

EXIT_BUDGET = 3


def run_cascade(ws, spec, items, source: str, rejected: int, strong_model: str,
                strong_base_url: str | None, when: list[EscalateWhen] | None,
                below: float, judge_options: dict, max_cost: float | None, batch_api: bool,
                dry_run: bool, as_json: bool) -> None:
    from llmqa.errors import UsageError
    from llmqa.runner.cascade import DEFAULT_WHEN, EscalationRule
    from llmqa.runner.terminal import cascade_text

    if dry_run:
        raise UsageError("a dry run estimates one model; run it once per model of the cascade")
    strong = ws.backend(model=strong_model, base_url=strong_base_url)
    rule = EscalationRule(when=frozenset(when) if when else DEFAULT_WHEN,
                          min_confidence=below)
    summary = ws.review_cascade(items, spec, strong, rule, max_cost=max_cost,
                                batch_api=batch_api, source=source, **judge_options)
    if as_json:
        print_json(summary.to_dict() | {"rejected_rows": rejected})
    else:
        typer.echo(cascade_text(summary))
    if summary.cheap.budget_reached or summary.strong.budget_reached:
        raise typer.Exit(EXIT_BUDGET)
    # An item counts by its final verdict: a cheap answer without one that the strong model
    # then judged is no failure.
    final = [r["status"] for r in ws.verdicts({i.id for i in items})]
    if rejected or any(status != "ok" for status in final):
        raise typer.Exit(1)
