"""The whole revision run, one call: evidence -> choose clauses -> draft -> checked changes ->
plan edits -> evidence report -> patch -> (optionally) apply.

``Workspace.revise`` and ``llmqa revise`` both run this; a notebook can too, with any
guidelines, items and verdicts it holds::

    run = run_revision(guidelines, items, verdicts, RevisionOptions(wording=False))
    print(run.patch)
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.errors import INDEX, Hint, InputError
from llmqa.io.json_file import read_json_lines
from llmqa.revision.apply import Applied, apply_edits
from llmqa.revision.clause_summary import load_clause_summary
from llmqa.revision.draft import ClauseDraft, DraftConfig, RevisionDrafter
from llmqa.revision.edit import FileEdit, checked_changes, plan_edits
from llmqa.revision.evidence import ClauseEvidence, Thresholds, gather_evidence, troubled_clauses
from llmqa.revision.patch import render_patch
from llmqa.revision.report import revision_report

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from llmqa.guidelines import GuidelineSet
    from llmqa.items import Item
    from llmqa.llm.seam import ChatSeam
    from llmqa.progress import StageProgress


# Said before drafting with the embedded model, so its rejected drafts are not read as the
# method's.
LOCAL_REVISION_WARNING = Hint(
    "Drafting wording with the embedded SmolLM2-135M model (offline, no key). It is far too "
    "small to rewrite policy: its drafts are checked and usually rejected, and the patch then "
    "holds only examples from real items. Pass {}/{} for real drafts, or {} to skip the model.",
    ("model", "base_url", "no_wording"))


@dataclass(frozen=True)
class RevisionOptions:
    """What to revise and how. ``clauses`` names clauses to revise whether troubled or not;
    ``clause_summary`` and ``examples`` are files written by triage and example generation."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    clauses: tuple[str, ...] = ()
    wording: bool = True
    max_item_examples: int = 2
    max_generated_examples: int = 2
    example_chars: int = 240
    clause_summary: Path | None = None
    examples: Path | None = None
    root: Path | None = None
    apply: bool = False
    # A triage queue file: its likely errors wait for an analyst and teach nothing until then.
    queue: Path | None = None
    check_first: float | None = None  # None: triage.queue_file.DEFAULT_CHECK_FIRST


@dataclass
class RevisionRun:
    """What a revision produced. ``notes`` are warnings for the user (a clause summary made
    with other guidelines, a change left out and why); ``applied`` is set only when applied."""

    base_version: str
    drafts: list[ClauseDraft]
    left_out: dict[str, str]
    edits: list[FileEdit]
    report: str
    patch: str
    applied: Applied | None = None
    notes: list[str] = field(default_factory=list)
    apply_asked: bool = False

    def summary(self, name: Callable[[str], str] | None = None) -> list[str]:
        """What the run did, a line each: per revised clause its wording and new examples,
        then what was applied (``name`` spells the options a line points to)."""
        if not self.drafts:
            see = Hint("see {}, {}", ("max_agreement", "min_flags")).render(name)
            return [f"no clause meets the thresholds ({see}); nothing to revise"]
        lines = [f"{d.clause.id}: {d.wording_note}; {len(d.examples)} new examples"
                 for d in self.drafts]
        applied = self.applied
        if applied is not None:
            lines += [f"guidelines {applied.old_version} -> {applied.new_version}; changed: "
                      f"{', '.join(applied.diff.changed) or 'none'} "
                      f"(in {', '.join(applied.files)})",
                      Hint("re-embed the changed clauses with {}", (INDEX,)).render(name)]
        elif self.apply_asked:
            lines.append("nothing to apply: no clause has a change")
        return lines

    def to_dict(self, patch: str | None = None) -> dict[str, Any]:
        """JSON-ready; ``patch`` replaces the patch text (e.g. with the file it went to)."""
        applied = self.applied
        return {
            "base_version": self.base_version,
            "patch": self.patch if patch is None else patch,
            "clauses": [{"clause_id": d.clause.id, "reasons": d.evidence.reasons,
                         "figures": d.evidence.figures(), "wording": d.wording_note,
                         "new_text": d.new_text, "diagnosis": d.diagnosis,
                         "examples": [{"kind": p.kind, "text": p.example.text,
                                       "modality": p.example.modality, "why": p.example.why,
                                       "source": p.source, "note": p.note}
                                      for p in d.examples]} for d in self.drafts],
            "left_out": self.left_out,
            "applied": None if applied is None else {
                "old_version": applied.old_version, "new_version": applied.new_version,
                "changed": list(applied.diff.changed), "files": list(applied.files)},
        }


def read_examples(path: Path) -> list[dict[str, Any]]:
    """Verified candidates written by example generation (JSONL); other records are skipped,
    but a file with records and no candidate among them is some other file."""
    if not path.is_file():
        raise InputError(f"{path}: no such examples file")
    records = [record for _, record in read_json_lines(path, "examples file")]
    found = [record for record in records
             if isinstance(record, dict) and record.get("clause_id") and record.get("kind")]
    if records and not found:
        raise InputError(f"{path}: none of its {len(records)} records is a candidate example "
                         "(clause_id and kind, as example generation writes them)")
    return found


def patch_root(guidelines_path: Path, root: Path | None = None) -> Path:
    """The folder patch paths are relative to: the working folder when the guidelines are
    inside it (so `git apply` works from there), else the guidelines' parent."""
    if root is not None:
        return root
    cwd = Path.cwd().resolve()
    folder = guidelines_path.resolve()
    if folder == cwd or cwd in folder.parents:
        return cwd
    return folder.parent if folder.is_dir() else folder.parent.parent


def choose_clauses(guidelines: GuidelineSet, evidence: list[ClauseEvidence],
                   options: RevisionOptions) -> list[ClauseEvidence]:
    if not options.clauses:
        return troubled_clauses(evidence, options.thresholds)
    unknown = [c for c in options.clauses if c not in guidelines.by_id]
    if unknown:
        raise InputError(f"unknown clause ID(s): {', '.join(unknown)}")
    found = {e.clause_id: e for e in evidence}
    return [found.get(c) or ClauseEvidence(c) for c in dict.fromkeys(options.clauses)]


def run_revision(guidelines: GuidelineSet, items: list[Item],
                 verdicts: Mapping[str, Mapping[str, Any]] | None = None,
                 options: RevisionOptions | None = None, seam: ChatSeam | None = None, *,
                 seam_factory: Callable[[], ChatSeam] | None = None,
                 guidelines_path: str | Path | None = None, source: str = "",
                 gold: Mapping[str, str] | None = None,
                 check_first: Mapping[str, float] | None = None,
                 on_progress: StageProgress | None = None, concurrency: int = 1) -> RevisionRun:
    """Revise the troubled clauses (or ``options.clauses``). ``seam`` drafts wording (or
    ``seam_factory`` builds one, only once some clause needs it); without one (or with
    ``wording=False``) only examples from real items are proposed.
    ``guidelines_path`` is the folder the guidelines were loaded from (needed to apply).
    ``gold`` (item id -> analysts' label) overrides annotators; ``check_first`` items (in doubt
    until an analyst decides them) are listed, not used (see ``best_truth``).
    ``on_progress(stage, done, total)`` follows the drafting, clause by clause;
    ``concurrency`` clauses are drafted at once."""
    options = options or RevisionOptions()
    notes: list[str] = []
    triage: dict[str, Any] = {}
    if options.clause_summary:
        triage, made_with = load_clause_summary(options.clause_summary)
        unknown = [c for c in triage if c not in guidelines.by_id]
        if unknown and len(unknown) == len(triage):  # another file, or other guidelines
            raise InputError(f"{options.clause_summary}: none of the clauses it names is in "
                             f"the guidelines ({', '.join(unknown[:5])})")
        if unknown:
            notes.append(f"{options.clause_summary}: clauses the guidelines do not have, left "
                         f"out: {', '.join(unknown)}")
        if made_with and made_with != guidelines.version:
            notes.append(f"{options.clause_summary} was made with guideline version "
                         f"{made_with}; the guidelines are at {guidelines.version}")
    generated = read_examples(options.examples) if options.examples else []
    evidence = gather_evidence(items, guidelines, dict(verdicts or {}), triage,
                               options.thresholds, gold=gold, check_first=check_first)
    chosen = choose_clauses(guidelines, evidence, options)
    if not chosen:
        return RevisionRun(guidelines.version, [], {}, [], "", "", notes=notes,
                           apply_asked=options.apply)
    if seam is None and seam_factory is not None and options.wording:
        seam = seam_factory()
    drafter = RevisionDrafter(guidelines, seam if options.wording else None, DraftConfig(
        wording=options.wording, max_item_examples=options.max_item_examples,
        max_generated_examples=options.max_generated_examples,
        example_chars=options.example_chars, concurrency=concurrency))
    drafts = asyncio.run(drafter.draft_all(chosen, generated, on_progress))
    changes, failures = checked_changes(guidelines, [d.change() for d in drafts])
    notes += [f"{clause_id}: change left out: {problem}" for clause_id, problem in
              failures.items()]
    folder = Path(guidelines_path) if guidelines_path else Path.cwd()
    edits = plan_edits(guidelines, changes, patch_root(folder, options.root))
    report = revision_report(drafts, guidelines, source, failures)
    run = RevisionRun(guidelines.version, drafts, failures, edits, report,
                      render_patch(edits, report), notes=notes, apply_asked=options.apply)
    if options.apply and edits:
        if guidelines_path is None:
            raise InputError("applying a revision needs the folder the guidelines came from")
        run.applied = apply_edits(edits, guidelines, guidelines_path)
    return run
