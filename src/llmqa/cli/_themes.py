"""``llmqa themes``: recurring annotation error themes, for the annotation team."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.choices import ConsensusMethod
from llmqa.cli import _options as opt
from llmqa.cli._common import err, read_valid, workspace


def themes(
    items: opt.AnnotatedItems,
    project: opt.Projects = None,
    method: ConsensusMethod = typer.Option(ConsensusMethod.MAJORITY, "--method",
                                           help="How the consensus label is chosen."),
    min_count: int = typer.Option(2, "--min-count", min=1, help="A theme must recur this many "
                                  "times to be listed."),
    per_theme: int = typer.Option(3, "--examples", min=1, max=10, help="Representative items "
                                  "per theme."),
    top: int = typer.Option(10, "--top", min=1, help="Clauses and annotators listed."),
    title: str = typer.Option("Recurring annotation error themes", "--title", help="Report title."),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the markdown here "
                                    "(default: standard output)."),
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines folder "
                                           "(clause titles, label set) [default: guidelines/ "
                                           "when it exists]."),
    no_judge: opt.NoJudge = False,
    queue: opt.Queue = None,
    check_first_score: opt.CheckFirst = 0.75,
    fmt: opt.InputFormat = None,
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Recurring annotation error themes by clause and by annotator, as markdown.

    Deterministic, no model: which annotations were wrong comes from the consensus and, where
    the judge flagged an item in the store, from the judge's suggested label.
    """
    from llmqa.io.writers import write_text
    from llmqa.themes import render_themes

    ws = workspace(config, guidelines, home=home)
    summary = ws.themes(read_valid(ws, items, fmt)[0], projects=project, method=method,
                        use_judge=not no_judge, queue=queue, check_first=check_first_score,
                        require_guidelines=guidelines is not None)
    write_text(render_themes(summary, title=title, min_count=min_count, examples=per_theme,
                             top=top), out)
    if out is not None:
        err(f"themes written to {out} ({len(summary.mistakes)} differing annotations)")
