"""Example generation and revision drafting over many clauses: clause after clause (as llmqa
did before 2026-12-03) against the overlapped runs it does now.

Run: ``python benchmarks/bench_clauses.py [--clauses 24] [--concurrency 8]
[--write-latency 1.0] [--judge-latency 0.25] [--embedder local]``.

The model is llmqa's fake chat model answering after a fixed delay (asyncio, no thread), so
the timing is llmqa's own scheduling and work, not a server's. Its answers are valid: each
clause gets three in-scope and three out-of-scope candidates of its own, and the judge gives
a verdict citing the first clause it is shown. The delays are assumptions, printed with the
result: a writing answer (six examples, or a revised clause) is several times longer than a
verdict; at a hosted model's 50-100 tokens/s that is about 5 s against 1 s, scaled down
here by the same ratio so a run takes a minute or two.

1. ``llmqa examples`` on ``--clauses`` clauses of the sample guidelines. Before: each clause
   written, then verified (judge calls at ``--concurrency``). Now: the next clauses' writing
   calls run while one is verified, half the concurrency each, so the requests in flight stay
   within ``--concurrency``. Both runs must give the same result (checked).
2. ``llmqa revise`` drafting the same clauses: one after another against ``--concurrency``
   at once.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
_SHOWN = re.compile(r"^\[([A-Z][A-Z0-9]*-[\d.]+)\]", re.MULTILINE)


def slow_model(guidelines: Any, write_latency: float, judge_latency: float) -> Any:
    """The fake chat model with a delay per call: the judge's prompt is told by its system
    message, as the CLI tests tell it."""
    from llmqa.llm.fake import FakeChatModel

    class SlowModel(FakeChatModel):
        async def _agenerate(self, messages: list[Any], stop: list[str] | None = None,
                             run_manager: Any = None, **kwargs: Any) -> Any:
            judging = "quality reviewer" in str(messages[0].content)
            await asyncio.sleep(judge_latency if judging else write_latency)
            return self._generate(messages, stop, None, **kwargs)

    return SlowModel(responder=lambda messages: respond(guidelines, messages))


def respond(guidelines: Any, messages: list[Any]) -> dict[str, Any]:
    prompt = str(messages[-1].content)
    shown = _SHOWN.findall(prompt)
    if "quality reviewer" in str(messages[0].content):
        return {"rationale": "bench", "cited_clause_ids": shown[:1], "suggested_label": "allowed",
                "verdict": "agree", "confidence": 0.9}
    if "Clause under review" in prompt:
        return {"diagnosis": "Annotators read the scope differently.", "wording_unclear": False,
                "revised_text": "", "summary": "No change."}
    clause = guidelines.by_id[shown[0]]
    other = next(label for label in guidelines.labels if label != clause.label)
    examples = [{"kind": kind, "modality": "description", "words": "", "why": "bench",
                 "label": clause.label if kind == "in_scope" else other,
                 "content": f"Podcast episode {n} ({kind[:2]}): {clause.title.lower()}"}
                for kind in ("in_scope", "out_of_scope") for n in range(3)]
    return {"examples": examples}


async def examples_run(guidelines: Any, retriever: Any, model: Any, clauses: list[Any],
                       ahead: int, verify_concurrency: int) -> Any:
    from llmqa.generation import (
        CandidateGenerator,
        ExamplePipeline,
        GenerationConfig,
        Verifier,
        VerifyConfig,
    )
    from llmqa.judge import Judge, JudgeConfig
    from llmqa.llm.backends import BackendSpec, make_seam

    seam = make_seam(BackendSpec(model="bench"), model)
    generator = CandidateGenerator(seam, guidelines, GenerationConfig(per_kind=3))
    judge = Judge(seam, guidelines, JudgeConfig(top_k=5))
    # Every well-formed candidate goes on to the judge, as most do in a real run: the
    # duplicate and retrieval checks, which would drop these made-up ones, are opened up.
    verifier = Verifier(guidelines, retriever, judge, VerifyConfig(
        concurrency=verify_concurrency, duplicate_threshold=1.01, require_near_miss=False,
        top_k=len(guidelines.by_id)))
    return await ExamplePipeline(generator, verifier, ahead).run(clauses)


async def drafting_run(guidelines: Any, model: Any, clauses: list[Any],
                       concurrency: int) -> list[Any]:
    from llmqa.llm.backends import BackendSpec, make_seam
    from llmqa.revision import DraftConfig, RevisionDrafter
    from llmqa.revision.evidence import ClauseEvidence

    drafter = RevisionDrafter(guidelines, make_seam(BackendSpec(model="bench"), model),
                              DraftConfig(concurrency=concurrency))
    return await drafter.draft_all([ClauseEvidence(c.id) for c in clauses])


def timed(label: str, work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = asyncio.run(work)
    seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:7.1f} s", flush=True)
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clauses", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--write-latency", type=float, default=1.0)
    parser.add_argument("--judge-latency", type=float, default=0.25)
    parser.add_argument("--embedder", default="local")
    args = parser.parse_args()

    from llmqa.guidelines import load_guidelines
    from llmqa.index.embedders import make_embedder
    from llmqa.index.retriever import Retriever

    guidelines = load_guidelines(REPO / "guidelines")
    clauses = list(guidelines.by_id.values())[: args.clauses]
    started = time.perf_counter()
    retriever = Retriever.from_guidelines(guidelines, make_embedder(args.embedder))
    print(f"{len(clauses)} clauses; {args.embedder} retriever built in "
          f"{time.perf_counter() - started:.1f} s; model delays: writing {args.write_latency} s, "
          f"verdict {args.judge_latency} s; concurrency {args.concurrency}")
    c = args.concurrency

    print("examples (generate, then verify, per clause):")
    model = slow_model(guidelines, args.write_latency, args.judge_latency)
    before, one_by_one = timed("clause after clause (before)",
                               examples_run(guidelines, retriever, model, clauses, 0, c))
    calls_before = len(model.calls)
    model = slow_model(guidelines, args.write_latency, args.judge_latency)
    now, overlapped = timed(f"writing ahead ({c // 2}) while verifying ({c - c // 2})",
                            examples_run(guidelines, retriever, model, clauses, c // 2,
                                         max(1, c - c // 2)))
    same = one_by_one.to_dict() == overlapped.to_dict()
    print(f"  {before / now:.2f}x; {calls_before} calls each way "
          f"({len(model.calls)} now); kept {overlapped.kept} of {overlapped.generated}; "
          f"same result: {same}")

    print("revise (one wording call per clause):")
    model = slow_model(guidelines, args.write_latency, args.judge_latency)
    before, _ = timed("one after another (before)", drafting_run(guidelines, model, clauses, 1))
    model = slow_model(guidelines, args.write_latency, args.judge_latency)
    now, _ = timed(f"{c} at once", drafting_run(guidelines, model, clauses, c))
    print(f"  {before / now:.2f}x")
    if not same:
        sys.exit("the overlapped example run differs from the clause-by-clause one")


if __name__ == "__main__":
    main()
