"""Generate, then verify, clause by clause; count what was generated, kept and dropped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from llmqa.generation.candidates import CandidateGenerator
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
    def __init__(self, generator: CandidateGenerator, verifier: Verifier) -> None:
        self.generator = generator
        self.verifier = verifier

    async def run_clause(self, clause: Clause) -> ClauseReport:
        outcome = await self.generator.generate(clause)
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
        run = ExamplesRun(self.verifier.guidelines.version, self.generator.seam.name)
        for clause in clauses:
            report = await self.run_clause(clause)
            run.clauses.append(report)
            if on_clause is not None:
                on_clause(report)
        return run
