"""Guideline revision: evidence, anonymization, drafts, file edits, the patch, applying it."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_GUIDELINES, FakeEmbedder, write_files
from llmqa.guidelines import GuidelineSet, load_guidelines
from llmqa.guidelines.model import Example
from llmqa.guidelines.parser import parse_structured
from llmqa.index.chroma_index import ClauseIndex, clause_documents, make_client
from llmqa.items import Item
from llmqa.llm.backends import BackendSpec, make_seam
from llmqa.llm.fake import FakeChatModel
from llmqa.llm.retry import RetryPolicy
from llmqa.revision import (
    ClauseChange,
    DraftConfig,
    EditError,
    RevisionDrafter,
    Thresholds,
    anonymize,
    apply_edits,
    edit_document,
    gather_evidence,
    item_excerpt,
    parse_clause_summary,
    plan_edits,
    render_patch,
    revision_report,
    scrub,
    troubled_clauses,
    write_edits,
)
from llmqa.revision.edit import checked_changes
from llmqa.revision.evidence import ClauseEvidence
from llmqa.revision.patch import safe_preamble
from review_helpers import Terminal, run_main

FAST_RETRY = RetryPolicy(max_attempts=1, base_wait=0.01, max_wait=0.02, deadline=30.0)


def item(item_id: str, text: str, *labels: tuple[str, str, str | None],
         modality: str = "text", project: str = "podcasts", **content: Any) -> Item:
    body: dict[str, Any] = {"modality": modality, **content}
    if modality == "text":
        body["text"] = text
    elif modality == "transcript":
        body["transcript"] = text
    return Item.model_validate({
        "id": item_id, "project": project, "content": body,
        "annotations": [{"annotator": a, "label": label, "clause_id": clause}
                        for a, label, clause in labels]})


ITEMS = [
    item("i1", "[group] are vermin and should be treated like rats",
         ("ann1", "hate", "HATE-1.1"), ("ann2", "allowed", None), ("ann3", "hate", "HATE-1.1")),
    item("i2", "A historian explains how propaganda called [group] vermin. Ask @histpod or "
         "write to desk@histpod.example.com, call +44 20 7946 0958", ("ann1", "hate", "HATE-1.1"),
         ("ann2", "allowed", "GEN-1.1"), ("ann3", "allowed", None), modality="transcript"),
    item("i3", "Song about rats in the kitchen of my flat, and the landlord who ignores them",
         ("ann1", "hate", "HATE-1.1"), ("ann2", "hate", "HATE-1.1"), ("ann3", "allowed", None)),
    item("i4", "[group] are a disease, a parody sketch", ("ann1", "hate", "HATE-1.1"),
         ("ann2", "allowed", None), ("ann3", "spam", None)),
    item("i5", "[group] are rats crawling everywhere", ("ann1", "hate", "HATE-1.1"),
         ("ann2", "hate", "HATE-1.1"), ("ann3", "hate", "HATE-1.1")),
    item("i6", "free download free download best music top hits",
         ("ann1", "spam", "SPAM-1.1"), ("ann2", "spam", "SPAM-1.1"), ("ann3", "spam", "SPAM-1.1"),
         modality="title", title="free download free download best music top hits"),
]
VERDICTS = {
    "i1": {"item_id": "i1", "status": "ok", "verdict": "ambiguous", "suggested_label": "hate",
           "cited_clause_ids": ["HATE-1.1"], "rationale": "could be either"},
    "i3": {"item_id": "i3", "status": "ok", "verdict": "likely_error",
           "suggested_label": "allowed", "cited_clause_ids": ["GEN-1.1"],
           "rationale": "real rats, not a group"},
}


@pytest.fixture
def guidelines(tiny_guidelines: Path) -> GuidelineSet:
    return load_guidelines(tiny_guidelines)


def git_repo(tmp_path: Path, source: Path) -> Path:
    """A git repository holding a copy of ``source`` under ``guidelines/``."""
    repo = tmp_path / "repo"
    shutil.copytree(source, repo / "guidelines")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    return repo


# -- anonymization ------------------------------------------------------------------------------
def test_scrub_removes_contact_details_and_keeps_ordinary_numbers() -> None:
    text = ("Follow @tess_marlow, mail tess.m@mail.example.com, see https://x.example/a?b=1 "
            "or www.tess.fm, call 07700 900123 or +44 (0)20 7946 0958. Years 1939-1945, "
            "track 12, 500 cals.")
    assert scrub(text) == ("Follow [handle], mail [email], see [url] or [url], call [phone number] "
                           "or [phone number]. Years 1939-1945, track 12, 500 cals.")


def test_anonymize_caps_at_a_word_boundary() -> None:
    capped = anonymize("word " * 100, 60)
    assert len(capped) <= 60 and capped.endswith("word…")
    assert anonymize("short text") == "short text"


def test_item_excerpts_follow_the_guideline_example_shapes() -> None:
    audio = Item.model_validate({"id": "a", "content": {
        "modality": "audio", "audio_path": "x.mp3", "title": "Flat 3",
        "transcript": "call me on 07700 900123"}})
    assert item_excerpt(audio) == ("audio", 'Audio titled "Flat 3". Transcript: "call me on '
                                   '[phone number]"')
    image = Item.model_validate({"id": "b", "content": {
        "modality": "image", "image_path": "x.png", "caption": "Cover with a flag."}})
    assert item_excerpt(image) == ("artwork", "Cover with a flag.")
    title = Item.model_validate({"id": "c", "content": {"modality": "title", "title": "Hi"}})
    assert item_excerpt(title) == ("title", "Hi")


# -- the triage clause summary --------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    [{"clause_id": "HATE-1.1", "item_ids": ["i1", "i2"], "score": 0.8}],
    {"clauses": [{"clause": "HATE-1.1", "items": [{"item_id": "i1"}, {"item_id": "i2"}]}]},
    {"clauses": {"HATE-1.1": {"flagged_items": ["i1", "i2"], "flagged": 2}}},
    {"HATE-1.1": {"top_items": [{"id": "i1"}, {"id": "i2"}], "n_flagged": 2, "extra": [1]}},
])
def test_the_clause_summary_reader_accepts_plausible_shapes(data: Any) -> None:
    found = parse_clause_summary(data)
    assert list(found) == ["HATE-1.1"]
    assert found["HATE-1.1"].item_ids == ("i1", "i2") and found["HATE-1.1"].count == 2


def test_the_triage_summary_version_1_is_read(tmp_path: Path) -> None:
    """The shape ``llmqa triage --clause-summary`` writes (see llmqa.triage.clauses)."""
    from llmqa.revision.clause_summary import load_clause_summary

    path = tmp_path / "summary.json"
    path.write_text(json.dumps({
        "version": 1, "guideline_version": "abc123", "n_items": 320,
        "high_threshold": {"error": 0.71, "ambiguity": 0.68},
        "clauses": [{"clause_id": "HATE-1.1", "label": "hate", "title": "x", "items": 12,
                     "mean_error": 0.52, "mean_ambiguity": 0.47, "high_error_items": 3,
                     "high_ambiguity_items": 2, "sources": {"annotator": 9},
                     "suggested_changes": {"hate -> allowed": 2},
                     "top_error_item_ids": ["i3", "i1"], "top_ambiguous_item_ids": ["i1", "i4"]},
                    {"clause_id": "SPAM-1.1", "items": 4, "high_error_items": 0,
                     "high_ambiguity_items": 0, "top_error_item_ids": ["i6"],
                     "top_ambiguous_item_ids": []}]}))
    clauses, version = load_clause_summary(path)
    assert version == "abc123"
    hate = clauses["HATE-1.1"]
    assert (hate.count, hate.item_ids, hate.score) == (5, ("i3", "i1", "i4"), 0.52)
    assert hate.describe() == "5 flagged (suggested: hate -> allowed 2)"
    assert clauses["SPAM-1.1"].count == 0  # 4 items tied to it, none flagged


def test_a_count_only_clause_summary_is_read() -> None:
    assert parse_clause_summary({"SPAM-1.1": 4})["SPAM-1.1"].count == 4


def test_a_summary_naming_no_clause_of_the_guidelines_is_refused(
        guidelines: GuidelineSet, tmp_path: Path) -> None:
    """The lenient reader takes a weights file as a summary of clauses 'error' and
    'ambiguity'; silently it would trouble nothing. A partial match keeps its clauses."""
    from llmqa.errors import InputError
    from llmqa.revision.pipeline import RevisionOptions, run_revision

    other = tmp_path / "weights.json"
    other.write_text(json.dumps({"error": {"label_issue": 1.0}, "ambiguity": {"x": 1.0}}))
    with pytest.raises(InputError, match=r"weights.json: none of the clauses it names is in "
                       r"the guidelines \(error, ambiguity\)"):
        run_revision(guidelines, ITEMS, options=RevisionOptions(clause_summary=other,
                                                                wording=False))
    mixed = tmp_path / "summary.json"
    mixed.write_text(json.dumps([{"clause_id": "SPAM-1.1", "item_ids": ["i4", "i6"]},
                                 {"clause_id": "GONE-9", "item_ids": ["i1"]}]))
    run = run_revision(guidelines, ITEMS, options=RevisionOptions(
        clause_summary=mixed, wording=False, thresholds=Thresholds(max_agreement=0.0)),
        guidelines_path=Path(guidelines.sources[0]).parent)
    assert f"{mixed}: clauses the guidelines do not have, left out: GONE-9" in run.notes
    assert [d.clause.id for d in run.drafts] == ["SPAM-1.1"]


# -- evidence ------------------------------------------------------------------------------------
def test_evidence_finds_the_troubled_clause(guidelines: GuidelineSet) -> None:
    evidence = gather_evidence(ITEMS, guidelines, VERDICTS)
    troubled = troubled_clauses(evidence)
    assert [e.clause_id for e in troubled] == ["HATE-1.1"]
    hate = troubled[0]
    assert {e.id for e in hate.items} == {"i1", "i2", "i3", "i4", "i5"}
    assert {e.id for e in hate.disagreed} == {"i1", "i2", "i3", "i4"}
    assert hate.percent_agreement is not None and hate.percent_agreement < 0.75
    assert {e.id for e in hate.flagged} == {"i1", "i3"}
    assert any("the judge flags 2" in r for r in hate.reasons)
    assert [e.id for e in hate.evidence_items(3)] == ["i3", "i1", "i4"]
    spam = next(e for e in evidence if e.clause_id == "SPAM-1.1")
    assert not spam.troubled and spam.percent_agreement == 1.0


def test_triage_flags_make_a_clause_troubled_and_bring_its_items(
        guidelines: GuidelineSet) -> None:
    triage = parse_clause_summary([{"clause_id": "SPAM-1.1", "item_ids": ["i4", "i6"]}])
    strict = Thresholds(max_agreement=0.0)  # agreement alone troubles nothing
    evidence = gather_evidence(ITEMS, guidelines, None, triage, strict)
    troubled = troubled_clauses(evidence, strict)
    assert [e.clause_id for e in troubled] == ["SPAM-1.1"]
    assert {e.id for e in troubled[0].items} == {"i4", "i6"}
    assert troubled[0].reasons == ["triage flags 2 items"]


# -- drafting ------------------------------------------------------------------------------------
def drafter(guidelines: GuidelineSet, replies: list[Any], **config: Any) -> RevisionDrafter:
    seam = make_seam(BackendSpec(model="fake"), FakeChatModel(replies))
    return RevisionDrafter(guidelines, seam, DraftConfig(retry=FAST_RETRY, **config))


def model_calls(revision: RevisionDrafter) -> list[dict[str, Any]]:
    """What the fake model behind the drafter was asked."""
    assert revision.seam is not None and isinstance(revision.seam.model, FakeChatModel)
    return revision.seam.model.calls


def answer(text: str, unclear: bool = True) -> dict[str, Any]:
    return {"diagnosis": "Annotators read 'animals' to include real pests.",
            "wording_unclear": unclear, "revised_text": text,
            "summary": "Says the comparison must target a protected group."}


CLEARER = ("Content that compares a protected group to animals, vermin or disease. Real "
           "pests are out of scope.")


def test_a_draft_revises_wording_and_adds_examples_from_items(guidelines: GuidelineSet) -> None:
    hate = troubled_clauses(gather_evidence(ITEMS, guidelines, VERDICTS))[0]
    revision = drafter(guidelines, [answer(CLEARER)])
    draft = asyncio.run(revision.draft(hate))
    assert draft.new_text == CLEARER and draft.wording_note == "wording revised"
    # i3: the judge says allowed (a near miss); i1 is ambiguous to the judge and i4 a tie, so
    # they are skipped; i2: the majority says allowed, as GEN-1.1.
    assert [(p.kind, p.source, p.example.why) for p in draft.examples] == [
        ("out_of_scope", "item:i3", "allowed; GEN-1.1"),
        ("out_of_scope", "item:i2", "allowed; GEN-1.1")]
    assert "resolved as allowed by judge" in draft.examples[0].note
    assert "resolved as allowed by annotators' majority" in draft.examples[1].note
    prompt = str(model_calls(revision)[0]["messages"][1].content)
    items_part = prompt.split("Items (anonymized and trimmed):")[1]
    assert not any(f"i{n}" in items_part for n in range(1, 7))  # no item ids for the model
    assert "@histpod" not in prompt and "[handle]" in prompt and "[email]" in prompt
    assert "Reviewer: likely_error, suggests allowed citing GEN-1.1" in prompt


def test_examples_quoted_from_items_are_anonymized(guidelines: GuidelineSet) -> None:
    hate = troubled_clauses(gather_evidence(ITEMS, guidelines))[0]
    draft = asyncio.run(RevisionDrafter(guidelines, None, DraftConfig(
        wording=False, max_item_examples=5, example_chars=80)).draft(hate))
    texts = {p.source: p.example.text for p in draft.examples}
    assert "item:i2" in texts
    assert "@histpod" not in texts["item:i2"] and len(texts["item:i2"]) <= 80
    assert "item:i4" not in texts  # a three-way tie has no resolved label
    assert draft.wording_note == "wording not reviewed (no model asked)"


@pytest.mark.parametrize(("text", "problem"), [
    ("Label: hate\nContent that compares groups to vermin, animals and disease, always.",
     "'Label:' line"),
    ("### HATE-9 New heading\nContent comparing a protected group to vermin or disease.",
     "heading"),
    ("Short.", "length"),
    ("Content that compares a protected group to animals, as in item i3, or vermin or disease.",
     "quotes item id i3"),
    ("Content that compares a protected group to animals, vermin or disease; see HATE-7.7.",
     "unknown clause HATE-7.7"),
    ("Content that compares a protected group to animals, vermin or disease (@moderator).",
     "handle"),
])
def test_unusable_wording_is_rejected_with_a_reason(guidelines: GuidelineSet, text: str,
                                                    problem: str) -> None:
    hate = troubled_clauses(gather_evidence(ITEMS, guidelines, VERDICTS))[0]
    draft = asyncio.run(drafter(guidelines, [answer(text)]).draft(hate))
    assert draft.new_text is None
    assert draft.wording_note.startswith("proposed wording rejected") and problem in \
        draft.wording_note


def test_a_rewrite_that_drops_a_clause_reference_is_rejected() -> None:
    sample = load_guidelines(SAMPLE_GUIDELINES)
    clause = sample.by_id["HARASS-1.2"]
    revision = drafter(sample, [])
    text = clause.text.replace("are VEX-1.3", "are covered elsewhere")
    assert gather_evidence([], sample) == []  # no items: no evidence, and no error
    assert revision.wording_problem(clause, text, ClauseEvidence(clause.id)) == \
        "drops the reference to VEX-1.3"


def test_clear_wording_and_a_malformed_answer_leave_the_text(guidelines: GuidelineSet) -> None:
    hate = troubled_clauses(gather_evidence(ITEMS, guidelines, VERDICTS))[0]
    clear = asyncio.run(drafter(guidelines, [answer("", unclear=False)]).draft(hate))
    assert clear.new_text is None and "finds the text clear" in clear.wording_note
    broken = asyncio.run(drafter(guidelines, ["not json", "still not json"]).draft(hate))
    assert broken.new_text is None and "unusable answer (parse_error" in broken.wording_note
    assert broken.examples  # examples need no model


def test_a_malformed_answer_is_re_asked_once_with_the_problem(guidelines: GuidelineSet) -> None:
    hate = troubled_clauses(gather_evidence(ITEMS, guidelines, VERDICTS))[0]
    revision = drafter(guidelines, ['{"diagnosis": "cut', answer(CLEARER)])
    draft = asyncio.run(revision.draft(hate))
    assert draft.new_text == CLEARER and draft.wording_note == "wording revised"
    calls = model_calls(revision)
    assert len(calls) == 2
    assert calls[1]["messages"][-2].content == '{"diagnosis": "cut'  # its own answer
    assert "could not be used" in calls[1]["messages"][-1].content


def test_verified_generated_examples_are_drawn_in_and_out_alternately(
        guidelines: GuidelineSet) -> None:
    records: list[dict[str, Any]] = [
        {"clause_id": "HATE-1.1", "kind": "in_scope", "modality": "lyrics",
         "content": "[group] are locusts eating our jobs", "why": "vermin comparison",
         "kept": True, "verification": {"judge": {"suggested_label": "hate",
                                                  "cited_clause_ids": ["HATE-1.1"]}}},
        {"clause_id": "HATE-1.1", "kind": "in_scope", "modality": "title",
         "content": "[group] Plague", "kept": True},
        {"clause_id": "HATE-1.1", "kind": "out_of_scope", "modality": "transcript",
         "content": "A biologist on locust swarms", "label": "allowed", "kept": True},
        {"clause_id": "HATE-1.1", "kind": "out_of_scope", "modality": "text",
         "content": "dropped one", "kept": False},
        {"clause_id": "SPAM-1.1", "kind": "in_scope", "modality": "title", "content": "other"},
    ]
    hate = troubled_clauses(gather_evidence(ITEMS, guidelines, VERDICTS))[0]
    draft = asyncio.run(RevisionDrafter(guidelines, None, DraftConfig(
        wording=False, max_item_examples=0, max_generated_examples=2)).draft(hate, records))
    assert [(p.kind, p.example.text) for p in draft.examples] == [
        ("in_scope", "[group] are locusts eating our jobs"),
        ("out_of_scope", "A biologist on locust swarms")]
    assert "the judge gave hate citing HATE-1.1" in draft.examples[0].note


# -- editing files --------------------------------------------------------------------------------
NEW_IN = Example(text='"[group] are locusts" (chant)', modality="audio")
NEW_OUT = Example(text="A nature documentary about rats", modality="video", why="real animals")


def test_an_edit_changes_only_the_target_clause(guidelines: GuidelineSet,
                                                tiny_guidelines: Path) -> None:
    path = tiny_guidelines / "hate.md"
    before = path.read_text()
    after = edit_document(before, str(path), [ClauseChange("HATE-1.1", CLEARER, (NEW_IN,),
                                                           (NEW_OUT,))])
    path.write_text(after)
    changed = load_guidelines(tiny_guidelines)
    assert guidelines.diff(changed).changed == ("HATE-1.1",)
    clause = changed.by_id["HATE-1.1"]
    assert clause.text == CLEARER
    assert clause.in_scope[-1] == NEW_IN and clause.out_of_scope[-1] == NEW_OUT
    assert after.startswith(before.split("### HATE-1.1")[0])  # preamble byte for byte


def test_lists_are_created_when_a_clause_has_none(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "g", {"x.md": """
        # X

        ### X-1 First
        Label: spam

        Text one.

        ### X-2 Second
        Label: spam

        Text two, no trailing newline."""})
    path = folder / "x.md"
    path.write_text(path.read_text().rstrip("\n"))
    text = path.read_text()
    for clause_id in ("X-1", "X-2"):
        after = edit_document(text, str(path), [ClauseChange(clause_id, None, (NEW_IN,),
                                                             (NEW_OUT,))])
        reparsed = {c.id: c for c in parse_structured(after, str(path))[0]}
        assert reparsed[clause_id].in_scope == (NEW_IN,)
        assert reparsed[clause_id].out_of_scope == (NEW_OUT,)
        assert "In scope:" in after and "Out of scope:" in after
    after = edit_document(text, str(path), [ClauseChange("X-2", "Text two, clearer.")])
    assert after.endswith("Text two, clearer.\n")


def test_crlf_and_bom_files_keep_their_form(tmp_path: Path, tiny_guidelines: Path) -> None:
    path = tiny_guidelines / "hate.md"
    text = path.read_text()
    path.write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode())
    guidelines = load_guidelines(tiny_guidelines)
    edits = plan_edits(guidelines, [ClauseChange("HATE-1.2", None, (NEW_IN,))], tiny_guidelines)
    assert edits[0].after.startswith("\ufeff")
    assert "\r\n- [audio]" in edits[0].after and "\n\n" not in edits[0].after
    write_edits(edits)
    assert load_guidelines(tiny_guidelines).by_id["HATE-1.2"].in_scope[-1] == NEW_IN


def test_structural_text_and_unknown_clauses_are_refused(guidelines: GuidelineSet,
                                                         tiny_guidelines: Path) -> None:
    text = (tiny_guidelines / "hate.md").read_text()
    with pytest.raises(EditError, match="example-list marker"):
        edit_document(text, "hate.md", [ClauseChange("HATE-1.1", "Better.\nIn scope:\n- x")])
    with pytest.raises(EditError, match="no heading"):
        edit_document(text, "hate.md", [ClauseChange("HATE-9.9", "x")])
    usable, failures = checked_changes(guidelines, [
        ClauseChange("HATE-1.1", "Label: allowed"), ClauseChange("HATE-1.2", None, (NEW_IN,)),
        ClauseChange("NOPE-1", "x")])
    assert [c.clause_id for c in usable] == ["HATE-1.2"]
    assert set(failures) == {"HATE-1.1", "NOPE-1"}


def test_a_file_changed_since_drafting_is_not_overwritten(guidelines: GuidelineSet,
                                                          tiny_guidelines: Path) -> None:
    edits = plan_edits(guidelines, [ClauseChange("HATE-1.1", CLEARER)], tiny_guidelines)
    (tiny_guidelines / "hate.md").write_text("# edited meanwhile\n")
    with pytest.raises(Exception, match="changed since the revision was drafted"):
        write_edits(edits)
    assert (tiny_guidelines / "hate.md").read_text() == "# edited meanwhile\n"


# -- the patch ------------------------------------------------------------------------------------
RISKY_PREAMBLE = """# Revision

--- a/guidelines/hate.md
+++ b/guidelines/hate.md
@@ -1,2 +1,2 @@
diff --git a/x b/x
Index: x
12c12
*** 1,2 ****
- a bullet that is fine
"""


def test_the_patch_applies_with_git_and_patch(tmp_path: Path, tiny_guidelines: Path) -> None:
    repo = git_repo(tmp_path, tiny_guidelines)
    guidelines = load_guidelines(repo / "guidelines")
    changes = [ClauseChange("HATE-1.1", CLEARER, (NEW_IN,), (NEW_OUT,)),
               ClauseChange("SPAM-1.1", None, (), (NEW_OUT,))]
    edits = plan_edits(guidelines, changes, repo)
    assert [e.display for e in edits] == ["guidelines/hate.md", "guidelines/spam.md"]
    patch = render_patch(edits, RISKY_PREAMBLE)
    assert patch.startswith("# Revision\n") and "> --- a/guidelines/hate.md" in patch
    (repo / "rev.patch").write_text(patch)
    check = subprocess.run(["git", "apply", "--check", "-v", "rev.patch"], cwd=repo,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    if shutil.which("patch"):
        dry = subprocess.run(["patch", "-p1", "--dry-run", "-i", "rev.patch"], cwd=repo,
                             capture_output=True, text=True)
        assert dry.returncode == 0, dry.stdout + dry.stderr
        assert "hate.md" in dry.stdout and "spam.md" in dry.stdout
    subprocess.run(["git", "apply", "rev.patch"], cwd=repo, check=True)
    for edit in edits:
        assert (repo / edit.display).read_text() == edit.after


def test_a_file_without_a_final_newline_patches_cleanly(tmp_path: Path,
                                                         tiny_guidelines: Path) -> None:
    path = tiny_guidelines / "spam.md"
    path.write_text(path.read_text().rstrip("\n"))
    repo = git_repo(tmp_path, tiny_guidelines)
    guidelines = load_guidelines(repo / "guidelines")
    edits = plan_edits(guidelines, [ClauseChange("GEN-1.1", None, (), (NEW_OUT,))], repo)
    patch = render_patch(edits)
    assert "\\ No newline at end of file" in patch
    (repo / "rev.patch").write_text(patch)
    subprocess.run(["git", "apply", "rev.patch"], cwd=repo, check=True)
    assert (repo / "guidelines/spam.md").read_text() == edits[0].after


def test_the_preamble_is_quoted_where_a_tool_could_misread_it() -> None:
    safe = safe_preamble(RISKY_PREAMBLE)
    risky = [line for line in safe.splitlines() if line and not line.startswith(("> ", "#"))]
    assert risky == ["- a bullet that is fine"]


def test_the_report_holds_the_evidence_beside_each_change(guidelines: GuidelineSet) -> None:
    hate = troubled_clauses(gather_evidence(ITEMS, guidelines, VERDICTS))[0]
    draft = asyncio.run(drafter(guidelines, [answer(CLEARER)]).draft(hate))
    report = revision_report([draft], guidelines, "items.jsonl")
    assert f"Base guideline version: {guidelines.version}" in report
    assert "## HATE-1.1 Dehumanising comparisons (label: hate)" in report
    assert "percent agreement" in report and "i3 (" in report
    assert "Wording: wording revised" in report and "Change: Says the comparison" in report
    assert "from item i3" in report
    left = revision_report([draft], guidelines, left_out={"HATE-1.1": "would not read back"})
    assert "0 with proposed changes" in left and "**Not in the patch**: would not read" in left


# -- applying, and the index re-embeds only the changed clause ----------------------------------
def test_apply_makes_a_new_version_and_the_index_reembeds_one_clause(
        tmp_path: Path, guidelines: GuidelineSet, tiny_guidelines: Path) -> None:
    embedder = FakeEmbedder()
    index = ClauseIndex(make_client(tmp_path / "home"), embedder, "revision_test")
    first = index.sync(guidelines)
    assert first.documents_embedded == sum(len(clause_documents(c)) for c in guidelines)
    embedder.reset()

    edits = plan_edits(guidelines, [ClauseChange("HATE-1.2", CLEARER, (NEW_IN,))],
                       tiny_guidelines)
    applied = apply_edits(edits, guidelines, tiny_guidelines)
    assert applied.old_version == guidelines.version != applied.new_version
    assert applied.diff.changed == ("HATE-1.2",) and not applied.diff.added

    report = index.sync(applied.guidelines)
    new_clause = applied.guidelines.by_id["HATE-1.2"]
    assert (report.changed, report.added, report.removed) == (1, 0, 0)
    assert report.documents_embedded == len(clause_documents(new_clause))
    assert set(embedder.texts) <= {text for _, text, _ in clause_documents(new_clause)}
    assert index.info()["version"] == applied.new_version


# -- the CLI --------------------------------------------------------------------------------------
def _cli_app():
    from llmqa.cli import app  # the real one: old flag spellings are rewritten there

    return app


def write_items(path: Path, items: list[Item]) -> Path:
    path.write_text("".join(i.model_dump_json(exclude_none=True) + "\n" for i in items))
    return path


def test_cli_revise_writes_nothing_without_apply(tmp_home: Path, tiny_guidelines: Path) -> None:
    items = write_items(tmp_home / "items.jsonl", ITEMS)
    before = {p.name: p.read_text() for p in tiny_guidelines.iterdir()}
    result = CliRunner().invoke(_cli_app(), ["revise", str(items), "-g", str(tiny_guidelines),
                                             "--no-wording"])
    assert result.exit_code == 0, result.output
    assert "diff --git a/guidelines/hate.md b/guidelines/hate.md" in result.stdout
    assert "# Guideline revision draft" in result.stdout
    assert {p.name: p.read_text() for p in tiny_guidelines.iterdir()} == before


def test_cli_revise_apply_reports_versions_and_clauses(tmp_home: Path, tiny_guidelines: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import llmqa.llm.backends as backends

    model = FakeChatModel([answer(CLEARER)])
    monkeypatch.setattr(backends, "make_chat_model", lambda spec: model)
    items = write_items(tmp_home / "items.jsonl", ITEMS)
    summary = tmp_home / "summary.json"
    summary.write_text(json.dumps({"clauses": [{"clause_id": "HATE-1.1", "item_ids": ["i3"]}]}))
    old = load_guidelines(tiny_guidelines).version
    result = CliRunner().invoke(_cli_app(), [
        "revise", str(items), "-g", str(tiny_guidelines), "--model", "gpt-4o-mini",
        "--base-url", "http://127.0.0.1:9/v1", "--clause-summary", str(summary),
        "--out", str(tmp_home / "rev.patch"), "--report", str(tmp_home / "rev.md"), "--apply",
        "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["applied"]["old_version"] == old
    assert payload["applied"]["changed"] == ["HATE-1.1"]
    assert payload["clauses"][0]["wording"] == "wording revised"
    assert load_guidelines(tiny_guidelines).by_id["HATE-1.1"].text == CLEARER
    assert "triage: 1 flagged" in (tmp_home / "rev.md").read_text()
    assert (tmp_home / "rev.patch").read_text().count("diff --git") == 1
    # The next step is named as a command, not as the library call.
    assert "re-embed the changed clauses with `llmqa index`" in result.stderr


def test_cli_revise_shows_drafting_progress_on_a_terminal(
        tmp_home: Path, tiny_guidelines: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import llmqa.llm.backends as backends

    monkeypatch.setattr(backends, "make_chat_model",
                        lambda spec: FakeChatModel([answer(CLEARER)]))
    items = write_items(tmp_home / "items.jsonl", ITEMS)
    summary = tmp_home / "summary.json"
    summary.write_text(json.dumps({"clauses": [{"clause_id": "HATE-1.1", "item_ids": ["i3"]}]}))
    args = ["revise", str(items), "-g", str(tiny_guidelines), "--model", "gpt-4o-mini",
            "--base-url", "http://127.0.0.1:9/v1", "--clause-summary", str(summary),
            "-o", str(tmp_home / "rev.patch")]
    for tty, extra, shown in ((True, [], True), (True, ["--no-progress"], False),
                              (False, [], False)):
        terminal = Terminal(tty)
        monkeypatch.setattr(sys, "stderr", terminal)
        code, _, _ = run_main([*args, *extra], capsys)
        assert code == 0, terminal.text
        assert "patch written to" in terminal.text
        assert ("drafting clauses" in terminal.text and "1/1" in terminal.text) is shown


def test_cli_revise_without_troubled_clauses_says_so(tmp_home: Path,
                                                     tiny_guidelines: Path) -> None:
    items = write_items(tmp_home / "items.jsonl", [ITEMS[4], ITEMS[5]])
    result = CliRunner().invoke(_cli_app(), ["revise", str(items), "-g", str(tiny_guidelines),
                                             "--no-wording"])
    assert result.exit_code == 0
    assert "nothing to revise" in result.output


def test_cli_revise_reads_the_judges_flags_from_the_store(tmp_home: Path,
                                                          tiny_guidelines: Path) -> None:
    from llmqa.store import VerdictStore
    from llmqa.verdicts import Verdict

    items = write_items(tmp_home / "items.jsonl", ITEMS)
    with VerdictStore(tmp_home) as store:
        store.save_items(ITEMS)
        for item_id, row in VERDICTS.items():
            store.save_verdict(Verdict(
                key=f"k-{item_id}", item_id=item_id, item_hash="h", guideline_version="v",
                context_hash="c", prompt_hash="p", model="m", status=row["status"],
                verdict=row["verdict"], suggested_label=row["suggested_label"],
                cited_clause_ids=row["cited_clause_ids"], rationale=row["rationale"]), None)
    result = CliRunner().invoke(_cli_app(), ["revise", str(items), "-g", str(tiny_guidelines),
                                             "--no-wording", "--json", "--home", str(tmp_home)])
    assert result.exit_code == 0, result.output
    clause = json.loads(result.stdout)["clauses"][0]
    assert clause["clause_id"] == "HATE-1.1"
    assert "judge: 1 ambiguous, 1 likely_error" in clause["figures"]
    assert clause["examples"][0]["source"] == "item:i3"
    assert clause["examples"][0]["why"] == "allowed; GEN-1.1"
    ignored = CliRunner().invoke(_cli_app(), ["revise", str(items), "-g", str(tiny_guidelines),
                                              "--no-wording", "--json", "--no-judge"])
    assert "judge:" not in json.loads(ignored.stdout)["clauses"][0]["figures"]


def test_cli_revise_without_items_reads_the_reviewed_items_from_the_store(
        tmp_home: Path, tiny_guidelines: Path) -> None:
    from llmqa.store import VerdictStore
    from llmqa.verdicts import Verdict

    args = ["-g", str(tiny_guidelines), "--no-wording", "--json", "--home", str(tmp_home)]
    missing = CliRunner().invoke(_cli_app(), ["revise", *args])
    assert missing.exit_code == 1 and "the store holds no reviewed item" in str(missing.exception)
    with VerdictStore(tmp_home) as store:
        store.save_items(ITEMS)
        for i in ITEMS:
            store.save_verdict(Verdict(
                key=f"k-{i.id}", item_id=i.id, item_hash="h", guideline_version="v",
                context_hash="c", prompt_hash="p", model="m", status="ok", verdict="agree",
                suggested_label=i.labels()[0], cited_clause_ids=[], rationale="r"), None)
    from_store = CliRunner().invoke(_cli_app(), ["revise", *args, "--report",
                                                 str(tmp_home / "report.md")])
    assert from_store.exit_code == 0, from_store.output
    items = write_items(tmp_home / "items.jsonl", ITEMS)
    from_file = CliRunner().invoke(_cli_app(), ["revise", str(items), *args])
    clauses = json.loads(from_file.stdout)["clauses"]
    assert clauses and json.loads(from_store.stdout)["clauses"] == clauses
    assert "from the store's reviewed items" in (tmp_home / "report.md").read_text()


def test_gold_and_check_first_decide_which_items_become_examples(
        guidelines: GuidelineSet) -> None:
    # i3 (the judge says allowed) is what triage ranks first as a likely error; i2 was decided
    # by an analyst as hate, so it is an in-scope example now, not an out-of-scope one.
    evidence = gather_evidence(ITEMS, guidelines, VERDICTS, gold={"i2": "hate"},
                               check_first={"i3": 0.97})
    hate = troubled_clauses(evidence)[0]
    draft = asyncio.run(RevisionDrafter(guidelines, None, DraftConfig(
        wording=False, max_item_examples=5)).draft(hate))
    sources = {p.source: p for p in draft.examples}
    assert "item:i3" not in sources
    assert sources["item:i2"].kind == "in_scope"
    assert "resolved as hate by an analyst" in sources["item:i2"].note
    assert [e.id for e in hate.check_first] == ["i3"]
    from llmqa.revision.report import draft_section

    assert "Check first (triage ranks them likely label errors" in draft_section(draft)
    assert "i3 (0.97)" in draft_section(draft)


@pytest.mark.parametrize("diagnosis", ["Diagnosis: 2019-08-31T07:45:56.28Z", "0.93 0.12 7",
                                       "{} [] ::"])
def test_a_garbled_draft_answer_is_rejected(guidelines: GuidelineSet, diagnosis: str) -> None:
    hate = troubled_clauses(gather_evidence(ITEMS, guidelines, VERDICTS))[0]
    reply = answer(CLEARER) | {"diagnosis": diagnosis}
    draft = asyncio.run(drafter(guidelines, [reply]).draft(hate))
    assert draft.new_text is None and not draft.diagnosis
    assert draft.wording_note.startswith("wording unchanged: unusable answer (the diagnosis")


def test_clauses_are_drafted_at_once_up_to_the_concurrency_and_kept_in_order(
        guidelines: GuidelineSet) -> None:
    """Drafts do not depend on each other: at concurrency 3 the first clause's call cannot be
    answered before the third clause's arrives (one by one it would wait in vain), and the
    drafts come back in the clauses' order with progress counted as each is done."""
    import re
    import threading

    shown = re.compile(r"^\[([A-Z][A-Z0-9]*-[\d.]+)\]", re.MULTILINE)  # the first: the clause
    clause_ids = ["HATE-1.1", "HATE-1.2", "SPAM-1.1"]
    third_asked = threading.Event()
    waited: list[bool] = []

    def respond(messages: list[Any]) -> dict[str, Any]:
        under_review = shown.search(str(messages[-1].content)).group(1)  # type: ignore[union-attr]
        if under_review == "SPAM-1.1":
            third_asked.set()
        elif under_review == "HATE-1.1":
            waited.append(third_asked.wait(10.0))
        return answer(CLEARER, unclear=False)

    seam = make_seam(BackendSpec(model="fake"), FakeChatModel(responder=respond))
    revision = RevisionDrafter(guidelines, seam, DraftConfig(retry=FAST_RETRY, concurrency=3))
    progress: list[tuple[int, int]] = []
    drafts = asyncio.run(revision.draft_all([ClauseEvidence(c) for c in clause_ids],
                                            on_progress=lambda _, d, t: progress.append((d, t))))
    assert waited == [True]
    assert [d.clause.id for d in drafts] == clause_ids
    assert progress == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_cli_revise_drafts_at_its_concurrency_and_the_embedded_model_one_at_a_time(
        tmp_home: Path, tiny_guidelines: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import llmqa.llm.backends as backends
    import llmqa.revision.pipeline as pipeline

    seen: list[int] = []

    class Spy(RevisionDrafter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            seen.append(self.config.concurrency)

    monkeypatch.setattr(pipeline, "RevisionDrafter", Spy)
    monkeypatch.setattr(backends, "make_chat_model",
                        lambda spec: FakeChatModel(responder=lambda m: answer(CLEARER)))
    items = write_items(tmp_home / "items.jsonl", ITEMS)
    common = ["revise", str(items), "-g", str(tiny_guidelines), "--clause", "HATE-1.1",
              "-o", str(tmp_home / "rev.patch")]
    remote = ["--model", "gpt-4o-mini", "--base-url", "http://127.0.0.1:9/v1"]
    for extra, expected in (([*remote, "--concurrency", "5"], 5), (remote, 8),
                            ([], 1)):
        result = CliRunner().invoke(_cli_app(), [*common, *extra])
        assert result.exit_code == 0, result.output
        assert seen[-1] == expected, extra
