"""Re-reading stored answers without a new model call.

An answer stored as ``parse_error``, ``invalid_citation`` or ``inconsistent`` keeps its raw
text. When the reason goes away (a label added to the guidelines, a clause ID corrected, a
parser fix), ``reparse`` validates the raw answer again against the current label set and the
clauses that were shown, and turns it into a verdict if it now passes. Nothing is sent to a
model, so nothing is paid twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmqa.guidelines.model import GuidelineSet
from llmqa.llm.reply import validate_answer
from llmqa.store.verdicts import VerdictStore
from llmqa.verdicts import VerdictStatus, answer_model, answer_problem

REPARSABLE = (VerdictStatus.PARSE_ERROR, VerdictStatus.INVALID_CITATION,
              VerdictStatus.INCONSISTENT)


@dataclass
class ReparseReport:
    examined: int = 0
    fixed: int = 0
    still_failing: dict[str, int] = field(default_factory=dict)


def reparse(store: VerdictStore, guidelines: GuidelineSet) -> ReparseReport:
    schema = answer_model(guidelines.labels)
    report = ReparseReport()
    for status in REPARSABLE:
        for row in list(store.verdicts(latest=False, status=status.value)):
            report.examined += 1
            answer: Any
            answer, error = validate_answer(row["raw_answer"] or "", schema)
            human = row["human_label"]
            found = None if answer is None else answer_problem(
                answer, row["retrieved_clause_ids"], None if " / " in (human or "") else human)
            problem = ((status.value, error or "") if answer is None
                       else (found[0].value, found[1]) if found else None)
            if problem is None:
                store.update_parsed(
                    row["key"], status=VerdictStatus.OK.value, verdict=answer.verdict,
                    suggested_label=answer.suggested_label,
                    cited_clause_ids=list(answer.cited_clause_ids), rationale=answer.rationale,
                    confidence=answer.confidence, error=None)
                report.fixed += 1
            else:
                report.still_failing[problem[0]] = report.still_failing.get(problem[0], 0) + 1
                if problem != (row["status"], row["error"]):
                    store.update_parsed(row["key"], status=problem[0], error=problem[1])
    return report
