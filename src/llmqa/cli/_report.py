"""``llmqa report``: one self-contained HTML page for a batch."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli._common import ConfigOpt, HomeOpt, err, settings


def report(
    items: str = typer.Argument(..., help="Items file (.jsonl, .csv, .parquet) or - for stdin."),
    output: Path = typer.Option(Path("llmqa-report.html"), "--output", "-o",
                                help="HTML file to write."),
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g",
                                           help="Guidelines folder (label set and version)."),
    bootstrap: int = typer.Option(500, "--bootstrap", min=0, help="Bootstrap replicates for "
                                  "the confidence intervals (0: none)."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    home: str | None = HomeOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Write an HTML report: agreement with 95% CIs by project and modality, the clauses
    and annotators with the least agreement, and the judge's likely errors with evidence."""
    from llmqa.agreement import Ratings, agreement_report, compute_consensus
    from llmqa.cli._agreement import _load_judge
    from llmqa.errors import InputError
    from llmqa.io.readers import read_items
    from llmqa.reporting import build_report, render_report

    cfg = settings(config, home=home, guidelines=str(guidelines) if guidelines else None)
    labels = version = None
    if Path(cfg.guidelines).exists():
        from llmqa.guidelines import load_guidelines

        loaded = load_guidelines(cfg.guidelines)
        labels, version = list(loaded.labels), loaded.version
    judge_labels, judge_clauses = _load_judge(cfg)
    ratings = Ratings.from_items(read_items(items), judge_labels=judge_labels, labels=labels,
                                 judge_clauses=judge_clauses)
    if ratings.n_items == 0:
        raise InputError(f"{items}: no valid items found")
    consensus = compute_consensus(ratings, "majority", "prior", seed)
    agreement = agreement_report(ratings, consensus=consensus, n_boot=bootstrap, seed=seed)
    page = render_report(build_report(agreement.to_dict(), cfg.home_path, items, version))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    err(f"report written to {output}")
