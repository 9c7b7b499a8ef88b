"""Parser for structured markdown guidelines (see docs/guideline-format.md).

A heading that starts with a clause ID and has a ``Label:`` line is a clause; one with an
``Applies to: all labels`` line instead is a general rule (a clause without a label); a
heading with an ID and neither is a section, the parent of the clauses below it. Documents
without any clause-ID heading are handed to ``plain.parse_plain``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from llmqa.guidelines.model import Clause, Example, normalise

# A segment may be a single lowercase letter ("HATE-2.c.1") so imported documents keep their
# own lettered codes; the look-ahead stops "HATE-2.then" from reading as a code.
CLAUSE_ID = r"[A-Z][A-Z0-9]*-\d+(?:\.(?:\d+|[a-z](?![A-Za-z])))*"
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_ID_HEADING = re.compile(rf"^({CLAUSE_ID})\b[\s:.\-–—]*(.*)$")
_LABEL = re.compile(r"^\s*(?:\*\*|__)?(?:label|category)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*"
                    r"`?([A-Za-z][\w\-/ ]*?)`?\s*(?:\*\*|__)?\s*$", re.IGNORECASE)
_IN_SCOPE = re.compile(r"^\s*(?:\*\*|__)?\s*(?:in[\s-]scope|covered|violating)(?:\s+examples?)?"
                       r"\s*:?\s*(?:\*\*|__)?\s*:?\s*$", re.IGNORECASE)
_OUT_SCOPE = re.compile(r"^\s*(?:\*\*|__)?\s*(?:out[\s-]of[\s-]scope|not\s+covered|non-violating)"
                        r"(?:\s+examples?)?\s*:?\s*(?:\*\*|__)?\s*:?\s*$", re.IGNORECASE)
# A general rule instead of a label: "Applies to: all labels" (or "every label", "all items").
_GENERAL = re.compile(r"^\s*(?:\*\*|__)?applies\s+to(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*"
                      r"(?:all|every|any)\b[^:]*$", re.IGNORECASE)
# Declared once, before a file's first clause heading: "No-violation label: not_offensive".
_NO_VIOLATION = re.compile(r"^\s*(?:\*\*|__)?no[\s-]violation\s+label(?:\*\*|__)?\s*:\s*"
                           r"(?:\*\*|__)?\s*`?([A-Za-z][\w\-/ ]*?)`?\s*(?:\*\*|__)?\s*$",
                           re.IGNORECASE)
BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(.*)$")
_TAG = re.compile(r"^\[([a-zA-Z]+)\]\s*(.*)$")
_WHY = re.compile(r"^(.*?)\s*\((?:why|because|reason)\s*:\s*(.+)\)\s*$", re.IGNORECASE | re.DOTALL)


def parse_example(raw: str) -> Example:
    """``[lyrics] "text" (why: reason)`` → Example(text, modality, why)."""
    text = normalise(raw)
    modality = why = None
    tagged = _TAG.match(text)
    if tagged:
        modality, text = tagged.group(1).lower(), tagged.group(2)
    reasoned = _WHY.match(text)
    if reasoned:
        text, why = reasoned.group(1), normalise(reasoned.group(2))
    return Example(text=text.strip(), modality=modality, why=why)


@dataclass
class _Block:
    level: int
    heading: str
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)


def label_name(raw: str) -> str:
    """A label as written (``Not offensive``) in the form items carry: ``not_offensive``."""
    return raw.strip().lower().replace(" ", "_")


def declared_no_violation(text: str) -> tuple[str, int] | None:
    """The ``No-violation label:`` line before the first clause heading, and its line number."""
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        if heading and _ID_HEADING.match(heading.group(2)):
            return None
        if found := _NO_VIOLATION.match(line):
            return label_name(found.group(1)), number
    return None


def has_clause_headings(text: str) -> bool:
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading and _ID_HEADING.match(heading.group(2)):
            return True
    return False


def parse_structured(text: str, source: str) -> tuple[list[Clause], list[str]]:
    problems: list[str] = []
    blocks: list[_Block] = []
    policy = ""
    preamble = _Block(0, "", 0)
    current = preamble
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2).strip()
            if level == 1 and not policy and not _ID_HEADING.match(title):
                policy = title
                current = preamble
                continue
            current = _Block(level, title, number)
            blocks.append(current)
        else:
            current.body.append((number, line))

    clauses: list[Clause] = []
    unlabelled: dict[str, int] = {}
    # Stack of (level, id, title) for ID headings that act as sections.
    sections: list[tuple[int, str, str]] = []
    for block in blocks:
        match = _ID_HEADING.match(block.heading)
        while sections and sections[-1][0] >= block.level:
            sections.pop()
        if not match:
            sections.append((block.level, "", block.heading))
            continue
        clause_id, title = match.group(1), match.group(2).strip()
        label, general, body, in_scope, out_scope = _split_body(block.body)
        parent = next(((sid, stitle) for _, sid, stitle in reversed(sections) if sid), None)
        if label is not None and general:
            problems.append(f"{source}:{block.line}: {clause_id} has both a 'Label:' line and "
                            "'Applies to: all labels'; it is read as a clause with that label")
            general = False
        if label is None and not general:
            if _has_text(body) or in_scope or out_scope:
                unlabelled[clause_id] = block.line
            sections.append((block.level, clause_id, title))
            continue
        clauses.append(Clause(
            id=clause_id, label=label, general=general, title=title,
            text="\n".join(body).strip(),
            in_scope=tuple(in_scope), out_of_scope=tuple(out_scope),
            parent_id=parent[0] if parent else None, parent_title=parent[1] if parent else None,
            policy=policy, source=source, line=block.line,
        ))
    parents = {c.parent_id for c in clauses}
    problems.extend(f"{source}:{line}: {clause_id} has text but no 'Label:' line and no clauses "
                    "under it; it is not used as a clause (a general rule for every label says "
                    "'Applies to: all labels')" for clause_id, line in unlabelled.items()
                    if clause_id not in parents)
    return clauses, problems


def _has_text(lines: list[str]) -> bool:
    return any(line.strip() for line in lines)


def _split_body(body: list[tuple[int, str]]) -> tuple[str | None, bool, list[str],
                                                       list[Example], list[Example]]:
    label: str | None = None
    general = False
    text: list[str] = []
    in_scope: list[Example] = []
    out_scope: list[Example] = []
    target: list[Example] | None = None
    pending: list[str] = []

    def flush() -> None:
        if pending and target is not None:
            target.append(parse_example(" ".join(pending)))
        pending.clear()

    for _, line in body:
        if label is None and (found := _LABEL.match(line)):
            label = label_name(found.group(1))
            continue
        if not general and _GENERAL.match(line):
            general = True
            continue
        if _IN_SCOPE.match(line):
            flush()
            target = in_scope
            continue
        if _OUT_SCOPE.match(line):
            flush()
            target = out_scope
            continue
        if target is not None:
            bullet = BULLET.match(line)
            if bullet:
                flush()
                pending.append(bullet.group(1))
            elif line.strip() and pending:
                pending.append(line.strip())  # a wrapped example line
            elif line.strip():
                flush()
                target = None
                text.append(line)
            continue
        text.append(line)
    flush()
    return label, general, text, in_scope, out_scope
