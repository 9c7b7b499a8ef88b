"""``llmqa report``: one self-contained HTML page for a batch."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import err, flag, guideline_use, workspace


def report(
    items: opt.Items,
    output: Path = typer.Option(Path("llmqa-report.html"), "--output", "-o",
                                help="HTML file to write."),
    guidelines: Path | None = typer.Option(
        None, "--guidelines", "-g", help="Guidelines folder: label set, version and triage "
        "evidence (default: guidelines/ when it exists)."),
    no_guidelines: opt.NoGuidelines = False,
    bootstrap: int = typer.Option(500, "--bootstrap", min=0, help="Bootstrap replicates for "
                                  "the confidence intervals (0: none)."),
    seed: int = typer.Option(0, "--seed", help="Seed for the bootstrap and the triage folds."),
    with_triage: bool = typer.Option(
        True, "--triage/--no-triage", help="Add the triage queue's top likely errors and "
        "ambiguous items and where they cluster (embeds the items, their vectors cached in "
        "the store, and trains the triage classifier)."),
    top: int = typer.Option(15, "--top", min=1, help="Rows in each triage table."),
    review_url: str = typer.Option("http://127.0.0.1:8765", "--review-url", help="Where "
                                   "`llmqa serve` runs: decision counts link there."),
    progress: opt.Progress = True,
    home: opt.Home = None,
    embedder: opt.Embedder = None,
    chroma_url: opt.ChromaUrl = None,
    config: opt.Config = None,
) -> None:
    """Write an HTML report: agreement with 95% CIs by project and modality, the clauses
    and annotators with the least agreement, which labels annotators confuse, the triage
    queue's likely errors and ambiguous items (offline signals, plus the judge's verdicts
    when the store has them), and the judge's likely errors with evidence."""
    from llmqa.io.writers import check_output_path, write_text
    from llmqa.progress import StageBars

    check_output_path(output, (".html", ".htm"))  # before minutes of bootstrap, not after
    ws = workspace(config, guidelines, home=home, embedder=embedder, chroma_url=chroma_url)
    with StageBars(progress) as bars:
        run = ws.report(items, use_guidelines=guideline_use(guidelines, no_guidelines),
                        n_boot=bootstrap, seed=seed, with_triage=with_triage, top=top,
                        review_url=review_url, on_progress=bars, on_triage=lambda n: err(
                            f"triage: scoring {n} items (--no-triage skips this)..."))
    if run.triage_problem is not None:
        err(f"warning: triage section left out: {run.triage_problem.describe(flag)}", "yellow")
    write_text(run.html(flag), output)
    err(f"report written to {output}")
