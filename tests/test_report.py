"""``llmqa report``: a self-contained HTML page with agreement, weak spots and likely errors."""

from __future__ import annotations

from llmqa.testing import Behaviour, OpenAIStub
from review_helpers import clean_env, review_args, run_main, write_items


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
