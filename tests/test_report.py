"""``llmqa report``: a self-contained HTML page with agreement, weak spots and likely errors."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from conftest import write_files
from llmqa.items import Item
from llmqa.reporting import confusion_heatmap
from llmqa.store.verdicts import VerdictStore
from llmqa.testing import Behaviour, FakeEmbedder, OpenAIStub
from llmqa.verdicts import Verdict, VerdictStatus
from review_helpers import clean_env, review_args, run_main, write_items
from triage_support import GUIDELINE, batch
from triage_support import item as triage_item


def test_report_shows_agreement_and_escaped_likely_errors(tmp_path, monkeypatch, capsys):
    clean_env(monkeypatch)
    rows = [{"id": f"p{n}", "project": "podcasts",
             "content": {"modality": "text", "text": f"episode {n} about gardening"},
             "annotations": [{"annotator": "a", "label": "allowed", "clause_id": "GEN-1.2"},
                             {"annotator": "b", "label": "allowed" if n % 3 else "spam",
                              "clause_id": "GEN-1.2"},
                             {"annotator": "c", "label": "allowed"}]} for n in range(9)]
    rows.append({"id": "evil", "project": "podcasts",
                 "content": {"modality": "text", "text": "<script>alert('x')</script> buy plays"},
                 "annotations": [{"annotator": "a", "label": "allowed"},
                                 {"annotator": "b", "label": "allowed"}]})
    items = write_items(tmp_path / "items.jsonl", rows)
    home = tmp_path / "home"
    out = tmp_path / "report.html"
    with OpenAIStub() as stub:
        stub.add(Behaviour(verdict={"verdict": "likely_error", "suggested_label": "spam",
                                    "confidence": 0.9, "cited_clause_ids": []}), item="evil")
        code, _, err = run_main(review_args(items, home, stub.url), capsys)
        assert code == 0, err
    code, _, err = run_main(["report", str(items), "--home", str(home), "-o", str(out),
                             "--bootstrap", "50"], capsys)
    assert code == 0, err
    page = out.read_text()
    for section in ("Agreement", "By project", "Clauses with the least agreement",
                    "Annotators", "LLM judge", "Likely errors (1 of 1"):
        assert section in page
    assert "GEN-1.2" in page and "<svg" in page
    # The index was built by another embedder: the triage section says so, the rest stands.
    assert "The triage could not run: index" in page and "--rebuild" in page
    # Item content is untrusted: escaped, never live markup.
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "http" not in page.split("<body>")[1].replace("http-equiv", "")  # no external assets


def test_report_without_a_store_says_how_to_get_the_judge(tmp_path, capsys,
                                                          cli_fake_embedder):
    items = write_items(tmp_path / "items.jsonl", [
        {"id": f"i{n}", "content": {"modality": "text", "text": "x"},
         "annotations": [{"annotator": "a", "label": "allowed"},
                         {"annotator": "b", "label": "allowed"}]} for n in range(3)])
    out = tmp_path / "r.html"
    code, _, _ = run_main(["report", str(items), "--home", str(tmp_path / "none"), "-o", str(out),
                           "--bootstrap", "0"], capsys)
    assert code == 0
    assert "run <code>llmqa review</code> first" in out.read_text()
    # An HTML page under another name is refused before any work.
    code, _, err = run_main(["report", str(items), "-o", str(tmp_path / "r.pdf")], capsys)
    assert code == 2 and "cannot write '.pdf' files here; name the file with one of .html" in err
    assert not (tmp_path / "r.pdf").exists()


# --- triage section and label confusion -------------------------------------------------------

def _store_verdict(home: Path, item: Item, **fields: Any) -> None:
    with VerdictStore(home) as store:
        store.save_items([item])
        store.save_verdict(Verdict(key=f"k-{item.id}", item_id=item.id,
                                   item_hash=item.content_hash(), guideline_version="v",
                                   context_hash="c", prompt_hash="p", model="fake",
                                   status=VerdictStatus.OK, **fields), run_id=None)


def _section(page: str, title: str) -> str:
    """The page from the ``<h2>`` with this title to the next ``<h2>``."""
    start = page.index(f"<h2>{title}</h2>")
    end = page.find("<h2>", start + 1)
    return page[start:end if end >= 0 else len(page)]


def _triage_report(home: Path, items: list[Item], capsys: Any, *args: str) -> str:
    """``llmqa report`` on these items with the test guideline; the page's Triage section."""
    path = write_items(home / "items.jsonl", items)
    guideline_dir = write_files(home / "guidelines", {"policy.md": GUIDELINE})
    out = home / "report.html"
    code, _, err = run_main(["report", str(path), "-g", str(guideline_dir), "-o", str(out),
                             "--bootstrap", "0", *args], capsys)
    assert code == 0, err
    return _section(out.read_text(), "Triage")


def test_report_triage_section_ranks_errors_and_ambiguity_with_reasons(
        tmp_home: Path, cli_fake_embedder: FakeEmbedder, capsys) -> None:
    items = batch()
    flip = next(item for item in items if item.id == "flip")
    _store_verdict(tmp_home, flip, verdict="likely_error", confidence=0.99,
                   suggested_label="hate", cited_clause_ids=["HATE-1.1"])
    triage = _triage_report(tmp_home, items, capsys, "--top", "4")
    assert "with the LLM judge" in triage and "1 items judged" in triage
    assert "Likely errors (top 4)" in triage and "Ambiguous items (top 4)" in triage
    errors = triage.split("Likely errors (top 4)")[1].split("Ambiguous items")[0]
    ambiguous = triage.split("Ambiguous items (top 4)")[1].split("Clauses where")[0]
    assert errors.count('<td class="num">') == 4 and ambiguous.count('<td class="num">') == 4
    # The judged flip leads the errors, its label change and the judge in its reason.
    first = errors.split('<td class="num">1</td>')[1].split("</tr>")[0]
    assert "flip" in first and "allowed → <b>hate</b>" in first
    assert "likely error (" in first and "judge: hate (0.99) citing HATE-1.1" in first
    assert '<div class="excerpt">group are vermin rats disease</div>' in first
    assert "split" in ambiguous and "ambiguous (" in ambiguous and "<svg" in ambiguous
    # Where errors and ambiguity cluster, per clause, with the guideline's titles.
    clauses = triage.split("Clauses where errors and ambiguity cluster")[1]
    assert "HATE-1.1" in clauses and "Dehumanising comparisons" in clauses
    assert "SPAM-1.1" in clauses and "Keyword stuffing" in clauses
    hate_items = re.search(r"HATE-1\.1<br>.*?</td><td>hate</td>\s*<td class=\"num\">(\d+)</td>",
                           clauses)
    assert hate_items and int(hate_items.group(1)) >= 1


def test_report_triage_rows_escape_hostile_content(tmp_home: Path,
                                                   cli_fake_embedder: FakeEmbedder,
                                                   capsys) -> None:
    hostile = triage_item("evil", "<script>alert('x')</script> group are vermin rats disease "
                          + "filler words " * 40, ["allowed", "allowed", "hate"],
                          project="<img src=x onerror=alert(1)>",
                          notes={2: "<b>unsure</b>, lead's call"})
    # --top above the batch size: every scored item is listed, whatever its rank.
    triage = _triage_report(tmp_home, [*batch(), hostile], capsys, "--top", "50")
    row = re.search(r'<tr><td class="num">\d+</td><td>evil<br>.*?</tr>', triage, re.S)
    assert row, "the hostile item is missing from the triage tables"
    assert '<span class="muted">&lt;img src=x onerror=alert(1)&gt;</span>' in row.group()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in row.group()
    for live in ("<script", "<img src", "<b>unsure"):
        assert live not in triage
    excerpt = row.group().split('<div class="excerpt">')[1].split("</div>")[0]
    assert len(html.unescape(excerpt)) <= 300 and excerpt.endswith("…")


def test_report_triage_offline_and_no_triage(tmp_home: Path, cli_fake_embedder: FakeEmbedder,
                                             capsys) -> None:
    path = write_items(tmp_home / "items.jsonl", batch())
    out = tmp_home / "report.html"
    code, _, err = run_main(["report", str(path), "-o", str(out), "--bootstrap", "0"], capsys)
    assert code == 0, err
    triage = _section(out.read_text(), "Triage")
    assert "offline signals only" in triage and "run <code>llmqa review</code>" in triage
    assert "no guidelines at guidelines: retrieval evidence skipped" in triage
    assert "Likely errors (top 15)" in triage  # the default --top

    cli_fake_embedder.reset()
    code, _, err = run_main(["report", str(path), "-o", str(out), "--bootstrap", "0",
                             "--no-triage"], capsys)
    assert code == 0, err
    page = out.read_text()
    assert cli_fake_embedder.texts == []  # nothing embedded
    assert "Likely errors (top" not in page and "Clauses where errors" not in page
    triage = _section(page, "Triage")
    assert "Triage skipped (<code>--no-triage</code>)" in triage
    assert "<code>--triage</code> (the default)" in triage


def test_report_heatmap_counts_label_confusion(tmp_home: Path, capsys) -> None:
    votes = {"i0": ["allowed", "allowed", "spam"], "i1": ["spam", "spam", "allowed"],
             "i2": ["hate", "hate", "hate"], "i3": ["allowed", "allowed", "allowed"],
             "i4": ["spam", "allowed", "allowed"]}
    path = write_items(tmp_home / "items.jsonl", [
        triage_item(item_id, f"text {item_id}", labels) for item_id, labels in votes.items()])
    out = tmp_home / "report.html"
    code, _, err = run_main(["report", str(path), "-o", str(out), "--bootstrap", "0",
                             "--no-triage"], capsys)
    assert code == 0, err
    heat = _section(out.read_text(), "Label confusion")
    # Rows: the annotator's label; columns: the consensus (i0, i4 allowed; i1 spam; i2 hate).
    cells = dict(re.findall(r'<td class="(?:diag|off)"[^>]*title="([^"]+): (\d+)"', heat))
    assert {k: int(v) for k, v in cells.items()} == {
        "allowed → allowed": 7, "allowed → hate": 0, "allowed → spam": 1,
        "hate → allowed": 0, "hate → hate": 3, "hate → spam": 0,
        "spam → allowed": 2, "spam → hate": 0, "spam → spam": 2}
    assert "3 of 15 ratings differ from the consensus" in heat
    assert "spam → allowed · 2" in heat
    # Disagreements in red, agreement in blue, each scaled to its own largest count.
    assert re.search(r'class="off" style="background:rgba\(217,83,79,0\.95\)[^"]*" '
                     r'title="spam → allowed: 2"', heat)
    assert re.search(r'class="diag" style="background:rgba\(59,125,216,0\.95\)[^"]*" '
                     r'title="allowed → allowed: 7"', heat)
    assert re.search(r'class="off" title="hate → spam: 0"></td>', heat)


def test_heatmap_leaves_out_labels_nobody_used() -> None:
    confusion = {"labels": ["a", "b", "unused"],
                 "annotator_vs_consensus": {"x": [[3, 1, 0], [0, 2, 0], [0, 0, 0]],
                                            "y": [[2, 0, 0], [1, 1, 0], [0, 0, 0]]}}
    heatmap = confusion_heatmap(confusion)
    assert heatmap is not None
    assert heatmap["labels"] == ["a", "b"] and heatmap["hidden"] == 1
    assert [[c["count"] for c in row["cells"]] for row in heatmap["rows"]] == [[5, 1], [1, 3]]
    assert heatmap["column_totals"] == [6, 4] and heatmap["total"] == 10
    assert heatmap["top_pairs"][0] == {"given": "a", "consensus": "b", "count": 1}
    assert confusion_heatmap({"labels": ["a"], "annotator_vs_consensus": {}}) is None


def test_annotators_ranked_only_on_enough_ratings_and_capped() -> None:
    from llmqa.reporting.html import ANNOTATORS_SHOWN, build_report, render_report

    def annotator(name: str, n: int, kappa: float | None) -> dict:
        return {"annotator": name, "n_ratings": n, "agreement_with_consensus": {"value": 0.9},
                "kappa_vs_consensus": {"value": kappa, "ci_low": None, "ci_high": None}}

    # A crowd: many annotators with a handful of ratings (kappa 0 or undefined on them is
    # noise), and more well-rated ones than the table has rows.
    steady = [annotator(f"steady{n:02d}", 40 + n, 0.30 + n / 100) for n in range(30)]
    few = [annotator(f"few{n}", 4, 0.0) for n in range(5)] + [annotator("none", 50, None)]
    people = few + steady
    agreement = {"by_annotator": people, "n_items": 900, "n_ratings": 1900, "warnings": [],
                 "raters": [a["annotator"] for a in people]}
    context = build_report(agreement, None, "batch.jsonl")
    shown = [a["annotator"] for a in context["annotators"]]
    assert shown == [f"steady{n:02d}" for n in range(ANNOTATORS_SHOWN)]
    assert (context["annotators_more"], context["annotators_unranked"]) == (5, 6)
    html = render_report(context)
    assert "5 more are not shown" in html and "6 with fewer ratings" in html
    assert "few0" not in html


def test_report_no_guidelines_leaves_out_a_guidelines_folder_that_exists(
        tmp_home: Path, capsys) -> None:
    # Run where guidelines/ belongs to another policy: --no-guidelines reports without it,
    # as agreement and triage already could.
    write_files(tmp_home / "guidelines", {"policy.md": GUIDELINE})
    path = write_items(tmp_home / "items.jsonl", batch())
    out = tmp_home / "report.html"
    args = ["report", str(path), "-o", str(out), "--bootstrap", "0", "--no-triage"]
    code, _, err = run_main(args, capsys)
    assert code == 0, err
    assert " · guidelines " in out.read_text()
    code, _, err = run_main([*args, "--no-guidelines"], capsys)
    assert code == 0, err
    assert " · guidelines " not in out.read_text()


def test_items_without_annotations_are_refused_by_triage_and_left_out_of_the_report(
        tmp_home: Path, cli_fake_embedder: FakeEmbedder, capsys) -> None:
    """Nothing to rank without a label: one error naming the file, not an empty queue under a
    page of notes (one of which said every item had two or more ratings). The report keeps
    its other sections and says why the triage is missing."""
    unlabelled = [item.model_copy(update={"annotations": []}) for item in batch()]
    path = write_items(tmp_home / "items.jsonl", unlabelled)
    code, _, err = run_main(["triage", str(path)], capsys)
    assert code == 1 and err.strip() == (
        f"error: {path}: no item carries an annotation; the triage ranks labels that may be "
        "wrong or contested; for the judge's labels on unlabelled items, use `llmqa review`")
    out = tmp_home / "report.html"
    code, _, err = run_main(["report", str(path), "-o", str(out), "--bootstrap", "0"], capsys)
    assert code == 0 and "warning: triage section left out" in err and out.exists()
