"""The evidence behind a revision draft, in markdown: the patch preamble and ``--report``."""

from __future__ import annotations

from llmqa.guidelines.model import GuidelineSet
from llmqa.revision.draft import ClauseDraft

KIND_NAMES = {"in_scope": "in scope", "out_of_scope": "out of scope"}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def draft_section(draft: ClauseDraft, max_items: int = 8, left_out: str | None = None) -> str:
    clause, evidence = draft.clause, draft.evidence
    kind = "general rule" if clause.general else f"label: {clause.label}"
    lines = [f"## {clause.id} {clause.title} ({kind})", ""]
    lines.append(f"- File: {clause.source}")
    lines.append(f"- Agreement before: {evidence.figures()}")
    if evidence.reasons:
        lines.append(f"- Under review because: {'; '.join(evidence.reasons)}")
    shown = evidence.evidence_items(max_items)
    if shown:
        lines.append("- Evidence items: " + ", ".join(e.summary() for e in shown))
    waiting = evidence.check_first
    if waiting:
        lines.append("- Check first (triage ranks them likely label errors; not used as "
                     "examples until an analyst decides): "
                     + ", ".join(f"{e.id} ({e.check_first:.2f})" for e in waiting[:max_items]))
    if evidence.triage and evidence.triage.item_ids:
        lines.append("- Triage flagged: " + ", ".join(evidence.triage.item_ids[:max_items]))
    lines.append(f"- Wording: {draft.wording_note}")
    if draft.diagnosis:
        lines.append(f"  - Diagnosis: {_one_line(draft.diagnosis)}")
    if draft.new_text is not None and draft.summary:
        lines.append(f"  - Change: {_one_line(draft.summary)}")
    if draft.examples:
        lines.append("- New examples:")
        for proposed in draft.examples:
            example = proposed.example
            tag = f"[{example.modality}] " if example.modality else ""
            lines.append(f"  - {KIND_NAMES[proposed.kind]}: {tag}{_one_line(example.text)} "
                         f"— {proposed.note}")
    else:
        lines.append("- New examples: none")
    if left_out:
        lines.append(f"- **Not in the patch**: {left_out}")
    return "\n".join(lines)


def revision_report(drafts: list[ClauseDraft], guidelines: GuidelineSet,
                    source: str = "", left_out: dict[str, str] | None = None) -> str:
    """``left_out``: clause id → why its change could not be made (``checked_changes``)."""
    left_out = left_out or {}
    changed = [d for d in drafts if not d.empty and d.clause.id not in left_out]
    head = [
        "# Guideline revision draft",
        "",
        f"Base guideline version: {guidelines.version}. "
        f"{len(drafts)} troubled clause(s) reviewed, {len(changed)} with proposed changes"
        + (f", from {source}" if source else "") + ".",
        "",
        "Examples quoted from real items are anonymized (handles, links, emails and phone "
        "numbers replaced) and trimmed; names of people in them are not removed, so check "
        "them before this reaches annotators. Nothing is applied until the patch is "
        "(`git apply`, or `llmqa revise` told to apply it).",
    ]
    sections = [draft_section(d, left_out=left_out.get(d.clause.id)) for d in drafts]
    return "\n".join(head) + "\n\n" + "\n\n".join(sections) + "\n"
