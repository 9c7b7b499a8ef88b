"""Clauses, examples and guideline sets, and how their versions are computed.

A clause's hash covers everything that changes its meaning (id, label, title, text, parent,
examples, being a general rule) after whitespace normalisation, so re-flowing a paragraph is
not a new version but changing a word is. A guideline set's version is the hash of its
sorted clause hashes: changing one clause changes the version, and ``GuidelineSet.diff``
names exactly which clauses changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

NO_VIOLATION_LABEL = "allowed"
_SPACES = re.compile(r"\s+")
# Labels that read as "no violation" under another name. Only ever a hint (a warning, an
# import's proposal for a person to confirm); what counts is the declaration.
_BENIGN = re.compile(r"^(?:not?|non)[_-]|^(?:none|safe|benign|neutral|clean|ok|acceptable)$")


def reads_as_no_violation(label: str) -> bool:
    return bool(_BENIGN.match(label))


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# Clause text beyond this many characters is cut in the judge's prompt (and reported by
# ``check_guidelines``): a pasted document as one clause would go into every request.
MAX_CLAUSE_CHARS = 4000


class _CachedModel(BaseModel):
    """A frozen model whose ``cached_property`` values are derived from its fields.

    ``model_copy(update=...)`` copies the instance ``__dict__``, cached values included, so a
    copy with a new text would keep the old ``content_hash``/``version``; drop them instead.
    """

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> Self:
        copied = super().model_copy(update=update, deep=deep)
        for cls in type(self).__mro__:
            for name, value in vars(cls).items():
                if isinstance(value, cached_property):
                    copied.__dict__.pop(name, None)
        return copied


class Example(BaseModel):
    """An in-scope or out-of-scope example attached to a clause."""

    model_config = ConfigDict(frozen=True)

    text: str
    modality: str | None = None
    why: str | None = None


class Clause(_CachedModel):
    model_config = ConfigDict(frozen=True)

    id: str
    label: str | None
    title: str = ""
    text: str = ""
    in_scope: tuple[Example, ...] = ()
    out_of_scope: tuple[Example, ...] = ()
    parent_id: str | None = None
    parent_title: str | None = None
    policy: str = ""
    source: str = ""
    line: int = 0
    # True when the parser guessed the structure of a plain document; a human should look.
    inferred: bool = False
    # A general rule ("Applies to: all labels"): how to annotate any item, not a category. It
    # has no label, is not retrieved, and the judge reads it with every item.
    general: bool = False

    @cached_property
    def content_hash(self) -> str:
        payload: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "title": normalise(self.title),
            "text": normalise(self.text),
            "parent": self.parent_id,
            "in": [[normalise(e.text), e.modality, normalise(e.why or "")] for e in self.in_scope],
            "out": [[normalise(e.text), e.modality, normalise(e.why or "")]
                    for e in self.out_of_scope],
        }
        if self.general:  # only when set, so every labelled clause keeps its hash
            payload["general"] = True
        encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]

    def heading(self) -> str:
        return f"{self.id} {self.title}".strip()

    def document(self) -> str:
        """The text that represents the clause in the vector index."""
        parts = [self.heading()]
        if self.parent_title:
            parts.append(f"Section: {self.parent_title}")
        if self.text:
            parts.append(self.text)
        return "\n".join(parts)


class VersionDiff(BaseModel):
    model_config = ConfigDict(frozen=True)

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    # (old, new) when the declared no-violation label changed: every prompt changes with it.
    no_violation_label: tuple[str, str] | None = None

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed or self.no_violation_label)


class GuidelineSet(_CachedModel):
    """All clauses of a guideline folder, in file order."""

    model_config = ConfigDict(frozen=True)

    clauses: tuple[Clause, ...]
    sources: tuple[str, ...] = ()
    problems: tuple[str, ...] = Field(default=(), description="parse-time problems, as text")
    # The label for "breaks no policy": a guideline file declares its own when the policy
    # names it otherwise (not_offensive, none, safe), so the judge is not offered a label
    # nobody annotates with.
    no_violation_label: str = NO_VIOLATION_LABEL

    @cached_property
    def by_id(self) -> dict[str, Clause]:
        # Later duplicates lose; `check` reports duplicates as errors.
        index: dict[str, Clause] = {}
        for clause in self.clauses:
            index.setdefault(clause.id, clause)
        return index

    @cached_property
    def version(self) -> str:
        hashes = sorted(f"{c.id}:{c.content_hash}" for c in self.clauses)
        if self.no_violation_label != NO_VIOLATION_LABEL:
            # It changes the judge's prompt, so verdicts under the old one must not be reused.
            hashes.append(f"no-violation:{self.no_violation_label}")
        return hashlib.sha256("\n".join(hashes).encode()).hexdigest()[:12]

    @cached_property
    def labels(self) -> tuple[str, ...]:
        found = {c.label for c in self.clauses if c.label}
        found.add(self.no_violation_label)
        return tuple(sorted(found))

    @cached_property
    def general(self) -> tuple[Clause, ...]:
        """The general rules, in file order: they apply to every item."""
        return tuple(c for c in self.by_id.values() if c.general)

    def clause_hashes(self) -> dict[str, str]:
        return {c.id: c.content_hash for c in self.by_id.values()}

    def diff(self, newer: GuidelineSet) -> VersionDiff:
        old, new = self.clause_hashes(), newer.clause_hashes()
        return VersionDiff(
            added=tuple(sorted(new.keys() - old.keys())),
            removed=tuple(sorted(old.keys() - new.keys())),
            changed=tuple(sorted(k for k in old.keys() & new.keys() if old[k] != new[k])),
            no_violation_label=(None if self.no_violation_label == newer.no_violation_label
                                else (self.no_violation_label, newer.no_violation_label)),
        )

    def __iter__(self) -> Iterator[Clause]:  # type: ignore[override]
        return iter(self.clauses)

    def __len__(self) -> int:
        return len(self.clauses)
