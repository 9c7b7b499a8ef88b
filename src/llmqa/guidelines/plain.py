"""Clauses from a plain guideline document (no clause IDs: a PDF or word-processor export).

Structure is inferred in order of confidence:

1. numbered headings or lines (``2.``, ``2.3 Slurs``, ``Section 4``) → one clause per number,
   parents from the numbering;
2. markdown headings → one clause per heading;
3. blank-line separated blocks → one clause per block.

Lines such as ``Examples:`` or ``Not covered:`` start in/out-of-scope example lists. Every
clause is marked ``inferred`` so a human checks it. Any document with text gets at least one
clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from llmqa.guidelines.model import Clause, Example
from llmqa.guidelines.parser import BULLET, parse_example

_NUMBERED = re.compile(r"^\s*(?:#{1,6}\s+)?(?:section|clause|article|§)?\s*"
                       r"(\d{1,3}(?:\.\d{1,3}){0,3})[.)]?\s+(\S.*)$", re.IGNORECASE)
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(.+?)\s*#*\s*$")
_LABEL = re.compile(r"^\s*(?:label|category)\s*:\s*([A-Za-z][\w\- ]*)\s*$", re.IGNORECASE)
_IN = re.compile(r"^\s*(?:examples?|for example|e\.g\.|such as|this includes|includes|in scope|"
                 r"covered|prohibited|violations?)\b[^:]{0,40}:\s*(.*)$", re.IGNORECASE)
_OUT = re.compile(r"^\s*(?:not covered|out of scope|exceptions?|does not (?:include|cover)|"
                  r"not included|allowed|permitted|acceptable|non-violating)\b[^:]{0,40}:\s*(.*)$",
                  re.IGNORECASE)
_TITLE_MAX = 90


@dataclass
class _Draft:
    key: str
    title: str
    line: int
    text: list[str] = field(default_factory=list)
    in_scope: list[Example] = field(default_factory=list)
    out_scope: list[Example] = field(default_factory=list)
    label: str | None = None


def id_prefix(source: str) -> str:
    stem = Path(source).stem
    words = [w for w in re.split(r"[^A-Za-z0-9]+", stem) if w and not w.isdigit()]
    prefix = "".join(words).upper()[:12]
    return prefix or "DOC"


def label_from_title(title: str) -> str:
    words = re.sub(r"\b(policy|policies|guidelines?|standards?|community|the|on|and)\b", " ",
                   title.lower())
    slug = re.sub(r"[^a-z0-9]+", "_", words).strip("_")
    return slug or "violation"


def parse_plain(text: str, source: str) -> tuple[list[Clause], list[str]]:
    lines = text.splitlines()
    title, label = _document_title_and_label(lines, source)
    drafts = _by_numbering(lines)
    how = "numbered sections"
    if not drafts:
        drafts, how = _by_headings(lines), "headings"
    if not drafts:
        drafts, how = _by_blocks(lines), "paragraph blocks"
    prefix = id_prefix(source)
    clauses: list[Clause] = []
    keys = {d.key for d in drafts}
    titles = {d.key: d.title for d in drafts}
    for draft in drafts:
        body = "\n".join(draft.text).strip()
        has_children = any(k.startswith(draft.key + ".") for k in keys)
        if has_children and not body and not draft.in_scope and not draft.out_scope:
            continue  # a bare section title: it only groups its children
        parent_key = draft.key.rsplit(".", 1)[0] if "." in draft.key else None
        clauses.append(Clause(
            id=f"{prefix}-{draft.key}", label=draft.label or label, title=draft.title,
            text=body, in_scope=tuple(draft.in_scope), out_of_scope=tuple(draft.out_scope),
            parent_id=f"{prefix}-{parent_key}" if parent_key in keys else None,
            parent_title=titles.get(parent_key) if parent_key else None,
            policy=title, source=source, line=draft.line, inferred=True,
        ))
    problems = [f"{source}: no clause IDs; {len(clauses)} clauses inferred from {how} "
                f"with label '{label}' unless stated; check them"] if clauses else []
    return clauses, problems


def _document_title_and_label(lines: list[str], source: str) -> tuple[str, str]:
    title = ""
    label = None
    for line in lines:
        if not line.strip():
            continue
        if not title:
            heading = _MD_HEADING.match(line)
            candidate = (heading.group(1) if heading else line).strip()
            if not _NUMBERED.match(line) and len(candidate) <= _TITLE_MAX:
                title = candidate
        found = _LABEL.match(line)
        if found:
            label = found.group(1).strip().lower().replace(" ", "_")
            break
    title = title or Path(source).stem.replace("-", " ").replace("_", " ")
    return title, label or label_from_title(title)


def _consume(draft: _Draft, line: str, mode: list[str]) -> None:
    """Feed one body line to a draft, switching into/out of example lists."""
    found = _LABEL.match(line)
    if found:
        draft.label = found.group(1).strip().lower().replace(" ", "_")
        return
    for pattern, name in ((_OUT, "out"), (_IN, "in")):
        opener = pattern.match(line)
        if opener:
            mode[0] = name
            rest = opener.group(1).strip()
            if rest:
                target = draft.in_scope if name == "in" else draft.out_scope
                target.extend(parse_example(part) for part in re.split(r";\s+", rest) if part)
            return
    bullet = BULLET.match(line)
    if bullet and mode[0]:
        target = draft.in_scope if mode[0] == "in" else draft.out_scope
        target.append(parse_example(bullet.group(1)))
        return
    if not line.strip():
        return
    mode[0] = ""
    draft.text.append(line.strip())


def _split_title(rest: str) -> tuple[str, str]:
    """``Slurs. Content that...`` → (``Slurs``, ``Content that...``)."""
    if len(rest) <= _TITLE_MAX and not rest.rstrip().endswith((".", ";", ",")):
        return rest.strip(), ""
    head, sep, tail = rest.partition(". ")
    if sep and len(head) <= 60:
        return head.strip(), tail.strip()
    return "", rest.strip()


def _by_numbering(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    mode = [""]
    for number, line in enumerate(lines, start=1):
        numbered = _NUMBERED.match(line)
        # A bullet-list "1." inside an example list is an example, not a new clause.
        if numbered and not (mode[0] and BULLET.match(line) and "." not in numbered.group(1)):
            title, first = _split_title(numbered.group(2))
            current = _Draft(numbered.group(1), title, number)
            if first:
                current.text.append(first)
            drafts.append(current)
            mode = [""]
        elif current is not None:
            _consume(current, line, mode)
    if len({d.key for d in drafts}) < len(drafts) or len(drafts) < 2:
        return []  # numbering that repeats (page numbers, lists) is not structure
    return drafts


def _by_headings(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    mode = [""]
    seen_title = False
    for number, line in enumerate(lines, start=1):
        heading = _MD_HEADING.match(line)
        if heading:
            if not seen_title and line.lstrip().startswith("# "):
                seen_title = True  # the document title is not a clause
                continue
            current = _Draft(str(len(drafts) + 1), heading.group(1).strip(), number)
            drafts.append(current)
            mode = [""]
        elif current is not None:
            _consume(current, line, mode)
    return drafts


def _by_blocks(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    mode = [""]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if current is not None and not mode[0]:
                current = None
            continue
        if current is None:
            stripped = line.strip().lstrip("# ").strip()
            title, first = _split_title(stripped)
            current = _Draft(str(len(drafts) + 1), title[:_TITLE_MAX], number)
            if first:
                current.text.append(first)
            drafts.append(current)
            continue
        _consume(current, line, mode)
    if len(drafts) > 1 and not drafts[0].text and not drafts[0].in_scope:
        drafts.pop(0)  # a lone first line is the document title
        for index, draft in enumerate(drafts, start=1):
            draft.key = str(index)
    return drafts
