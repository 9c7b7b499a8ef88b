"""Which clauses are a clause's neighbours: where its near misses are expected to land.

A near miss shares the clause's topic but falls under something else: a sibling clause of the
same section or policy file, a clause the text points to ("threats against groups are
VEX-1.3"), a clause that points back to it, or one of the contextual exceptions (the clauses
labelled ``allowed``: news, education, art, counter-speech, satire). The generator shows
them to the model as sources of near misses; the verifier checks that an out-of-scope
candidate retrieves the clause or one of them, so trivially unrelated text is not taken for
a near miss.
"""

from __future__ import annotations

import re

from llmqa.guidelines.model import Clause, GuidelineSet
from llmqa.guidelines.parser import CLAUSE_ID

_REFERENCE = re.compile(rf"\b({CLAUSE_ID})\b")


def referenced_ids(clause: Clause) -> set[str]:
    """Clause IDs named in the clause's text or in its examples' rationales."""
    texts = [clause.text, *(e.why or "" for e in (*clause.in_scope, *clause.out_of_scope))]
    return {m.group(1) for text in texts for m in _REFERENCE.finditer(text)} - {clause.id}


def neighbours(guidelines: GuidelineSet, clause: Clause) -> list[Clause]:
    """Neighbouring clauses, closest first: siblings, references, then the exceptions."""
    refs = referenced_ids(clause)
    ranked: list[tuple[int, int, Clause]] = []
    for position, other in enumerate(guidelines.by_id.values()):
        if other.id == clause.id or other.general:  # a general rule implies no label
            continue
        if clause.parent_id and other.parent_id == clause.parent_id:
            rank = 0
        elif other.id in refs or clause.id in referenced_ids(other):
            rank = 1
        elif other.source and other.source == clause.source:
            rank = 2
        elif other.label == guidelines.no_violation_label:
            rank = 3
        else:
            continue
        ranked.append((rank, position, other))
    return [other for _, _, other in sorted(ranked, key=lambda r: (r[0], r[1]))]


def neighbour_ids(guidelines: GuidelineSet, clause: Clause) -> set[str]:
    return {c.id for c in neighbours(guidelines, clause)}
