"""Guideline import: how exemplars are recovered from running text, one small synthetic
document per rule (lists after "e.g." without parentheses, contrasting exclusions, citations,
bare quoted lines, where a list of examples ends, note headings, bold line tails)."""

from __future__ import annotations

from pathlib import Path

from llmqa.guidelines.importing import DraftClause, ImportResult, import_guideline
from pdf_builder import Text, make_pdf


def _clauses(result: ImportResult) -> dict[str, DraftClause]:
    return {d.code: d for d in result.drafts if not d.is_section}


def _import(tmp_path: Path, text: str, name: str = "policy.txt") -> ImportResult:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    return import_guideline(source)


def _texts(examples: list) -> list[str]:
    return [e.text for e in examples]


def test_quotations_listed_after_eg_without_parentheses(tmp_path: Path) -> None:
    result = _import(tmp_path, "1. Slurs\n"
                     "Using a slur against a group, e.g. \u2018you [slur]\u2019 and \u2018go home "
                     "[slur]\u2019 \u2013 both attack a group.\n"
                     "Mocking names count too, for example \u201cdirty [group]\u201d, or "
                     "\u201c[group] scum\u201d.\n"
                     "Name-calling in general, e.g. calling someone a fool, is not a slur.\n"
                     "2. Insults\nInsults attack one person.\n")
    slurs = _clauses(result)["1"]
    assert _texts(slurs.in_scope) == ["you [slur]", "go home [slur]", "dirty [group]",
                                      "[group] scum"]
    assert slurs.out_of_scope == []


def test_parenthesis_closing_inside_a_quotation_does_not_end_the_list(tmp_path: Path) -> None:
    result = _import(tmp_path, "1. Derogation\nAbsolute statements of negativity (e.g. "
                     "\u2018X are lowlife\u2019 or \u2018X are thick as a brick)\u2019. Slurs "
                     "(i.e. not reclaimed ones) also count.\n2. Other\nAnything else.\n")
    assert _texts(_clauses(result)["1"].in_scope) == ["X are lowlife", "X are thick as a brick"]


def test_a_sentence_contrasting_a_non_case_with_a_case_splits_them(tmp_path: Path) -> None:
    result = _import(tmp_path, "1. Dehumanisation\nComparing a group to vermin.\n\n"
                     "Implied comparisons do not count on their own. For instance, \u2018women "
                     "are objects\u2019 would not count as dehumanisation but \u2018women are "
                     "cockroaches, stamp them out\u2019 would. As the Safety Forum put it: "
                     "\u201cNot all animal words are dehumanising\u201d\n\n2. Other\nElse.\n")
    dehumanisation = _clauses(result)["1"]
    assert _texts(dehumanisation.out_of_scope) == ["women are objects"]
    assert _texts(dehumanisation.in_scope) == ["women are cockroaches, stamp them out"]
    assert "Not: Implied comparisons" in dehumanisation.text  # the note itself is kept


def test_quotations_in_an_exclusion_are_out_of_scope_unless_cited(tmp_path: Path) -> None:
    result = _import(tmp_path, "1. Insults\nInsults attack a person.\n\n"
                     "Criticism of policies is not covered here. \u201cthe plan is idiotic\u201d "
                     "is fine, and posts that say \u2018vote them out\u2019 are not insults "
                     "either. According to the Safety Forum, \u201cmost rudeness is not "
                     "abuse\u201d.\n\n2. Other\nElse.\n")
    insults = _clauses(result)["1"]
    assert _texts(insults.out_of_scope) == ["the plan is idiotic", "vote them out"]
    assert insults.in_scope == []


def test_bare_quoted_lines_after_a_lead_in_are_examples(tmp_path: Path) -> None:
    result = _import(tmp_path, "1. Threats\nA threat states an intention to harm.\n"
                     "For instance, statements like:\n\n\u201cI will find you\u201d\n\n"
                     "\u201cwatch your back\u201d (implicit)\n\n"
                     "\u201cyou are next\u201d \u201csleep with one eye open\u201d\n\n"
                     "Threats are serious.\n\n\u201cthis line follows a plain paragraph\u201d "
                     "is how one might begin a sentence.\n\n2. Other\nElse.\n")
    threats = _clauses(result)["1"]
    assert [(e.text, e.why) for e in threats.in_scope] == [
        ("I will find you", None), ("watch your back", "implicit"), ("you are next", None),
        ("sleep with one eye open", None)]
    assert "this line follows a plain paragraph" in threats.text


def test_a_list_of_examples_ends_at_a_note_or_a_table(tmp_path: Path) -> None:
    result = _import(tmp_path, "# Policy\n\n## 1. Spam\nRepeated unsolicited links.\n\n"
                     "Examples:\n- buy followers here\n- cheap watches, click now\n\n"
                     "Note: reviewers see the whole thread.\n- the reply thread\n\n"
                     "## 2. Scams\nFake offers.\n\nExamples:\n- send a fee to claim your prize\n"
                     "| Term | Note |\n|---|---|\n| prize | often |\n- the table's footnote\n",
                     name="policy.md")
    clauses = _clauses(result)
    assert _texts(clauses["1"].in_scope) == ["buy followers here", "cheap watches, click now"]
    assert "- the reply thread" in clauses["1"].text
    assert _texts(clauses["2"].in_scope) == ["send a fee to claim your prize"]
    assert "- the table's footnote" in clauses["2"].text


def test_quotations_under_a_note_heading_are_kept_as_text(tmp_path: Path) -> None:
    result = _import(tmp_path, "# Policy\n\n## 1. Insults\nInsults attack a person.\n\n"
                     "- \u201cyou idiot\u201d\n\n### A note on reclaimed words\n"
                     "Some words, e.g. \u2018[slur]\u2019, are reclaimed by the group.\n\n"
                     "- \u201cwe [slur]s stick together\u201d (None)\n\n"
                     "### More insults\n- \u201cyou clown\u201d\n\n"
                     "## 2. Threats\n- \u201cI will hurt you\u201d\n", name="policy.md")
    clauses = _clauses(result)
    assert _texts(clauses["1"].in_scope) == ["you idiot", "you clown"]
    assert "we [slur]s stick together" in clauses["1"].text
    assert any("A note on reclaimed words" in n and "2 quotations" in n
               for n in result.summary.not_understood)
    assert _texts(clauses["2"].in_scope) == ["I will hurt you"]


def test_a_bold_line_tail_or_bold_bullet_is_not_a_heading(tmp_path: Path) -> None:
    """A wrapped line whose tail is set in bold, or a bold bullet, stays in the list: read as
    a sub-heading it would end the clarifications and turn the cases after it in scope."""
    pdf = make_pdf([[Text("Insult Policy", 740, size=18, bold=True),
                     Text("1. Insults", 700, size=14, bold=True),
                     Text("Insults attack one person.", 680),
                     Text("Clarifications", 662, bold=True),
                     Text("\u2022 Kind uses are not insults, e.g. \u201cyou are such a", 644,
                          x=90),
                     Text("sweetheart\u201d", 630, bold=True, x=100),
                     Text("\u2022 \u201cyou absolute legend\u201d - praise", 612, x=90),
                     Text("\u2022 \u201cyou are a star\u201d", 594, x=90, bold=True),
                     Text("2. Threats", 560, size=14, bold=True),
                     Text("Threats state an intention to harm.", 542)]])
    source = tmp_path / "insults.pdf"
    source.write_bytes(pdf)
    result = import_guideline(source)
    clauses = _clauses(result)
    assert set(clauses) == {"1", "2"}
    insults = clauses["1"]
    assert _texts(insults.out_of_scope) == ["you absolute legend", "you are a star"]
    assert insults.in_scope == []
    assert "sweetheart" in insults.text
