"""``llmqa examples``: candidate in-scope and near-miss examples for clauses, verified."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import emit, err, flag, print_json, read_valid, workspace, wrote


def examples(
    clause_ids: list[str] | None = typer.Argument(None, help="Clause IDs to write examples for."),
    all_clauses: bool = typer.Option(False, "--all", help="Every clause of the guidelines."),
    where_disagreement: bool = typer.Option(False, "--where-disagreement", help="The clauses "
                                            "annotators disagree on (in --items or the store)."),
    items: str | None = typer.Option(None, "--items", help="Items for --where-disagreement."),
    max_clauses: int = typer.Option(10, "--max-clauses", min=1,
                                    help="At most this many clauses with --where-disagreement."),
    count: int | None = typer.Option(None, "--count", "-n", min=1, max=10, help="Examples asked "
                                     "for, in and out of scope, each [3; the embedded model: 2]."),
    duplicate_threshold: float = typer.Option(
        0.92, "--duplicate-threshold", min=0.0, max=1.0, help="Drop candidates whose embedding "
        "cosine with an existing example or another candidate is above this."),
    near_miss_k: int = typer.Option(8, "--near-miss-k", min=1, help="An out-of-scope candidate "
                                    "must retrieve its clause or a neighbour within this many "
                                    "clauses."),
    top_k: int | None = typer.Option(None, "--top-k", min=1, max=20, help="Clauses shown to "
                                     "the judge [5; 3 for the embedded model]; an in-scope "
                                     "candidate must retrieve its clause within them."),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the kept candidates "
                                    "with their verification evidence (JSONL)."),
    include_dropped: bool = typer.Option(False, "--include-dropped", help="Also write dropped "
                                         "candidates to -o, with their reasons."),
    guidelines: opt.Guidelines = None,
    model: opt.Model = None,
    base_url: opt.BaseUrl = None,
    structured_method: opt.StructuredMethod = None,
    concurrency: opt.Concurrency = None,
    temperature: float = typer.Option(0.7, "--temperature",
                                      help="The generator's temperature (the judge's is 0)."),
    fmt: opt.InputFormat = None,
    home: opt.Home = None,
    chroma_url: opt.ChromaUrl = None,
    embedder: opt.Embedder = None,
    progress: opt.Progress = True,
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Generate candidate in-scope and near-miss out-of-scope examples, verified.

    Each candidate is dropped unless it is well-formed, not a near duplicate of an existing
    example or another candidate, retrieved where it should be, and classified as intended by
    the judge asked blind. Prints generated / kept / dropped counts and the reasons.
    """
    from llmqa.choices import Purpose
    from llmqa.errors import UsageError
    from llmqa.generation.from_settings import (
        DISPUTED,
        LOCAL_GENERATION_WARNING,
        example_clauses,
        run_examples,
    )
    from llmqa.io.writers import write_records
    from llmqa.progress import StageBars

    if sum(bool(x) for x in (clause_ids, all_clauses, where_disagreement)) != 1:
        raise UsageError("name clause IDs, or pass --all or --where-disagreement (one of them)")
    ws = workspace(config, guidelines, model=model, base_url=base_url,
                   structured_method=structured_method, home=home, chroma_url=chroma_url,
                   embedder=embedder, concurrency=concurrency)
    records = read_valid(ws, items, fmt)[0] if items and where_disagreement else None
    clauses = example_clauses(ws, clause_ids or ("all" if all_clauses else DISPUTED), records,
                              max_clauses)
    if not clauses:
        err("no clause meets the disagreement thresholds; nothing to generate")
        if as_json:
            print_json({"generated": 0, "kept": 0, "dropped": 0, "clauses": []})
        return
    if ws.backend(Purpose.WRITING).is_local:
        err(LOCAL_GENERATION_WARNING.render(flag), "yellow")

    def done(report: Any) -> None:
        if not as_json:
            bars.write(f"{report.clause_id}: {report.generated} generated, "
                       f"{len(report.kept)} kept")

    with StageBars(progress and not as_json) as bars:
        run = run_examples(ws, clauses, count=count, temperature=temperature, top_k=top_k,
                           near_miss_k=near_miss_k, duplicate_threshold=duplicate_threshold,
                           on_clause=done, on_progress=bars)
    if out is not None:
        wrote(out, write_records(run.records(include_dropped), out, "jsonl"), "candidates")
    emit(as_json, run.to_dict(), run.render())
