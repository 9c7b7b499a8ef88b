"""Guideline revision: evidence of trouble per clause, drafted fixes, a patch, and applying it.

``gather_evidence`` finds the clauses annotators disagree on (agreement per clause, the
judge's flags, the triage summary); ``RevisionDrafter`` drafts clearer wording (LLM) and new
examples from real disagreed items and verified generated ones; ``plan_edits`` turns drafts
into file edits that round-trip through the parser; ``render_patch`` writes them as a
unified diff with the evidence in a markdown preamble; ``apply_edits`` writes them and
reports the new guideline version. See docs/revision.md.
"""

from llmqa.revision.anonymize import anonymize, item_excerpt, scrub
from llmqa.revision.apply import Applied, apply_edits, write_edits
from llmqa.revision.clause_summary import TriageClause, parse_clause_summary, read_clause_summary
from llmqa.revision.draft import ClauseDraft, DraftConfig, ProposedExample, RevisionDrafter
from llmqa.revision.edit import ClauseChange, EditError, FileEdit, edit_document, plan_edits
from llmqa.revision.evidence import (
    ClauseEvidence,
    ItemEvidence,
    Thresholds,
    gather_evidence,
    troubled_clauses,
)
from llmqa.revision.patch import render_patch, unified_diff
from llmqa.revision.report import revision_report

__all__ = [
    "Applied",
    "ClauseChange",
    "ClauseDraft",
    "ClauseEvidence",
    "DraftConfig",
    "EditError",
    "FileEdit",
    "ItemEvidence",
    "ProposedExample",
    "RevisionDrafter",
    "Thresholds",
    "TriageClause",
    "anonymize",
    "apply_edits",
    "edit_document",
    "gather_evidence",
    "item_excerpt",
    "parse_clause_summary",
    "plan_edits",
    "read_clause_summary",
    "render_patch",
    "revision_report",
    "scrub",
    "troubled_clauses",
    "unified_diff",
    "write_edits",
]
