"""The report's decisions section: gate and gold figures, counts linking into the app."""

from __future__ import annotations

from pathlib import Path

from llmqa.agreement import Ratings, agreement_report
from llmqa.reporting import build_report, render_report
from llmqa.reporting.decisions import decisions_section
from llmqa.store.decisions import DecisionStore, for_item
from llmqa.store.verdicts import VerdictStore
from llmqa.verdicts import Verdict, VerdictStatus
from triage_support import item


def test_decisions_section_links_counts_to_the_review_app(tmp_path: Path) -> None:
    items = [item(f"i{n}", f"text {n}", ["spam" if n % 2 else "allowed"] * 3,
                  clause={0: "SPAM-1.1"}) for n in range(6)]
    assert decisions_section(items, tmp_path) is None
    with VerdictStore(tmp_path) as store:
        for it in items:
            store.save_verdict(Verdict(
                key=f"k{it.id}", item_id=it.id, item_hash=it.content_hash(),
                guideline_version="v", context_hash="c", prompt_hash="p", model="judge-x",
                status=VerdictStatus.OK, verdict="agree", human_label=it.labels()[0],
                cited_clause_ids=["SPAM-1.1"]), run_id=None)
        DecisionStore(store).record([for_item(it, "confirm", analyst="ana") for it in items[:4]])
    section = decisions_section(items, tmp_path, "http://127.0.0.1:9999", n_boot=50)
    assert section is not None and section["decided"] == 4
    clause = section["gate"]["clauses"][0]
    assert clause["clause_id"] == "SPAM-1.1" and clause["state"] == "supervised"
    assert clause["link"] == "http://127.0.0.1:9999/?clause=SPAM-1.1"
    assert clause["items_link"] == "http://127.0.0.1:9999/?ids=i0%2Ci1%2Ci2%2Ci3"
    judge = section["against_gold"]["raters"][0]
    assert judge["rater"] == "judge" and judge["kappa"] == 1.0
    agreement = agreement_report(Ratings.from_items(items), n_boot=0).to_dict()
    page = render_report(build_report(agreement, tmp_path, "items.jsonl", decisions=section))
    assert "Analysts&#39; decisions" in page or "Analysts' decisions" in page
    assert 'href="http://127.0.0.1:9999/?clause=SPAM-1.1"' in page
    assert "4 of 6 items decided" in page and "judge-x" in page
