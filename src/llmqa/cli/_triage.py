"""``llmqa triage``: the review queue of likely errors and ambiguous items, with reasons."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.choices import ConsensusMethod, Kind
from llmqa.cli import _options as opt
from llmqa.cli._common import err, flag, guideline_use, one_stdout, print_json, workspace, wrote


def triage(
    items: opt.Items,
    fmt: opt.InputFormat = None,
    guidelines: Path | None = typer.Option(
        None, "--guidelines", "-g", help="Guidelines for the retrieval evidence, indexed when "
        "changed [default: guidelines/ when it exists]."),
    no_guidelines: bool = typer.Option(False, "--no-guidelines",
                                       help="Skip the retrieval evidence (no index needed)."),
    offline: bool = typer.Option(False, "--offline", help="Ignore the judge's stored verdicts."),
    kind: Kind = typer.Option(Kind.ALL, "--kind", help="Rank by the likely-error score, the "
                              "ambiguity score, or the larger of the two."),
    project: opt.Projects = None,
    min_score: float | None = typer.Option(None, "--min-score", min=0.0, max=1.0,
                                           help="Leave out rows scored below this."),
    top: int | None = typer.Option(None, "--top", min=1, help="Keep the N most urgent rows."),
    out: str | None = typer.Option(None, "--output", "-o", help="Write the queue with every "
                                   "signal and its inputs (.csv, .jsonl, .parquet; - for stdout)."),
    out_format: opt.OutputFormat = None,
    clause_summary: str | None = typer.Option(
        None, "--clause-summary", help="Write where errors and ambiguity cluster, per clause, as "
        "JSON (- for stdout); shape in docs/triage.md."),
    project_priority: list[str] | None = typer.Option(
        None, "--project-priority", help="PROJECT=WEIGHT (repeatable): that project's item "
        "priority, over the items' own [default 1]."),
    consensus: ConsensusMethod = typer.Option(ConsensusMethod.MAJORITY, "--consensus",
                                              help="How the label under review is chosen."),
    weights: Path | None = typer.Option(None, "--weights",
                                        help="Score weights (JSON, as --save-weights writes)."),
    calibrate: Path | None = typer.Option(
        None, "--calibrate", help="Answer key (JSONL: id + kind seeded_error/ambiguous/clean, or "
        "is_error/is_ambiguous): fit the weights on it, report their CV quality, use them."),
    save_weights: Path | None = typer.Option(None, "--save-weights", help="Save the weights "
                                             "used (with --calibrate: the fitted ones)."),
    include_decided: bool = typer.Option(False, "--include-decided", help="Keep items analysts "
                                         "decided (on their current content and labels), marked."),
    show: int = typer.Option(20, "--show", min=0, help="Rows shown in the terminal table."),
    seed: int = typer.Option(0, "--seed", help="Seed for the folds and MACE."),
    progress: opt.Progress = True,
    as_json: opt.Json = False,
    home: opt.Home = None,
    embedder: opt.Embedder = None,
    chroma_url: opt.ChromaUrl = None,
    config: opt.Config = None,
) -> None:
    """Rank items by how likely their label is wrong and how ambiguous they are.

    Signals, each kept with its inputs: annotator disagreement and consensus uncertainty,
    confident learning (cleanlab) on an out-of-fold classifier over the item embeddings,
    the label the nearest guideline clauses and examples imply, and the LLM judge's stored
    verdict (unless --offline). The queue is ordered by score × priority; every row says
    why in one line. See docs/triage.md.
    """
    from llmqa.io.readers import read_items
    from llmqa.io.writers import check_records_output, json_text, write_text
    from llmqa.progress import StageBars
    from llmqa.triage import QueueOptions
    from llmqa.triage.output import write_queue
    from llmqa.triage.queue import parse_priorities

    to_stdout = {"--json": as_json, "-o -": out == "-", "--clause-summary -": clause_summary == "-"}
    one_stdout(to_stdout)
    if out is not None:
        check_records_output(out, out_format)  # before the work, not after
    try:
        priorities = parse_priorities(project_priority) if project_priority else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--project-priority") from None
    ws = workspace(config, guidelines, home=home, embedder=embedder, chroma_url=chroma_url)
    options = QueueOptions(kind=kind.value, projects=tuple(project) if project else None,
                           min_score=min_score, top=top, project_priority=priorities)
    with StageBars(progress and not as_json) as bars:
        queue = ws.triage_queue(
            read_items(items, fmt), options, include_decided=include_decided, source=items,
            consensus=consensus, seed=seed, offline=offline, weights=weights,
            answer_key=calibrate, on_progress=bars,
            use_guidelines=guideline_use(guidelines, no_guidelines))
    if save_weights is not None:
        queue.run.weights.save(save_weights)
        err(f"wrote weights to {save_weights}")
    if out is not None:
        wrote(out, write_queue(queue.rows, out, out_format), "queue rows")
    if clause_summary is not None:
        summary = queue.run.clause_summary()
        write_text(json_text(summary), clause_summary)
        wrote(clause_summary, len(summary["clauses"]), "clause rows")
    if as_json:
        print_json(queue.to_dict(flag))
        return
    typer.echo(queue.render(show, more="-o FILE for all", name=flag), err=any(to_stdout.values()))
