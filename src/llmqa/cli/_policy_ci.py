"""``llmqa policy-ci``: what a guideline edit changes, as a gate in front of a merge."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import EXIT_BUDGET, emit, err, print_json, read_valid, workspace


def policy_ci(
    old: Path = typer.Argument(..., help="The guidelines before the edit (folder or file)."),
    new: Path = typer.Argument(..., help="The guidelines after the edit (folder or file)."),
    items: str = typer.Argument(..., help="Items file (.jsonl, .json, .csv, .parquet)."),
    model: opt.Model = None,
    base_url: opt.BaseUrl = None,
    structured_method: opt.StructuredMethod = None,
    gold: Path | None = typer.Option(None, "--gold", help="Gold labels (JSONL/CSV/Parquet with "
                                     "id and gold_label, e.g. from `llmqa decisions export`)."),
    max_kappa_drop: float | None = typer.Option(
        None, "--max-kappa-drop", min=0.0, help="Exit 1 when the judge's kappa against gold "
        "(else the annotators) falls by more than this on a changed clause."),
    concurrency: opt.Concurrency = None,
    top_k: opt.TopK = None,
    dry_run: bool = typer.Option(False, "--dry-run", help="Only estimate the calls, tokens and "
                                 "cost of both versions."),
    max_cost: float | None = typer.Option(None, "--max-cost", min=0.0, help="Stop cleanly once "
                                          "both versions together spend this many USD."),
    prices: opt.Prices = None,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the markdown report "
                                       "(for a pull-request comment) to this file."),
    fmt: opt.InputFormat = None,
    home: opt.Home = None,
    embedder: opt.Embedder = None,
    progress: opt.Progress = True,
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Judge ITEMS under OLD and NEW guidelines; report flips and agreement per changed clause.

    Only items judged against a changed clause are re-judged; the rest reuse stored verdicts.
    Exit codes: 0 done (gate passed); 1 the --max-kappa-drop gate failed, or bad rows;
    2 usage or configuration error; 3 stopped at --max-cost (re-run to resume).
    """
    from llmqa.policy.ci import PolicyEstimate
    from llmqa.progress import StageBars

    ws = workspace(config, model=model, base_url=base_url, structured_method=structured_method,
                   concurrency=concurrency, home=home, embedder=embedder, prices=prices)
    valid, rejected = read_valid(ws, items, fmt)
    with StageBars(progress and not as_json) as bars:
        result = ws.policy_check(old, new, valid, gold=gold, max_kappa_drop=max_kappa_drop,
                                 top_k=top_k, source=items, max_cost=max_cost, dry_run=dry_run,
                                 on_progress=bars)
    if isinstance(result, PolicyEstimate):
        emit(as_json, result.to_dict(), result.text())
        raise typer.Exit(1 if rejected else 0)
    for problem in result.gold_problems[:20]:
        err(str(problem), "yellow")
    if output is not None:
        output.write_text(result.markdown(), encoding="utf-8")
    if as_json:
        print_json(result.to_dict())
    elif output is None:
        typer.echo(result.markdown())
    else:
        typer.echo(f"{result.headline}; report: {output}")
    if result.budget_reached:  # -o still holds what happened, for the pull-request comment
        raise typer.Exit(EXIT_BUDGET)
    if result.gate_message:
        err(f"gate failed: {result.gate_message}", "red")
    if rejected or not result.passed:
        raise typer.Exit(1)
