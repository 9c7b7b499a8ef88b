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

from llmqa.guidelines.model import Clause
from llmqa.guidelines.parser import BULLET, parse_example

_NUMBERED = re.compile(r"^\s*(#{1,6}\s+)?(section|clause|article|§)?\s*"
                       r"(\d{1,3}(?:\.\d{1,3}){0,3})([.)])?\s+(\S.*)$", re.IGNORECASE)
_MD_HEADING = re.compile(r"^\s*(#{1,6})\s+(.+?)\s*#*\s*$")
_LABEL = re.compile(r"^\s*(?:label|category)\s*:\s*([A-Za-z][\w\- ]*)\s*$", re.IGNORECASE)
_IN = re.compile(r"^\s*(?:examples?|for example|e\.g\.|such as|this includes|includes|in scope|"
                 r"covered|prohibited|violations?)\b[^:]{0,40}:\s*(.*)$", re.IGNORECASE)
_OUT = re.compile(r"^\s*(?:not covered|out of scope|exceptions?|does not (?:include|cover)|"
                  r"not included|allowed|permitted|acceptable|non-violating)\b[^:]{0,40}:\s*(.*)$",
                  re.IGNORECASE)
# Running headers and footers of a PDF export: "Page 2 of 4", "- 3 -", "3/12".
_PAGE_FURNITURE = re.compile(r"^\s*(?:page\s+\d+(?:\s+of\s+\d+)?|[-–—]\s*\d+\s*[-–—]|\d+\s*/\s*\d+)"
                             r"\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“(\[])")
_FILLER_WORDS = {"policy", "policies", "guideline", "guidelines", "standard", "standards",
                 "document", "doc", "export", "final", "draft", "notes", "copy", "and", "the",
                 "of", "for", "on", "handbook"}
_TITLE_MAX = 90
_GIST_WORDS = 8


@dataclass
class _Draft:
    key: str
    title: str
    line: int
    text: list[str] = field(default_factory=list)
    in_scope: list[str] = field(default_factory=list)
    out_scope: list[str] = field(default_factory=list)
    label: str | None = None


@dataclass
class _Mode:
    """Where body lines go: clause text, or the in/out example list being read."""

    kind: str = ""  # "", "in" or "out"
    last_number: int = 0  # the last "N." item of a numbered list being read
    open_example: bool = False  # the previous line was an example that may wrap onto this one

    def start(self, kind: str) -> None:
        self.kind, self.last_number, self.open_example = kind, 0, False


def id_prefix(source: str) -> str:
    """``harassment-policy.md`` → ``HARASSMENT``; ``hate-speech-2024.txt`` → ``HATESPEECH``."""
    stem = Path(source).stem
    words = [w for w in re.split(r"[^A-Za-z0-9]+", stem) if w and not w.isdigit()]
    kept = [w for w in words if w.lower() not in _FILLER_WORDS] or words
    prefix = ""
    for word in kept:
        if prefix and len(prefix) + len(word) > 12:
            break
        prefix += word.upper()
    prefix = prefix.lstrip("0123456789")[:12]
    return prefix or "DOC"


def label_from_title(title: str) -> str:
    words = re.sub(r"\b(policy|policies|guidelines?|standards?|community|the|on|and)\b", " ",
                   title.lower())
    slug = "_".join(w for w in re.split(r"[^a-z0-9]+", words) if w and not w.isdigit())
    return slug or "violation"


def gist(text: str) -> str:
    """A short title for an untitled block: its first sentence, or its first words."""
    flat = " ".join(text.split())
    first = _SENTENCE_END.split(flat, maxsplit=1)[0].rstrip(".!?:;, ")
    head, colon, _ = first.partition(": ")
    if colon and len(head.split()) >= 2:
        first = head  # "Artificial engagement is also covered: offering..."
    words = first.split()
    if len(words) <= _GIST_WORDS + 4 and len(first) <= 80:
        return first
    return " ".join(words[:_GIST_WORDS]).rstrip(".,;:") + "…"


def parse_plain(text: str, source: str) -> tuple[list[Clause], list[str]]:
    lines = [("" if _PAGE_FURNITURE.match(line) else line) for line in text.splitlines()]
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
        if not body and not draft.in_scope and not draft.out_scope and (has_children
                                                                         or not draft.title):
            continue  # a bare section title only groups its children; an empty block is nothing
        parent_key = draft.key.rsplit(".", 1)[0] if "." in draft.key else None
        clauses.append(Clause(
            id=f"{prefix}-{draft.key}", label=draft.label or label,
            title=draft.title or gist(body or draft.key), text=body,
            in_scope=tuple(parse_example(e) for e in draft.in_scope),
            out_of_scope=tuple(parse_example(e) for e in draft.out_scope),
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
            candidate = (heading.group(2) if heading else line).strip()
            if (not _NUMBERED.match(line) and len(candidate) <= _TITLE_MAX
                    and not candidate.endswith((".", ",", ";"))):
                title = candidate  # a first line that is a sentence is text, not a title
        found = _LABEL.match(line)
        if found:
            label = found.group(1).strip().lower().replace(" ", "_")
            break
    title = title or Path(source).stem.replace("-", " ").replace("_", " ")
    return title, label or label_from_title(title)


def _consume(draft: _Draft, line: str, mode: _Mode) -> None:
    """Feed one body line to a draft, switching into/out of example lists."""
    found = _LABEL.match(line)
    if found:
        draft.label = found.group(1).strip().lower().replace(" ", "_")
        return
    for pattern, name in ((_OUT, "out"), (_IN, "in")):
        opener = pattern.match(line)
        if opener:
            mode.start(name)
            rest = opener.group(1).strip()
            if rest:
                target = draft.in_scope if name == "in" else draft.out_scope
                target.extend(part for part in re.split(r";\s+", rest) if part)
            return
    if not line.strip():
        mode.open_example = False
        return
    target = draft.in_scope if mode.kind == "in" else draft.out_scope
    bullet = BULLET.match(line)
    if bullet and mode.kind:
        number = re.match(r"\s*(\d+)[.)]", line)
        if number:
            mode.last_number = int(number.group(1))
        target.append(bullet.group(1).strip())
        mode.open_example = True
        return
    if mode.kind and mode.open_example and target and _continues(target[-1], line):
        target[-1] = f"{target[-1]} {line.strip()}"  # an example wrapped onto the next line
        return
    if mode.kind:
        mode.start("")
    if number := re.match(r"\s*(\d+)[.)]\s", line):
        mode.last_number = int(number.group(1))  # a numbered list in the clause text
    draft.text.append(line.strip())


def _continues(previous: str, line: str) -> bool:
    """Is ``line`` the wrapped tail of the example ``previous`` rather than new clause text?"""
    return line[:1].isspace() or not previous.rstrip().endswith(
        (".", "!", "?", '"', "”", "'", ")", "]"))


def _is_list_item(line: str, key: str, mode: _Mode) -> bool:
    """The next item of a numbered list (of examples, or in the text), not a new section."""
    return bool((mode.kind or mode.last_number) and BULLET.match(line) and "." not in key
                and int(key) == mode.last_number + 1)


def _split_title(rest: str) -> tuple[str, str]:
    """``Slurs. Content that...`` → (``Slurs``, ``Content that...``)."""
    if len(rest) <= _TITLE_MAX and not rest.rstrip().endswith((".", ";", ",")):
        return rest.strip(), ""
    head, sep, tail = rest.partition(". ")
    if sep and len(head) <= 60:
        return head.strip(), tail.strip()
    return "", rest.strip()


def _plausible_next(key: str, drafts: list[_Draft]) -> bool:
    """Does ``key`` continue the numbering so far? ``2.5 million listeners`` after 2.1 does not."""
    if not drafts:
        return True
    *parent_parts, last = (int(part) for part in key.split("."))
    parent = tuple(parent_parts)
    current_top = int(drafts[-1].key.split(".")[0])
    if parent and not current_top <= parent[0] <= current_top + 1:
        return False
    siblings = [int(d.key.rsplit(".", 1)[-1]) for d in drafts
                if tuple(int(p) for p in d.key.split(".")[:-1]) == parent]
    previous = max(siblings, default=0)
    return previous < last <= previous + 2


def _section_start(line: str, drafts: list[_Draft], mode: _Mode) -> re.Match[str] | None:
    numbered = _NUMBERED.match(line)
    if not numbered:
        return None
    markdown, prefix, key, punct, _ = numbered.groups()
    if not (punct or markdown or prefix or "." in key):
        return None  # "18 is the minimum age..." is a wrapped line, not section 18
    if _is_list_item(line, key, mode):
        return None
    if not (markdown or prefix) and not _plausible_next(key, drafts):
        return None  # a wrapped line that happens to start with a number
    return numbered


def _by_numbering(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    mode = _Mode()
    for number, line in enumerate(lines, start=1):
        numbered = _section_start(line, drafts, mode)
        if numbered:
            title, first = _split_title(numbered.group(5))
            current = _Draft(numbered.group(3), title, number)
            if first:
                current.text.append(first)
            drafts.append(current)
            mode = _Mode()
        elif current is not None:
            _consume(current, line, mode)
    if len({d.key for d in drafts}) < len(drafts) or len(drafts) < 2:
        return []  # numbering that repeats (page numbers, lists) is not structure
    return drafts


def _by_headings(lines: list[str]) -> list[_Draft]:
    found: list[tuple[int, _Draft]] = []
    current: _Draft | None = None
    mode = _Mode()
    for number, line in enumerate(lines, start=1):
        heading = _MD_HEADING.match(line)
        if heading:
            current = _Draft("", heading.group(2).strip(), number)
            found.append((len(heading.group(1)), current))
            mode = _Mode()
        elif current is not None:
            _consume(current, line, mode)
    # A single level-1 heading at the top is the document title, not a clause.
    if found and found[0][0] == 1 and sum(1 for level, _ in found if level == 1) == 1:
        found.pop(0)
    # Keys follow the heading levels: "## A", "### B", "### C", "## D" → 1, 1.1, 1.2, 2.
    depth_of = {level: depth for depth, level in enumerate(sorted({lv for lv, _ in found}))}
    counters: list[int] = []
    for level, draft in found:
        depth = depth_of[level]
        counters = counters[:depth + 1] + [0] * (depth + 1 - len(counters))
        counters[depth] += 1
        draft.key = ".".join(str(c) for c in counters)
    return [draft for _, draft in found]


def _is_title_line(line: str) -> bool:
    stripped = line.strip()
    return (len(stripped) <= 70 and len(stripped.split()) <= 10
            and not stripped.endswith((".", ",", ";", ":", "!", "?")))


def _by_blocks(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    mode = _Mode()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if current is not None and not mode.kind:
                current = None
            else:
                mode.open_example = False
            continue
        if current is None:
            stripped = line.strip().lstrip("# ").strip()
            current = _Draft(str(len(drafts) + 1), "", number)
            drafts.append(current)
            mode = _Mode()
            if _is_title_line(stripped):
                current.title = stripped
            else:
                current.text.append(stripped)
            continue
        _consume(current, line, mode)
    if len(drafts) > 1 and not drafts[0].text and not drafts[0].in_scope:
        drafts.pop(0)  # a lone first line is the document title
    for index, draft in enumerate(drafts, start=1):
        draft.key = str(index)
        if not draft.title and draft.text:
            draft.title = gist(" ".join(draft.text))
    return drafts
