"""Error themes for annotators: which annotations were wrong, grouped, rendered as markdown."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from llmqa.guidelines import GuidelineSet, load_guidelines
from llmqa.items import Item
from llmqa.themes import NO_CLAUSE, find_mistakes, render_themes


def item(item_id: str, text: str, *labels: tuple[str, str, str | None],
         project: str = "podcasts") -> Item:
    return Item.model_validate({
        "id": item_id, "project": project, "content": {"modality": "text", "text": text},
        "annotations": [{"annotator": a, "label": label, "clause_id": clause}
                        for a, label, clause in labels]})


ITEMS = [
    # ann2 over-applies HATE-1.1 to history content, again and again.
    item("t1", "A historian on propaganda calling [group] vermin. Follow @histpod",
         ("ann1", "allowed", "GEN-1.1"), ("ann2", "hate", "HATE-1.1"), ("ann3", "allowed", None)),
    item("t2", "Documentary: how [group] were called rats in wartime posters",
         ("ann1", "allowed", "GEN-1.1"), ("ann2", "hate", "HATE-1.1"), ("ann4", "allowed", None)),
    item("t3", "Lecture on the history of a slur", ("ann3", "allowed", "GEN-1.1"),
         ("ann2", "hate", "HATE-1.1"), ("ann4", "allowed", "GEN-1.1"), project="audiobooks"),
    # Everyone waved this one through; the judge says it is spam.
    item("t4", "free download free download top hits", ("ann1", "allowed", None),
         ("ann3", "allowed", None), ("ann4", "allowed", None)),
    item("t5", "best music viral trending free download", ("ann1", "allowed", None),
         ("ann3", "allowed", None), ("ann2", "spam", "SPAM-1.1")),
    # A tie and an ambiguous one: nobody is clearly wrong.
    item("t6", "tie", ("ann1", "hate", None), ("ann2", "allowed", None)),
    item("t7", "ambiguous satire", ("ann1", "hate", None), ("ann3", "hate", None),
         ("ann4", "allowed", None)),
    item("t8", "[group] are rats", ("ann1", "hate", "HATE-1.1"), ("ann3", "hate", "HATE-1.1"),
         ("ann4", "hate", "HATE-1.1")),
]
VERDICTS: dict[str, dict[str, Any]] = {
    "t4": {"status": "ok", "verdict": "likely_error", "suggested_label": "spam",
           "cited_clause_ids": ["SPAM-1.1"]},
    "t5": {"status": "ok", "verdict": "likely_error", "suggested_label": "spam",
           "cited_clause_ids": ["SPAM-1.1"]},
    "t7": {"status": "ok", "verdict": "ambiguous", "suggested_label": "hate",
           "cited_clause_ids": []},
    "t8": {"status": "parse_error", "verdict": None, "suggested_label": None},
}


@pytest.fixture
def guidelines(tiny_guidelines: Path) -> GuidelineSet:
    return load_guidelines(tiny_guidelines)


def test_mistakes_use_the_judge_where_it_flags_and_the_consensus_elsewhere(
        guidelines: GuidelineSet) -> None:
    summary = find_mistakes(ITEMS, VERDICTS, guidelines)
    wrong = {(m.item_id, m.annotator): (m.given, m.expected, m.clause_id, m.by)
             for m in summary.mistakes}
    assert wrong[("t1", "ann2")] == ("hate", "allowed", "GEN-1.1", "consensus")
    assert wrong[("t4", "ann1")] == ("allowed", "spam", "SPAM-1.1", "judge")
    assert ("t5", "ann2") not in wrong  # the one who was right
    assert not any(m.item_id in ("t6", "t7", "t8") for m in summary.mistakes)
    assert summary.left_out == {"no consensus (tie or no rating)": 1,
                                "the judge found it ambiguous": 1}
    assert summary.references["t8"].by == "consensus"  # a failed verdict is no verdict
    assert summary.n_annotations == sum(len(i.annotations) for i in ITEMS)


def test_a_mistake_with_no_reference_clause_is_filed_under_the_cited_one() -> None:
    items = [item("u1", "plain", ("a", "allowed", None), ("b", "allowed", None),
                  ("c", "spam", "SPAM-1.1")),
             item("u2", "plain", ("a", "allowed", None), ("b", "allowed", None),
                  ("c", "hate", None))]
    summary = find_mistakes(items)
    assert sorted(m.clause_id for m in summary.mistakes) == [NO_CLAUSE, "SPAM-1.1"]


def test_the_report_groups_by_clause_and_annotator_with_examples(
        guidelines: GuidelineSet) -> None:
    report = render_themes(find_mistakes(ITEMS, VERDICTS, guidelines), guidelines)
    assert report.startswith("# Recurring annotation error themes\n")
    assert "## By project" in report and "| audiobooks | 1 | 3 | 1 | 33.3% |" in report
    by_clause = report.split("## By clause")[1].split("## By annotator")[0]
    assert "### GEN-1.1 News and history" in by_clause
    assert "**labelled hate, should be allowed**: 3 (ann2 ×3)" in by_clause
    assert "### SPAM-1.1 Keyword stuffing" in by_clause
    assert "**labelled allowed, should be spam**: 5" in by_clause
    by_annotator = report.split("## By annotator")[1]
    assert "### ann2" in by_annotator and "3 of 5 annotations (60.0%)" in by_annotator
    assert ("**flags allowed content as a violation**: 3 (hate → allowed ×3; GEN-1.1 ×3)"
            in by_annotator)
    assert "**misses violations (labels them allowed)**: 2" in by_annotator
    # Representative items: at most three per theme, anonymized, with the expected label.
    assert by_clause.index("### SPAM-1.1") < by_clause.index("### GEN-1.1")  # most first
    assert by_clause.split("### GEN-1.1")[1].count("  - `t") == 3
    assert "[handle]" in report and "@histpod" not in report
    assert "expected **spam** (judge)" in report


def test_the_report_is_deterministic(guidelines: GuidelineSet) -> None:
    first = render_themes(find_mistakes(ITEMS, VERDICTS, guidelines), guidelines)
    second = render_themes(find_mistakes(list(reversed(ITEMS)), dict(VERDICTS), guidelines),
                           guidelines)
    assert first == second


def test_min_count_and_top_limit_what_is_listed(guidelines: GuidelineSet) -> None:
    summary = find_mistakes(ITEMS, VERDICTS, guidelines)
    high = render_themes(summary, guidelines, min_count=10)
    assert "No recurring theme by clause." in high and "No recurring theme by annotator." in high
    one = render_themes(summary, guidelines, top=1, examples=1)
    assert one.split("## By clause")[1].split("## By annotator")[0].count("### ") == 1
    assert one.split("## By clause")[1].split("## By annotator")[0].count("  - `t") <= 2


def test_a_task_without_allowed_and_a_crowd_of_annotators() -> None:
    # As MD-Agreement: offensive / not_offensive, hundreds of annotators. The themes by
    # annotator are the confusions (not "picks the wrong violation label"), a theme names its
    # ten most frequent annotators and counts the rest, and a few annotations do not outrank
    # a habit shown many times.
    items = [item(f"c{n}", f"text {n}", ("steady", "offensive", None),
                  (f"crowd{n}", "offensive", None), (f"x{n}", "not_offensive", None),
                  (f"y{n}", "not_offensive", None), (f"z{n}", "not_offensive", None))
             for n in range(40)]
    items += [item(f"s{n}", f"short {n}", ("steady", "not_offensive", None),
                   (f"v{n}", "not_offensive", None), (f"w{n}", "not_offensive", None))
              for n in range(20)]
    items += [item(f"b{n}", f"brief {n}", ("brief", "offensive", None),
                   (f"u{n}", "not_offensive", None), (f"t{n}", "not_offensive", None))
              for n in range(2)]
    report = render_themes(find_mistakes(items))
    by_clause, by_annotator = report.split("## By annotator")
    # 40 + 40 + 2 wrong annotations by 42 annotators: ten named, then a count.
    assert "**labelled offensive, should be not_offensive**: 82 (steady ×40, brief ×2, " in (
        by_clause)
    assert ", +32 more)" in by_clause
    # No clause anywhere: the section says so and files nothing under "(no clause)".
    assert "## By label confusion\n\nNo annotation or judge's verdict names a clause" in by_clause
    assert "## By clause" not in report and NO_CLAUSE not in report
    assert "wrong violation label" not in by_annotator
    assert "**labelled offensive, should be not_offensive**: 40" in by_annotator
    # brief: 2 wrong of 2 (100%); steady: 40 of 60. steady's habit is the surer one.
    assert by_annotator.index("### steady") < by_annotator.index("### brief")


def test_batch_text_cannot_inject_markup_into_the_report() -> None:
    # The report goes to annotators' wikis; an item's words and an annotator's name are data.
    words = "Win <img src=x onerror=alert(1)> [prize](javascript:steal()) `x` a|b"
    items = [item(f"h{n}", words, ("<b>eve</b>", "spam", None), ("a2", "allowed", None),
                  ("a3", "allowed", None)) for n in range(2)]
    report = render_themes(find_mistakes(items))
    assert not re.search(r"(?<!\\)[<>]", report) and "](javascript" not in report
    assert "\\<img src=x onerror=alert(1)\\> [prize]\\(javascript:steal()) \\`x\\` a\\|b" in report
    assert "### \\<b\\>eve\\</b\\>" in report and "labelled spam, should be allowed" in report


def test_a_theme_shows_its_clearest_cases_first() -> None:
    # Against the consensus, a 4-1 item (one annotator slipped) illustrates "should be
    # not_offensive" better than a 3-2 one (two annotators' word against three); an item an
    # analyst decided comes before both.
    def crowd(item_id: str, offensive: int, not_offensive: int) -> Item:
        votes = [("offensive", None)] * offensive + [("not_offensive", None)] * not_offensive
        return item(item_id, f"text {item_id}",
                    *((f"{item_id}-a{n}", label, clause) for n, (label, clause) in
                      enumerate(votes)))

    items = [crowd("a-split", 2, 3), crowd("b-clear", 1, 4), crowd("c-decided", 3, 2)]
    first = render_themes(find_mistakes(items), examples=1)
    assert "`b-clear`" in first and "`a-split`" not in first
    decided = render_themes(find_mistakes(items, gold={"c-decided": "not_offensive"}),
                            examples=2)
    by_clause = decided.split("## By annotator")[0]
    assert by_clause.index("`c-decided`") < by_clause.index("`b-clear`")
    assert "`a-split`" not in by_clause


def test_cli_themes_writes_markdown(tmp_home: Path, tiny_guidelines: Path) -> None:
    from llmqa.cli import app  # the real one: old flag spellings are rewritten there

    path = tmp_home / "items.jsonl"
    path.write_text("".join(i.model_dump_json() + "\n" for i in ITEMS))
    out = tmp_home / "themes.md"
    result = CliRunner().invoke(app, ["themes", str(path), "-g", str(tiny_guidelines),
                                      "--out", str(out), "--project", "podcasts"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "## By clause" in text and "audiobooks" not in text
    assert "t3" not in text  # the audiobooks item is filtered out
    result = CliRunner().invoke(app, ["themes", str(path), "--method", "nope"])
    assert result.exit_code != 0
