"""``llmqa report``: a self-contained HTML page with agreement, weak spots and likely errors."""

from __future__ import annotations

import re

from llmqa.reporting import confusion_heatmap
from llmqa.testing import Behaviour, OpenAIStub
from review_helpers import clean_env, review_args, run_main, write_items
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
    # Item content is untrusted: escaped, never live markup.
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "http" not in page.split("<body>")[1].replace("http-equiv", "")  # no external assets


def test_report_without_a_store_says_how_to_get_the_judge(tmp_path, capsys):
    items = write_items(tmp_path / "items.jsonl", [
        {"id": f"i{n}", "content": {"modality": "text", "text": "x"},
         "annotations": [{"annotator": "a", "label": "allowed"},
                         {"annotator": "b", "label": "allowed"}]} for n in range(3)])
    out = tmp_path / "r.html"
    code, _, _ = run_main(["report", str(items), "--home", str(tmp_path / "none"), "-o", str(out),
                           "--bootstrap", "0"], capsys)
    assert code == 0
    assert "run <code>llmqa review</code> first" in out.read_text()


# --- label confusion ----------------------------------------------------------------------

def _section(page: str, title: str) -> str:
    """The page from the ``<h2>`` with this title to the next ``<h2>``."""
    start = page.index(f"<h2>{title}</h2>")
    end = page.find("<h2>", start + 1)
    return page[start:end if end >= 0 else len(page)]


def test_report_heatmap_counts_label_confusion(tmp_home, capsys) -> None:
    votes = {"i0": ["allowed", "allowed", "spam"], "i1": ["spam", "spam", "allowed"],
             "i2": ["hate", "hate", "hate"], "i3": ["allowed", "allowed", "allowed"],
             "i4": ["spam", "allowed", "allowed"]}
    path = write_items(tmp_home / "items.jsonl", [
        triage_item(item_id, f"text {item_id}", labels) for item_id, labels in votes.items()])
    out = tmp_home / "report.html"
    code, _, err = run_main(["report", str(path), "-o", str(out), "--bootstrap", "0"], capsys)
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
