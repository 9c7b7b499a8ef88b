"""``llmqa doctor``: does this backend return valid verdicts, and in which structured mode?

Three small items with an obvious answer are judged in each structured-output method. A
method "works" when every answer is a valid verdict (whatever its content); a weak model may
still be wrong, which the probe reports but does not hold against the method.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from llmqa.config import Settings
from llmqa.errors import Hint
from llmqa.guidelines import load_guidelines
from llmqa.index.retriever import Hit
from llmqa.items import Item
from llmqa.judge.judge import AbortRun, Judge, JudgeConfig
from llmqa.llm.backends import BackendSpec, make_seam
from llmqa.llm.retry import RetryPolicy
from llmqa.verdicts import VerdictStatus

if TYPE_CHECKING:
    from llmqa.progress import StageProgress

METHODS = ("json_schema", "function_calling", "json_mode")
PROBE_ITEMS = [
    {"id": "probe-1", "content": {"modality": "text", "text": "A relaxing playlist of piano "
                                  "music for studying."}},
    {"id": "probe-2", "content": {"modality": "title", "title": "FREE STREAMS!!! buy 1M plays "
                                  "now at cheap-plays dot example", "metadata": {"genre": "pop"}}},
    {"id": "probe-3", "content": {"modality": "transcript", "transcript": "Today on the show we "
                                  "talk about how to bake sourdough bread at home."}},
]


async def probe_backend(spec: BackendSpec, settings: Settings,
                        methods: tuple[str, ...] | None = None,
                        on_progress: StageProgress | None = None) -> dict[str, Any]:
    """Judge the probe items in each method until one gives only valid verdicts;
    ``on_progress(f"probing {method}", done, total)`` after each answer (a slow local model
    takes seconds to a minute per item)."""
    guidelines = load_guidelines(settings.guidelines)
    # Each probe item breaks no policy, whatever these guidelines call that.
    annotations = [{"annotator": "probe", "label": guidelines.no_violation_label}]
    items = [Item.model_validate(raw | {"annotations": annotations}) for raw in PROBE_ITEMS]
    spam = [c for c in guidelines if c.label == "spam"][:1]
    hits = [Hit(c.id, 1.0, "clause", "") for c in [*list(guidelines)[:2], *spam]]
    tried = (spec.method,) if spec.method else (methods or METHODS)
    outcome: dict[str, Any] = {"model": spec.display_name, "methods": {}, "recommended": None}
    for method in tried:
        seam = make_seam(replace(spec, method=method))  # type: ignore[arg-type]
        judge = Judge(seam, guidelines, JudgeConfig.for_backend(
            spec, top_k=3, max_examples=0, reasks=0,
            retry=RetryPolicy(max_attempts=2, deadline=120)))
        valid, problem = 0, None
        if on_progress:
            on_progress(f"probing {method}", 0, len(items))
        for done, item in enumerate(items, 1):
            # No index needed: every probe item is shown the same few clauses.
            prepared = judge.prepare(item, hits)
            try:
                verdict = await judge.review(prepared)
            except AbortRun as exc:
                # A bad key or an unknown model fails every method alike.
                raise exc.as_error(str(exc), hint=Hint(
                    "check the model name, {} and OPENAI_API_KEY", ("base_url",))) from exc
            if verdict.status is VerdictStatus.OK:
                valid += 1
            else:
                problem = f"{verdict.status.value}: {verdict.error}"
            if on_progress:
                on_progress(f"probing {method}", done, len(items))
        outcome["methods"][method] = {"tried": len(items), "valid": valid, "problem": problem}
        if valid == len(items) and outcome["recommended"] is None:
            outcome["recommended"] = method
            break
    return outcome
