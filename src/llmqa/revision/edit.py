"""Editing a guideline file in place: a clause's text, and examples added to its lists.

Edits are made on the file's lines, not by re-serialising parsed clauses, so everything the
parser does not model (the policy preamble, section text, blank lines, the author's line
wrapping) is left byte for byte and the diff shows only the change. Every edited file is
parsed again and compared with what was intended: the changed clause must have exactly the
new text and examples, every other clause must keep its content hash. An edit that would
not round-trip is refused, never written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from llmqa.errors import GuidelineError, Hint
from llmqa.generation.schema import bullet
from llmqa.guidelines.loader import parse_document
from llmqa.guidelines.model import Clause, Example, GuidelineSet
from llmqa.guidelines.parser import (
    _HEADING,
    _ID_HEADING,
    _IN_SCOPE,
    _LABEL,
    _OUT_SCOPE,
    parse_example,
)

_BOM = "\ufeff"


class EditError(GuidelineError):
    """A change cannot be made safely (the clause is not found, or would not round-trip)."""


@dataclass(frozen=True)
class ClauseChange:
    clause_id: str
    new_text: str | None = None
    add_in_scope: tuple[Example, ...] = ()
    add_out_of_scope: tuple[Example, ...] = ()

    @property
    def empty(self) -> bool:
        return self.new_text is None and not self.add_in_scope and not self.add_out_of_scope


@dataclass
class FileEdit:
    """One guideline file before and after; ``display`` is its path inside the patch."""

    path: Path
    display: str
    before: str
    after: str
    clause_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return self.before != self.after


def structural_problem(text: str) -> str | None:
    """Why ``text`` cannot be a clause text: a line the parser would read as structure."""
    for line in text.splitlines():
        if _HEADING.match(line):
            return f"a line reads as a heading: {line.strip()[:60]!r}"
        if _LABEL.match(line):
            return f"a line reads as a 'Label:' line: {line.strip()[:60]!r}"
        if _IN_SCOPE.match(line) or _OUT_SCOPE.match(line):
            return f"a line reads as an example-list marker: {line.strip()[:60]!r}"
    return None


def _locate(lines: list[str], clause_id: str) -> tuple[int, int]:
    """(heading index, end index exclusive) of the clause's block: up to the next heading."""
    for start, line in enumerate(lines):
        heading = _HEADING.match(line)
        if not heading:
            continue
        found = _ID_HEADING.match(heading.group(2).strip())
        if not found or found.group(1) != clause_id:
            continue
        end = next((i for i in range(start + 1, len(lines)) if _HEADING.match(lines[i])),
                   len(lines))
        if any(_LABEL.match(line) for line in lines[start + 1:end]):
            return start, end
    raise EditError(f"clause {clause_id}: no heading with a 'Label:' line found")


def _first(lines: list[str], start: int, end: int, pattern: re.Pattern[str]) -> int | None:
    return next((i for i in range(start, end) if pattern.match(lines[i])), None)


def _last_text_line(lines: list[str], start: int, end: int) -> int:
    """Index just after the last non-blank line in ``[start, end)`` (``start`` if none)."""
    last = start
    for i in range(start, end):
        if lines[i].strip():
            last = i + 1
    return last


def _replace_text(lines: list[str], clause_id: str, new_text: str) -> None:
    problem = structural_problem(new_text)
    if problem:
        raise EditError(f"clause {clause_id}: the new text is not plain clause text ({problem})")
    start, end = _locate(lines, clause_id)
    markers = [i for i in (_first(lines, start + 1, end, _IN_SCOPE),
                           _first(lines, start + 1, end, _OUT_SCOPE)) if i is not None]
    region_end = min(markers) if markers else end
    label = _first(lines, start + 1, region_end, _LABEL)
    body = [line.rstrip() for line in new_text.strip().splitlines()]
    # The region keeps the label line, then one blank line, the text and one blank line
    # before the example lists (or the next heading, or the file's final newline).
    region = ([lines[label]] if label is not None else []) + ["", *body, ""]
    lines[start + 1:region_end] = region


def _add_examples(lines: list[str], clause_id: str, examples: tuple[Example, ...],
                  inside: re.Pattern[str], other: re.Pattern[str], title: str,
                  before_other: bool) -> None:
    if not examples:
        return
    new = [bullet(example) for example in examples]
    start, end = _locate(lines, clause_id)
    marker = _first(lines, start + 1, end, inside)
    other_marker = _first(lines, start + 1, end, other)
    if marker is not None:
        limit = other_marker if other_marker is not None and other_marker > marker else end
        position = max(marker + 1, _last_text_line(lines, marker + 1, limit))
        lines[position:position] = new
        return
    # No list yet: in-scope goes before the out-of-scope list, out-of-scope at the end.
    limit = other_marker if (before_other and other_marker is not None) else end
    position = _last_text_line(lines, start + 1, limit)
    lines[position:position] = ["", title, *new]


def apply_changes(text: str, changes: list[ClauseChange]) -> str:
    """The document with ``changes`` made (no round-trip check; see ``edit_document``)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    for change in changes:
        if change.new_text is not None:
            _replace_text(lines, change.clause_id, change.new_text)
        _add_examples(lines, change.clause_id, change.add_in_scope, _IN_SCOPE, _OUT_SCOPE,
                      "In scope:", before_other=True)
        _add_examples(lines, change.clause_id, change.add_out_of_scope, _OUT_SCOPE, _IN_SCOPE,
                      "Out of scope:", before_other=False)
    return newline.join(lines)


def expected_clause(clause: Clause, change: ClauseChange) -> Clause:
    """What the parser must read back for ``clause`` once ``change`` is made."""
    def reparsed(examples: tuple[Example, ...]) -> tuple[Example, ...]:
        return tuple(parse_example(bullet(e)[2:]) for e in examples)

    return clause.model_copy(update={
        "text": change.new_text.strip() if change.new_text is not None else clause.text,
        "in_scope": clause.in_scope + reparsed(change.add_in_scope),
        "out_of_scope": clause.out_of_scope + reparsed(change.add_out_of_scope)})


def edit_document(text: str, source: str, changes: list[ClauseChange]) -> str:
    """``apply_changes`` plus the round-trip check; raises ``EditError`` on any surprise."""
    before, _ = parse_document(text, source)
    after_text = apply_changes(text, [c for c in changes if not c.empty])
    after, _ = parse_document(after_text, source)
    old = {c.id: c for c in before}
    new = {c.id: c for c in after}
    if old.keys() != new.keys():
        raise EditError(f"{source}: the edit would change which clauses exist "
                        f"({sorted(old.keys() ^ new.keys())})")
    wanted = {c.clause_id: c for c in changes}
    for clause_id, clause in old.items():
        expected = expected_clause(clause, wanted[clause_id]) if clause_id in wanted else clause
        if new[clause_id].content_hash != expected.content_hash:
            what = "changed" if clause_id in wanted else "unchanged"
            raise EditError(f"{source}: clause {clause_id} would not read back as intended "
                            f"after the edit (expected {what} content); edit it by hand")
    return after_text


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError as exc:
        raise EditError(f"{path} is not inside {root}",
                        hint=Hint("name the folder the patch should be relative to with {}",
                                  ("root",))) from exc


def _read(path: Path) -> tuple[str, str]:
    """(byte-order mark or "", text): the loader accepts a BOM, and an edit must keep it."""
    raw = path.read_bytes().decode("utf-8")
    bom = _BOM if raw.startswith(_BOM) else ""
    return bom, raw.removeprefix(bom)


def checked_changes(guidelines: GuidelineSet, changes: list[ClauseChange]
                    ) -> tuple[list[ClauseChange], dict[str, str]]:
    """Split ``changes`` into those that edit cleanly, each on its own, and the reasons the
    others cannot be made, so one clause that will not round-trip costs only its change."""
    usable: list[ClauseChange] = []
    failures: dict[str, str] = {}
    texts: dict[str, str] = {}
    for change in changes:
        if change.empty:
            continue
        clause = guidelines.by_id.get(change.clause_id)
        if clause is None or not clause.source:
            failures[change.clause_id] = "not in the guidelines"
            continue
        if clause.inferred:
            failures[change.clause_id] = ("inferred from a plain document; edit that document "
                                          "by hand")
            continue
        if clause.source not in texts:
            texts[clause.source] = _read(Path(clause.source))[1]
        try:
            edit_document(texts[clause.source], clause.source, [change])
        except EditError as exc:
            failures[change.clause_id] = str(exc)
            continue
        usable.append(change)
    return usable, failures


def plan_edits(guidelines: GuidelineSet, changes: list[ClauseChange],
               root: Path) -> list[FileEdit]:
    """The file edits that make ``changes``, one per guideline file touched."""
    by_file: dict[str, list[ClauseChange]] = defaultdict(list)
    for change in changes:
        if change.empty:
            continue
        clause = guidelines.by_id.get(change.clause_id)
        if clause is None or not clause.source:
            raise EditError(f"clause {change.clause_id} is not in the guidelines")
        if clause.inferred:
            raise EditError(f"clause {change.clause_id} was inferred from a plain document; "
                            "edit that document by hand")
        by_file[clause.source].append(change)
    edits: list[FileEdit] = []
    for source, file_changes in by_file.items():
        path = Path(source)
        bom, text = _read(path)
        after = edit_document(text, source, file_changes)
        edits.append(FileEdit(path, _display(path, root), bom + text, bom + after,
                               tuple(c.clause_id for c in file_changes)))
    return sorted(edits, key=lambda e: e.display)
