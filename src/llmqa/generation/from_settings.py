"""Examples for a workspace: which clauses, the writing and judging models it names, and the
verified pipeline over them.

``llmqa examples`` runs this; a script does the same with a ``Workspace``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from llmqa.choices import Purpose
from llmqa.errors import Hint, InputError

DISPUTED = "disputed"
# Said before a run with the embedded model, so nobody takes its drop rate for the method's.
LOCAL_GENERATION_WARNING = Hint(
    "Generating and verifying with the embedded SmolLM2-135M model (offline, no key). It "
    "follows the schema but is far too small to write or judge policy examples: expect most "
    "candidates to be dropped, and treat what is kept as a pipeline check. For real examples "
    "pass {} gpt-4o-mini (with OPENAI_API_KEY), or {} http://HOST:PORT/v1 {} NAME for vLLM, "
    "Ollama or a llama.cpp server.", ("model", "base_url", "model"))

if TYPE_CHECKING:
    from llmqa.generation import ClauseReport, ExamplesRun
    from llmqa.guidelines import Clause
    from llmqa.items import Item
    from llmqa.progress import StageProgress
    from llmqa.workspace import Workspace


def named_clauses(ws: Workspace, clause_ids: Sequence[str]) -> list[Clause]:
    """The clauses with these IDs, in order, once each; an unknown ID is an error."""
    by_id = ws.guidelines.by_id
    unknown = [c for c in clause_ids if c not in by_id]
    if unknown:
        raise InputError(f"unknown clause ID(s): {', '.join(unknown)}")
    return [by_id[c] for c in dict.fromkeys(clause_ids)]


def example_clauses(ws: Workspace, which: Sequence[str] | str, items: list[Item] | None = None,
                    max_clauses: int = 10) -> list[Clause]:
    """The clauses to write examples for: ``which`` names clause IDs, or is ``"all"`` (every
    clause) or ``"disputed"`` (the ones annotators disagree on most, from ``items`` or the
    items the store holds; at most ``max_clauses``)."""
    # A general rule has no label, so no example can be in or out of its scope.
    if which == "all":
        return [c for c in ws.guidelines.by_id.values() if not c.general]
    if which != DISPUTED:
        named = named_clauses(ws, [which] if isinstance(which, str) else which)
        general = [c.id for c in named if c.general]
        if general:
            raise InputError(f"{', '.join(general)}: a general rule (no label) has no scope for "
                             "examples to fall in or out of; name the clauses it bears on")
        return named
    if items is None and not ws.has_store:
        raise InputError("finding the disputed clauses needs items", Hint(
            "pass {} FILE, or review them first so the store holds them", ("items",)))
    return [c for c in disputed_clauses(ws, items, max_clauses) if not c.general]


def disputed_clauses(ws: Workspace, items: list[Item] | None, max_clauses: int) -> list[Clause]:
    """The clauses annotators disagree on most (at most ``max_clauses``), from ``items`` or,
    when ``None``, the items the store holds verdicts for."""
    from llmqa.revision.evidence import (
        Thresholds,
        gather_evidence,
        items_from_store,
        troubled_clauses,
        verdict_index,
    )

    records = items if items is not None else items_from_store(ws.verdicts())
    verdicts = verdict_index(ws.verdicts({i.id for i in records}))
    thresholds = Thresholds(max_clauses=max_clauses)
    evidence = troubled_clauses(gather_evidence(records, ws.guidelines, verdicts,
                                                thresholds=thresholds), thresholds)
    return [ws.guidelines.by_id[e.clause_id] for e in evidence]


def run_examples(ws: Workspace, clauses: list[Clause], *, count: int | None = None,
                 temperature: float = 0.7, top_k: int | None = None, near_miss_k: int = 8,
                 duplicate_threshold: float = 0.92,
                 on_clause: Callable[[ClauseReport], Any] | None = None,
                 on_progress: StageProgress | None = None) -> ExamplesRun:
    """Generate candidate examples for ``clauses`` with the writing model and keep the ones
    that pass every check (see ``generation.verify``). ``on_clause`` gets each clause's
    report as it is done; ``on_progress`` gets ``("examples", done, total)``."""
    import asyncio

    from llmqa.generation import (
        CandidateGenerator,
        ExamplePipeline,
        GenerationConfig,
        Verifier,
        VerifyConfig,
    )
    from llmqa.llm.backends import make_chat_model, make_seam

    gen_spec = ws.backend(Purpose.WRITING, temperature=temperature)
    judge_spec = ws.backend(Purpose.JUDGE)
    local = gen_spec.is_local
    if local:
        # One llama.cpp model in memory serves both: generation and the judge take turns.
        gen_seam = judge_seam = make_seam(gen_spec, make_chat_model(gen_spec))
    else:
        gen_seam, judge_seam = make_seam(gen_spec), make_seam(judge_spec)
    judge = ws.judge(judge_spec, top_k=top_k, seam=judge_seam)
    generator = CandidateGenerator(gen_seam, ws.guidelines, GenerationConfig(
        per_kind=count or (2 if local else 3), max_chars=300 if local else None,
        retry=judge.config.retry))
    # The requests in flight stay within the concurrency setting: half of it writes the next
    # clauses' candidates while the rest verifies one clause's (benchmarks/bench_clauses.py).
    ahead = 0 if local else ws.settings.concurrency // 2
    verifier = Verifier(ws.guidelines, ws.retriever(), judge, VerifyConfig(
        near_miss_k=near_miss_k, duplicate_threshold=duplicate_threshold,
        concurrency=1 if local else max(1, ws.settings.concurrency - ahead)))
    done = 0

    def reported(report: ClauseReport) -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress("examples", done, len(clauses))
        if on_clause is not None:
            on_clause(report)

    if on_progress is not None:
        on_progress("examples", 0, len(clauses))
    return asyncio.run(ExamplePipeline(generator, verifier, ahead).run(clauses, reported))
