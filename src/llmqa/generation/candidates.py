"""Asking a model for candidate in-scope and out-of-scope examples of one clause.

The system message is static for a guideline label set (prompt caching works across
clauses); the clause, its existing examples and its neighbours follow. A reply that fails
the schema is not thrown away whole: each example in it that validates on its own is kept,
and each one that does not is reported as malformed, so one bad field costs one example,
not the batch. A reply with nothing usable is re-asked once with the problem stated.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from llmqa.errors import first_error
from llmqa.generation.neighbours import neighbours
from llmqa.generation.schema import (
    EXAMPLE_MODALITIES,
    MEDIA_MODALITIES,
    Candidate,
    generation_models,
)
from llmqa.guidelines.model import Clause, GuidelineSet
from llmqa.llm.ask import Problem, ask_until_valid
from llmqa.llm.messages import Message, system, user
from llmqa.llm.reply import Reply, ReplyStatus, Usage, strip_fence
from llmqa.llm.retry import RetryPolicy
from llmqa.prompts import render, template_hash

if TYPE_CHECKING:
    from llmqa.llm.seam import ChatSeam

TEMPLATES = ["examples_system.j2", "examples_generate.j2", "examples_reask.j2", "clauses.j2"]
# Only answers that came back but were unusable are worth asking again; a refusal or a
# content-filter stop would come back the same.
_REASKABLE = (ReplyStatus.PARSE_ERROR, ReplyStatus.EMPTY)


@dataclass(frozen=True)
class GenerationConfig:
    per_kind: int = 3  # in-scope and out-of-scope examples asked for, each
    max_chars: int | None = None  # schema bound per text field (small local models)
    reasks: int = 1
    max_neighbours: int = 12
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True)
class Malformed:
    """Part of a reply that did not become a candidate, and why."""

    clause_id: str
    reason: str
    raw: str = ""


@dataclass
class GenerationOutcome(Usage):
    clause_id: str
    candidates: list[Candidate] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)

    @property
    def generated(self) -> int:
        """What the model produced: usable candidates plus each malformed example or reply."""
        return len(self.candidates) + len(self.malformed)


def modality_counts(clause: Clause) -> list[tuple[str, int]]:
    counts = Counter(e.modality or "text" for e in (*clause.in_scope, *clause.out_of_scope))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def is_media_clause(clause: Clause) -> bool:
    """Most existing examples are artwork, image, audio or video."""
    counts = modality_counts(clause)
    total = sum(n for _, n in counts)
    media = sum(n for name, n in counts if name in MEDIA_MODALITIES)
    return total > 0 and media * 2 > total


class CandidateGenerator:
    def __init__(self, seam: ChatSeam, guidelines: GuidelineSet,
                 config: GenerationConfig | None = None, folder: Path | None = None) -> None:
        self.seam = seam
        self.guidelines = guidelines
        self.config = config or GenerationConfig()
        self.folder = folder
        self.labels = guidelines.labels
        self.schema, self.example_schema = generation_models(
            self.labels, max(2, self.config.per_kind * 2), self.config.max_chars,
            guidelines.no_violation_label)
        self.system = render("examples_system.j2", folder, labels=self.labels,
                             modalities=EXAMPLE_MODALITIES,
                             no_violation_label=guidelines.no_violation_label)
        self.prompt_hash = template_hash(TEMPLATES, folder)

    def messages(self, clause: Clause) -> list[Message]:
        counts = modality_counts(clause)
        media = sorted({name for name, _ in counts if name in MEDIA_MODALITIES})
        text = render("examples_generate.j2", self.folder, clause=clause,
                      neighbours=neighbours(self.guidelines, clause)[: self.config.max_neighbours],
                      modality_counts=counts, media_clause=is_media_clause(clause),
                      media_modalities=media, per_kind=self.config.per_kind,
                      no_violation_label=self.guidelines.no_violation_label)
        return [system(self.system), user(text)]

    async def generate(self, clause: Clause) -> GenerationOutcome:
        outcome = GenerationOutcome(clause.id)
        asked = await ask_until_valid(
            self.seam, self.messages(clause), self.schema,
            check=lambda reply: self._problem(clause, reply), reask=self._reask,
            reasks=self.config.reasks, reaskable=_REASKABLE, retry=self.config.retry)
        outcome.replies.extend(asked.replies)
        if asked.failure is not None:
            outcome.malformed.append(Malformed(clause.id, f"no reply: {asked.failure.status}: "
                                               f"{asked.failure.message}"))
            return outcome
        # Only the last reply counts: an earlier one had nothing usable.
        candidates, problems = self.read_reply(clause, asked.replies[-1])
        outcome.candidates.extend(candidates)
        outcome.malformed.extend(problems)
        return outcome

    def _problem(self, clause: Clause, reply: Reply) -> Problem | None:
        """A reply is usable when at least one candidate can be read from it."""
        candidates, problems = self.read_reply(clause, reply)
        if candidates:
            return None
        return Problem(reply.status.value,
                       "; ".join(p.reason for p in problems) or "no usable example")

    def _reask(self, problem: Problem) -> Message:
        return user(render("examples_reask.j2", self.folder, error=problem.message,
                           labels=self.labels, modalities=EXAMPLE_MODALITIES))

    def read_reply(self, clause: Clause, reply: Reply) -> tuple[list[Candidate], list[Malformed]]:
        """Candidates from a reply, salvaging the valid examples of an invalid answer."""
        if reply.status is ReplyStatus.OK and reply.parsed is not None:
            return [self._candidate(clause, e) for e in reply.parsed.examples], []  # type: ignore[attr-defined]
        if reply.status is not ReplyStatus.PARSE_ERROR:
            return [], [Malformed(clause.id, f"malformed reply: {reply.status.value}: "
                                  f"{reply.error or 'no answer'}", reply.raw[:500])]
        return self._salvage(clause, reply)

    def _salvage(self, clause: Clause, reply: Reply) -> tuple[list[Candidate], list[Malformed]]:
        try:
            data = json.loads(strip_fence(reply.raw))
        except json.JSONDecodeError as exc:
            return [], [Malformed(clause.id, f"malformed reply: not JSON ({exc.msg})",
                                  reply.raw[:500])]
        rows = data.get("examples") if isinstance(data, dict) else data
        if not isinstance(rows, list) or not rows:
            return [], [Malformed(clause.id, f"malformed reply: {reply.error or 'no examples'}",
                                  reply.raw[:500])]
        candidates: list[Candidate] = []
        problems: list[Malformed] = []
        for number, row in enumerate(rows, start=1):
            try:
                parsed = self.example_schema.model_validate(row)
            except ValidationError as exc:
                problems.append(Malformed(clause.id, f"malformed example {number}: "
                                          f"{first_error(exc, 'example')}", json.dumps(row)[:500]))
                continue
            candidates.append(self._candidate(clause, parsed))
        return candidates, problems

    def _candidate(self, clause: Clause, example: BaseModel) -> Candidate:
        data = example.model_dump()
        return Candidate(clause_id=clause.id, kind=data["kind"], modality=data["modality"],
                         content=data["content"], words=data["words"], why=data["why"],
                         label=data["label"], source="generated")
