"""``llmqa runs``, ``llmqa reparse`` and ``llmqa prune-vectors``: looking after the store."""

from __future__ import annotations

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import emit, workspace


def runs(
    limit: int = typer.Option(20, "--limit", "-n", help="How many recent runs."),
    costs: bool = typer.Option(False, "--costs", help="Answers, tokens and cost per run and "
                               "model, then totals per model (Batch API runs at their price)."),
    home: opt.Home = None,
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Recent review runs: status, items reviewed and reused, tokens and cost."""
    from llmqa.store.terminal import cost_totals, costs_text, runs_table

    with workspace(config, home=home).open_store(readonly=True) as store:
        rows = store.cost_breakdown(limit) if costs else store.runs(limit)
    emit(as_json, {"runs": rows, "models": cost_totals(rows)} if costs else rows,
         costs_text(rows) if costs else runs_table(rows))


def reparse(
    guidelines: opt.Guidelines = None,
    home: opt.Home = None,
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Re-validate stored answers that failed to parse or cite; no model is called."""
    from llmqa.store.reparse import reparse as run_reparse
    from llmqa.store.terminal import reparse_text

    ws = workspace(config, guidelines, home=home)
    with ws.locked_store(existing=True) as store:
        report = run_reparse(store, ws.guidelines)
    emit(as_json, report.__dict__, reparse_text(report))


def prune_vectors(
    all_embedders: bool = typer.Option(False, "--all", help="Drop every cached item vector, "
                                       "the current embedder's too."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only show what is cached."),
    embedder: opt.Embedder = None,
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Drop cached item vectors of other embedders than the configured one, or all of them.

    Vectors of other embedders are left behind by a switch of --embedder. They are only a
    cache (review and triage embed each item text once and keep it in the store): dropping
    them loses no verdict, and a later run embeds what it needs again.
    """
    from llmqa.store.terminal import vectors_table

    ws = workspace(config, home=home, embedder=embedder)
    keep = None if all_embedders else ws.embedder.name  # the local model loads lazily
    with ws.locked_store(existing=True) as store:
        typer.echo(vectors_table(store.vector_counts(), keep))
        if dry_run:
            return
        dropped = store.drop_vectors(keep=keep)
    typer.echo(f"dropped {dropped} cached item vectors (the file shrinks on the next "
               "`VACUUM`; SQLite reuses the space meanwhile)")
