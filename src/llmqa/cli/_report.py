"""``llmqa report``: one self-contained HTML page for a batch."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli._common import (
    ChromaUrlOpt,
    ConfigOpt,
    EmbedderOpt,
    HomeOpt,
    ItemsArg,
    ProgressOpt,
    err,
    flag,
    workspace,
)
from llmqa.progress import StageBars


def report(
    items: str = ItemsArg,
    output: Path = typer.Option(Path("llmqa-report.html"), "--output", "-o",
                                help="HTML file to write."),
    guidelines: Path | None = typer.Option(
        None, "--guidelines", "-g", help="Guidelines folder: label set, version and the "
        "triage's retrieval evidence (default: guidelines/ when it exists)."),
    bootstrap: int = typer.Option(500, "--bootstrap", min=0, help="Bootstrap replicates for "
                                  "the confidence intervals (0: none)."),
    seed: int = typer.Option(0, "--seed", help="Seed for the bootstrap and the triage folds."),
    with_triage: bool = typer.Option(
        True, "--triage/--no-triage", help="Add the triage section: the likely errors and "
        "ambiguous items at the top of the llmqa triage queue, and the clauses where they "
        "cluster. It embeds the items (once: the store caches their vectors) and trains the "
        "triage classifier; --no-triage skips all of that."),
    top: int = typer.Option(15, "--top", min=1, help="Rows in each triage table (likely "
                            "errors, ambiguous items)."),
    review_url: str = typer.Option("http://127.0.0.1:8765", "--review-url", help="Where "
                                   "`llmqa serve` runs: the decisions section's counts link "
                                   "there."),
    progress: bool = ProgressOpt,
    home: str | None = HomeOpt,
    embedder: str | None = EmbedderOpt,
    chroma_url: str | None = ChromaUrlOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Write an HTML report: agreement with 95% CIs by project and modality, the clauses
    and annotators with the least agreement, which labels annotators confuse, the triage
    queue's likely errors and ambiguous items (offline signals, plus the judge's verdicts
    when the store has them), and the judge's likely errors with evidence."""
    from llmqa.agreement import Ratings, agreement_report, compute_consensus
    from llmqa.errors import BackendError, IndexMismatchError, InputError
    from llmqa.io.readers import read_items
    from llmqa.io.writers import check_output_path
    from llmqa.items import Item
    from llmqa.reporting import build_report, render_report, triage_section
    from llmqa.triage import clause_summary

    check_output_path(output)  # before minutes of bootstrap and triage, not after

    ws = workspace(config, guidelines, home=home, embedder=embedder, chroma_url=chroma_url)
    loaded = ws.guidelines if guidelines is not None else ws.optional_guidelines
    labels = list(loaded.labels) if loaded is not None else None
    # Read once: agreement and triage both walk the items, and stdin cannot be read twice.
    records = list(read_items(items))
    judge_labels, judge_clauses = ws.judge_labels({r.id for r in records
                                                   if isinstance(r, Item)})
    ratings = Ratings.from_items(records, judge_labels=judge_labels, labels=labels,
                                 judge_clauses=judge_clauses)
    if ratings.n_items == 0:
        raise InputError(f"{items}: no valid items found")
    consensus = compute_consensus(ratings, "majority", "prior", seed)
    agreement = agreement_report(ratings, consensus=consensus, n_boot=bootstrap, seed=seed)
    triage = triage_error = None
    if with_triage:
        err(f"triage: scoring {ratings.n_items} items (--no-triage skips this)...")
        try:
            with StageBars(progress) as bars:
                # As `llmqa triage` with its defaults: majority consensus, default weights.
                run = ws.triage(records, seed=seed, on_progress=bars, source=items,
                                use_guidelines=True if guidelines is not None else None)
            triage = triage_section(run.result, clause_summary(run.result,
                                                               guidelines=run.guidelines),
                                    run.notes, top)
        except (IndexMismatchError, BackendError) as exc:
            # The index or embedding backend is out of step with these settings: the page's
            # other sections are still right, so it is written with the problem stated.
            triage_error = exc.describe(flag)
            err(f"warning: triage section left out: {triage_error}", "yellow")
    from llmqa.items import Item
    from llmqa.reporting.decisions import decisions_section

    decisions = decisions_section([r for r in records if isinstance(r, Item)],
                                  ws.settings.home_path, review_url, n_boot=bootstrap or 1,
                                  seed=seed)
    page = render_report(build_report(agreement.to_dict(), ws.settings.home_path, items,
                                      loaded.version if loaded is not None else None,
                                      triage=triage, triage_error=triage_error,
                                      decisions=decisions))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    err(f"report written to {output}")
