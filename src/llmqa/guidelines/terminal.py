"""Guidelines as text for a terminal: the clause list, a check's headline, a version diff and
what an import found."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llmqa.guidelines.check import CheckResult
    from llmqa.guidelines.importing import ImportResult
    from llmqa.guidelines.model import GuidelineSet


def clause_lines(guidelines: GuidelineSet) -> list[str]:
    """One line per clause: ID, label, title, example counts."""
    return [f"{clause.id:<12} {'(general)' if clause.general else clause.label or '-':<18} "
            f"{clause.title}  "
            f"[{len(clause.in_scope)} in / {len(clause.out_of_scope)} out]"
            for clause in guidelines]


def check_headline(result: CheckResult) -> str:
    """Clauses, files, version, labels, and the count of problems (listed separately)."""
    guidelines = result.guidelines
    general = f" ({len(guidelines.general)} general rules)" if guidelines.general else ""
    return (f"{len(guidelines)} clauses{general} in {len(guidelines.sources)} files, version "
            f"{guidelines.version}\nlabels: {', '.join(guidelines.labels)}\n"
            f"{len(result.errors)} errors, {len(result.warnings)} warnings")


def diff_text(before: GuidelineSet, after: GuidelineSet) -> str:
    """The two versions, then one line per added, removed or changed clause."""
    changes = before.diff(after)
    lines = [f"{before.version} -> {after.version}"]
    for name in ("added", "removed", "changed"):
        lines += [f"{name:<8} {clause_id}" for clause_id in getattr(changes, name)]
    if changes.no_violation_label:
        lines.append("no-violation label {} -> {}".format(*changes.no_violation_label))
    if changes.unchanged:
        lines.append("no clause changed")
    return "\n".join(lines)


def import_text(result: ImportResult, written: Path) -> str:
    """What an import wrote, what it found and what it left out."""
    summary = result.summary
    lines = [f"wrote {written}: {summary.clauses} clauses in {summary.sections} sections, "
             f"{summary.in_scope_examples} in-scope and {summary.out_of_scope_examples} "
             f"out-of-scope examples ({summary.method})",
             "labels: " + ", ".join(f"{k} ({v})" for k, v in summary.labels.items())]
    if summary.general:
        lines.append("general rules (no label; the judge reads them with every item): "
                     + "; ".join(summary.general) + ". Give one a 'Label:' line if it is a "
                     "category, or delete it if it does not say how to label")
    if result.no_violation_label:
        lines.append(f"declared {result.no_violation_label} as the no-violation label (the one "
                     "the judge is told breaks no policy); delete that line if it is not")
    for title, found in (("left out as front matter", summary.front_matter),
                         ("not understood", summary.not_understood),
                         ("rejected (not in the document)", summary.rejected_spans),
                         ("notes", summary.notes)):
        if found:
            lines += [f"{title}:"] + [f"  - {line}" for line in found]
    if summary.furniture_removed:
        lines.append(f"page headers/footers removed: {summary.furniture_removed} distinct lines")
    return "\n".join(lines)
