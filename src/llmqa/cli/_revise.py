"""``llmqa revise``: guideline revisions for the clauses annotators disagree on, as a patch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import err, flag, print_json, read_valid, workspace


def revise(
    items: Annotated[str | None, typer.Argument(
        help="Items file (.jsonl, .csv, .parquet) with annotations [default: every item the "
        "store holds a verdict for].")] = None,
    clause_summary: Path | None = typer.Option(None, "--clause-summary", help="Triage clause "
                                               "summary JSON (`llmqa triage --clause-summary`)."),
    examples_file: Path | None = typer.Option(None, "--examples", help="Verified candidates "
                                              "from `llmqa examples -o` to draw examples from."),
    clause: list[str] | None = typer.Option(None, "--clause", help="Revise only these clauses "
                                            "(repeatable), troubled or not."),
    min_items: int = typer.Option(3, "--min-items", min=1, help="Items with 2+ ratings a clause "
                                  "needs before its agreement counts."),
    max_agreement: float = typer.Option(0.75, "--max-agreement", min=0.0, max=1.0,
                                        help="Percent agreement below which a clause is troubled."),
    min_flags: int = typer.Option(2, "--min-flags", min=1, help="Judge likely_error/ambiguous "
                                  "or triage flags that make a clause troubled."),
    max_clauses: int = typer.Option(10, "--max-clauses", min=1, help="Revise at most this many "
                                    "clauses, most troubled first."),
    max_item_examples: int = typer.Option(2, "--max-item-examples", min=0, help="New examples "
                                          "per clause from real disagreed items."),
    max_generated_examples: int = typer.Option(2, "--max-generated-examples", min=0,
                                               help="New examples per clause from --examples."),
    example_chars: int = typer.Option(240, "--example-chars", min=40, help="Cap on an example "
                                      "quoted from an item."),
    wording: bool = typer.Option(True, "--wording/--no-wording", help="Ask the model for "
                                 "clearer wording (off: examples only, no model)."),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the patch here "
                                    "(default: standard output)."),
    report_out: Path | None = typer.Option(None, "--report", help="Also write the evidence "
                                           "report as markdown."),
    apply: bool = typer.Option(False, "--apply", help="Write the revised guideline files (a new "
                               "version); without it only -o and --report are written."),
    root: Path | None = typer.Option(None, "--root", help="Folder the patch paths start from "
                                     "[default: the current one when it holds the guidelines]."),
    guidelines: opt.Guidelines = None,
    model: opt.Model = None,
    base_url: opt.BaseUrl = None,
    structured_method: opt.StructuredMethod = None,
    concurrency: opt.Concurrency = None,
    no_judge: opt.NoJudge = False,
    queue: opt.Queue = None,
    check_first_score: opt.CheckFirst = 0.75,
    fmt: opt.InputFormat = None,
    home: opt.Home = None,
    as_json: opt.Json = False,
    progress: opt.Progress = True,
    config: opt.Config = None,
) -> None:
    """Draft guideline revisions for the clauses annotators disagree on, as a patch.

    Per troubled clause: clearer wording (LLM, with the disagreed items as evidence) and new
    examples from real disagreed items (anonymized) and verified generated ones. The patch is
    a unified diff that `git apply` and `patch -p1` apply; its preamble holds the evidence.
    """
    from llmqa.io.writers import write_text
    from llmqa.progress import StageBars
    from llmqa.revision import Thresholds
    from llmqa.revision.pipeline import LOCAL_REVISION_WARNING, RevisionOptions

    ws = workspace(config, guidelines, model=model, base_url=base_url,
                   structured_method=structured_method, home=home, concurrency=concurrency)
    records = read_valid(ws, items, fmt)[0] if items is not None else None
    if wording and ws.backend().is_local:
        err(LOCAL_REVISION_WARNING.render(flag), "yellow")
    options = RevisionOptions(
        thresholds=Thresholds(min_items=min_items, max_agreement=max_agreement,
                              min_flags=min_flags, max_clauses=max_clauses),
        clauses=tuple(clause or ()), wording=wording, max_item_examples=max_item_examples,
        max_generated_examples=max_generated_examples, example_chars=example_chars,
        clause_summary=clause_summary, examples=examples_file, root=root, apply=apply,
        queue=queue, check_first=check_first_score)
    with StageBars(progress) as bars:
        run = ws.revise(records, options, use_judge=not no_judge, on_progress=bars,
                        source=items or "the store's reviewed items")
    for note in run.notes:
        err(note, "yellow")
    if run.drafts:
        if out is not None:
            write_text(run.patch, out)
            err(f"patch written to {out} ({len(run.edits)} files; apply with `git apply {out}`)")
        elif not as_json:
            typer.echo(run.patch, nl=False)
        if report_out is not None:
            write_text(run.report, report_out)
            err(f"evidence report written to {report_out}")
    for line in run.summary(flag):
        err(line)
    if as_json:
        print_json(run.to_dict(patch=None if out is None else str(out)) if run.drafts
                   else {"clauses": [], "applied": None})
