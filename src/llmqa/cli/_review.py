"""``llmqa review``, ``llmqa results`` and ``llmqa doctor``: the judge over a batch."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.choices import EscalateWhen
from llmqa.cli import _options as opt
from llmqa.cli._common import err, print_json, read_valid, workspace

EXIT_BUDGET = 3
LOCAL_WARNING = (
    "Judging with the embedded SmolLM2-135M model (offline, no key). It follows the verdict "
    "schema but is far too small to judge well: treat its verdicts as a pipeline check, not QA. "
    "For real review pass --model gpt-4o-mini (with OPENAI_API_KEY), or --base-url "
    "http://HOST:PORT/v1 --model NAME for vLLM, Ollama or a llama.cpp server."
)


def review(
    items: opt.Items,
    guidelines: opt.Guidelines = None,
    model: opt.Model = None,
    model_option: opt.ModelOption = None,
    base_url: opt.BaseUrl = None,
    structured_method: opt.StructuredMethod = None,
    concurrency: opt.Concurrency = None,
    dry_run: bool = typer.Option(False, "--dry-run", help="Estimate calls, tokens and cost; "
                                 "call nothing."),
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
    fmt: opt.InputFormat = None,
    home: opt.Home = None,
    chroma_url: opt.ChromaUrl = None,
    embedder: opt.Embedder = None,
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on "
                                  "stderr (shown on a terminal only)."),
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Pre-review a batch: retrieve clauses, ask the judge, store verdicts.

    Re-running is free for items already judged with the same content, clauses, prompt and
    model. Exit codes: 0 every item has a verdict; 1 rejected rows or items without a
    verdict; 2 usage or configuration error; 3 stopped at --max-cost (re-run to resume).
    """
    from llmqa.errors import ConfigError, Hint
    from llmqa.guidelines.check import ensure_reviewable
    from llmqa.runner.terminal import review_text, without_verdict

    ws = workspace(config, guidelines, model=model, model_option=model_option,
                   base_url=base_url, structured_method=structured_method,
                   concurrency=concurrency, home=home, chroma_url=chroma_url, embedder=embedder,
                   prices=prices)
    spec = ws.backend(vision=vision, temperature=temperature, no_calls=dry_run)
    if max_cost is not None and ws.prices().get(spec.display_name) is None:
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
        typer.echo(review_text(summary, rejected))
        if summary.status != "dry_run":
            if summary.budget_reached:
                typer.echo("stopped at --max-cost; re-run the same command to resume")
            home_path = ws.settings.home
            typer.echo(f"results: llmqa results --home {home_path}  (SQLite store: "
                       f"{home_path}/llmqa.db)")
    if summary.budget_reached:
        raise typer.Exit(EXIT_BUDGET)
    if rejected or (not dry_run and without_verdict(summary)):
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


def results(
    output: str | None = typer.Option(None, "--output", "-o", help="Write to this file "
                                      "(default: stdout)."),
    fmt: opt.OutputFormat = None,
    verdict: str | None = typer.Option(None, "--verdict", help="agree, likely_error or "
                                       "ambiguous."),
    status: str | None = typer.Option(None, "--status", help="ok, parse_error, failed, ..."),
    label: str | None = typer.Option(None, "--label", help="Consensus human label."),
    project: str | None = typer.Option(None, "--project", help="Item project."),
    model: str | None = typer.Option(None, "--model", help="Only verdicts of this model."),
    history: bool = typer.Option(False, "--all", help="Every stored verdict, not only the "
                                 "newest per item."),
    home: opt.Home = None,
    config: opt.Config = None,
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
    model: opt.Model = None,
    model_option: opt.ModelOption = None,
    base_url: opt.BaseUrl = None,
    structured_method: opt.StructuredMethod = None,
    guidelines: opt.Guidelines = None,
    home: opt.Home = None,
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Probe a model before a big batch: which structured-output method gives valid verdicts.

    Sends three small known items in each method (or the one given) and reports per method
    how many came back as valid verdicts. Exit 0 when some method works, 1 otherwise.
    """
    import asyncio

    from llmqa.judge.probe import probe_backend
    from llmqa.runner.terminal import probe_table

    ws = workspace(config, guidelines, model=model, model_option=model_option,
                   base_url=base_url, structured_method=structured_method, home=home)
    outcome = asyncio.run(probe_backend(ws.backend(), ws.settings))
    if as_json:
        print_json(outcome)
    else:
        typer.echo(probe_table(outcome))
        typer.echo(f"use: --structured-method {outcome['recommended']}" if outcome["recommended"]
                   else "no method gave valid verdicts: check the model, URL and key")
    if not outcome["recommended"]:
        raise typer.Exit(1)
