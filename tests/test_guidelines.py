"""Guideline parsing (structured and plain documents), versions, diffs and checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from textwrap import dedent

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_GUIDELINES, TINY_HATE, write_files
from llmqa.cli import app
from llmqa.errors import GuidelineError
from llmqa.guidelines import Clause, GuidelineSet, check_guidelines, load_guidelines
from llmqa.guidelines.parser import parse_example

runner = CliRunner()


# -- structured documents -----------------------------------------------------------------------

def test_structured_clauses(tiny_guidelines: Path) -> None:
    guidelines = load_guidelines(tiny_guidelines)
    assert [c.id for c in guidelines] == ["HATE-1.1", "HATE-1.2", "SPAM-1.1", "GEN-1.1"]
    assert guidelines.labels == ("allowed", "hate", "spam")
    assert guidelines.problems == ()
    clause = guidelines.by_id["HATE-1.1"]
    assert clause.label == "hate" and clause.title == "Dehumanising comparisons"
    assert clause.text == "Content that compares a protected group to animals, vermin or disease."
    assert clause.parent_id == "HATE-1" and clause.parent_title == "Attacks on protected groups"
    assert clause.policy == "Hate speech" and not clause.inferred
    assert clause.source.endswith("hate.md") and clause.line == 9
    first, second = clause.in_scope
    assert (first.modality, first.text, first.why) == (
        "lyrics", '"[group] are rats crawling through our town."', "vermin comparison")
    assert (second.modality, second.why) == ("title", None)
    assert [e.why for e in clause.out_of_scope] == [
        "GEN-1.1 history", "one person, no protected characteristic"]
    assert guidelines.by_id["GEN-1.1"].parent_id == "GEN-1"
    assert "Section: Attacks on protected groups" in clause.document()
    assert check_guidelines(guidelines) == []


def test_parse_example_variants() -> None:
    example = parse_example('[Artwork]  Cover art showing\n  a flag  (Because: context)')
    assert (example.modality, example.text, example.why) == (
        "artwork", "Cover art showing a flag", "context")
    plain = parse_example("No tag, no reason.")
    assert (plain.modality, plain.why, plain.text) == (None, None, "No tag, no reason.")


def test_structured_wrapped_example_and_bold_markers(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "g", {"x.md": """
        # Policy

        ## X-1 Thing
        **Label:** `Self Harm`

        Clause text.

        **In scope:**
        - [text] A long example that wraps
          onto a second line. (why: wrapped)
        - [audio] Second.

        **Out of scope:**
        1. [video] Numbered out example.
        2. [image] Another.
    """})
    clause = load_guidelines(folder).by_id["X-1"]
    assert clause.label == "self_harm" and clause.text == "Clause text."
    assert clause.in_scope[0].text == "A long example that wraps onto a second line."
    assert clause.in_scope[0].why == "wrapped"
    assert [e.modality for e in clause.out_of_scope] == ["video", "image"]


# -- versions and diffs -------------------------------------------------------------------------

def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_reflowing_whitespace_keeps_the_version(tiny_guidelines: Path, tmp_path: Path) -> None:
    before = load_guidelines(tiny_guidelines)
    copy = _copy(tiny_guidelines, tmp_path / "reflowed")
    _edit(copy / "hate.md",
          "Content that compares a protected group to animals, vermin or disease.",
          "Content that compares a   protected group\nto animals,\tvermin or disease.  ")
    _edit(copy / "hate.md", "- [title] \"[group] Are A Disease\"",
          "-   [title]   \"[group] Are\n    A Disease\"")
    after = load_guidelines(copy)
    assert after.version == before.version
    assert before.diff(after).unchanged


def test_one_word_changes_the_version_and_diff_names_the_clause(
        tiny_guidelines: Path, tmp_path: Path) -> None:
    before = load_guidelines(tiny_guidelines)
    copy = _copy(tiny_guidelines, tmp_path / "edited")
    _edit(copy / "hate.md", "expelled or segregated", "expelled or excluded")
    after = load_guidelines(copy)
    assert after.version != before.version
    diff = before.diff(after)
    assert (diff.changed, diff.added, diff.removed) == (("HATE-1.2",), (), ())
    # Only the edited clause's hash moved.
    old, new = before.clause_hashes(), after.clause_hashes()
    assert [k for k in old if old[k] != new[k]] == ["HATE-1.2"]


def test_example_rationale_and_label_are_part_of_the_version(
        tiny_guidelines: Path, tmp_path: Path) -> None:
    before = load_guidelines(tiny_guidelines)
    copy = _copy(tiny_guidelines, tmp_path / "why")
    _edit(copy / "spam.md", "Label: spam", "Label: spam_abuse")
    _edit(copy / "hate.md", "(why: vermin comparison)", "(why: animal comparison)")
    assert set(before.diff(load_guidelines(copy)).changed) == {"SPAM-1.1", "HATE-1.1"}


def test_diff_added_and_removed(tiny_guidelines: Path, tmp_path: Path) -> None:
    before = load_guidelines(tiny_guidelines)
    copy = _copy(tiny_guidelines, tmp_path / "added")
    text = (copy / "hate.md").read_text(encoding="utf-8")
    start = text.index("### HATE-1.2")
    (copy / "hate.md").write_text(text[:start], encoding="utf-8")
    (copy / "extra.md").write_text(dedent("""
        ## HATE-2.1 Slurs
        Label: hate

        Slurs against a protected group.
    """), encoding="utf-8")
    diff = before.diff(load_guidelines(copy))
    assert (diff.added, diff.removed, diff.changed) == (("HATE-2.1",), ("HATE-1.2",), ())

    result = runner.invoke(app, ["guidelines", "diff", str(tiny_guidelines), str(copy), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["added"] == ["HATE-2.1"] and payload["removed"] == ["HATE-1.2"]
    assert payload["from"] == before.version and payload["changed"] == []
    text_result = runner.invoke(app, ["guidelines", "diff", str(tiny_guidelines),
                                      str(tiny_guidelines)])
    assert "no clause changed" in text_result.stdout


def test_version_ignores_clause_order() -> None:
    one = Clause(id="A-1", label="x", text="t")
    two = Clause(id="A-2", label="y", text="u")
    assert GuidelineSet(clauses=(one, two)).version == GuidelineSet(clauses=(two, one)).version


def test_model_copy_recomputes_hashes() -> None:
    clause = Clause(id="A-1", label="x", text="one")
    guidelines = GuidelineSet(clauses=(clause,))
    old_hash, old_version = clause.content_hash, guidelines.version  # cached now
    edited = clause.model_copy(update={"text": "two"})
    assert edited.content_hash != old_hash
    assert edited.content_hash == Clause(id="A-1", label="x", text="two").content_hash
    newer = guidelines.model_copy(update={"clauses": (edited,)})
    assert newer.version != old_version and newer.by_id["A-1"].text == "two"
    assert guidelines.diff(newer).changed == ("A-1",)
    assert clause.model_copy().content_hash == old_hash


# -- checks -------------------------------------------------------------------------------------

def test_duplicate_clause_ids_are_errors(tiny_guidelines: Path) -> None:
    (tiny_guidelines / "copy.md").write_text(dedent(TINY_HATE), encoding="utf-8")
    guidelines = load_guidelines(tiny_guidelines)
    errors = [p for p in check_guidelines(guidelines) if p.severity == "error"]
    assert {p.clause_id for p in errors} == {"HATE-1.1", "HATE-1.2"}
    assert all("duplicate clause ID" in p.message and "copy.md" in p.message for p in errors)
    result = runner.invoke(app, ["guidelines", "check", str(tiny_guidelines)])
    assert result.exit_code == 1
    assert "duplicate clause ID HATE-1.1" in result.output and "2 errors" in result.stdout


def test_clause_without_label_is_an_error(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "g", {"x.md": """
        # Policy

        ## X-1 Section with clauses under it

        Section text is fine without a label.

        ### X-1.1 Labelled
        Label: spam

        Text.

        ### X-1.2 Forgot the label

        Text of a clause that has no Label line.

        In scope:
        - An example.
    """})
    guidelines = load_guidelines(folder)
    assert [c.id for c in guidelines] == ["X-1.1"]
    errors = [p for p in check_guidelines(guidelines) if p.severity == "error"]
    assert [(p.clause_id, p.where) for p in errors] == [("X-1.2", f"{folder / 'x.md'}:12")]
    result = runner.invoke(app, ["guidelines", "check", str(folder), "--json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert any(p["severity"] == "error" and p["clause_id"] == "X-1.2" for p in problems)


def test_few_examples_are_warnings_and_strict_fails(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "g", {"x.md": """
        ## X-1 Thin clause
        Label: spam

        Text.

        In scope:
        - One example.
    """})
    problems = check_guidelines(load_guidelines(folder))
    assert {p.severity for p in problems} == {"warning"} and len(problems) == 2
    assert runner.invoke(app, ["guidelines", "check", str(folder)]).exit_code == 0
    assert runner.invoke(app, ["guidelines", "check", str(folder), "--strict"]).exit_code == 1


def test_non_utf8_guideline_file(tmp_path: Path) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "latin.md").write_bytes("## X-1 Caf\xe9\nLabel: spam\n".encode("latin-1"))
    with pytest.raises(GuidelineError, match=r"latin\.md: not valid UTF-8 \(byte 10\)"):
        load_guidelines(folder)


def test_bom_is_accepted(tmp_path: Path) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "bom.md").write_bytes(b"\xef\xbb\xbf## X-1 Title\nLabel: spam\n\nText.\n")
    assert [c.id for c in load_guidelines(folder)] == ["X-1"]


def test_empty_folders_and_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(GuidelineError, match="no guideline files"):
        load_guidelines(empty)
    (empty / "README.md").write_text("# Not guidelines\n", encoding="utf-8")
    with pytest.raises(GuidelineError, match="no guideline files"):
        load_guidelines(empty)
    (empty / "blank.md").write_text("\n  \n", encoding="utf-8")
    with pytest.raises(GuidelineError, match="no clauses found"):
        load_guidelines(empty)
    with pytest.raises(GuidelineError, match="no such guidelines folder"):
        load_guidelines(tmp_path / "absent")


def test_single_file_and_empty_file_problem(tiny_guidelines: Path) -> None:
    assert len(load_guidelines(tiny_guidelines / "spam.md")) == 2
    (tiny_guidelines / "zz-empty.md").write_text("", encoding="utf-8")
    guidelines = load_guidelines(tiny_guidelines)
    assert len(guidelines) == 4
    assert any("empty file" in p for p in guidelines.problems)


# -- plain documents ----------------------------------------------------------------------------

PDF_EXPORT = """\
Community Standards: Harmful Content
Effective 1 March 2024 | Trust & Safety | Page 1 of 4

This document sets out what we remove from the catalog. It applies to audio, video, artwork and
written content uploaded by creators, labels and distributors.

1. Hate and harassment

1.1 Slurs and dehumanisation
Content that uses slurs against people because of a protected characteristic, or compares a
protected group to animals, vermin or disease. Content by or about people under
18 is reviewed with extra care.
Definitions: A "protected characteristic" is race, ethnicity, religion, sexual orientation,
gender identity, disability or national origin.
Examples:
- A song chorus calling [group] "rats" that should be driven out of
  town. (why: vermin comparison)
- A podcast episode title: "Why [group] are a disease".
Not covered:
- A history lecture quoting wartime propaganda in order to explain
how it worked.
- Reclaimed use of a term by a member of the group, in a self-referential way.

1.2 Targeted harassment
Content that repeatedly insults, threatens or mocks a private individual, or encourages others
to do so.
Examples:
1. A track that names a classmate and calls on listeners to "make her life hell".
2. Cover art showing a private person's face with their home address.
Not covered:
- Criticism of a public figure's policies or public conduct.
- Diss tracks between artists that contain no threats or private information.

                                                                    Page 2 of 4
2. Dangerous activities

2.1 Weapons manufacture
Instructions for building firearms, explosives or other weapons. Around
2.5 million listeners reach this kind of content every month.
Examples:
- A video walkthrough for assembling an untraceable firearm.
- A podcast segment listing the ingredients and steps for a pipe bomb.
Not covered:
- A news report on a bombing that does not describe how the device was made.
- A historical documentary on weapons of the Second World War.

2.2 Drug sale
Content that offers controlled substances for sale or directs listeners to a seller.
Examples:
- An episode description with a phone number to "order [drug name] delivered".
- Lyrics giving a specific dealer's handle and prices.
Exceptions:
- Songs that mention drug use without offering or facilitating a sale.
- Harm-reduction information from a public health service.

- 3 -
3. Self-harm

3.1 Promotion of self-harm
Content that encourages or instructs self-harm. Reviewers check, in order:
1. whether the content addresses the listener directly;
2. whether it gives a method;
3. whether it is framed as recovery.
Examples:
- A track telling listeners to hurt themselves.
- A video showing a method of self-harm step by step.
Not covered:
- A recovery podcast in which a guest describes their past self-harm.
- A public health message with a helpline number.
"""

MARKDOWN_NO_IDS = """\
# Harassment Policy

We do not allow content that targets individuals with abuse. This page is maintained by the
Trust & Safety policy team.

## Threats and intimidation

### Threats against individuals

Content that threatens a named or identifiable person with physical harm.

Examples:
- "I know where you live, and you're going to regret that review."
- A voice note saying the streamer will "get what's coming" after the show.

Not covered:
- Fictional threats between characters in an audio drama.
- Hyperbole between friends, such as "I'll kill you if you spoil the finale".

### Doxxing

Publishing someone's private information (home address, phone number, workplace) without
consent, or encouraging others to find it.

For example:
- An episode description listing a critic's home address.
- Cover art containing a screenshot of a person's ID card.

Exceptions:
- A business's publicly listed address.
- A politician's official office contact details.

## Sexual harassment

Unwanted sexual comments directed at a specific person.

Examples:
- Lyrics describing a named coworker's body and what the singer would do to her.
- A comment read aloud on stream sexualising a guest.

Not covered:
- Consensual flirting between co-hosts.
- Discussion of sexual harassment as a topic.
"""

WALL_OF_TEXT = """\
Spam and platform manipulation

We remove content whose main purpose is to game rankings or to mislead listeners about what
they are getting. Uploads that repeat the same audio under many titles, or that stuff titles
with the names of popular artists they have no connection with, are spam. So is content that
exists only to drive traffic elsewhere.

Keyword stuffing in titles and descriptions is the most common case. A title like "Relaxing
Sleep Music Rain Sounds Taylor Swift Drake Lofi Study" lists artists and terms unrelated to
the audio. Reviewers should compare the title with what is actually in the recording. A long
but accurate description is not spam.

Artificial engagement is also covered: offering listeners money, gifts or prizes in exchange
for streams, follows or reviews; buying plays from click farms; or coordinating accounts to
stream a track on repeat. Promotions that ask for a genuine follow without a reward are fine.

Misleading links are the last category. Content that tells listeners to visit a URL for "free
downloads" that turns out to be a phishing or malware site is spam even if the audio itself is
harmless. Ordinary links to an artist's own website or merchandise store are allowed.
"""


def _plain(tmp_path: Path, name: str, text: str) -> GuidelineSet:
    folder = write_files(tmp_path / name.split(".")[0], {name: text})
    guidelines = load_guidelines(folder)
    for clause in guidelines:
        assert clause.inferred
        assert clause.title.strip() and clause.label
        assert clause.text.strip() or clause.in_scope or clause.out_of_scope
        assert clause.source.endswith(name)
    assert any("no clause IDs" in p for p in guidelines.problems)
    return guidelines


def test_plain_pdf_export(tmp_path: Path) -> None:
    guidelines = _plain(tmp_path, "community-standards-export.txt", PDF_EXPORT)
    clauses = guidelines.by_id
    assert list(clauses) == ["COMMUNITY-1.1", "COMMUNITY-1.2", "COMMUNITY-2.1", "COMMUNITY-2.2",
                             "COMMUNITY-3.1"]
    assert {c.label for c in guidelines} == {"harmful_content"}
    assert {c.policy for c in guidelines} == {"Community Standards: Harmful Content"}

    slurs = clauses["COMMUNITY-1.1"]
    assert (slurs.title, slurs.parent_id, slurs.parent_title) == (
        "Slurs and dehumanisation", "COMMUNITY-1", "Hate and harassment")
    assert "18 is reviewed with extra care" in slurs.text  # a wrapped line, not section 18
    assert 'Definitions: A "protected characteristic"' in slurs.text
    assert [e.text for e in slurs.in_scope] == [
        'A song chorus calling [group] "rats" that should be driven out of town.',
        'A podcast episode title: "Why [group] are a disease".']
    assert slurs.in_scope[0].why == "vermin comparison"
    assert slurs.out_of_scope[0].text == (
        "A history lecture quoting wartime propaganda in order to explain how it worked.")
    assert len(slurs.out_of_scope) == 2

    harassment = clauses["COMMUNITY-1.2"]
    assert [e.text[:7] for e in harassment.in_scope] == ["A track", "Cover a"]
    assert len(harassment.out_of_scope) == 2  # "2. Dangerous activities" is not an example

    weapons = clauses["COMMUNITY-2.1"]
    assert weapons.parent_id == "COMMUNITY-2" and weapons.parent_title == "Dangerous activities"
    assert "2.5 million listeners" in weapons.text
    assert len(weapons.in_scope) == 2 and len(weapons.out_of_scope) == 2
    drugs = clauses["COMMUNITY-2.2"]
    assert "Page" not in drugs.text and "3 -" not in drugs.text
    assert [e.text[:5] for e in drugs.out_of_scope] == ["Songs", "Harm-"]  # "Exceptions:"

    self_harm = clauses["COMMUNITY-3.1"]
    assert self_harm.parent_id == "COMMUNITY-3"
    assert "2. whether it gives a method;" in self_harm.text  # a list in the text, not sections
    assert len(self_harm.in_scope) == 2 and len(self_harm.out_of_scope) == 2


def test_plain_markdown_headings(tmp_path: Path) -> None:
    guidelines = _plain(tmp_path, "harassment-policy.md", MARKDOWN_NO_IDS)
    assert [(c.id, c.title, c.parent_id) for c in guidelines] == [
        ("HARASSMENT-1.1", "Threats against individuals", "HARASSMENT-1"),
        ("HARASSMENT-1.2", "Doxxing", "HARASSMENT-1"),
        ("HARASSMENT-2", "Sexual harassment", None),
    ]
    assert {c.label for c in guidelines} == {"harassment"}
    doxxing = guidelines.by_id["HARASSMENT-1.2"]
    assert doxxing.parent_title == "Threats and intimidation"
    assert doxxing.text.startswith("Publishing someone's private information")
    assert "encouraging others to find it" in doxxing.text
    assert [len(c.in_scope) for c in guidelines] == [2, 2, 2]
    assert [len(c.out_of_scope) for c in guidelines] == [2, 2, 2]
    assert doxxing.out_of_scope[0].text == "A business's publicly listed address."


def test_plain_wall_of_paragraphs(tmp_path: Path) -> None:
    guidelines = _plain(tmp_path, "spam-notes.txt", WALL_OF_TEXT)
    assert [c.id for c in guidelines] == ["SPAM-1", "SPAM-2", "SPAM-3", "SPAM-4"]
    assert {c.label for c in guidelines} == {"spam_platform_manipulation"}
    titles = [c.title for c in guidelines]
    assert titles[1] == "Keyword stuffing in titles and descriptions is the most common case"
    assert titles[2] == "Artificial engagement is also covered"
    assert titles[3] == "Misleading links are the last category"
    assert all(len(t) <= 80 for t in titles)
    # The whole paragraph is the clause text: nothing is lost to the title.
    assert guidelines.by_id["SPAM-4"].text.startswith("Misleading links are the last category.")
    assert "merchandise store are allowed." in guidelines.by_id["SPAM-4"].text
    assert all(c.parent_id is None for c in guidelines)


def test_plain_label_line_and_single_paragraph(tmp_path: Path) -> None:
    labelled = _plain(tmp_path, "notes.txt", "Category: Self Harm\n\nOne paragraph of policy.\n")
    assert [(c.label, c.text) for c in labelled] == [("self_harm", "One paragraph of policy.")]
    lone = _plain(tmp_path, "2024_policy.txt", "Just one line of policy text.\n")
    assert [(c.id, c.label, c.title) for c in lone] == [
        ("POLICY-1", "violation", "Just one line of policy text")]


def test_plain_documents_mixed_with_structured(tiny_guidelines: Path) -> None:
    (tiny_guidelines / "harassment-policy.md").write_text(MARKDOWN_NO_IDS, encoding="utf-8")
    guidelines = load_guidelines(tiny_guidelines)
    assert len(guidelines) == 7 and "harassment" in guidelines.labels
    assert not [p for p in check_guidelines(guidelines) if p.severity == "error"]


# -- the sample guidelines ----------------------------------------------------------------------

def test_sample_guidelines_parse_cleanly() -> None:
    guidelines = load_guidelines(SAMPLE_GUIDELINES)
    problems = check_guidelines(guidelines)
    assert [p for p in problems if p.severity == "error"] == []
    assert len(guidelines) >= 40
    thin = [c.id for c in guidelines if len(c.in_scope) < 2 or len(c.out_of_scope) < 2]
    assert thin == []
    assert not any(c.inferred for c in guidelines)
    assert all(c.label and c.text.strip() for c in guidelines)
    assert "allowed" in guidelines.labels and len(guidelines.labels) >= 5


def test_guidelines_list_and_check_json(tiny_guidelines: Path) -> None:
    listed = runner.invoke(app, ["guidelines", "list", str(tiny_guidelines), "--json"])
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == ["HATE-1.1", "HATE-1.2", "SPAM-1.1", "GEN-1.1"]
    assert all(len(r["hash"]) == 16 for r in rows)
    checked = runner.invoke(app, ["guidelines", "check", str(tiny_guidelines), "--json"])
    assert checked.exit_code == 0
    payload = json.loads(checked.stdout)
    assert payload["clauses"] == 4 and payload["problems"] == []
    assert payload["version"] == load_guidelines(tiny_guidelines).version
