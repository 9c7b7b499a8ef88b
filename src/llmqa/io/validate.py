"""Row checks that need context: duplicate item IDs, labels and clauses the guidelines lack."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmqa.errors import Hint, InputError
from llmqa.items import Item, closest_label, near_duplicate_labels

if TYPE_CHECKING:
    from llmqa.guidelines import GuidelineSet
    from llmqa.io.readers import ReadReport


class ItemChecks:
    """A ``RowCheck`` for ``read_items``: reject duplicates and labels outside the guidelines.

    Only item IDs are remembered (not rows), so memory grows by a few dozen bytes per item.
    """

    def __init__(self, labels: set[str] | None = None, clause_ids: set[str] | None = None,
                 duplicates: bool = True) -> None:
        self.labels = labels
        self.clause_ids = clause_ids
        self._seen: set[str] | None = set() if duplicates else None
        # Every label outside the guidelines, counted: a batch checked against the wrong
        # guidelines fails on every row, and the tally says so in one line.
        self.unknown_labels: Counter[str] = Counter()
        self.labels_seen: set[str] = set()  # a label set's size, not the batch's
        # Items one annotator rated twice: read, but only the first rating counts in agreement
        # and triage. The count, and the first (item, annotator) pairs (memory stays bounded).
        self.rated_twice = 0
        self.rated_twice_shown: list[tuple[str, str]] = []

    def __call__(self, item: Item) -> tuple[str, str] | None:
        if self._seen is not None:
            if item.id in self._seen:
                return "id", f"duplicate item id {item.id!r}"
            self._seen.add(item.id)
        refused = None
        for number, annotation in enumerate(item.annotations):
            given = annotation.label_set()
            self.labels_seen.update(given)
            unknown = sorted(given - self.labels) if self.labels is not None else []
            self.unknown_labels.update(unknown)
            if unknown and refused is None:
                where = "labels" if annotation.labels is not None else "label"
                meant = closest_label(unknown[0], self.labels or ())
                refused = (f"annotations.{number}.{where}",
                           f"item {item.id}: label {unknown[0]!r} from {annotation.annotator} "
                           "is not in the guideline label set"
                           + (f" (did you mean {meant!r}?)" if meant else ""))
        if refused:
            return refused
        raters = [a.annotator for a in item.annotations]
        if twice := next((r for r in raters if raters.count(r) > 1), None):
            self.rated_twice += 1
            if len(self.rated_twice_shown) < 50:
                self.rated_twice_shown.append((item.id, twice))
        for number, annotation in enumerate(item.annotations):
            if (self.clause_ids is not None and annotation.clause_id
                    and annotation.clause_id not in self.clause_ids):
                meant = closest_label(annotation.clause_id, self.clause_ids)
                return (f"annotations.{number}.clause_id",
                        f"item {item.id}: unknown clause {annotation.clause_id!r}"
                        + (f" (did you mean {meant!r}?)" if meant else ""))
        return None

    def wrong_guidelines(self, path: str, labels: Iterable[str]) -> InputError:
        """The error for a batch with no valid row that has labels outside the guidelines:
        every row fails alike when they are the wrong guidelines, so it says that once."""
        return InputError(f"{path}: no valid items; labels outside the guidelines: "
                          f"{label_tally(self.unknown_labels, 5)}; theirs are "
                          f"{', '.join(labels)}", hint=Hint(
                              "name the guidelines the items were labelled under with {}",
                              ("guidelines",)))


def label_tally(counts: Mapping[str, int], most: int | None = None) -> str:
    """``offensive ×708, not_offensive ×1292``, the commonest first (at most ``most``)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:most]
    return ", ".join(f"{label} ×{n}" for label, n in ranked)


@dataclass
class Validation:
    """What ``validate_file`` found: the read report, items per modality, and for a file
    with no valid row, the labelling tool it is an export of (if it is one)."""

    report: ReadReport
    modalities: dict[str, int]
    foreign: str | None = None
    unknown_labels: dict[str, int] | None = None
    guideline_labels: list[str] | None = None
    label_warnings: list[str] = field(default_factory=list)
    rated_twice: int = 0
    rated_twice_shown: list[tuple[str, str]] = field(default_factory=list)

    def hint(self, source: str, name: Callable[[str], str] | None = None) -> str | None:
        """The command that converts the file, when it is a labelling tool's export."""
        if not self.foreign:
            return None
        return Hint(f"llmqa import {self.foreign} {Hint.literal(source)} {{}} items.jsonl",
                    ("output",)).render(name)

    def to_dict(self, source: str, name: Callable[[str], str] | None = None) -> dict[str, Any]:
        report = self.report
        return {"source": source, "valid": report.accepted, "rejected": report.rejected,
                "modalities": self.modalities, "errors": [str(e) for e in report.errors],
                "unknown_labels": self.unknown_labels or {},
                "label_warnings": self.label_warnings,
                "rated_twice": self.rated_twice, "rated_twice_first": [
                    {"item_id": i, "annotator": a} for i, a in self.rated_twice_shown],
                "problems": [{"line": e.line, "unit": e.unit, "problems": e.problems()}
                             for e in report.errors]} | (
            {"foreign_export": self.foreign, "hint": self.hint(source, name)}
            if self.foreign else {})

    def messages(self, source: str,
                 name: Callable[[str], str] | None = None) -> list[tuple[str, str]]:
        """(line, severity) for people: the kept row errors, then what else to know."""
        from llmqa.io.foreign import misread

        report = self.report
        lines = [(str(e), "error") for e in report.errors]
        if self.foreign:
            lines.append((f"{misread(source, self.foreign, 'an llmqa items file')}; convert it "
                          f"with: {self.hint(source, name)}", "warning"))
        if report.rejected > len(report.errors):
            lines.append((f"... and {report.rejected - len(report.errors)} more rejected rows",
                          "note"))
        if self.unknown_labels:
            tally = label_tally(self.unknown_labels)
            wrong = " (no row passed: are these the right guidelines?)" if (
                report.accepted == 0) else ""
            hint = Hint("name the right guidelines with {}, or skip the label check with {}",
                        ("guidelines", "no_guidelines")).render(name)
            lines.append((f"labels outside the guidelines: {tally}; theirs are "
                          f"{', '.join(self.guideline_labels or [])}{wrong}; {hint}",
                          "warning"))
        lines.extend((warning, "warning") for warning in self.label_warnings)
        if self.rated_twice:
            (item_id, who), n = self.rated_twice_shown[0], self.rated_twice
            lines.append((f"{n} item{'s' if n != 1 else ''} rated more than once by one "
                          f"annotator (first: item {item_id}, {who}); agreement and triage "
                          "count each annotator's first rating", "warning"))
        if report.accepted == 0 and report.rejected == 0:
            lines.append((f"{source}: no items found (empty file?)", "error"))
        return lines

    def summary(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.modalities.items()))
        return (f"{self.report.accepted} valid items, {self.report.rejected} rejected"
                + (f" ({counts})" if counts else ""))


def validate_file(path: str, fmt: str | None = None, guidelines: GuidelineSet | None = None,
                  max_errors: int = 50) -> Validation:
    """Check every row of an item file (against the guidelines' labels and clause IDs when
    given), keeping the first ``max_errors`` row errors. Streamed: constant memory."""
    from llmqa.io.foreign import file_export_kind
    from llmqa.io.readers import ReadReport, read_items

    checks = ItemChecks(set(guidelines.labels), set(guidelines.by_id)) if guidelines \
        else ItemChecks()
    report = ReadReport(max_errors_kept=max_errors)
    modalities: Counter[str] = Counter()
    for item in report.track(read_items(path, fmt, checks)):
        modalities[item.content.modality.value] += 1
    foreign = file_export_kind(path) if path != "-" and report.accepted == 0 else None
    # With guidelines an odd spelling is already an unknown label, named on its row.
    return Validation(report, dict(modalities), foreign, dict(checks.unknown_labels),
                      list(guidelines.labels) if guidelines else None,
                      [] if guidelines else near_duplicate_labels(sorted(checks.labels_seen)),
                      checks.rated_twice, checks.rated_twice_shown)
