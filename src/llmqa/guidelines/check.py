"""Problems a policy team should fix before guidelines are used for review."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from llmqa.errors import CHECK_GUIDELINES, GuidelineError, Hint
from llmqa.guidelines.model import MAX_CLAUSE_CHARS, GuidelineSet, reads_as_no_violation
from llmqa.guidelines.parser import CLAUSE_ID

MIN_EXAMPLES = 2
# The parser drops a clause heading that has text but no label; that is an error, not a note.
_UNLABELLED = re.compile(rf"^(?P<where>.+?:\d+): (?P<id>{CLAUSE_ID}) has text but no 'Label:'")


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    message: str
    clause_id: str | None = None
    where: str | None = None

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{self.severity}: {prefix}{self.message}"

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


def check_guidelines(guidelines: GuidelineSet) -> list[Problem]:
    problems: list[Problem] = []
    for text in guidelines.problems:
        unlabelled = _UNLABELLED.match(text)
        if unlabelled:
            problems.append(Problem("error", text.removeprefix(unlabelled["where"] + ": "),
                                    unlabelled["id"], unlabelled["where"]))
        else:
            problems.append(Problem("warning", text))
    problems.extend(_undeclared_benign(guidelines))
    problems.extend(_general_size(guidelines))
    counts = Counter(c.id for c in guidelines.clauses)
    for clause_id, count in sorted(counts.items()):
        if count > 1:
            places = ", ".join(f"{c.source}:{c.line}" for c in guidelines.clauses
                               if c.id == clause_id)
            problems.append(Problem("error", f"duplicate clause ID {clause_id} ({count} times: "
                                    f"{places})", clause_id))
    for clause in guidelines.clauses:
        where = f"{clause.source}:{clause.line}"
        if not clause.label and not clause.general:
            problems.append(Problem("error", f"{clause.id} has no label", clause.id, where))
        if len(clause.text) > MAX_CLAUSE_CHARS:
            problems.append(Problem(
                "warning", f"{clause.id} text is {len(clause.text)} characters, over the limit "
                f"of {MAX_CLAUSE_CHARS}: the judge is shown only the first {MAX_CLAUSE_CHARS}",
                clause.id, where))
        if not clause.text.strip():
            problems.append(Problem("warning", f"{clause.id} has no clause text", clause.id, where))
        if clause.general:  # a rule for every item: no category for examples to bound
            continue
        for name, examples in (("in-scope", clause.in_scope),
                               ("out-of-scope", clause.out_of_scope)):
            if len(examples) < MIN_EXAMPLES:
                problems.append(Problem(
                    "warning", f"{clause.id} has {len(examples)} {name} example(s), "
                    f"fewer than {MIN_EXAMPLES}", clause.id, where))
    return problems


def _undeclared_benign(guidelines: GuidelineSet) -> list[Problem]:
    """A set whose clauses say "no violation" as, say, ``not_offensive`` while the judge would
    be offered ``allowed`` besides: every benign item would look mislabelled."""
    used = {c.label for c in guidelines.clauses if c.label}
    if guidelines.no_violation_label in used:
        return []
    lookalikes = sorted(label for label in used if reads_as_no_violation(label))
    return [Problem("warning", f"no clause carries the no-violation label "
                    f"'{guidelines.no_violation_label}', and {label!r} reads like one: if it "
                    f"means 'breaks no policy', declare it with a line 'No-violation label: "
                    f"{label}' before the first clause (docs/guideline-format.md)")
            for label in lookalikes]


def _general_size(guidelines: GuidelineSet) -> list[Problem]:
    """General rules go with every request; pages of them crowd out the clauses retrieved
    for the item (and a small local model's context)."""
    total = sum(min(len(c.text), MAX_CLAUSE_CHARS) for c in guidelines.general)
    if total <= MAX_CLAUSE_CHARS:
        return []
    return [Problem("warning", f"the general rules ({', '.join(c.id for c in guidelines.general)})"
                    f" add {total} characters to every request to the judge; keep only what "
                    "decides a label")]


def duplicate_ids(guidelines: GuidelineSet) -> list[str]:
    """Clause IDs defined more than once, each with where it is defined."""
    counts = Counter(c.id for c in guidelines.clauses)
    return [clause_id + " (" + ", ".join(f"{c.source}:{c.line}" for c in guidelines.clauses
                                        if c.id == clause_id) + ")"
            for clause_id, count in sorted(counts.items()) if count > 1]


def ensure_reviewable(guidelines: GuidelineSet) -> None:
    """Refuse guidelines a review cannot use faithfully: with a clause ID defined twice, a
    verdict citing it could mean either clause (``check_guidelines`` reports the same)."""
    duplicates = duplicate_ids(guidelines)
    if duplicates:
        raise GuidelineError("duplicate clause IDs: " + "; ".join(duplicates),
                             hint=Hint("give each clause its own ID ({} lists every problem)",
                                       (CHECK_GUIDELINES,)))


@dataclass(frozen=True)
class CheckResult:
    """What a check of one guideline folder found: the parsed set and its problems."""

    guidelines: GuidelineSet
    problems: list[Problem]
    path: str

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def passed(self, strict: bool = False) -> bool:
        """No errors (and, when ``strict``, no warnings either)."""
        return not self.errors and not (strict and self.warnings)

    def to_dict(self) -> dict:
        """Counts, labels, problems and clause hashes (``llmqa guidelines check --json``)."""
        guidelines = self.guidelines
        return {
            "path": self.path, "version": guidelines.version, "clauses": len(guidelines),
            "files": len(guidelines.sources), "labels": list(guidelines.labels),
            "no_violation_label": guidelines.no_violation_label,
            "general_rules": [c.id for c in guidelines.general],
            "examples": {"in_scope": sum(len(c.in_scope) for c in guidelines),
                         "out_of_scope": sum(len(c.out_of_scope) for c in guidelines)},
            "problems": [p.to_dict() for p in self.problems],
            "clause_hashes": guidelines.clause_hashes(),
        }


def check(path: str | Path, from_setting: bool = False) -> CheckResult:
    """Parse the guidelines at ``path`` and list what a policy team should fix
    (``from_setting`` as for ``load_guidelines``)."""
    from llmqa.guidelines.loader import load_guidelines

    guidelines = load_guidelines(path, from_setting=from_setting)
    return CheckResult(guidelines, check_guidelines(guidelines), str(Path(path)))
