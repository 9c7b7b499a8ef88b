"""``llmqa review``, ``llmqa results`` and ``llmqa doctor``: the judge over a batch."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import typer

from llmqa.cli._common import (
    BaseUrlOpt,
    ChromaUrlOpt,
    ConfigOpt,
    EmbedderOpt,
    HomeOpt,
    ItemsArg,
    JsonOpt,
    MethodOpt,
    ModelOpt,
    err,
    judge_config,
    print_json,
    settings,
    table,
)
from llmqa.config import Settings

EXIT_BUDGET = 3
LOCAL_WARNING = (
    "Judging with the embedded SmolLM2-135M model (offline, no key). It follows the verdict "
    "schema but is far too small to judge well: treat its verdicts as a pipeline check, not QA. "
    "For real review pass --model gpt-4o-mini (with OPENAI_API_KEY), or --base-url "
    "http://HOST:PORT/v1 --model NAME for vLLM, Ollama or a llama.cpp server."
)

def _spec(cfg: Settings, vision: bool | None = None, temperature: float = 0.0):
    from llmqa.llm.backends import BackendSpec

    return BackendSpec(model=cfg.model, base_url=cfg.base_url, timeout=cfg.timeout,
                       method=cfg.structured_method, vision=vision,  # type: ignore[arg-type]
                       temperature=temperature)


def review(
    items: str = ItemsArg,
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines folder."),
    model: str | None = ModelOpt,
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
    fmt: str | None = typer.Option(None, "--format", "-f", help="Input format (default: from "
                                   "the file name)."),
    home: str | None = HomeOpt,
    chroma_url: str | None = ChromaUrlOpt,
    embedder: str | None = EmbedderOpt,
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on "
                                  "stderr."),
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Pre-review a batch: retrieve clauses, ask the judge, store verdicts.

    Re-running is free for items already judged with the same content, clauses, prompt and
    model. Exit codes: 0 every item has a verdict; 1 rejected rows or items without a
    verdict; 2 usage or configuration error; 3 stopped at --max-cost (re-run to resume).
    """
    from llmqa.errors import ConfigError
    from llmqa.io.readers import ReadReport, read_items
    from llmqa.io.validate import ItemChecks
    from llmqa.llm.pricing import PriceTable
    from llmqa.workspace import Workspace

    cfg = settings(config, guidelines=str(guidelines) if guidelines else None, model=model,
                   base_url=base_url, structured_method=structured_method,
                   concurrency=concurrency, home=home, chroma_url=chroma_url, embedder=embedder,
                   prices=str(prices) if prices else None)
    ws = Workspace(cfg)
    spec = _spec(cfg, vision, temperature)
    table_ = PriceTable.load(cfg.prices)
    if max_cost is not None and table_.get(spec.display_name) is None:
        raise ConfigError(f"--max-cost needs a price for '{spec.display_name}': add it with "
                          "--prices FILE")
    guidelines_set = ws.guidelines
    report = ReadReport()
    valid = []
    checks = ItemChecks(set(guidelines_set.labels), set(guidelines_set.by_id))
    for record in read_items(items, fmt, checks):
        report.add(record)
        if hasattr(record, "content") and (limit is None or len(valid) < limit):
            valid.append(record)
    for error in report.errors:
        err(str(error), "red")
    if not valid:
        err(f"{items}: no valid items to review", "red")
        raise typer.Exit(1)
    if not include_decided:
        from llmqa.store.decisions import current_decisions

        decided = current_decisions(cfg.home_path, valid)
        if decided:
            # Settled stays settled: no model call for an item whose gold label is known.
            valid = [item for item in valid if item.id not in decided]
            err(f"note: {len(decided)} items already decided by an analyst are skipped "
                "(--include-decided reviews them)")
        if not valid:
            typer.echo("every item is already decided; nothing to review")
            return
    if spec.is_local and not dry_run:
        err(LOCAL_WARNING, "yellow")
    judge_settings = judge_config(spec, samples, top_k, vision, cfg.timeout, cfg.max_attempts)
    # The embedded model runs one request at a time on the CPU; queued requests would only
    # eat into their own timeouts.
    workers = 1 if spec.is_local else cfg.concurrency
    summary = _run_review(ws, spec, judge_settings, table_, valid, items, dry_run, max_cost,
                          workers, progress and not as_json, batch_api)
    if as_json:
        print_json(summary.to_dict() | {"rejected_rows": report.rejected})
    else:
        _print_summary(summary, report.rejected, cfg)
    if summary.budget_reached:
        raise typer.Exit(EXIT_BUDGET)
    without_verdict = sum(n for s, n in summary.statuses.items() if s != "ok") + sum(
        n for s, n in summary.reused_statuses.items() if s != "ok")
    if report.rejected or (not dry_run and without_verdict):
        raise typer.Exit(1)


def _run_review(ws, spec, judge_settings, prices, items, source, dry_run, max_cost,
                concurrency, show_progress, batch_api):
    from llmqa.judge import Judge
    from llmqa.llm.backends import make_seam
    from llmqa.runner import ReviewOptions, ReviewRunner
    from llmqa.store import RunLock, VerdictStore

    options = ReviewOptions(concurrency=concurrency, max_cost=max_cost, dry_run=dry_run,
                            batch_pricing=batch_api)
    home = ws.settings.home_path
    # The lock comes first: a second run must refuse before it touches the index or store.
    with RunLock(home), VerdictStore(home) as store:
        retriever = ws.retriever()
        judge = Judge(make_seam(spec), ws.guidelines, judge_settings, prices)
        bar = None
        if show_progress and not dry_run:
            from tqdm import tqdm

            bar = tqdm(total=0, unit="item", desc="review", file=sys.stderr, dynamic_ncols=True)
        runner = ReviewRunner(judge, retriever, store, options,
                              on_progress=bar.update if bar is not None else None,
                              on_plan=(lambda n: bar.reset(total=n)) if bar is not None else None)
        if batch_api and not dry_run:
            from llmqa.runner.batch_api import BatchApiReview

            poll = float(os.environ.get("LLMQA_BATCH_POLL") or 30.0)
            return BatchApiReview(runner, spec, poll_interval=poll).run(items, source)
        try:
            return asyncio.run(runner.run(items, source))
        except KeyboardInterrupt:
            # Typer turns Ctrl-C into a silent exit 130; say what was kept.
            if bar is not None:
                bar.close()
                bar = None
            err("interrupted: every answer received so far is stored; re-run the same "
                "command to resume", "yellow")
            raise typer.Exit(130) from None
        finally:
            if bar is not None:
                bar.close()


def _print_summary(summary, rejected: int, cfg: Settings) -> None:
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
    fmt: str | None = typer.Option(None, "--format", "-f", help="jsonl, csv or parquet "
                                   "(default: from -o, else jsonl)."),
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
    from llmqa.io.writers import write_records
    from llmqa.store import VerdictStore
    from llmqa.store.export import verdict_rows

    cfg = settings(config, home=home)
    with VerdictStore(cfg.home_path, readonly=True) as store:
        rows = verdict_rows(store, latest=not history, verdict=verdict, status=status,
                            human_label=label, model=model, project=project)
        count = write_records(rows, output, fmt)
    if output not in (None, "-"):
        err(f"{count} rows written to {output}")


def doctor(
    model: str | None = ModelOpt,
    base_url: str | None = BaseUrlOpt,
    structured_method: str | None = MethodOpt,
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines folder."),
    home: str | None = HomeOpt,
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Probe a model before a big batch: which structured-output method gives valid verdicts.

    Sends three small known items in each method (or the one given) and reports per method
    how many came back as valid verdicts. Exit 0 when some method works, 1 otherwise.
    """
    from llmqa.judge.probe import probe_backend

    cfg = settings(config, model=model, base_url=base_url, structured_method=structured_method,
                   guidelines=str(guidelines) if guidelines else None, home=home)
    spec = _spec(cfg)
    outcome = asyncio.run(probe_backend(spec, cfg))
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
