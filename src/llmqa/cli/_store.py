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
    costs: bool = typer.Option(False, "--costs", help="Answers, tokens and cost per run and "
                               "model, then totals per model (Batch API runs at their price)."),
    home: str | None = HomeOpt,
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Recent review runs: status, items reviewed and reused, tokens and cost."""
    from llmqa.store import VerdictStore

    with VerdictStore(settings(config, home=home).home_path, readonly=True) as store:
        if costs:
            _print_costs(store.cost_breakdown(limit), as_json)
            return
        recent = store.runs(limit)
    if as_json:
        print_json(recent)
        return
    rows = [[str(r["id"]), r["started_at"][:19], r["status"], r["model"], str(r["items"]),
             str(r["reviewed"]), str(r["reused"]), str(r["failed"]),
             "?" if r["cost_usd"] is None else f"{r['cost_usd']:.4f}"] for r in recent]
    typer.echo(table(rows, ["run", "started", "status", "model", "items", "reviewed", "reused",
                            "no verdict", "cost $"]))


def _money(value: float | None, unpriced: int = 0) -> str:
    if value is None:
        return "?"
    return f"{value:.4f}" + (f" (+{unpriced} unpriced)" if unpriced else "")


def _print_costs(rows: list[dict], as_json: bool) -> None:
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(row["model"], {"model": row["model"], "answers": 0,
                                                 "input_tokens": 0, "output_tokens": 0,
                                                 "cost_usd": 0.0, "unpriced": 0})
        for name in ("answers", "input_tokens", "output_tokens", "unpriced"):
            total[name] += row[name]
        total["cost_usd"] += row["cost_usd"] or 0.0
    if as_json:
        print_json({"runs": rows, "models": list(totals.values())})
        return
    typer.echo(table([[str(r["run_id"]), (r["started_at"] or "")[:19], r["model"],
                       "batch" if r["batch"] else "live", str(r["answers"]),
                       str(r["input_tokens"]), str(r["output_tokens"]),
                       _money(r["cost_usd"], r["unpriced"])] for r in rows],
                     ["run", "started", "model", "api", "answers", "tokens in", "tokens out",
                      "cost $"]))
    typer.echo("")
    typer.echo(table([[t["model"], str(t["answers"]), str(t["input_tokens"]),
                       str(t["output_tokens"]), _money(t["cost_usd"], t["unpriced"])]
                      for t in totals.values()],
                     ["model", "answers", "tokens in", "tokens out", "cost $"]))


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
