"""Generate, then verify, clause by clause; count what was generated, kept and dropped."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from llmqa.generation.candidates import CandidateGenerator, GenerationOutcome
from llmqa.generation.verify import Checked, DropReason, Verifier
from llmqa.guidelines.model import Clause
from llmqa.judge.judge import AbortRun


@dataclass
class ClauseReport:
    clause_id: str
    checked: list[Checked] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def generated(self) -> int:
        return len(self.checked)

    @property
    def kept(self) -> list[Checked]:
        return [c for c in self.checked if c.kept]

    @property
    def dropped(self) -> list[Checked]:
        return [c for c in self.checked if not c.kept]

    @property
    def reasons(self) -> Counter[str]:
        return Counter(c.reason.value for c in self.dropped if c.reason)

    def to_dict(self) -> dict[str, Any]:
        return {"clause_id": self.clause_id, "generated": self.generated,
                "kept": len(self.kept), "dropped": len(self.dropped),
                "reasons": dict(sorted(self.reasons.items())),
                "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "drops": [{"kind": c.candidate.kind if c.candidate else None,
                           "reason": c.reason.value if c.reason else None, "detail": c.detail}
                          for c in self.dropped]}


@dataclass
class ExamplesRun:
    guideline_version: str
    model: str
    clauses: list[ClauseReport] = field(default_factory=list)

    @property
    def generated(self) -> int:
        return sum(c.generated for c in self.clauses)

    @property
    def kept(self) -> int:
        return sum(len(c.kept) for c in self.clauses)

    @property
    def dropped(self) -> int:
        return sum(len(c.dropped) for c in self.clauses)

    @property
    def reasons(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for clause in self.clauses:
            total.update(clause.reasons)
        return total

    def kept_records(self) -> Iterable[dict[str, Any]]:
        for clause in self.clauses:
            for checked in clause.kept:
                yield checked.to_record(self.guideline_version) | {"model": self.model}

    def records(self, include_dropped: bool = False) -> list[dict[str, Any]]:
        """The kept candidates with their evidence, or every candidate with its reason."""
        if not include_dropped:
            return list(self.kept_records())
        return [c.to_record(self.guideline_version) | {"model": self.model}
                for report in self.clauses for c in report.checked]

    def render(self) -> str:
        """Counts per clause, the totals and every drop with its reason, as plain text."""
        from llmqa.text import table

        rows = [[c.clause_id, str(c.generated), str(len(c.kept)), str(len(c.dropped)),
                 ", ".join(f"{k} {v}" for k, v in sorted(c.reasons.items()))]
                for c in self.clauses]
        lines = [table(rows, ["clause", "generated", "kept", "dropped", "reasons"]), "",
                 f"{self.generated} generated, {self.kept} kept, {self.dropped} dropped "
                 f"(model {self.model}, guidelines {self.guideline_version})"]
        if self.reasons:
            lines.append("dropped: " + ", ".join(f"{k} {v}"
                                                 for k, v in sorted(self.reasons.items())))
        for clause in self.clauses:
            for checked in clause.dropped:
                kind = checked.candidate.kind if checked.candidate else "reply"
                reason = checked.reason.value if checked.reason else "?"
                lines.append(f"  {clause.clause_id} {kind}: {reason}: {checked.detail[:160]}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"guideline_version": self.guideline_version, "model": self.model,
                "generated": self.generated, "kept": self.kept, "dropped": self.dropped,
                "reasons": dict(sorted(self.reasons.items())),
                "clauses": [c.to_dict() for c in self.clauses]}


class ExamplePipeline:
    """Generate, then verify, clause after clause. ``ahead``: how many later clauses' writing
    calls may run while one clause is verified (0: none)."""

    def __init__(self, generator: CandidateGenerator, verifier: Verifier,
                 ahead: int = 0) -> None:
        self.generator = generator
        self.verifier = verifier
        self.ahead = max(0, ahead)

    async def run_clause(self, clause: Clause) -> ClauseReport:
        return await self._verified(clause, await self.generator.generate(clause))

    async def _verified(self, clause: Clause, outcome: GenerationOutcome) -> ClauseReport:
        report = ClauseReport(clause.id, input_tokens=outcome.input_tokens,
                              output_tokens=outcome.output_tokens)
        report.checked.extend(
            Checked(clause.id, None, False, DropReason.MALFORMED, m.reason,
                    {"raw": m.raw} if m.raw else {})
            for m in outcome.malformed)
        try:
            report.checked.extend(await self.verifier.verify(clause, outcome.candidates))
        except AbortRun as exc:
            # Every later call would fail the same way (bad key, unknown model).
            raise exc.as_error(f"stopped: {exc}") from exc
        return report

    async def run(self, clauses: list[Clause],
                  on_clause: Callable[[ClauseReport], None] | None = None) -> ExamplesRun:
        """Every clause, reported in order. The writing calls of the next ``ahead`` clauses
        run while one is verified: a writing answer is the slowest call, and clauses do not
        need each other's. Verification stays in order, each candidate checked against the
        examples kept for the clauses before it, so the result is a one-by-one run's."""
        run = ExamplesRun(self.verifier.guidelines.version, self.generator.seam.name)
        writing: dict[int, asyncio.Task[GenerationOutcome]] = {}

        def write(index: int) -> None:
            if index < len(clauses) and index not in writing:
                writing[index] = asyncio.ensure_future(self.generator.generate(clauses[index]))

        try:
            for index, clause in enumerate(clauses):
                write(index)
                outcome = await writing.pop(index)
                for later in range(index + 1, index + 1 + self.ahead):
                    write(later)
                report = await self._verified(clause, outcome)
                run.clauses.append(report)
                if on_clause is not None:
                    on_clause(report)
        finally:  # a failure (a 401 abort, Ctrl-C) stops the calls already under way
            for task in writing.values():
                task.cancel()
            await asyncio.gather(*writing.values(), return_exceptions=True)
        return run
