"""``llmqa runs``, ``llmqa reparse`` and ``llmqa prune-vectors``: looking after the store."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli._common import (
    ConfigOpt,
    EmbedderOpt,
    HomeOpt,
    JsonOpt,
    print_json,
    settings,
    table,
)


def runs(
    limit: int = typer.Option(20, "--limit", "-n", help="How many recent runs."),
    home: str | None = HomeOpt,
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Recent review runs: status, items reviewed and reused, tokens and cost."""
    from llmqa.store import VerdictStore

    with VerdictStore(settings(config, home=home).home_path, readonly=True) as store:
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
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines folder."),
    home: str | None = HomeOpt,
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Re-validate stored answers that failed to parse or cite; no model is called."""
    from llmqa.guidelines import load_guidelines
    from llmqa.store import RunLock, VerdictStore
    from llmqa.store.reparse import reparse as run_reparse

    cfg = settings(config, home=home, guidelines=str(guidelines) if guidelines else None)
    with RunLock(cfg.home_path), VerdictStore(cfg.home_path) as store:
        report = run_reparse(store, load_guidelines(cfg.guidelines))
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
    """Drop cached item vectors that no longer serve: those of embedders other than the
    configured one (left behind by a switch of --embedder), or all of them with --all.

    The vectors are a cache (review and triage embed each item text once and keep it in the
    store); dropping them loses no verdict, and a later run embeds what it needs again.
    """
    from llmqa.store import RunLock, VerdictStore
    from llmqa.workspace import Workspace

    cfg = settings(config, home=home, embedder=embedder)
    current = Workspace(cfg).embedder.name  # the local model loads lazily: no cost here
    with RunLock(cfg.home_path), VerdictStore(cfg.home_path) as store:
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
