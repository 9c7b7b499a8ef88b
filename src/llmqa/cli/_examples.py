"""``llmqa examples``: candidate in-scope and near-miss examples for clauses, verified."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from llmqa.choices import Purpose
from llmqa.cli._common import (
    BaseUrlOpt,
    ChromaUrlOpt,
    ConfigOpt,
    EmbedderOpt,
    GuidelinesOpt,
    HomeOpt,
    InputFormatOpt,
    JsonOpt,
    MethodOpt,
    ModelOpt,
    err,
    print_json,
    read_valid,
    workspace,
)
from llmqa.errors import InputError, UsageError

if TYPE_CHECKING:  # heavy imports happen inside the command
    from llmqa.workspace import Workspace

LOCAL_GENERATION_WARNING = (
    "Generating and verifying with the embedded SmolLM2-135M model (offline, no key). It "
    "follows the schema but is far too small to write or judge policy examples: expect most "
    "candidates to be dropped, and treat what is kept as a pipeline check. For real examples "
    "pass --model gpt-4o-mini (with OPENAI_API_KEY), or --base-url http://HOST:PORT/v1 --model "
    "NAME for vLLM, Ollama or a llama.cpp server."
)


def examples(
    clause_ids: list[str] | None = typer.Argument(None, help="Clause IDs to write examples for."),
    all_clauses: bool = typer.Option(False, "--all", help="Every clause of the guidelines."),
    where_disagreement: bool = typer.Option(
        False, "--where-disagreement", help="The clauses annotators disagree on (from "
        "--items, or the items stored by `llmqa review`)."),
    items: str | None = typer.Option(None, "--items", help="Items file for "
                                     "--where-disagreement."),
    max_clauses: int = typer.Option(10, "--max-clauses", min=1, help="At most this many "
                                    "clauses with --where-disagreement."),
    count: int | None = typer.Option(None, "--count", "-n", min=1, max=10, help="In-scope and "
                                     "out-of-scope examples asked for, each [3; 2 for the "
                                     "embedded model]."),
    duplicate_threshold: float = typer.Option(0.92, "--duplicate-threshold", min=0.0, max=1.0,
                                              help="Drop candidates whose embedding cosine with "
                                              "an existing example or another candidate is "
                                              "above this."),
    near_miss_k: int = typer.Option(8, "--near-miss-k", min=1, help="An out-of-scope candidate "
                                    "must retrieve its clause or a neighbour within this many "
                                    "clauses."),
    top_k: int | None = typer.Option(None, "--top-k", min=1, max=20, help="Clauses shown to "
                                     "the judge [5; 3 for the embedded model]; an in-scope "
                                     "candidate must retrieve its clause within them."),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the kept candidates, "
                                    "with their verification evidence, as JSONL."),
    include_dropped: bool = typer.Option(False, "--include-dropped", help="Write dropped "
                                         "candidates to -o too, with their reasons."),
    guidelines: Path | None = GuidelinesOpt,
    model: str | None = ModelOpt,
    base_url: str | None = BaseUrlOpt,
    structured_method: str | None = MethodOpt,
    temperature: float = typer.Option(0.7, "--temperature", help="Sampling temperature of the "
                                      "generator (the judge always uses 0)."),
    fmt: str | None = InputFormatOpt,
    home: str | None = HomeOpt,
    chroma_url: str | None = ChromaUrlOpt,
    embedder: str | None = EmbedderOpt,
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Generate candidate in-scope and near-miss out-of-scope examples, verified.

    Each candidate is dropped unless it is well-formed, not a near duplicate of an existing
    example or another candidate, retrieved where it should be, and classified as intended by
    the judge asked blind. Prints generated / kept / dropped counts and the reasons.
    """
    import asyncio

    from llmqa.generation import (
        CandidateGenerator,
        ExamplePipeline,
        GenerationConfig,
        Verifier,
        VerifyConfig,
    )
    from llmqa.io.writers import write_records
    from llmqa.llm.backends import make_chat_model, make_seam

    chosen = sum(bool(x) for x in (clause_ids, all_clauses, where_disagreement))
    if chosen != 1:
        raise UsageError("name clause IDs, or pass --all or --where-disagreement (one of them)")
    ws = workspace(config, guidelines, model=model, base_url=base_url,
                   structured_method=structured_method, home=home, chroma_url=chroma_url,
                   embedder=embedder)
    guideline_set = ws.guidelines
    clauses = _pick_clauses(ws, clause_ids, all_clauses, items, fmt, max_clauses)
    if not clauses:
        err("no clause meets the disagreement thresholds; nothing to generate")
        if as_json:
            print_json({"generated": 0, "kept": 0, "dropped": 0, "clauses": []})
        return

    gen_spec = ws.backend(Purpose.WRITING, temperature=temperature)
    judge_spec = ws.backend(Purpose.JUDGE)
    if gen_spec.is_local:
        err(LOCAL_GENERATION_WARNING, "yellow")
        # One llama.cpp model in memory serves both: generation and the judge take turns.
        chat = make_chat_model(gen_spec)
        gen_seam = judge_seam = make_seam(gen_spec, chat)
    else:
        gen_seam, judge_seam = make_seam(gen_spec), make_seam(judge_spec)
    judge = ws.judge(judge_spec, top_k=top_k, seam=judge_seam)
    generator = CandidateGenerator(gen_seam, guideline_set, GenerationConfig(
        per_kind=count or (2 if gen_spec.is_local else 3),
        max_chars=300 if gen_spec.is_local else None, retry=judge.config.retry))
    retriever = ws.retriever()
    verifier = Verifier(guideline_set, retriever, judge, VerifyConfig(
        near_miss_k=near_miss_k, duplicate_threshold=duplicate_threshold,
        concurrency=1 if gen_spec.is_local else ws.settings.concurrency))

    def progress(report: Any) -> None:
        if not as_json:
            err(f"{report.clause_id}: {report.generated} generated, {len(report.kept)} kept")

    run = asyncio.run(ExamplePipeline(generator, verifier).run(clauses, progress))
    if out is not None:
        records = run.records(include_dropped)
        write_records(records, out, "jsonl")
        err(f"{len(records)} candidates written to {out}")
    if as_json:
        print_json(run.to_dict())
    else:
        typer.echo(run.render())


def _pick_clauses(ws: Workspace, clause_ids: list[str] | None, all_clauses: bool,
                  items: str | None, fmt: str | None, max_clauses: int) -> list[Any]:
    guideline_set = ws.guidelines
    if all_clauses:
        return list(guideline_set.by_id.values())
    if clause_ids:
        unknown = [c for c in clause_ids if c not in guideline_set.by_id]
        if unknown:
            raise InputError(f"unknown clause ID(s): {', '.join(unknown)}")
        return [guideline_set.by_id[c] for c in dict.fromkeys(clause_ids)]
    from llmqa.revision.evidence import (
        Thresholds,
        gather_evidence,
        items_from_store,
        troubled_clauses,
        verdict_index,
    )

    if items:
        records = read_valid(ws, items, fmt)[0]
    elif ws.has_store:
        records = items_from_store(ws.verdicts())
    else:
        raise InputError("--where-disagreement needs items: pass --items FILE (or run "
                         "`llmqa review` first so the store holds them)")
    verdicts = verdict_index(ws.verdicts({i.id for i in records}))
    thresholds = Thresholds(max_clauses=max_clauses)
    evidence = troubled_clauses(gather_evidence(records, guideline_set, verdicts,
                                                thresholds=thresholds), thresholds)
    return [guideline_set.by_id[e.clause_id] for e in evidence]
