"""Verifying candidate examples before anyone proposes them.

A candidate is kept only when every check passes, in this order (cheap checks first, so the
judge is asked only about candidates that could still be kept):

1. **well-formed**: a known kind and modality, content present and of sane length, a label
   consistent with the kind, no clause IDs or policy talk inside the content;
2. **not a near duplicate** (embedding cosine above the threshold, 0.92 by default) of an
   existing example of any clause, of an earlier candidate in the batch, or of a candidate
   kept earlier in the run;
3. **retrieval**: an in-scope candidate must retrieve its clause within the judge's top k;
   an out-of-scope candidate must retrieve its clause or a neighbouring clause within the
   near-miss window, otherwise it is unrelated text rather than a near miss (its clause may
   be retrieved: the judge decides);
4. **the judge, blind**: the candidate becomes a synthetic item with no annotations (so no
   consensus label leaks the answer), an id derived from its content alone, and the clauses
   retrieved for it, with the target clause swapped in for the last one if retrieval missed
   it, so in- and out-of-scope candidates are judged with the same kind of context. In scope:
   the judge's suggested label must be the clause's label, and the judge must cite the
   clause. Out of scope: the judge must not give the clause's label, and must give the label
   the candidate was written for (usually ``allowed``).

Every candidate, kept or dropped, carries its evidence: the retrieval hits, the nearest
existing text and the judge's answer.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from llmqa.aio import gather_or_cancel
from llmqa.generation.dedupe import (
    DEFAULT_THRESHOLD,
    NearDuplicates,
    Nearest,
    index_vectors,
)
from llmqa.generation.neighbours import neighbour_ids
from llmqa.generation.schema import EXAMPLE_MODALITIES, KINDS, Candidate, bullet
from llmqa.guidelines.model import Clause, GuidelineSet
from llmqa.guidelines.parser import CLAUSE_ID
from llmqa.index.retriever import Hit, Retriever
from llmqa.judge import Judge

_CLAUSE_ID = re.compile(rf"\b{CLAUSE_ID}\b")
_POLICY_TALK = re.compile(r"\b(?:in|out[ -]of)[ -]scope\b|\bthis clause\b", re.IGNORECASE)


class DropReason(StrEnum):
    MALFORMED = "malformed"
    DUPLICATE_EXISTING = "duplicate_of_existing"
    DUPLICATE_CANDIDATE = "duplicate_of_candidate"
    RETRIEVAL_MISS = "retrieval_miss"
    NOT_NEAR_MISS = "not_a_near_miss"
    JUDGE_LABEL = "judge_label_mismatch"
    JUDGE_CITATION = "judge_did_not_cite_clause"
    JUDGE_FAILED = "judge_no_verdict"


@dataclass(frozen=True)
class VerifyConfig:
    top_k: int | None = None  # in-scope retrieval window; None: the judge's top_k
    near_miss_k: int = 8  # out-of-scope: the clause or a neighbour within this many hits
    duplicate_threshold: float = DEFAULT_THRESHOLD
    require_citation: bool = True  # in scope: the judge must cite the target clause
    require_near_miss: bool = True
    min_chars: int = 8
    max_chars: int = 1200
    concurrency: int = 4


@dataclass
class Checked:
    """One candidate's fate: kept, or dropped with a reason, and the evidence either way."""

    clause_id: str
    candidate: Candidate | None  # None for a malformed part of a reply
    kept: bool = False
    reason: DropReason | None = None
    detail: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    def drop(self, reason: DropReason, detail: str) -> Checked:
        self.kept, self.reason, self.detail = False, reason, detail
        return self

    def to_record(self, guideline_version: str | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {"clause_id": self.clause_id}
        if self.candidate is not None:
            record |= self.candidate.to_dict()
            record["example"] = bullet(self.candidate.example())
        record |= {"kept": self.kept, "reason": self.reason.value if self.reason else None,
                   "detail": self.detail, "verification": self.evidence}
        if guideline_version:
            record["guideline_version"] = guideline_version
        return record


class Verifier:
    def __init__(self, guidelines: GuidelineSet, retriever: Retriever, judge: Judge,
                 config: VerifyConfig | None = None) -> None:
        self.guidelines = guidelines
        self.retriever = retriever
        self.judge = judge
        self.config = config or VerifyConfig()
        self.top_k = self.config.top_k or judge.config.top_k
        self.duplicates = NearDuplicates(retriever.embedder, guidelines,
                                         self.config.duplicate_threshold,
                                         index_vectors(retriever, guidelines))

    # -- 1. well-formed ---------------------------------------------------------------------
    def malformed(self, clause: Clause, candidate: Candidate) -> str | None:
        """Why a candidate cannot be an example at all (``None`` when it can)."""
        if candidate.kind not in KINDS:
            return f"unknown kind {candidate.kind!r}"
        if candidate.modality not in EXAMPLE_MODALITIES:
            return f"unknown modality {candidate.modality!r}"
        content = candidate.content.strip()
        if len(content) < self.config.min_chars:
            return "content is empty or too short"
        if len(candidate.example_text()) > self.config.max_chars:
            return f"content longer than {self.config.max_chars} characters"
        if candidate.label is not None and candidate.label not in self.guidelines.labels:
            return f"unknown label {candidate.label!r}"
        if candidate.kind == "in_scope" and candidate.label not in (None, clause.label):
            return (f"in-scope example labelled {candidate.label!r}, but the clause's label is "
                    f"{clause.label!r}")
        if candidate.kind == "out_of_scope" and candidate.label == clause.label:
            return f"out-of-scope example carries the clause's own label {clause.label!r}"
        text = f"{candidate.content} {candidate.words}"
        named = _CLAUSE_ID.search(text)
        if named:
            return f"content names a clause ID ({named.group(0)}), which real content would not"
        if _POLICY_TALK.search(text):
            return "content talks about the policy instead of being catalog content"
        return None

    # -- the pipeline -----------------------------------------------------------------------
    async def verify(self, clause: Clause, candidates: list[Candidate]) -> list[Checked]:
        results = [Checked(clause.id, c) for c in candidates]
        alive: list[Checked] = []
        for result in results:
            problem = self.malformed(clause, result.candidate)  # type: ignore[arg-type]
            if problem:
                result.drop(DropReason.MALFORMED, problem)
            else:
                alive.append(result)
        alive = self._drop_duplicates(alive)
        alive = self._check_retrieval(clause, alive)
        semaphore = asyncio.Semaphore(max(1, self.config.concurrency))

        async def judged(result: Checked) -> None:
            async with semaphore:
                await self._check_judge(clause, result)

        await gather_or_cancel(*(judged(r) for r in alive))
        for result in results:
            # Working state (vectors, hits) never leaves the verifier: records stay JSON.
            vector = result.evidence.pop("_vector", None)
            result.evidence.pop("_hits", None)
            if result.kept and vector is not None:
                self.duplicates.accept(vector, result.candidate.key,  # type: ignore[union-attr]
                                       result.candidate.example_text())  # type: ignore[union-attr]
        return results

    # -- 2. near duplicates -----------------------------------------------------------------
    def _drop_duplicates(self, alive: list[Checked]) -> list[Checked]:
        if not alive:
            return []
        vectors = self.duplicates.embed([r.candidate.example_text() for r in alive])  # type: ignore[union-attr]
        survivors: list[Checked] = []
        batch: list[tuple[np.ndarray, Checked]] = []
        for result, vector in zip(alive, vectors, strict=True):
            nearest = self.duplicates.nearest(vector)
            # Earlier candidates of this batch count too, before the judge has seen them:
            # a near copy would be judged the same way and add nothing.
            for other_vector, other in batch:
                score = float(other_vector @ vector)
                if nearest is None or score > nearest.score:
                    nearest = Nearest(score, "candidate", other.candidate.key,  # type: ignore[union-attr]
                                      other.candidate.example_text())  # type: ignore[union-attr]
            if nearest is not None:
                result.evidence["nearest"] = {"score": round(nearest.score, 4),
                                              "against": nearest.against, "ref": nearest.ref}
            if self.duplicates.is_duplicate(nearest):
                assert nearest is not None
                reason = (DropReason.DUPLICATE_EXISTING if nearest.against == "existing"
                          else DropReason.DUPLICATE_CANDIDATE)
                what = (f"existing example {nearest.ref}" if nearest.against == "existing"
                        else f"candidate {nearest.ref}")
                result.drop(reason, f"cosine {nearest.score:.3f} > "
                            f"{self.duplicates.threshold:.2f} with {what}: {nearest.text[:80]!r}")
                continue
            result.evidence["_vector"] = vector
            batch.append((vector, result))
            survivors.append(result)
        return survivors

    # -- 3. retrieval -----------------------------------------------------------------------
    def _check_retrieval(self, clause: Clause, alive: list[Checked]) -> list[Checked]:
        if not alive:
            return []
        k = max(self.top_k, self.config.near_miss_k)
        texts = [r.candidate.item().content.readable_text() for r in alive]  # type: ignore[union-attr]
        all_hits = self.retriever.search_many(texts, k)
        near = neighbour_ids(self.guidelines, clause) | {clause.id}
        survivors: list[Checked] = []
        for result, hits in zip(alive, all_hits, strict=True):
            ranked = [h.clause_id for h in hits]
            rank = ranked.index(clause.id) + 1 if clause.id in ranked else None
            result.evidence["retrieval"] = {
                "top_k": self.top_k, "target_rank": rank,
                "hits": [{"clause_id": h.clause_id, "score": round(h.score, 4), "via": h.via}
                         for h in hits]}
            result.evidence["_hits"] = hits
            shown = ", ".join(f"{h.clause_id} {h.score:.2f}" for h in hits[: self.top_k])
            if result.candidate.kind == "in_scope":  # type: ignore[union-attr]
                if rank is None or rank > self.top_k:
                    where = f"rank {rank}" if rank else f"not in the top {k}"
                    result.drop(DropReason.RETRIEVAL_MISS,
                                f"retrieval does not land on {clause.id} in the top {self.top_k} "
                                f"({where}); got {shown}")
                    result.evidence.pop("_hits")
                    continue
            elif self.config.require_near_miss:
                window = hits[: self.config.near_miss_k]
                via = next((h.clause_id for h in window if h.clause_id in near), None)
                if via is None:
                    result.drop(DropReason.NOT_NEAR_MISS,
                                f"retrieval lands on no clause near {clause.id} in the top "
                                f"{self.config.near_miss_k} ({shown}, ...): unrelated text, not "
                                "a near miss")
                    result.evidence.pop("_hits")
                    continue
                result.evidence["near_miss_via"] = via
            survivors.append(result)
        return survivors

    # -- 4. the judge, blind ----------------------------------------------------------------
    def judge_context(self, clause: Clause, hits: list[Hit]) -> list[Hit]:
        """The judge's top k with the target clause guaranteed among them."""
        size = self.judge.config.top_k
        shown = list(hits[:size])
        if all(h.clause_id != clause.id for h in shown):
            target = Hit(clause.id, 0.0, "clause", clause.document())
            shown = [*shown[: max(0, size - 1)], target]
        return shown

    async def _check_judge(self, clause: Clause, result: Checked) -> None:
        candidate = result.candidate
        assert candidate is not None
        hits = self.judge_context(clause, result.evidence.pop("_hits"))
        verdict = await self.judge.review(self.judge.prepare(candidate.item(), hits))
        result.evidence["judge"] = {
            "status": verdict.status.value, "suggested_label": verdict.suggested_label,
            "cited_clause_ids": verdict.cited_clause_ids, "confidence": verdict.confidence,
            "rationale": verdict.rationale, "model": verdict.model,
            "shown_clause_ids": verdict.retrieved_clause_ids, "error": verdict.error}
        if not verdict.status.has_verdict:
            result.drop(DropReason.JUDGE_FAILED, f"no verdict from the judge: "
                        f"{verdict.status.value}: {verdict.error or ''}".rstrip(": "))
            return
        said = verdict.suggested_label
        if candidate.kind == "in_scope":
            if said != clause.label:
                result.drop(DropReason.JUDGE_LABEL, f"the judge says {said!r}; the clause's label "
                            f"is {clause.label!r}")
                return
            if self.config.require_citation and clause.id not in verdict.cited_clause_ids:
                cited = ", ".join(verdict.cited_clause_ids) or "nothing"
                result.drop(DropReason.JUDGE_CITATION, f"the judge gives {said!r} but cites "
                            f"{cited}, not {clause.id}")
                return
        else:
            if said == clause.label:
                result.drop(DropReason.JUDGE_LABEL, f"the judge gives the clause's own label "
                            f"{said!r} to an out-of-scope example")
                return
            if candidate.label and said != candidate.label:
                result.drop(DropReason.JUDGE_LABEL, f"the judge says {said!r}; the example was "
                            f"written as {candidate.label!r}")
                return
        result.kept = True
        result.detail = "verified"
