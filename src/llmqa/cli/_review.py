"""``llmqa review``, ``llmqa results`` and ``llmqa doctor``: the judge over a batch."""

from __future__ import annotations

from typing import Any

import typer

from llmqa.choices import EscalateWhen
from llmqa.cli import _options as opt
from llmqa.cli._common import EXIT_BUDGET, err, flag, print_json, read_valid, workspace, wrote


def review(
    items: opt.Items,
    guidelines: opt.Guidelines = None,
    model: opt.Model = None,
    model_option: opt.ModelOption = None,
    base_url: opt.BaseUrl = None,
    structured_method: opt.StructuredMethod = None,
    concurrency: opt.Concurrency = None,
    dry_run: bool = typer.Option(False, "--dry-run", help="Only estimate calls, tokens and cost."),
    max_cost: float | None = typer.Option(None, "--max-cost", min=0.0, help="Stop cleanly once "
                                          "this many USD are spent; re-run to resume."),
    samples: int = typer.Option(1, "--samples", min=1, max=15, help="Self-consistency: ask this "
                                "many times and vote (costs that many calls)."),
    top_k: opt.TopK = None,
    vision: bool | None = typer.Option(None, "--vision/--no-vision", help="Send images to the "
                                       "model (default: on for known vision models)."),
    temperature: float = typer.Option(0.0, "--temperature", help="Sampling temperature (use "
                                      "> 0 with --samples)."),
    include_decided: bool = typer.Option(False, "--include-decided", help="Also review items "
                                         "an analyst already decided (skipped by default)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N valid items."),
    batch_api: bool = typer.Option(False, "--batch-api", help="Use the OpenAI Batch API (half "
                                   "price, up to 24 h); see docs/review.md."),
    prices: opt.Prices = None,
    escalate_model: str | None = typer.Option(
        None, "--escalate-model", help="Cascade: judge every item with --model, the doubtful "
        "ones (--escalate-when) with this stronger model too; see docs/policy-ci.md."),
    escalate_base_url: str | None = typer.Option(
        None, "--escalate-base-url", help="Endpoint of the --escalate-model (default: "
        "--base-url)."),
    escalate_when: list[EscalateWhen] | None = typer.Option(
        None, "--escalate-when", help="When a cheap verdict is doubtful (repeatable) "
        "[default: not-agree, low-confidence, no-verdict]."),
    escalate_below: float = typer.Option(0.7, "--escalate-below", min=0.0, max=1.0,
                                         help="Confidence under which low-confidence escalates."),
    fmt: opt.InputFormat = None,
    home: opt.Home = None,
    chroma_url: opt.ChromaUrl = None,
    embedder: opt.Embedder = None,
    progress: opt.Progress = True,
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Pre-review a batch: retrieve clauses, ask the judge, store verdicts.

    Re-running is free for items already judged with the same content, clauses, prompt and
    model. Exit codes: 0 every item has a verdict; 1 rejected rows or items without a
    verdict; 2 usage or configuration error; 3 stopped at --max-cost (re-run to resume).
    """
    from llmqa.errors import UsageError
    from llmqa.progress import ItemBar
    from llmqa.runner.from_settings import LOCAL_REVIEW_WARNING, review_checks
    from llmqa.runner.terminal import review_text

    if escalate_model and dry_run:
        raise UsageError("a dry run estimates one model; run it once per model of the cascade")
    ws = workspace(config, guidelines, model=model, model_option=model_option,
                   base_url=base_url, structured_method=structured_method,
                   concurrency=concurrency, home=home, chroma_url=chroma_url, embedder=embedder,
                   prices=prices)
    spec = ws.backend(vision=vision, temperature=temperature, no_calls=dry_run)
    valid, rejected = read_valid(ws, items, fmt, check=review_checks(ws, spec, max_cost),
                                 limit=limit, shown=1000)
    if spec.is_local and not dry_run:
        err(LOCAL_REVIEW_WARNING.render(flag), "yellow")
    common: dict[str, Any] = {
        "samples": samples, "top_k": top_k, "send_images": vision, "max_cost": max_cost,
        "batch_api": batch_api, "include_decided": include_decided, "source": items}
    with ItemBar(progress and not as_json and not dry_run and not escalate_model) as bar:
        try:
            summary = (ws.review_cascade(valid, spec, escalate_model,
                                         strong_base_url=escalate_base_url, when=escalate_when,
                                         below=escalate_below, **common) if escalate_model
                       else ws.review(valid, spec, dry_run=dry_run, **common,
                                      on_progress=bar.on_progress, on_plan=bar.on_plan))
        except KeyboardInterrupt:
            # Typer turns Ctrl-C into a silent exit 130; say what was kept.
            bar.close()
            err("interrupted: every answer received so far is stored; re-run the same "
                "command to resume", "yellow")
            raise typer.Exit(130) from None
    if summary.decided:
        err(f"note: {summary.decided} items already decided by an analyst are skipped "
            "(--include-decided reviews them)")
    if as_json:
        print_json(summary.to_dict() | {"rejected_rows": rejected})
    else:
        typer.echo(review_text(summary, rejected))
        if summary.items and summary.status != "dry_run":
            if summary.budget_reached:
                typer.echo("stopped at --max-cost; re-run the same command to resume")
            home_path = ws.settings.home
            typer.echo(f"results: llmqa results --home {home_path}  (SQLite store: "
                       f"{home_path}/llmqa.db)")
    if summary.budget_reached:
        raise typer.Exit(EXIT_BUDGET)
    if rejected or not summary.complete:
        raise typer.Exit(1)


def results(
    output: str | None = typer.Option(None, "--output", "-o", help="Write to this file "
                                      "(default: stdout)."),
    fmt: opt.OutputFormat = None,
    verdict: str | None = typer.Option(None, "--verdict", help="agree, likely_error or ambiguous."),
    status: str | None = typer.Option(None, "--status", help="ok, parse_error, failed, ..."),
    label: str | None = typer.Option(None, "--label", help="Consensus human label."),
    project: str | None = typer.Option(None, "--project", help="Item project."),
    model: str | None = typer.Option(None, "--model", help="Only verdicts of this model."),
    history: bool = typer.Option(False, "--all", help="All verdicts, not only each item's newest."),
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Export verdicts joined with their items and human labels."""
    from llmqa.store.export import export_verdicts

    count = export_verdicts(workspace(config, home=home).settings.home_path, output, fmt,
                            latest=not history, verdict=verdict, status=status,
                            human_label=label, model=model, project=project)
    wrote(output, count, "rows")
    if not count:  # else an empty standard output says nothing
        err("no stored verdict matches" + (" these filters" if any(
            (verdict, status, label, project, model)) else "; review a batch first"))


def doctor(
    model: opt.Model = None,
    model_option: opt.ModelOption = None,
    base_url: opt.BaseUrl = None,
    structured_method: opt.StructuredMethod = None,
    guidelines: opt.Guidelines = None,
    home: opt.Home = None,
    as_json: opt.Json = False,
    progress: opt.Progress = True,
    config: opt.Config = None,
) -> None:
    """Probe a model before a big batch: which structured-output method gives valid verdicts.

    Sends three small known items in each method (or the one given) and counts the valid
    verdicts per method. Exit 0 when some method works, 1 otherwise.
    """
    import asyncio

    from llmqa.judge.probe import probe_backend
    from llmqa.progress import StageBars
    from llmqa.runner.terminal import probe_table

    ws = workspace(config, guidelines, model=model, model_option=model_option,
                   base_url=base_url, structured_method=structured_method, home=home)
    with StageBars(progress) as bars:
        outcome = asyncio.run(probe_backend(ws.backend(), ws.settings, on_progress=bars))
    if as_json:
        print_json(outcome)
    else:
        typer.echo(probe_table(outcome))
        typer.echo(f"use: --structured-method {outcome['recommended']}" if outcome["recommended"]
                   else "no method gave valid verdicts: check the model, URL and key")
    if not outcome["recommended"]:
        raise typer.Exit(1)
