"""Agreement against gold: judge and annotators scored against analysts' decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint
from typer.testing import CliRunner

from llmqa.agreement.gold import gold_agreement
from llmqa.agreement.proportion import wilson_interval
from llmqa.cli import app
from llmqa.errors import InputError
from llmqa.store.decisions import DecisionStore, for_item
from llmqa.store.verdicts import VerdictStore
from llmqa.verdicts import Verdict, VerdictStatus
from review_helpers import write_items
from triage_support import item

runner = CliRunner()


def _batch() -> tuple[list, dict]:
    """ann0 always gives the gold label, ann1 never does; gold alternates spam/allowed."""
    items, gold = [], {}
    for n in range(12):
        truth = "spam" if n % 2 else "allowed"
        wrong = "allowed" if truth == "spam" else "spam"
        it = item(f"i{n}", f"text {n}", [truth, wrong, truth],
                  clause={0: "SPAM-1.1" if n < 6 else "GEN-1.1"})
        items.append(it)
        gold[it.id] = for_item(it, "correct", analyst="ana", label=truth)
    return items, gold


def test_annotators_and_judge_against_gold() -> None:
    items, gold = _batch()
    judge = {it.id: gold[it.id].label for it in items}
    judge["i0"] = "spam"  # one miss
    result = gold_agreement(items, gold, judge, n_boot=200)
    by_rater = {r.rater: r for r in result.raters}
    assert result.gold_items == 12 and result.raters[0].rater == "judge"
    assert by_rater["ann0"].kappa == 1.0 and by_rater["ann1"].kappa == -1.0
    assert by_rater["judge"].agreement == round(11 / 12, 4)
    low, high = proportion_confint(11, 12, alpha=0.05, method="wilson")
    assert (by_rater["judge"].agreement_low, by_rater["judge"].agreement_high) == (
        round(low, 4), round(high, 4))
    judge_row = by_rater["judge"]
    assert judge_row.kappa_low is not None
    assert judge_row.kappa is not None and judge_row.kappa_high is not None
    assert judge_row.kappa_low <= judge_row.kappa <= judge_row.kappa_high
    clauses = {(r.clause_id, r.rater): r for r in result.by_clause}
    assert clauses[("SPAM-1.1", "judge")].n_items == 6
    assert clauses[("GEN-1.1", "judge")].kappa == 1.0
    # Gold on other content counts for nothing.
    changed = [items[0].model_copy(update={"id": "i0"}), *items[1:]]
    stale = dict(gold) | {"i1": gold["i1"].model_copy(update={"item_hash": "old"})}
    assert gold_agreement(changed, stale, n_boot=10).gold_items == 11


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (5, 5), (3, 7), (11, 12), (0, 40),
                                      (137, 200)])
def test_wilson_interval_matches_statsmodels(k: int, n: int) -> None:
    assert wilson_interval(k, n) == pytest.approx(
        proportion_confint(k, n, alpha=0.05, method="wilson"), abs=1e-12)
    assert wilson_interval(0, 0) is None


def test_a_small_gold_set_gets_no_point_interval() -> None:
    # Three gold items the judge got right: a bootstrap would say kappa [1.000, 1.000] and
    # agreement [1.000, 1.000]. Kappa gets no interval; agreement gets Wilson's.
    items, gold = _batch()
    few = items[:3]
    result = gold_agreement(few, gold, {it.id: gold[it.id].label for it in few}, n_boot=200)
    judge = result.raters[0]
    assert judge.kappa == 1.0 and (judge.kappa_low, judge.kappa_high) == (None, None)
    assert judge.agreement == 1.0 and judge.agreement_low == pytest.approx(0.4385, abs=1e-4)
    assert judge.agreement_high == 1.0


def test_cli_agreement_shows_gold(tmp_home: Path) -> None:
    items, gold = _batch()
    path = write_items(tmp_home / "items.jsonl", items)
    with VerdictStore(tmp_home) as store:
        DecisionStore(store).record(gold.values())
        for it in items:
            store.save_verdict(Verdict(
                key=f"k{it.id}", item_id=it.id, item_hash=it.content_hash(),
                guideline_version="v", context_hash="c", prompt_hash="p", model="judge-x",
                status=VerdictStatus.OK, verdict="agree", human_label=gold[it.id].label),
                run_id=None)
    result = runner.invoke(app, ["agreement", str(path), "--no-guidelines", "--json",
                                 "--bootstrap", "100"])
    assert result.exit_code == 0, result.output
    against = json.loads(result.output)["against_gold"]
    assert against["gold_items"] == 12
    assert {r["rater"]: r["kappa"] for r in against["raters"]} == {
        "judge": 1.0, "ann0": 1.0, "ann1": -1.0, "ann2": 1.0}
    text = runner.invoke(app, ["agreement", str(path), "--no-guidelines", "--bootstrap", "100"])
    assert "against gold (12 items decided by analysts" in text.output
    gold_file = tmp_home / "gold.jsonl"
    gold_file.write_text('{"id": "i0", "label": "spam"}\n')
    other = runner.invoke(app, ["agreement", str(path), "--no-guidelines", "--json",
                                "--gold", str(gold_file), "--bootstrap", "50"])
    assert json.loads(other.output)["against_gold"]["gold_items"] == 1


def test_a_gold_file_that_gives_nothing_says_why(tmp_path: Path) -> None:
    from llmqa.agreement.gold import gold_from_sources

    items, _ = _batch()
    misnamed = tmp_path / "gold.csv"  # JSON lines under a .csv name: refused for the file
    misnamed.write_text('{"id": "i0", "label": "spam"}\n')
    with pytest.raises(InputError, match="first line is JSON, not a CSV header row"):
        gold_from_sources(items, tmp_path, misnamed, n_boot=0)
    headed = tmp_path / "headed.csv"  # a header, and not one row under it
    headed.write_text("id,label\n")
    assert gold_from_sources(items, tmp_path, headed, n_boot=0) == (
        None, [f"{headed}: no gold rows (each needs an id and a label)"])
    elsewhere = tmp_path / "other.jsonl"
    elsewhere.write_text('{"id": "x9", "label": "spam"}\n')
    assert gold_from_sources(items, tmp_path, elsewhere, n_boot=0) == (
        None, [f"{elsewhere}: none of its 1 gold items is in this batch"])
