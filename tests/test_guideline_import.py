"""Guideline import: synthetic PDF, Word, HTML, markdown and text documents, bad input, the
model-assisted path with span checks, and the two real dev guidelines when present."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import modules_loaded_by
from llmqa.cli import app
from llmqa.errors import ConfigError, InputError
from llmqa.guidelines import load_guidelines
from llmqa.guidelines.importing import DraftClause, ImportResult, import_guideline, write_import
from llmqa.guidelines.importing.writer import clause_id, clause_text
from llmqa.guidelines.model import normalise
from pdf_builder import Text, make_pdf

REPO_ROOT = Path(__file__).resolve().parent.parent
# ../shared/guidelines_dev from the checkout; a git worktree under wt/NAME is one level deeper.
DEV = next((p for p in (REPO_ROOT.parent / "shared" / "guidelines_dev",
                        REPO_ROOT.parent.parent / "shared" / "guidelines_dev") if p.is_dir()),
           None)
runner = CliRunner()


def _clauses(result: ImportResult) -> dict[str, DraftClause]:
    return {d.code: d for d in result.drafts if not d.is_section}


def _round_trips(result: ImportResult, folder: Path) -> None:
    """What the importer found is exactly what llmqa's own parser reads back."""
    write_import(result, folder)
    loaded = load_guidelines(folder)
    assert not loaded.problems
    drafts = [d for d in result.drafts if not d.is_section]
    assert [c.id for c in loaded] == [clause_id(result.prefix, d) for d in drafts]
    for clause, draft in zip(loaded, drafts, strict=True):
        assert clause.label == draft.label and clause.title == normalise(draft.title)
        assert clause.general == draft.general
        assert normalise(clause.text) == normalise(clause_text(draft))
        assert [(e.text.lstrip("\u200b"), e.why) for e in clause.in_scope] == [
            (normalise(e.text), e.why) for e in draft.in_scope]
        assert [e.text.lstrip("\u200b") for e in clause.out_of_scope] == [
            normalise(e.text) for e in draft.out_of_scope]


# -- PDF ----------------------------------------------------------------------------------------

def _policy_pdf() -> bytes:
    header = Text("Acme Trust and Safety - internal", 770, size=9)
    page1 = [header, Text("Harassment Guideline", 730, size=20, bold=True),
             Text("1. Annotator wellbeing", 690, size=14, bold=True),
             Text("Take a break every hour. Tell the wellbeing team if content affects you.", 672),
             Text("2. Harassment categories", 640, size=14, bold=True),
             Text("2.1 Insults", 615, size=12, bold=True),
             Text("Insults attack a person with abusive words about their looks or", 597),
             Text("intelligence.", 584),
             Text("Examples:", 566),
             Text("\u2022 \u201cyou are a worthless idiot\u201d", 548, x=90),
             Text("\u2022 \u201cnobody could love a face like yours\u201d (looks)", 530, x=90),
             Text("Note that insults about a minister's policies are not considered", 506),
             Text("harassment. For instance, \u201cthe minister's plan is idiotic\u201d would "
                  "not count.", 493),
             Text("1", 40, size=9)]
    page2 = [header, Text("2.2 Threats", 730, size=12, bold=True),
             Text("Threats state an intention to harm a person.", 712),
             Text("1. \u201cI will find where you live\u201d", 694, x=90),
             Text("2. \u201cwatch your back tonight\u201d", 676, x=90),
             Text("Clarifications", 650, bold=True),
             Text("\u2022 \u201cI could kill for a coffee\u201d -- this is not a threat", 632,
                  x=90),
             Text("3. Contacts", 600, size=14, bold=True),
             Text("Email the policy team with questions.", 582),
             Text("2", 40, size=9)]
    return make_pdf([page1, page2])


def test_pdf_headings_examples_exclusions_front_matter_furniture(tmp_path: Path) -> None:
    source = tmp_path / "harassment.pdf"
    source.write_bytes(_policy_pdf())
    result = import_guideline(source)
    clauses = _clauses(result)
    assert result.title == "Harassment Guideline"
    assert set(clauses) == {"2.1", "2.2"}
    insults, threats = clauses["2.1"], clauses["2.2"]
    assert insults.label == "insults" and threats.label == "threats"
    assert "abusive words about their looks or intelligence" in insults.text
    assert [e.text for e in insults.in_scope] == ["you are a worthless idiot",
                                                   "nobody could love a face like yours"]
    assert insults.in_scope[1].why == "looks"
    assert [e.text for e in insults.out_of_scope] == ["the minister's plan is idiotic"]
    assert "Not: Note that insults about a minister's policies" in insults.text
    assert [e.text for e in threats.in_scope] == ["I will find where you live",
                                                   "watch your back tonight"]
    assert [e.text for e in threats.out_of_scope] == ["I could kill for a coffee"]
    front = " ".join(result.summary.front_matter)
    assert "Annotator wellbeing" in front and "Contacts" in front
    assert not any("wellbeing" in d.text or "policy team" in d.text for d in result.drafts)
    assert "Acme Trust" not in result.drafts[0].text and result.summary.furniture_removed >= 2
    _round_trips(result, tmp_path / "out")


def test_pdf_without_text_layer_and_encrypted_pdf_are_refused(tmp_path: Path) -> None:
    scanned = tmp_path / "scan.pdf"
    scanned.write_bytes(make_pdf([[]], drawings=["0 0 1 rg 72 72 300 300 re f\n"]))
    with pytest.raises(InputError, match="no text layer"):
        import_guideline(scanned)
    from pypdf import PdfWriter

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(_policy_pdf())
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt("secret", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    writer.write(str(locked))
    with pytest.raises(InputError, match="encrypted"):
        import_guideline(locked)


# -- Word ---------------------------------------------------------------------------------------

def _spam_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Spam Policy", 0)
    document.add_heading("How to use the annotation tool", 1)
    document.add_paragraph("Log in with your team account and open the queue.")
    document.add_heading("Spam categories", 1)
    document.add_paragraph("Each row below is one category annotators can apply.")
    table = document.add_table(rows=1, cols=5)
    for cell, name in zip(table.rows[0].cells, ["Code", "Category", "Subcategory", "Definition",
                                                "Examples"], strict=True):
        cell.text = name
    for row in (["1.1", "Spam", "Keyword stuffing", "Titles stuffed with unrelated search terms.",
                 "\u201cbest lofi chill study beats rap hits 2024\u201d"],
                ["1.2", "", "Fake engagement", "Offers of rewards for follows or likes.",
                 "\u201cfollow for a free gift card\u201d; \u201clike and win\u201d"]):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    bold = document.add_paragraph()
    bold.add_run("Impersonation").bold = True
    document.add_paragraph("Accounts that pretend to be an artist they are not.")
    document.add_paragraph("\u201cOfficial Taylor Swift page, new album here\u201d",
                           style="List Bullet")
    document.save(str(path))


def test_docx_definition_table_bold_heading_and_front_matter(tmp_path: Path) -> None:
    source = tmp_path / "spam.docx"
    _spam_docx(source)
    result = import_guideline(source, prefix="SPAM")
    clauses = _clauses(result)
    assert result.title == "Spam Policy"
    stuffing, engagement = clauses["1.1"], clauses["1.2"]
    assert stuffing.title == "Spam: Keyword stuffing" and stuffing.label == "keyword_stuffing"
    assert stuffing.text == "Titles stuffed with unrelated search terms."
    assert [e.text for e in stuffing.in_scope] == ["best lofi chill study beats rap hits 2024"]
    assert engagement.title == "Spam: Fake engagement"  # the merged category cell carried down
    assert [e.text for e in engagement.in_scope] == ["follow for a free gift card",
                                                     "like and win"]
    impersonation = next(d for d in clauses.values() if d.title == "Impersonation")
    assert [e.text for e in impersonation.in_scope] == [
        "Official Taylor Swift page, new album here"]
    assert any("annotation tool" in f for f in result.summary.front_matter)
    assert all("Log in" not in d.text for d in result.drafts)
    _round_trips(result, tmp_path / "out")


def test_docx_that_is_another_zip_and_empty_files_are_refused(tmp_path: Path) -> None:
    fake = tmp_path / "policy.docx"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("notes.txt", "not a word document")
    with pytest.raises(InputError, match="not a Word document"):
        import_guideline(fake)
    for name in ("empty.pdf", "empty.docx", "empty.txt", "empty.md"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(InputError, match="empty"):
            import_guideline(tmp_path / name)
    (tmp_path / "blank.txt").write_text("  \n\n")
    with pytest.raises(InputError, match="empty"):
        import_guideline(tmp_path / "blank.txt")


# -- HTML, markdown, text -----------------------------------------------------------------------

def test_html_headings_lists_and_not_notes(tmp_path: Path) -> None:
    source = tmp_path / "hate.html"
    source.write_text(
        "<html><head><title>Hate speech</title><style>p {}</style></head><body>"
        "<nav>Home | Policies</nav><h1>Hate speech</h1>"
        "<h2>Dehumanisation</h2><p>Comparing a protected group to vermin or disease.</p>"
        "<p>Examples:</p><ul><li>[group] are rats</li><li>&ldquo;they spread like a plague"
        "&rdquo;</li></ul>"
        "<p>Distinction from insults: comparisons of one named person are not covered here."
        "</p><h2>Slurs</h2><p>Using a slur to attack a group.</p>"
        "<table><tr><th>Term</th><th>Note</th></tr><tr><td>[slur]</td><td>always</td></tr>"
        "</table></body></html>", encoding="utf-8")
    result = import_guideline(source, prefix="HATE")
    clauses = _clauses(result)
    dehum, slurs = clauses["1"], clauses["2"]
    assert dehum.title == "Dehumanisation" and dehum.label == "dehumanisation"
    assert [e.text for e in dehum.in_scope] == ["[group] are rats", "they spread like a plague"]
    assert "Not: Distinction from insults" in dehum.text
    assert "Home | Policies" not in " ".join(d.text for d in result.drafts)
    assert "[slur] | always" in slurs.text
    assert any("table rows kept as text" in n for n in result.summary.not_understood)
    _round_trips(result, tmp_path / "out")


def test_text_numbered_and_lettered_headings_at_any_depth(tmp_path: Path) -> None:
    source = tmp_path / "violence.txt"
    source.write_text(
        "Violence guideline\n\nPage 1 of 2\n\n1. Scope\nThis guideline covers violent speech.\n\n"
        "2. Threats\n\n2.1 Direct threats\nA threat names a target and a harm.\n"
        "For example:\n- \"I will hurt you tomorrow\"\n- \"you are next\"\n\n"
        "2.3 Conditional threats\nA threat that depends on a condition.\n\n"
        "a) Against people\nIf you come here I will break your arm.\n"
        "b) Against property\nThreats to damage property, not people.\n"
        "Exclusions: hyperbole such as \"I could murder a pizza\" is not covered.\n\n"
        "Page 2 of 2\n", encoding="utf-8")
    result = import_guideline(source)
    clauses = _clauses(result)
    assert {"1", "2.1", "2.3.a", "2.3.b"} <= set(clauses)
    assert [e.text for e in clauses["2.1"].in_scope] == ["I will hurt you tomorrow", "you are next"]
    assert [e.text for e in clauses["2.3.b"].out_of_scope] == ["I could murder a pizza"]
    assert not any("Page 1 of 2" in d.text for d in result.drafts)
    _round_trips(result, tmp_path / "out")


def test_fontless_text_keeps_lettered_label_codes_and_wrapped_items(tmp_path: Path) -> None:
    """What pypdf's text gives (no fonts): a lettered item naming a label keeps its letter, and
    a numbered list item cut off inside a parenthesis is not the next top-level section."""
    source = tmp_path / "events.txt"
    source.write_text(
        "1. Scope\nPosts from support forums.\n\n2. Event types\nThe types we annotate.\n"
        "a) Suicidal action - Label: ACTION\nActions that bring a person closer to dying.\n"
        "\u25cf \u201cI tried last night\u201d\n"
        "b) Ideation - Label: IDEATION\nThoughts of dying.\n\n"
        "3. Support for hateful entities\nThis includes:\n1. Endorsing hateful groups.\n"
        "2. Denying atrocities.\n3. Recruiting for hateful groups.\n"
        "4. Using symbols associated with hateful groups (e.g. the\nSwastika).\n"
        "The target is the entity glorified.\n", encoding="utf-8")
    result = import_guideline(source)
    clauses = _clauses(result)
    assert (clauses["2.a"].label, clauses["2.b"].label) == ("action", "ideation")
    assert [e.text for e in clauses["2.a"].in_scope] == ["I tried last night"]
    assert set(clauses) == {"1", "2.a", "2.b", "3"}
    assert "Swastika" in clauses["3"].text
    _round_trips(result, tmp_path / "out")


def test_markdown_labels_named_in_the_document(tmp_path: Path) -> None:
    source = tmp_path / "events.md"
    source.write_text(
        "# Event guideline\n\n## 1. Contact\nWrite to the team lead.\n\n"
        "## 2. Event types\n\n**a) Suicidal action - Label: ACTION**\n\n"
        "Actions that bring a person closer to dying.\n\n- \u201cI tried last night\u201d\n\n"
        "**b) Risk factors (RF)**\n\nEvents that raise the risk.\n\n"
        "- Loss of Life - Label: RF-LIFE\n  - A death is mentioned.\n"
        "  - \u201cMy dog just died\u201d\n- Health - Label: RF-HEALTH\n"
        "  - \u201cI have been drinking a lot\u201d\n", encoding="utf-8")
    result = import_guideline(source, prefix="SED")
    clauses = _clauses(result)
    assert clauses["2.a"].label == "action" and clauses["2.a"].title == "Suicidal action"
    assert clauses["2.b.1"].label == "rf-life" and clauses["2.b.1"].title == "Loss of Life"
    assert [e.text for e in clauses["2.b.1"].in_scope] == ["My dog just died"]
    assert clauses["2.b.2"].label == "rf-health"
    assert any("Contact" in f for f in result.summary.front_matter)
    _round_trips(result, tmp_path / "out")
    assert load_guidelines(tmp_path / "out").by_id["SED-2.b.1"].parent_id == "SED-2.b"


def test_plain_sub_heading_between_paragraphs_scopes_its_examples(tmp_path: Path) -> None:
    source = tmp_path / "threats.txt"
    source.write_text(
        "1. Threats\nA threat states an intention to harm a group.\n"
        "For instance, it may involve statements like:\n"
        "1. \u201cI am going to attack every X\u201d\n2. \u201cwe will hurt them all\u201d\n"
        "Clarifications on threats\nFinally, a few cases that are not threats:\n"
        "1. \u201cI could kill for a coffee\u201d - hyperbole\n"
        "2. Threats\nThis second heading continues the sequence.\n", encoding="utf-8")
    clauses = _clauses(import_guideline(source))
    threats = clauses["1"]
    assert [e.text for e in threats.in_scope] == ["I am going to attack every X",
                                                   "we will hurt them all"]
    assert [(e.text, e.why) for e in threats.out_of_scope] == [("I could kill for a coffee",
                                                                "hyperbole")]
    assert "2" in clauses  # "2. Threats" is the next section, the numbered examples are not


def test_label_lines_and_scope_lists_in_a_markdown_export(tmp_path: Path) -> None:
    source = tmp_path / "drugs.md"
    source.write_text("# Drugs\n\n## Sale of drugs\nLabel: drugs\nOffers to sell drugs.\n\n"
                      "In scope:\n- selling [drug name], DM me\n\nOut of scope:\n"
                      "- a news story about a drug bust\n", encoding="utf-8")
    result = import_guideline(source)
    sale = _clauses(result)["1"]
    assert sale.label == "drugs" and sale.text == "Offers to sell drugs."
    assert [e.text for e in sale.in_scope] == ["selling [drug name], DM me"]
    assert [e.text for e in sale.out_of_scope] == ["a news story about a drug bust"]
    assert not result.summary.notes  # not llmqa's format: no IDs in the headings
    _round_trips(result, tmp_path / "out")


def test_unstructured_document_still_yields_clauses_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("we remove posts that insult people for their looks, mostly\n\n"
                      "we also remove spam links posted in comments over and over\n",
                      encoding="utf-8")
    result = import_guideline(source)
    assert len(_clauses(result)) == 2
    assert result.summary.not_understood
    _round_trips(result, tmp_path / "out")


# -- CLI ----------------------------------------------------------------------------------------

def test_cli_import_writes_and_summarises(tmp_path: Path) -> None:
    source = tmp_path / "harassment.pdf"
    source.write_bytes(_policy_pdf())
    out = tmp_path / "guidelines"
    result = runner.invoke(app, ["guidelines", "import", str(source), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["clauses"] == 2 and summary["labels"] == {"insults": 1, "threats": 1}
    assert (out / "harassment.md").is_file()
    again = runner.invoke(app, ["guidelines", "import", str(source), "-o", str(out)])
    assert again.exit_code != 0  # exists: no overwrite without --force
    text = runner.invoke(app, ["guidelines", "import", str(source), "-o", str(out), "--force"])
    assert text.exit_code == 0 and "left out as front matter" in text.stdout
    # The printed next step works as printed, in the current spelling (no deprecation warning).
    hint = text.stdout.rsplit("`llmqa ", 1)[1].split("`")[0].split()
    assert hint == ["guidelines", "check", "-g", str(out)]
    check = runner.invoke(app, hint)
    assert check.exit_code == 0 and "2 clauses" in check.stdout
    assert "deprecated" not in check.stderr
    bad = runner.invoke(app, ["guidelines", "import", str(source), "-o", str(tmp_path / "x"),
                              "--prefix", "not-ok"])
    assert isinstance(bad.exception, ConfigError) and bad.exception.exit_code == 2


def test_cli_bad_input_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    done = subprocess.run([sys.executable, "-m", "llmqa", "guidelines", "import",
                           str(tmp_path / "empty.pdf"), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error:") and "Traceback" not in done.stderr


# -- model-assisted structuring -----------------------------------------------------------------

def test_model_proposal_keeps_only_spans_of_the_document(tmp_path: Path) -> None:
    from llmqa.guidelines.importing.assisted import import_with_model
    from llmqa.llm import ChatSeam, FakeChatModel

    source = tmp_path / "harassment.pdf"
    source.write_bytes(_policy_pdf())
    proposal = {"title": "Harassment Guideline", "front_matter": ["1. Annotator wellbeing"],
                "clauses": [
                    {"code": "2.1", "title": "Insults", "label": "Insults", "section":
                     "Harassment categories",
                     "text": "Insults attack a person with abusive words about their looks or\n"
                             "intelligence.\nInsults are always removed within the hour.",
                     "in_scope": ["\u201cyou are a worthless idiot\u201d", "you smell awful"],
                     "out_of_scope": ["the minister's plan is idiotic"]},
                    {"code": "2.9", "title": "Doxxing", "label": "doxxing",
                     "text": "Sharing a home address.", "in_scope": [], "out_of_scope": []}]}
    model = FakeChatModel([proposal])
    result = import_with_model(source, ChatSeam(model, name="fake"))
    clauses = _clauses(result)
    assert list(clauses) == ["2.1"]  # the invented clause is gone
    insults = clauses["2.1"]
    assert insults.text == ("Insults attack a person with abusive words about their looks or "
                            "intelligence.")
    assert [e.text for e in insults.in_scope] == ["you are a worthless idiot"]
    assert [e.text for e in insults.out_of_scope] == ["the minister's plan is idiotic"]
    rejected = "\n".join(result.summary.rejected_spans)
    assert "always removed within the hour" in rejected and "you smell awful" in rejected
    assert "Doxxing" in rejected and result.summary.method == "model:fake"
    sent = model.calls[0]["messages"]
    assert "verbatim" in sent[0].content and "2.1 Insults" in sent[-1].content
    _round_trips(result, tmp_path / "out")


def test_model_failure_falls_back_to_the_offline_structure(tmp_path: Path) -> None:
    from llmqa.guidelines.importing.assisted import import_with_model
    from llmqa.llm import ChatSeam, FakeChatModel

    source = tmp_path / "harassment.pdf"
    source.write_bytes(_policy_pdf())
    result = import_with_model(source, ChatSeam(FakeChatModel(["not json at all"]), name="fake"))
    assert set(_clauses(result)) == {"2.1", "2.2"} and result.summary.method == "offline"
    assert any("offline structure is used" in n for n in result.summary.notes)


# -- the two real dev guidelines ----------------------------------------------------------------

needs_dev = pytest.mark.skipif(DEV is None, reason="../shared/guidelines_dev is not present")


@needs_dev
def test_dev_codebook_taxonomy(tmp_path: Path) -> None:
    assert DEV is not None
    result = import_guideline(DEV / "learning-from-the-worst-codebook.pdf", prefix="LFTW")
    clauses = _clauses(result)
    expected = {"3.1": "threatening_language", "3.2": "dehumanisation",
                "3.3": "support_for_hateful_entities", "3.4": "derogation", "3.5": "animosity"}
    for code, label in expected.items():
        assert clauses[code].label == label and clauses[code].text
    assert "I am going to attack every X" in [e.text for e in clauses["3.1"].in_scope]
    assert "I’m going to punch you in the face Joey" in [
        e.text for e in clauses["3.1"].out_of_scope]
    assert "X are all terrorists" in [e.text for e in clauses["3.4"].in_scope]  # (e.g. ‘...’)
    # "What is hate?" and "What is an identity?" sit beside the taxonomy: guidance.
    assert [c for c, d in clauses.items() if d.general] == ["1", "2"]
    counts = {code: (len(clauses[code].in_scope), len(clauses[code].out_of_scope))
              for code in expected}
    assert counts == {"3.1": (21, 7), "3.2": (2, 1), "3.3": (2, 0), "3.4": (14, 0),
                      "3.5": (8, 0)}  # as evals/data/guideline_import_expected.json
    assert "They Will Not Replace Us" in [e.text for e in clauses["3.3"].in_scope]  # e.g. ‘…’
    assert any("CONTENT WARNING" in f for f in result.summary.front_matter)
    assert all("Please be advised" not in d.text for d in result.drafts)
    _round_trips(result, tmp_path / "out")


@needs_dev
def test_dev_suicidal_event_guideline(tmp_path: Path) -> None:
    assert DEV is not None
    result = import_guideline(DEV / "suicidal-event-detection-guideline.pdf", prefix="SED")
    clauses = _clauses(result)
    expected = {"2.a": "action", "2.b": "ideation", "2.c.1": "rf-life",
                "2.c.2": "rf-relationship", "2.c.3": "rf-health", "2.c.4": "rf-other",
                "2.d": "protective"}
    for code, label in expected.items():
        assert clauses[code].label == label and clauses[code].text and clauses[code].in_scope
    assert "I tried to kill myself last night" in [e.text for e in clauses["2.a"].in_scope]
    # General annotation guidelines, supplemental notes, worked examples: beside the types.
    assert [c for c, d in clauses.items() if d.general] == ["3", "4", "5"]
    front = " ".join(result.summary.front_matter)
    assert "Introduction" in front and "Communication" in front and "Workload" in front
    assert all("Slack" not in d.text for d in result.drafts)
    _round_trips(result, tmp_path / "out")


def test_cli_import_with_an_openai_compatible_model(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from llmqa.testing import OpenAIStub
    from llmqa.testing.openai_stub import Behaviour

    monkeypatch.setenv("OPENAI_API_KEY", "test")
    source = tmp_path / "harassment.pdf"
    source.write_bytes(_policy_pdf())
    proposal = {"title": "Harassment Guideline", "front_matter": [], "clauses": [
        {"code": "2.2", "title": "Threats", "label": "threats", "section": "",
         "text": "Threats state an intention to harm a person.",
         "in_scope": ["I will find where you live", "I will burn your house"],
         "out_of_scope": []}]}
    with OpenAIStub() as stub:
        stub.add(Behaviour(content=json.dumps(proposal)), times=None)
        result = runner.invoke(app, ["guidelines", "import", str(source), "-o",
                                     str(tmp_path / "out"), "-m", "stub-model", "--base-url",
                                     stub.url, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["method"] == "model:stub-model" and summary["clauses"] == 1
    assert summary["in_scope_examples"] == 1
    assert any("I will burn your house" in r for r in summary["rejected_spans"])


def test_a_label_that_reads_as_no_violation_is_declared_for_review(tmp_path: Path) -> None:
    # A codebook whose benign category is a label of its own: the import declares it, so the
    # judge is not offered "allowed" besides, and says so for a person to confirm.
    source = tmp_path / "abuse.md"
    source.write_text(
        "# Abuse codebook\n\n## 1. Abusive - Label: ABUSIVE\nContent that attacks a person.\n\n"
        "- \u201cyou are worthless\u201d\n\n## 2. Not abusive - Label: NOT-ABUSIVE\n"
        "Content that attacks no one.\n\n- \u201cI disagree with you\u201d\n", encoding="utf-8")
    result = import_guideline(source, prefix="AB")
    assert result.no_violation_label == "not-abusive"
    written = write_import(result, tmp_path / "out")
    assert "No-violation label: not-abusive" in written.read_text()
    assert load_guidelines(tmp_path / "out").labels == ("abusive", "not-abusive")
    done = runner.invoke(app, ["guidelines", "import", str(source), "-o", str(tmp_path / "cli"),
                               "--prefix", "AB"])
    assert done.exit_code == 0, done.output
    assert "declared not-abusive as the no-violation label" in done.output


def test_a_document_given_as_guidelines_points_to_the_import(tmp_path: Path) -> None:
    from llmqa.errors import GuidelineError
    from llmqa.guidelines import load_guidelines

    pdf = tmp_path / "policy.pdf"
    pdf.write_bytes(_policy_pdf())
    with pytest.raises(GuidelineError) as refused:
        load_guidelines(pdf)
    assert refused.value.describe(lambda step: f"`llmqa {step.name}`") == (
        f"{pdf}: a .pdf document is not read as guidelines; turn a document into clauses with "
        "`llmqa guidelines import` first")
    with pytest.raises(GuidelineError, match=r"1 document\(s\) such as policy.pdf; turn"):
        load_guidelines(tmp_path)


def test_loading_markdown_guidelines_does_not_load_the_importer() -> None:
    # The document check runs on every load; the importer loads only for a document.
    loaded = modules_loaded_by("from llmqa.guidelines import load_guidelines; "
                               "load_guidelines('guidelines/hate.md'); "
                               "load_guidelines('guidelines')")
    assert "llmqa.guidelines.importing" not in loaded

