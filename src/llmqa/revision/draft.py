"""Drafting a revision of a troubled clause: clearer wording and new examples.

Wording: the model gets the clause, its agreement figures and the disagreed items
(anonymized and trimmed) through ``prompts/revise_clause.j2`` and says whether the wording
caused the disagreement; a rewrite is accepted only if it still reads as clause text, keeps
every clause reference, stays within a sane length of the original and quotes nothing from
the items. A rejected or absent rewrite leaves the wording as it is and says why.

Examples come from two places, and need no model:

- real disagreed items whose right label is known (the judge's suggestion where it judged the
  item, else the annotators' majority; never an item the judge found ambiguous or a tie):
  in scope when that label is the clause's label, a near miss otherwise;
- verified generated examples (the JSONL written by ``llmqa examples -o``).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from llmqa.generation.neighbours import neighbours
from llmqa.generation.schema import Candidate
from llmqa.guidelines.model import Clause, Example, GuidelineSet, normalise
from llmqa.guidelines.parser import CLAUSE_ID
from llmqa.llm.ask import Problem, ask_until_valid
from llmqa.llm.messages import Message, system, user
from llmqa.llm.retry import RetryPolicy
from llmqa.prompts import render, template_hash
from llmqa.revision.anonymize import anonymize, item_excerpt, scrub
from llmqa.revision.edit import ClauseChange, structural_problem
from llmqa.revision.evidence import ClauseEvidence, ItemEvidence

if TYPE_CHECKING:
    from llmqa.llm.seam import ChatSeam
    from llmqa.progress import StageProgress

TEMPLATES = ["revise_system.j2", "revise_clause.j2", "revise_reask.j2", "clauses.j2"]
_CLAUSE_REF = re.compile(rf"\b({CLAUSE_ID})\b")


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_WORD = re.compile(r"[^\W\d_]{2,}")


def prose_problem(text: str, what: str) -> str | None:
    """Why a model's free text is not prose a reviewer can use (``None`` when it is)."""
    stripped = text.strip()
    if not stripped:
        return None  # an empty field is handled where it matters
    if _TIMESTAMP.search(stripped):
        return f"the {what} contains a timestamp: {stripped[:60]!r}"
    words = _WORD.findall(stripped)
    letters = sum(len(w) for w in words)
    visible = sum(1 for c in stripped if not c.isspace())
    if len(words) < 3 or letters < 0.6 * visible:
        return f"the {what} is not prose: {stripped[:60]!r}"
    return None


class RevisionAnswer(BaseModel):
    """What the model answers about one clause. Diagnosis first: reason before rewriting."""

    model_config = ConfigDict(extra="forbid")

    diagnosis: str = Field(description="Which words or missing distinction in the clause let "
                           "annotators read it differently; or why the wording is not the "
                           "problem.")
    wording_unclear: bool = Field(description="True when the clause text caused the "
                                  "disagreement.")
    revised_text: str = Field(description="The complete revised clause text, or an empty "
                              "string when wording_unclear is false.")
    summary: str = Field(description="One sentence: what the revision changes.")


@dataclass(frozen=True)
class DraftConfig:
    wording: bool = True  # ask the model for clearer wording (off: examples only)
    max_evidence_items: int = 8
    evidence_chars: int = 400  # per item, in the prompt
    example_chars: int = 240  # per example taken from a real item
    max_item_examples: int = 2
    max_generated_examples: int = 2
    min_length_ratio: float = 0.6
    max_length_ratio: float = 2.5
    reasks: int = 1  # re-asks after a malformed answer, with the problem stated
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    concurrency: int = 1  # clauses drafted at once (each is one writing call, and re-asks)


@dataclass(frozen=True)
class ProposedExample:
    kind: str  # "in_scope" | "out_of_scope"
    example: Example
    source: str  # "item:ID" or "generated"
    note: str  # the evidence behind it, for the report


@dataclass
class ClauseDraft:
    clause: Clause
    evidence: ClauseEvidence
    new_text: str | None = None
    diagnosis: str = ""
    summary: str = ""
    wording_note: str = ""
    examples: list[ProposedExample] = field(default_factory=list)

    def change(self) -> ClauseChange:
        return ClauseChange(
            self.clause.id, self.new_text,
            tuple(p.example for p in self.examples if p.kind == "in_scope"),
            tuple(p.example for p in self.examples if p.kind == "out_of_scope"))

    @property
    def empty(self) -> bool:
        return self.change().empty


def _judge_line(evidence: ItemEvidence, chars: int) -> str | None:
    verdict = evidence.verdict
    if not verdict or verdict.get("status") != "ok":
        return None
    cited = ", ".join(verdict.get("cited_clause_ids") or []) or "no clause"
    rationale = anonymize(str(verdict.get("rationale") or ""), chars)
    return (f"{verdict.get('verdict')}, suggests {verdict.get('suggested_label')} citing "
            f"{cited}" + (f": {rationale}" if rationale else ""))


class RevisionDrafter:
    def __init__(self, guidelines: GuidelineSet, seam: ChatSeam | None = None,
                 config: DraftConfig | None = None, folder: Path | None = None) -> None:
        self.guidelines = guidelines
        self.seam = seam
        self.config = config or DraftConfig()
        self.folder = folder
        self.system = render("revise_system.j2", folder)
        self.prompt_hash = template_hash(TEMPLATES, folder)

    # -- wording ----------------------------------------------------------------------------
    def messages(self, clause: Clause, evidence: ClauseEvidence) -> list[Message]:
        rows = []
        for item in evidence.evidence_items(self.config.max_evidence_items):
            modality, excerpt = item_excerpt(item.item, self.config.evidence_chars)
            annotations = [{"label": a.label, "clause_id": a.clause_id,
                            "note": anonymize(a.note, 160) if a.note else None}
                           for a in item.item.annotations]
            rows.append({"modality": modality, "excerpt": excerpt, "annotations": annotations,
                         "judge": _judge_line(item, 240)})
        related = [c for c in neighbours(self.guidelines, clause)
                   if c.id in _CLAUSE_REF.findall(clause.text) or c.parent_id == clause.parent_id]
        text = render("revise_clause.j2", self.folder, clause=clause, neighbours=related,
                      figures=evidence.figures(), reasons=evidence.reasons, items=rows)
        return [system(self.system), user(text)]

    def wording_problem(self, clause: Clause, text: str, evidence: ClauseEvidence) -> str | None:
        """Why a proposed clause text cannot be used (``None`` when it can)."""
        proposed = normalise(text)
        if not proposed:
            return "empty text"
        if proposed == normalise(clause.text):
            return "same as the current text"
        ratio = len(proposed) / max(1, len(normalise(clause.text)))
        if ratio < self.config.min_length_ratio or ratio > self.config.max_length_ratio:
            return (f"length {ratio:.1f}x the current text (allowed "
                    f"{self.config.min_length_ratio:g}-{self.config.max_length_ratio:g}x)")
        structure = structural_problem(text) or prose_problem(text, "text")
        if structure:
            return structure
        old_refs = set(_CLAUSE_REF.findall(clause.text))
        new_refs = set(_CLAUSE_REF.findall(text))
        if old_refs - new_refs:
            return f"drops the reference to {', '.join(sorted(old_refs - new_refs))}"
        unknown = new_refs - set(self.guidelines.by_id)
        if unknown:
            return f"refers to unknown clause {', '.join(sorted(unknown))}"
        quoted = [e.id for e in evidence.items if e.id in text]
        if quoted:
            return f"quotes item id {quoted[0]}"
        if scrub(text) != proposed:
            return "contains a handle, link, email address or phone number"
        return None

    async def draft_wording(self, clause: Clause, evidence: ClauseEvidence,
                            draft: ClauseDraft) -> None:
        if not self.config.wording or self.seam is None:
            draft.wording_note = "wording not reviewed (no model asked)"
            return
        asked = await ask_until_valid(self.seam, self.messages(clause, evidence), RevisionAnswer,
                                      reask=self._reask, reasks=self.config.reasks,
                                      retry=self.config.retry)
        if asked.failure is not None:
            draft.wording_note = (f"wording unchanged: no answer ({asked.failure.status}: "
                                  f"{asked.failure.message})")
            return
        if asked.problem is not None or asked.answer is None:
            problem = asked.problem or Problem("empty", "no answer")
            draft.wording_note = (f"wording unchanged: unusable answer ({problem.status}: "
                                  f"{problem.message})")
            return
        answer: RevisionAnswer = asked.answer  # type: ignore[assignment]
        garbled = prose_problem(answer.diagnosis, "diagnosis") or prose_problem(
            answer.summary, "summary")
        if garbled:
            # Validated as generated examples are: a small model's non-answer (a timestamp
            # for a diagnosis) must not reach the patch as if it were advice.
            draft.wording_note = f"wording unchanged: unusable answer ({garbled})"
            return
        draft.diagnosis = anonymize(answer.diagnosis, 600)
        draft.summary = anonymize(answer.summary, 300)
        if not answer.wording_unclear or not answer.revised_text.strip():
            draft.wording_note = "wording unchanged: the model finds the text clear"
            return
        rejected = self.wording_problem(clause, answer.revised_text, evidence)
        if rejected:
            draft.wording_note = f"proposed wording rejected: {rejected}"
            return
        draft.new_text = answer.revised_text.strip()
        draft.wording_note = "wording revised"

    def _reask(self, problem: Problem) -> Message:
        return user(render("revise_reask.j2", self.folder, error=problem.message))

    # -- examples ---------------------------------------------------------------------------
    def item_examples(self, clause: Clause, evidence: ClauseEvidence) -> list[ProposedExample]:
        proposed: list[ProposedExample] = []
        if clause.general:  # no label for an item to be in or out of scope of
            return proposed
        for item in evidence.evidence_items(limit=len(evidence.items)):
            if len(proposed) >= self.config.max_item_examples:
                break
            label, by = item.resolved()
            if label is None:
                continue
            modality, excerpt = item_excerpt(item.item, self.config.example_chars)
            if len(excerpt) < 8:
                continue
            kind = "in_scope" if label == clause.label else "out_of_scope"
            why = None
            if kind == "out_of_scope":
                # The clause that takes it out of scope: what the judge cited, or what the
                # annotators who gave the resolved label cited.
                cited = ((item.verdict or {}).get("cited_clause_ids") or [] if by == "judge"
                         else [a.clause_id for a in item.item.annotations
                               if a.label == label and a.clause_id])
                other = [c for c in cited if c != clause.id and c in self.guidelines.by_id]
                why = f"{label}; {other[0]}" if other else label
            labels = "/".join(f"{k} {n}" for k, n in sorted(item.label_counts.items()))
            note = f"from item {item.id}: annotators {labels}; resolved as {label} by {by}"
            proposed.append(ProposedExample(kind, Example(text=excerpt, modality=modality,
                                                          why=why), f"item:{item.id}", note))
        return proposed

    def generated_examples(self, clause: Clause,
                           records: Iterable[dict[str, Any]]) -> list[ProposedExample]:
        """Verified generated examples for the clause, alternating in and out of scope."""
        by_kind: dict[str, list[ProposedExample]] = {"in_scope": [], "out_of_scope": []}
        for record in records:
            if record.get("clause_id") != clause.id or record.get("kept") is False:
                continue
            candidate = Candidate.from_dict(record)
            if candidate.kind not in by_kind or not candidate.content.strip():
                continue
            judge = (record.get("verification") or {}).get("judge") or {}
            note = "generated and verified" + (
                f": the judge gave {judge.get('suggested_label')} citing "
                f"{', '.join(judge.get('cited_clause_ids') or []) or 'nothing'}"
                if judge else "")
            by_kind[candidate.kind].append(ProposedExample(candidate.kind, candidate.example(),
                                                           "generated", note))
        chosen: list[ProposedExample] = []
        queues = [by_kind["in_scope"], by_kind["out_of_scope"]]
        while len(chosen) < self.config.max_generated_examples and any(queues):
            for queue in queues:
                if queue and len(chosen) < self.config.max_generated_examples:
                    chosen.append(queue.pop(0))
        return chosen

    @staticmethod
    def _new(clause: Clause, proposed: list[ProposedExample]) -> list[ProposedExample]:
        """Drop examples the clause already has (or that repeat one another)."""
        seen = {normalise(e.text).lower() for e in (*clause.in_scope, *clause.out_of_scope)}
        kept = []
        for example in proposed:
            key = normalise(example.example.text).lower()
            if key not in seen:
                seen.add(key)
                kept.append(example)
        return kept

    # -- one clause -------------------------------------------------------------------------
    async def draft(self, evidence: ClauseEvidence,
                    generated: Iterable[dict[str, Any]] = ()) -> ClauseDraft:
        clause = self.guidelines.by_id[evidence.clause_id]
        draft = ClauseDraft(clause, evidence)
        await self.draft_wording(clause, evidence, draft)
        draft.examples = self._new(clause, self.item_examples(clause, evidence)
                                   + self.generated_examples(clause, generated))
        return draft

    async def draft_all(self, evidence: list[ClauseEvidence],
                        generated: Iterable[dict[str, Any]] = (),
                        on_progress: StageProgress | None = None) -> list[ClauseDraft]:
        """Every clause's draft, in ``evidence`` order, ``config.concurrency`` clauses at a
        time (drafts do not depend on each other); ``on_progress("drafting clauses", done,
        total)`` as each is done (a model's draft takes seconds to a minute)."""
        from llmqa.aio import gather_or_cancel

        records = list(generated)
        limit = asyncio.Semaphore(max(1, self.config.concurrency))
        done = 0

        async def drafted(evidence_one: ClauseEvidence) -> ClauseDraft:
            nonlocal done
            async with limit:
                draft = await self.draft(evidence_one, records)
            done += 1
            if on_progress:
                on_progress("drafting clauses", done, len(evidence))
            return draft

        if on_progress:
            on_progress("drafting clauses", 0, len(evidence))
        return await gather_or_cancel(*(drafted(e) for e in evidence))
