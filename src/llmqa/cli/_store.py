"""``llmqa runs`` and ``llmqa reparse``: looking after the verdict store."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli._common import ConfigOpt, HomeOpt, JsonOpt, print_json, settings, table


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
    from llmqa.judge.reparse import reparse as run_reparse
    from llmqa.store import RunLock, VerdictStore

    cfg = settings(config, home=home, guidelines=str(guidelines) if guidelines else None)
    with RunLock(cfg.home_path), VerdictStore(cfg.home_path) as store:
        report = run_reparse(store, load_guidelines(cfg.guidelines))
    if as_json:
        print_json(report.__dict__)
        return
    typer.echo(f"{report.examined} stored answers re-read, {report.fixed} now valid verdicts")
    for status, count in sorted(report.still_failing.items()):
        typer.echo(f"still {status}: {count}")
