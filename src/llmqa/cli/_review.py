"""``llmqa review``, ``llmqa results`` and ``llmqa doctor``: the judge over a batch."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.choices import EscalateWhen
from llmqa.cli._common import (
    BaseUrlOpt,
    ChromaUrlOpt,
    ConfigOpt,
    EmbedderOpt,
    GuidelinesOpt,
    HomeOpt,
    InputFormatOpt,
    ItemsArg,
    JsonOpt,
    MethodOpt,
    ModelOpt,
    ModelOptionOpt,
    OutputFormatOpt,
    err,
    print_json,
    read_valid,
    table,
    workspace,
)

EXIT_BUDGET = 3
LOCAL_WARNING = (
    "Judging with the embedded SmolLM2-135M model (offline, no key). It follows the verdict "
    "schema but is far too small to judge well: treat its verdicts as a pipeline check, not QA. "
    "For real review pass --model gpt-4o-mini (with OPENAI_API_KEY), or --base-url "
    "http://HOST:PORT/v1 --model NAME for vLLM, Ollama or a llama.cpp server."
)

def _options(pairs: list[str] | None) -> dict | None:
    from llmqa.config import parse_model_options

    return parse_model_options(pairs) if pairs else None


def review(
    items: str = ItemsArg,
    guidelines: Path | None = GuidelinesOpt,
    model: str | None = ModelOpt,
    model_option: list[str] | None = ModelOptionOpt,
    base_url: str | None = BaseUrlOpt,
    structured_method: str | None = MethodOpt,
    concurrency: int | None = typer.Option(None, "--concurrency", "-c", min=1, max=256,
                                           help="Requests in flight [env LLMQA_CONCURRENCY; 8]."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Estimate calls, tokens and cost; "
                                 "call nothing."),
    max_cost: float | None = typer.Option(None, "--max-cost", min=0.0, help="Stop cleanly once "
                                          "this many USD are spent; re-run to resume."),
    samples: int = typer.Option(1, "--samples", min=1, max=15, help="Self-consistency: ask this "
                                "many times and vote (costs that many calls)."),
    top_k: int | None = typer.Option(None, "--top-k", min=1, max=20, help="Clauses retrieved "
                                     "per item [5; 3 for the embedded model]."),
    vision: bool | None = typer.Option(None, "--vision/--no-vision", help="Send images to the "
                                       "model (default: on for known vision models)."),
    temperature: float = typer.Option(0.0, "--temperature", help="Sampling temperature (use "
                                      "> 0 with --samples)."),
    include_decided: bool = typer.Option(False, "--include-decided", help="Also review items "
                                         "an analyst already decided (skipped by default)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Review only the first N "
                                     "valid items."),
    batch_api: bool = typer.Option(False, "--batch-api", help="Use the OpenAI Batch API (half "
                                   "price, up to 24 h); see docs/review.md."),
    prices: Path | None = typer.Option(None, "--prices", help="Price table (TOML/JSON) "
                                       "[env LLMQA_PRICES]."),
    escalate_model: str | None = typer.Option(
        None, "--escalate-model", help="Cascade: judge every item with --model, then the "
        "doubtful ones (see --escalate-when) with this stronger model too; see "
        "docs/policy-ci.md."),
    escalate_base_url: str | None = typer.Option(None, "--escalate-base-url", help="Endpoint "
                                                 "of the --escalate-model (default: "
                                                 "--base-url)."),
    escalate_when: list[EscalateWhen] | None = typer.Option(
        None, "--escalate-when", help="Repeatable: when a cheap verdict goes up [default: "
        "not-agree, low-confidence, no-verdict]."),
    escalate_below: float = typer.Option(0.7, "--escalate-below", min=0.0, max=1.0,
                                         help="The confidence under which low-confidence "
                                         "escalates."),
    fmt: str | None = InputFormatOpt,
    home: str | None = HomeOpt,
    chroma_url: str | None = ChromaUrlOpt,
    embedder: str | None = EmbedderOpt,
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on "
                                  "stderr (shown on a terminal only)."),
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Pre-review a batch: retrieve clauses, ask the judge, store verdicts.

    Re-running is free for items already judged with the same content, clauses, prompt and
    model. Exit codes: 0 every item has a verdict; 1 rejected rows or items without a
    verdict; 2 usage or configuration error; 3 stopped at --max-cost (re-run to resume).
    """
    from llmqa.errors import ConfigError, Hint
    from llmqa.guidelines.check import ensure_reviewable

    ws = workspace(config, guidelines, model=model, model_options=_options(model_option),
                   base_url=base_url,
                   structured_method=structured_method, concurrency=concurrency, home=home,
                   chroma_url=chroma_url, embedder=embedder, prices=str(prices) if prices else None)
    spec = ws.backend(vision=vision, temperature=temperature, no_calls=dry_run)
    price_table = ws.prices()
    if max_cost is not None and price_table.get(spec.display_name) is None:
        raise ConfigError(f"a cost limit needs a price for '{spec.display_name}'",
                          hint=Hint("add it with {}", ("prices",)))
    ensure_reviewable(ws.guidelines)  # before indexing: a duplicate ID is refused at once
    valid, rejected = read_valid(ws, items, fmt, check=ws.label_checks(), limit=limit,
                                 shown=1000)
    if not include_decided:
        # Settled stays settled: no model call for an item whose gold label is known.
        valid, decided = ws.undecided(valid)
        if decided:
            err(f"note: {decided} items already decided by an analyst are skipped "
                "(--include-decided reviews them)")
        if not valid:
            typer.echo("every item is already decided; nothing to review")
            return
    if spec.is_local and not dry_run:
        err(LOCAL_WARNING, "yellow")
    judge_options = {"samples": samples, "top_k": top_k, "send_images": vision}
    if escalate_model:
        from llmqa.cli._cascade import run_cascade

        run_cascade(ws, spec, valid, items, rejected, escalate_model, escalate_base_url,
                    escalate_when, escalate_below, judge_options, max_cost, batch_api,
                    dry_run, as_json)
        return
    summary = _run(ws, spec, judge_options, valid, items, dry_run, max_cost, batch_api,
                   progress and not as_json)
    if as_json:
        print_json(summary.to_dict() | {"rejected_rows": rejected})
    else:
        _print_summary(summary, rejected, ws.settings)
    if summary.budget_reached:
        raise typer.Exit(EXIT_BUDGET)
    without_verdict = sum(n for s, n in summary.statuses.items() if s != "ok") + sum(
        n for s, n in summary.reused_statuses.items() if s != "ok")
    if rejected or (not dry_run and without_verdict):
        raise typer.Exit(1)


def _run(ws, spec, judge_options, items, source, dry_run, max_cost, batch_api, show_progress):
    from llmqa.progress import ItemBar

    with ItemBar(show_progress and not dry_run) as bar:
        try:
            return ws.review(items, spec, max_cost=max_cost, dry_run=dry_run, **judge_options,
                             batch_api=batch_api, source=source, on_progress=bar.on_progress,
                             on_plan=bar.on_plan)
        except KeyboardInterrupt:
            # Typer turns Ctrl-C into a silent exit 130; say what was kept.
            bar.close()
            err("interrupted: every answer received so far is stored; re-run the same "
                "command to resume", "yellow")
            raise typer.Exit(130) from None


def _grow(bar, total: int) -> None:
    """The planned total grows chunk by chunk while calls are already being counted."""
    bar.total = total
    bar.refresh()


def _print_summary(summary, rejected: int, cfg) -> None:
    cost = "unknown (no price for this model)" if summary.cost_usd is None \
        else f"${summary.cost_usd:.4f}"
    if summary.status == "dry_run":
        estimate = ("unknown (no price)" if summary.estimated_cost_usd is None
                    else f"${summary.estimated_cost_usd:.4f}")
        typer.echo(f"dry run: {summary.items} items, {summary.reused} already judged, "
                   f"{summary.to_review} to review")
        typer.echo(f"estimated tokens: {summary.estimated_input_tokens} in, "
                   f"{summary.estimated_output_tokens} out; estimated cost {estimate}")
        return
    typer.echo(f"{summary.items} items: {summary.reviewed} reviewed now, {summary.reused} "
               f"reused from the store, {rejected} rejected rows ({summary.seconds:.1f}s)")
    if summary.verdicts:
        typer.echo("verdicts: " + ", ".join(f"{k} {v}" for k, v in
                                            sorted(summary.verdicts.items())))
    problems = {k: v for k, v in summary.statuses.items() if k != "ok"}
    if problems:
        typer.echo("without a verdict: " + ", ".join(f"{k} {v}" for k, v in
                                                     sorted(problems.items())))
    stored = {k: v for k, v in summary.reused_statuses.items() if k != "ok"}
    if stored:
        typer.echo("stored earlier without a verdict (not asked again): " + ", ".join(
            f"{k} {v}" for k, v in sorted(stored.items())))
    typer.echo(f"tokens: {summary.input_tokens} in, {summary.output_tokens} out; cost {cost}")
    if summary.budget_reached:
        typer.echo("stopped at --max-cost; re-run the same command to resume")
    typer.echo(f"results: llmqa results --home {cfg.home}  (SQLite store: "
               f"{cfg.home}/llmqa.db)")


def results(
    output: str | None = typer.Option(None, "--output", "-o", help="Write to this file "
                                      "(default: stdout)."),
    fmt: str | None = OutputFormatOpt,
    verdict: str | None = typer.Option(None, "--verdict", help="agree, likely_error or "
                                       "ambiguous."),
    status: str | None = typer.Option(None, "--status", help="ok, parse_error, failed, ..."),
    label: str | None = typer.Option(None, "--label", help="Consensus human label."),
    project: str | None = typer.Option(None, "--project", help="Item project."),
    model: str | None = typer.Option(None, "--model", help="Only verdicts of this model."),
    history: bool = typer.Option(False, "--all", help="Every stored verdict, not only the "
                                 "newest per item."),
    home: str | None = HomeOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Export verdicts joined with their items and human labels."""
    from llmqa.io.writers import output_format, write_records
    from llmqa.store.export import verdict_rows

    output_format(output, fmt)  # refuse an unknown extension before opening the store
    with workspace(config, home=home).open_store(readonly=True) as store:
        rows = verdict_rows(store, latest=not history, verdict=verdict, status=status,
                            human_label=label, model=model, project=project)
        count = write_records(rows, output, fmt)
    if output not in (None, "-"):
        err(f"{count} rows written to {output}")


def doctor(
    model: str | None = ModelOpt,
    model_option: list[str] | None = ModelOptionOpt,
    base_url: str | None = BaseUrlOpt,
    structured_method: str | None = MethodOpt,
    guidelines: Path | None = GuidelinesOpt,
    home: str | None = HomeOpt,
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Probe a model before a big batch: which structured-output method gives valid verdicts.

    Sends three small known items in each method (or the one given) and reports per method
    how many came back as valid verdicts. Exit 0 when some method works, 1 otherwise.
    """
    import asyncio

    from llmqa.judge.probe import probe_backend

    ws = workspace(config, guidelines, model=model, model_options=_options(model_option),
                   base_url=base_url,
                   structured_method=structured_method, home=home)
    outcome = asyncio.run(probe_backend(ws.backend(), ws.settings))
    if as_json:
        print_json(outcome)
    else:
        rows = [[m, f"{r['valid']}/{r['tried']}", r.get("problem") or ""]
                for m, r in outcome["methods"].items()]
        typer.echo(f"model {outcome['model']}")
        typer.echo(table(rows, ["method", "valid", "problem"]))
        typer.echo(f"use: --structured-method {outcome['recommended']}" if outcome["recommended"]
                   else "no method gave valid verdicts: check the model, URL and key")
    if not outcome["recommended"]:
        raise typer.Exit(1)
