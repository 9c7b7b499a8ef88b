"""``llmqa runs``, ``llmqa reparse`` and ``llmqa prune-vectors``: looking after the store."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli._common import (
    ConfigOpt,
    EmbedderOpt,
    GuidelinesOpt,
    HomeOpt,
    JsonOpt,
    print_json,
    table,
    workspace,
)


def runs(
    limit: int = typer.Option(20, "--limit", "-n", help="How many recent runs."),
    home: str | None = HomeOpt,
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Recent review runs: status, items reviewed and reused, tokens and cost."""
    with workspace(config, home=home).open_store(readonly=True) as store:
        recent = store.runs(limit)
    if as_json:
        print_json(recent)
        return
    rows = [[str(r["id"]), r["started_at"][:19], r["status"], r["model"], str(r["items"]),
             str(r["reviewed"]), str(r["reused"]), str(r["failed"]),
             "?" if r["cost_usd"] is None else f"{r['cost_usd']:.4f}"] for r in recent]
    typer.echo(table(rows, ["run", "started", "status", "model", "items", "reviewed", "reused",
                            "no verdict", "cost $"]))


def reparse(
    guidelines: Path | None = GuidelinesOpt,
    home: str | None = HomeOpt,
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Re-validate stored answers that failed to parse or cite; no model is called."""
    from llmqa.judge.reparse import reparse as run_reparse
    from llmqa.store import RunLock

    ws = workspace(config, guidelines, home=home)
    with RunLock(ws.settings.home_path), ws.open_store() as store:
        report = run_reparse(store, ws.guidelines)
    if as_json:
        print_json(report.__dict__)
        return
    typer.echo(f"{report.examined} stored answers re-read, {report.fixed} now valid verdicts")
    for status, count in sorted(report.still_failing.items()):
        typer.echo(f"still {status}: {count}")


def prune_vectors(
    all_embedders: bool = typer.Option(False, "--all", help="Drop every cached item vector, "
                                       "the current embedder's too."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only show what is cached."),
    embedder: str | None = EmbedderOpt,
    home: str | None = HomeOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Drop cached item vectors of other embedders than the configured one, or all of them.

    Those of other embedders are left behind by a switch of --embedder; --all drops every one.

    The vectors are a cache (review and triage embed each item text once and keep it in the
    store); dropping them loses no verdict, and a later run embeds what it needs again.
    """
    from llmqa.store import RunLock

    ws = workspace(config, home=home, embedder=embedder)
    current = ws.embedder.name  # the local model loads lazily: no cost here
    with RunLock(ws.settings.home_path), ws.open_store() as store:
        counts = store.vector_counts()
        rows = [[name, str(n), f"{size / 2**20:.1f}",
                 "keep" if name == current and not all_embedders else "drop"]
                for name, (n, size) in counts.items()]
        typer.echo(table(rows, ["embedder", "vectors", "MiB", "prune"]) if rows
                   else "no cached item vectors")
        if dry_run:
            return
        dropped = store.drop_vectors(keep=None if all_embedders else current)
    typer.echo(f"dropped {dropped} cached item vectors (the file shrinks on the next "
               "`VACUUM`; SQLite reuses the space meanwhile)")
