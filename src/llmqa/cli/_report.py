"""``llmqa report``: one self-contained HTML page for a batch."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import err, flag, workspace


def report(
    items: opt.Items,
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
    from llmqa.errors import BackendError, IndexMismatchError
    from llmqa.io.readers import read_items
    from llmqa.io.writers import check_output_path, write_text
    from llmqa.items import Item
    from llmqa.progress import StageBars
    from llmqa.reporting import build_report, render_report, triage_section
    from llmqa.reporting.decisions import decisions_section

    check_output_path(output)  # before minutes of bootstrap and triage, not after

    ws = workspace(config, guidelines, home=home, embedder=embedder, chroma_url=chroma_url)
    loaded = ws.chosen_guidelines(guidelines is not None)
    # Read once: agreement and triage both walk the items, and stdin cannot be read twice.
    records = list(read_items(items))
    agreement = ws.agreement(records, labels=list(loaded.labels) if loaded else None,
                             n_boot=bootstrap, seed=seed, source=items).report
    triage = triage_error = None
    if with_triage:
        err(f"triage: scoring {agreement.n_items} items (--no-triage skips this)...")
        try:
            with StageBars(progress) as bars:
                # As `llmqa triage` with its defaults: majority consensus, default weights.
                run = ws.triage(records, seed=seed, on_progress=bars, source=items,
                                use_guidelines=True if guidelines is not None else None)
            triage = triage_section(run.result, run.clause_summary(), run.notes, top)
        except (IndexMismatchError, BackendError) as exc:
            # The index or embedding backend is out of step with these settings: the page's
            # other sections are still right, so it is written with the problem stated.
            triage_error = exc.describe(flag)
            err(f"warning: triage section left out: {triage_error}", "yellow")
    decisions = decisions_section([r for r in records if isinstance(r, Item)],
                                  ws.settings.home_path, review_url, n_boot=bootstrap or 1,
                                  seed=seed)
    page = render_report(build_report(agreement.to_dict(), ws.settings.home_path, items,
                                      loaded.version if loaded is not None else None,
                                      triage=triage, triage_error=triage_error,
                                      decisions=decisions))
    write_text(page, output)
    err(f"report written to {output}")
