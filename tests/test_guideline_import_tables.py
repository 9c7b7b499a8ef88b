"""Guideline import: a definition table set without ruling lines, rebuilt from word positions
(pdfplumber) or from pypdf's layout text when pdfplumber is missing or fails."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from llmqa.guidelines.importing import DraftClause, ImportResult, import_guideline
from pdf_builder import Text, make_pdf

COLUMNS = (72, 140, 210, 295, 450)  # label, category, subcategory, definition, examples
ROWS = [  # (label, category, subcategory, definition lines, example lines)
    ("hate_threat", "Hate", "Threats", ["Statements of intent to", "harm a protected group."],
     ["\u201cI will hurt them all\u201d", "\u201cthey will pay\u201d"]),
    ("hate_slur", "", "Slurs", ["Slurs used to attack a group."], ["\u201cgo home [slur]\u201d"]),
    ("spam_link", "Spam", "Links", ["Repeated links to outside", "sites, posted to sell."],
     ["\u201cclick here for free coins\u201d"]),
]


def _table_pdf(spaced: bool, columns: tuple[int, ...] = COLUMNS) -> bytes:
    lines = [Text("Moderation Guideline", 740, size=18, bold=True),
             Text("1. Scope", 710, size=14, bold=True),
             Text("This guideline covers hate and spam in comments.", 692),
             Text("2. Categories", 662, size=14, bold=True),
             Text("Each row of the table is one category annotators apply.", 644)]
    y = 620.0
    for x, name in zip(columns, ("Label", "Category", "Subcategory", "Definition",
                                 "Examples"), strict=True):
        lines.append(Text(name, y, bold=True, x=x))
    for label, category, sub, definition, examples in ROWS:
        y -= 20 if spaced else 14
        for number in range(max(len(definition), len(examples))):
            if number:
                y -= 14
            cells = [label, category, sub] if number == 0 else ["", "", ""]
            cells += [definition[number] if number < len(definition) else "",
                      examples[number] if number < len(examples) else ""]
            lines.extend(Text(cell, y, x=x) for x, cell in zip(columns, cells, strict=True)
                         if cell)
    lines += [Text("Content that fits none of these rows is left for a second reviewer to", y - 30),
              Text("decide, with a note in the queue.", y - 44),
              Text("3. Contacts", y - 74, size=14, bold=True),
              Text("Write to the policy team.", y - 92)]
    return make_pdf([lines])


def _categories(result: ImportResult) -> dict[str, DraftClause]:
    return {d.code: d for d in result.drafts if not d.is_section}


def _check(result: ImportResult) -> None:
    clauses = _categories(result)
    assert set(clauses) == {"1", "2.1", "2.2", "2.3"}
    threat, slur, link = clauses["2.1"], clauses["2.2"], clauses["2.3"]
    assert (threat.label, threat.title) == ("hate_threat", "Hate: Threats")
    assert threat.text == "Statements of intent to harm a protected group."
    assert [e.text for e in threat.in_scope] == ["I will hurt them all", "they will pay"]
    assert (slur.label, slur.title) == ("hate_slur", "Hate: Slurs")  # merged category cell
    assert [e.text for e in slur.in_scope] == ["go home [slur]"]
    assert (link.label, link.title) == ("spam_link", "Spam: Links")
    assert link.text == "Repeated links to outside sites, posted to sell."
    assert [e.text for e in link.in_scope] == ["click here for free coins"]
    section = next(d for d in result.drafts if d.code == "2")
    assert section.is_section and "left for a second reviewer" in section.text
    assert "hate_threat" not in section.text  # the table is not also kept as text
    assert not result.summary.not_understood
    assert any("Contacts" in f for f in result.summary.front_matter)


@pytest.mark.parametrize(("spaced", "columns"), [
    (True, COLUMNS), (False, COLUMNS),
    (False, (72, 140, 190, 280, 440)),  # the bold header's words nearly touch
], ids=["rows-spaced", "rows-tight", "header-tight"])
def test_unruled_definition_table_is_rebuilt_from_word_positions(
        tmp_path: Path, spaced: bool, columns: tuple[int, ...]) -> None:
    source = tmp_path / "moderation.pdf"
    source.write_bytes(_table_pdf(spaced, columns))
    _check(import_guideline(source))


def _break_pdfplumber(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "missing":
        monkeypatch.setitem(sys.modules, "pdfplumber", None)  # import raises ImportError
        return
    import pdfplumber

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("pdfplumber could not parse this file")

    monkeypatch.setattr(pdfplumber, "open", fail)


@pytest.mark.parametrize("how", ["missing", "failing"])
def test_pypdf_fallback_recovers_the_same_structure(tmp_path: Path, how: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "moderation.pdf"
    source.write_bytes(_table_pdf(spaced=False))
    with_pdfplumber = import_guideline(source)
    _break_pdfplumber(how, monkeypatch)
    from llmqa.guidelines.importing import extract_pdf

    calls: list[Path] = []
    real = extract_pdf._pypdf_pages

    def counting(path: Path) -> list[extract_pdf.PageEntries]:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(extract_pdf, "_pypdf_pages", counting)
    with_pypdf = import_guideline(source)
    assert calls == [source]  # the fallback really ran
    _check(with_pypdf)
    shape = [(d.code, d.title, d.label, d.text, d.in_scope, d.out_of_scope)
             for d in with_pdfplumber.drafts if not d.is_section]
    assert [(d.code, d.title, d.label, d.text, d.in_scope, d.out_of_scope)
            for d in with_pypdf.drafts if not d.is_section] == shape
