"""Reviewing one item: prompt, call (with retries), validate, check citations, record.

A model answer becomes a verdict only when it parses, cites only clauses it was shown, and is
self-consistent (``agree`` with a different suggested label is not). Anything else is stored
with its own status and the raw answer, never guessed into a verdict.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from llmqa.errors import BackendConfigError, BackendError, Hint
from llmqa.guidelines.check import ensure_reviewable
from llmqa.guidelines.model import Clause, GuidelineSet
from llmqa.index.retriever import Hit
from llmqa.items import Item
from llmqa.judge.render import PromptBuilder, RenderedItem, consensus_label
from llmqa.llm.ask import Asked, Problem, ask_until_valid, reply_problem
from llmqa.llm.messages import Message, assistant
from llmqa.llm.pricing import PriceTable
from llmqa.llm.reply import Reply, ReplyStatus
from llmqa.llm.retry import RetryPolicy
from llmqa.llm.spec import BackendSpec
from llmqa.verdicts import (
    REASK_PENDING,
    Verdict,
    VerdictLabel,
    VerdictStatus,
    answer_model,
    answer_problem,
)

if TYPE_CHECKING:
    from llmqa.llm.seam import ChatSeam

# Only a malformed or inconsistent answer is worth re-asking; a refusal or a content-filter
# stop would come back the same.
_REASKABLE = (VerdictStatus.PARSE_ERROR, VerdictStatus.INVALID_CITATION,
              VerdictStatus.INCONSISTENT)
_ABORT = ("auth_error", "not_found", "quota_exhausted")
_REPLY_STATUS = {
    ReplyStatus.PARSE_ERROR: VerdictStatus.PARSE_ERROR,
    ReplyStatus.TRUNCATED: VerdictStatus.TRUNCATED,
    ReplyStatus.REFUSED: VerdictStatus.REFUSED,
    ReplyStatus.CONTENT_FILTER: VerdictStatus.CONTENT_FILTER,
    ReplyStatus.EMPTY: VerdictStatus.EMPTY,
}


@dataclass(frozen=True)
class JudgeConfig:
    top_k: int = 5
    max_examples: int = 2
    max_item_chars: int = 16000
    send_images: bool = False
    samples: int = 1  # >1: self-consistency vote over that many answers
    reasks: int = 1  # re-asks after an unusable answer, with the problem stated
    rationale_chars: int | None = None
    constrain_citations: bool = False  # enum of shown clause IDs in the schema (small models)
    multi_label: bool = False  # the judge may suggest several labels (answer_model)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Where relative image paths start (the items file's folder; None: the current one).
    # Not in the fingerprint: the image's bytes are in the store key, wherever they lie.
    media_root: Path | None = None

    @classmethod
    def for_backend(cls, spec: BackendSpec, **overrides: Any) -> JudgeConfig:
        """The settings that suit a backend, so review, doctor and evals judge alike.

        The embedded model has a 4k-token context and processes prompts on the CPU: it gets
        fewer clauses and no examples, and its grammar gets a bounded rationale and an enum of
        the clauses shown. Other models see images when they are known to read them.
        """
        if spec.is_local:
            base: dict[str, Any] = {"top_k": 3, "max_examples": 0, "rationale_chars": 300,
                                    "constrain_citations": True}
        else:
            base = {"send_images": spec.supports_images}
        base["max_item_chars"] = spec.max_item_chars
        return cls(**(base | {k: v for k, v in overrides.items() if v is not None}))

    def fingerprint(self) -> str:
        """The settings that change a verdict; part of the store key."""
        constrained = "C" if self.constrain_citations else ""
        return (f"k{self.top_k}e{self.max_examples}c{self.max_item_chars}"
                f"i{int(self.send_images)}s{self.samples}r{self.rationale_chars or 0}{constrained}"
                f"{'M' if self.multi_label else ''}")


@dataclass
class Prepared:
    """Everything decided before a model is called: the prompt and the store key."""

    item: Item
    clauses: list[Clause]
    rendered: RenderedItem
    key: str
    context_hash: str
    schema: type[BaseModel]

    @property
    def estimated_input_tokens(self) -> int:
        return self.rendered.prompt_chars // 4 + 8 * len(self.rendered.messages)


class AbortRun(Exception):
    """A failure every later item would hit too (bad key, unknown model)."""

    def __init__(self, message: str, status: str = "backend_error") -> None:
        super().__init__(message)
        self.status = status  # auth_error, not_found or quota_exhausted

    def as_error(self, message: str, hint: Hint | None = None) -> BackendError:
        """The error to raise: a rejected key or an unknown model is a configuration error
        (exit 2); an exhausted quota is a failure of the run (exit 1)."""
        if self.status in ("auth_error", "not_found"):
            return BackendConfigError(message, hint=hint)
        return BackendError(message, hint=hint)


class Judge:
    def __init__(self, seam: ChatSeam, guidelines: GuidelineSet, config: JudgeConfig | None = None,
                 prices: PriceTable | None = None) -> None:
        ensure_reviewable(guidelines)
        self.seam = seam
        self.guidelines = guidelines
        self.config = config or JudgeConfig()
        self.prices = prices or PriceTable()
        self.schema = answer_model(guidelines.labels, self.config.rationale_chars,
                                   multi_label=self.config.multi_label)
        self.prompts = PromptBuilder(guidelines.labels, self.config.max_examples,
                                     self.config.max_item_chars, self.config.send_images,
                                     no_violation_label=guidelines.no_violation_label,
                                     general=guidelines.general,
                                     media_root=self.config.media_root)

    @property
    def prompt_hash(self) -> str:
        return self.prompts.hash

    def prepare(self, item: Item, hits: list[Hit]) -> Prepared:
        clauses = [self.guidelines.by_id[h.clause_id] for h in hits[: self.config.top_k]
                   if h.clause_id in self.guidelines.by_id]
        context = hashlib.sha256(json.dumps(
            [[c.id, c.content_hash] for c in clauses] + [list(self.guidelines.labels)]
        ).encode()).hexdigest()[:16]
        rendered = self.prompts.build(item, clauses)
        # The rendered input is in the key: annotations (and the consensus shown) are part of
        # what the verdict is about, so a relabelled item gets a new call and no other does.
        key = hashlib.sha256("\0".join([item.id, item.content_hash(), context, self.prompt_hash,
                                        self.seam.name, self.config.fingerprint(),
                                        rendered.input_hash]).encode()).hexdigest()[:24]
        schema = (answer_model(self.guidelines.labels, self.config.rationale_chars,
                               tuple(self._citable(clauses)), self.config.multi_label)
                  if self.config.constrain_citations and clauses else self.schema)
        return Prepared(item, clauses, rendered, key, context, schema)

    async def review(self, prepared: Prepared, on_interim: Callable[[Verdict], None] | None = None,
                     resume: Resume | None = None) -> Verdict:
        """Review one item. ``on_interim`` receives an unusable answer (stored with the note
        ``REASK_PENDING``) before it is re-asked, so a kill during the re-ask loses one call,
        not two; ``resume`` continues from such a stored answer with the re-ask itself.
        Both apply to single-sample review only."""
        base = self._base(prepared)
        replies: list[Reply] = [resume.as_reply()] if resume else []
        attempts = resume.attempts if resume else 0
        answers = []
        failure_status: VerdictStatus | None = None
        error: str | None = None
        single = max(1, self.config.samples) == 1

        def interim(outcome: _Outcome) -> None:
            if on_interim is not None and single:
                on_interim(Verdict(**base | {"notes": [*base["notes"], REASK_PENDING]},
                                   **self._usage([*replies, *outcome.replies]),
                                   status=outcome.status, error=outcome.error,
                                   attempts=attempts + outcome.attempts,
                                   raw_answer=outcome.replies[-1].raw))

        # One deadline for the whole item: every sample, re-ask, attempt and wait.
        deadline = self.config.retry.start()
        for _ in range(max(1, self.config.samples)):
            outcome = await self._one_answer(prepared, deadline, interim,
                                             resume if single else None)
            attempts += outcome.attempts
            replies.extend(outcome.replies)
            if outcome.answer is not None:
                answers.append(outcome.answer)
            else:
                failure_status, error = outcome.status, outcome.error
        usage = self._usage(replies)
        raw = replies[-1].raw if replies else None
        if not answers:
            return Verdict(**base, **usage, status=failure_status or VerdictStatus.FAILED,
                           error=error, attempts=attempts, raw_answer=raw)
        vote = self._vote(answers)
        base["notes"] = base["notes"] + vote.pop("notes_extra", [])
        return Verdict(**base, **usage, **vote, status=VerdictStatus.OK,
                       attempts=attempts, raw_answer=raw if len(answers) == 1 else None)

    def from_reply(self, prepared: Prepared, reply: Reply, batch: bool = False) -> Verdict:
        """A verdict from an answer obtained elsewhere (the Batch API): no call, no re-ask."""
        base = self._base(prepared)
        usage = self._usage([reply])
        if batch and usage["cost_usd"] is not None:
            usage["cost_usd"] = self.prices.cost(self.seam.name, reply.input_tokens,
                                                 reply.output_tokens, reply.cached_tokens,
                                                 batch=True)
        error: str | None
        if reply.status is ReplyStatus.OK:
            problem = self._check(reply, prepared)
            if problem is None:
                return Verdict(**base, **usage, **self._vote([reply.parsed]),
                               status=VerdictStatus.OK, raw_answer=reply.raw)
            status, error = problem
        else:
            status, error = _REPLY_STATUS[reply.status], reply.error
        return Verdict(**base, **usage, status=status, error=error, raw_answer=reply.raw)

    # -- internals --------------------------------------------------------------------------
    def _base(self, prepared: Prepared) -> dict:
        return {"key": prepared.key, "item_id": prepared.item.id,
                "item_hash": prepared.item.content_hash(),
                "guideline_version": self.guidelines.version,
                "context_hash": prepared.context_hash, "prompt_hash": self.prompt_hash,
                "model": self.seam.name, "human_label": consensus_label(prepared.item).label,
                "retrieved_clause_ids": [c.id for c in prepared.clauses],
                "seen": prepared.rendered.seen, "notes": list(prepared.rendered.notes),
                "samples": max(1, self.config.samples)}

    def _citable(self, retrieved: list[Clause]) -> list[str]:
        """The clause IDs the judge was shown: the retrieved ones and the general rules."""
        return [c.id for c in retrieved] + [c.id for c in self.guidelines.general]

    def _usage(self, replies: list[Reply]) -> dict:
        tokens_in = sum(r.input_tokens for r in replies)
        tokens_out = sum(r.output_tokens for r in replies)
        cached = sum(r.cached_tokens for r in replies)
        return {"input_tokens": tokens_in, "output_tokens": tokens_out, "cached_tokens": cached,
                "cost_usd": self.prices.cost(self.seam.name, tokens_in, tokens_out, cached),
                "latency_s": round(sum(r.latency_s for r in replies), 4)}

    async def _one_answer(self, prepared: Prepared, deadline: float | None = None,
                          on_unusable: Callable[[_Outcome], None] | None = None,
                          resume: Resume | None = None) -> _Outcome:
        clause_ids = self._citable(prepared.clauses)
        messages: list[Message] = list(prepared.rendered.messages)
        reasks = self.config.reasks
        if resume is not None and reasks > 0:
            # The stored answer was paid for: go straight to the re-ask it was waiting for.
            messages = [*messages, assistant(resume.raw),
                        self.prompts.reask(resume.error, clause_ids)]
            reasks -= 1
        asked = await ask_until_valid(
            self.seam, messages, prepared.schema,
            check=lambda reply: reply_problem(reply) or self._problem(reply, prepared),
            reask=lambda problem: self.prompts.reask(problem.message or "invalid answer",
                                                     clause_ids),
            reasks=reasks, reaskable=_REASKABLE, retry=self.config.retry,
            deadline=deadline,
            before_reask=(lambda interim: on_unusable(_Outcome.of(interim)))
            if on_unusable is not None else None)
        return _Outcome.of(asked)

    def _check(self, reply: Reply, prepared: Prepared) -> tuple[VerdictStatus, str] | None:
        human = consensus_label(prepared.item)
        return answer_problem(reply.parsed, self._citable(prepared.clauses),
                              None if human.tie else human.label)

    def _problem(self, reply: Reply, prepared: Prepared) -> Problem | None:
        found = self._check(reply, prepared)
        return Problem(found[0].value, found[1]) if found else None

    def _vote(self, answers: list) -> dict:
        verdicts = Counter(a.verdict for a in answers)
        verdict, count = verdicts.most_common(1)[0]
        chosen = [a for a in answers if a.verdict == verdict]
        label = Counter(a.suggested_label for a in chosen).most_common(1)[0][0]
        cited = sorted({c for a in chosen for c in a.cited_clause_ids})
        if len(answers) == 1:
            confidence = answers[0].confidence
            notes: list[str] = []
        else:
            confidence = round(count / len(answers), 4)
            notes = [f"self-consistency: {count}/{len(answers)} samples say {verdict}"]
        return {"verdict": VerdictLabel(verdict), "suggested_label": label,
                "cited_clause_ids": cited, "rationale": chosen[0].rationale,
                "confidence": confidence} | ({"notes_extra": notes} if notes else {})


@dataclass(frozen=True)
class Resume:
    """A stored unusable answer whose re-ask was cut short (a kill during the re-ask)."""

    raw: str
    error: str
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    attempts: int = 1

    def as_reply(self) -> Reply:
        return Reply(ReplyStatus.PARSE_ERROR, None, self.raw, self.input_tokens,
                     self.output_tokens, self.cached_tokens)


@dataclass
class _Outcome:
    answer: object | None = None
    replies: list[Reply] = field(default_factory=list)
    attempts: int = 0
    status: VerdictStatus = VerdictStatus.FAILED
    error: str | None = None

    @classmethod
    def of(cls, asked: Asked) -> _Outcome:
        """One sample's outcome; a failure every later item would hit ends the run."""
        outcome = cls(replies=asked.replies, attempts=asked.attempts)
        if asked.failure is not None:
            failure = asked.failure
            if failure.status in _ABORT:
                raise AbortRun(failure.message, failure.status)
            outcome.status = (VerdictStatus.TOO_LONG if failure.status == "context_length"
                              else VerdictStatus.FAILED)
            outcome.error = f"{failure.status}: {failure.message}"
        elif asked.problem is not None:
            outcome.status = VerdictStatus(asked.problem.status)
            outcome.error = asked.problem.message
        else:
            outcome.answer = asked.answer
        return outcome
