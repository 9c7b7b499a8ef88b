"""The per-clause trust gate: judge vs gold per clause, and triage honouring it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from llmqa.agreement.gate import compute_gate, judge_label
from llmqa.cli import app
from llmqa.store.decisions import Decision, DecisionStore
from llmqa.store.verdicts import VerdictStore
from llmqa.triage.data import TriageData
from llmqa.triage.judge_signal import judge_signals
from llmqa.verdicts import Verdict, VerdictStatus
from triage_support import item

runner = CliRunner()


def _synthetic(n: int = 24) -> tuple[list[dict], dict[str, Decision]]:
    """On HATE-1.1 the judge matches gold; on SPAM-1.1 it says the opposite every time."""
    verdicts, gold = [], {}
    for i in range(n):
        for clause, right in (("HATE-1.1", True), ("SPAM-1.1", False)):
            item_id = f"{clause}-{i}"
            truth = "hate" if i % 2 else "allowed"
            if clause == "SPAM-1.1":
                truth = "spam" if i % 2 else "allowed"
            wrong = {"hate": "allowed", "spam": "allowed", "allowed": "spam"}[truth]
            said = truth if right else wrong
            verdicts.append({"item_id": item_id, "status": "ok", "item_hash": "h",
                             "verdict": "agree" if said == "allowed" else "likely_error",
                             "human_label": "allowed", "suggested_label":
                             None if said == "allowed" else said,
                             "cited_clause_ids": [clause], "model": "judge-x"})
            gold[item_id] = Decision(item_id=item_id, decision="correct", label=truth,
                                     analyst="ana", item_hash="h", clause_ids=[clause])
    return verdicts, gold


def test_gate_trusts_the_clause_where_the_judge_agrees_with_gold() -> None:
    verdicts, gold = _synthetic()
    gate = compute_gate(verdicts, gold, min_kappa=0.6, min_items=20, n_boot=200)
    by_clause = {c.clause_id: c for c in gate.clauses}
    assert by_clause["HATE-1.1"].trusted and by_clause["HATE-1.1"].kappa == 1.0
    assert by_clause["HATE-1.1"].ci_low == 1.0
    assert by_clause["SPAM-1.1"].kappa is not None
    assert not by_clause["SPAM-1.1"].trusted and by_clause["SPAM-1.1"].kappa < 0
    assert gate.trusted == {"HATE-1.1"} and gate.models == ["judge-x"]
    assert gate.is_trusted(["HATE-1.1"]) and not gate.is_trusted(["HATE-1.1", "SPAM-1.1"])
    assert not gate.is_trusted([])
    # Too few items: supervised however well it agrees.
    strict = compute_gate(verdicts, gold, min_items=30, n_boot=50)
    assert strict.trusted == frozenset()
    assert "fewer than 30" in strict.clauses[0].why
    # A --min-items under 10 does not buy trust from a bootstrap that cannot be drawn.
    few = compute_gate(*_synthetic(6), min_items=5, n_boot=50)
    assert few.trusted == frozenset() and few.clauses[0].kappa == 1.0
    assert few.clauses[0].why == "no interval on 6 item(s): a bootstrap needs at least 10"


def test_stale_verdicts_and_non_gold_decisions_are_left_out() -> None:
    verdicts, gold = _synthetic(4)
    gold["HATE-1.1-0"] = gold["HATE-1.1-0"].model_copy(update={"item_hash": "other"})
    gold["HATE-1.1-1"] = Decision(item_id="HATE-1.1-1", decision="escalate", analyst="ana")
    gate = compute_gate(verdicts, gold, n_boot=10)
    assert gate.gold_items == 6


def test_judge_label() -> None:
    assert judge_label({"verdict": "ambiguous"}) == "(ambiguous)"
    assert judge_label({"verdict": "likely_error"}) == "(other)"
    assert judge_label({"verdict": "agree", "human_label": "spam"}) == "spam"


def test_triage_does_not_count_the_judge_on_supervised_clauses() -> None:
    items = [item("a", "group are vermin", ["allowed"] * 3),
             item("b", "free download trending", ["allowed"] * 3)]
    data = TriageData.from_items(items)
    rows = [{"item_id": it.id, "item_hash": it.content_hash(), "status": "ok",
             "verdict": "likely_error", "confidence": 0.9, "suggested_label": label,
             "cited_clause_ids": [clause]}
            for it, label, clause in ((items[0], "hate", "HATE-1.1"),
                                      (items[1], "spam", "SPAM-1.1"))]
    ungated, _ = judge_signals(data, rows)
    assert list(ungated[0].values) == [0.9, 0.9]
    gated, _ = judge_signals(data, rows, lambda clauses: clauses == ["HATE-1.1"])
    error = gated[0]
    assert error.values[0] == 0.9 and np.isnan(error.values[1])
    assert error.inputs[1] is not None and error.phrases[1] is not None
    assert error.note is not None
    assert error.inputs[1]["supervised"] and "not counted" in error.phrases[1]
    assert "1 verdicts rest on clauses the gate supervises" in error.note


def test_cli_gate_json(tmp_home: Path) -> None:
    verdicts, gold = _synthetic()
    with VerdictStore(tmp_home) as store:
        for row in verdicts:
            store.save_verdict(Verdict(
                key=f"k-{row['item_id']}", item_id=row["item_id"], item_hash="h",
                guideline_version="v", context_hash="c", prompt_hash="p", model="judge-x",
                status=VerdictStatus.OK, verdict=row["verdict"],
                suggested_label=row["suggested_label"], human_label="allowed",
                cited_clause_ids=row["cited_clause_ids"]), run_id=None)
        DecisionStore(store).record(gold.values())
    result = runner.invoke(app, ["gate", "--json", "--bootstrap", "200"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    states = {c["clause_id"]: c["state"] for c in payload["clauses"]}
    assert states == {"HATE-1.1": "trusted", "SPAM-1.1": "supervised"}
    text = runner.invoke(app, ["gate", "--bootstrap", "200"]).output
    assert "judge judge-x against 48 gold items" in text and "supervised" in text


def test_cli_gate_without_a_store_says_so_and_creates_none(tmp_home: Path) -> None:
    home = tmp_home / "empty-home"
    result = runner.invoke(app, ["gate", "--home", str(home)])
    # Like runs and decisions export: no store is an error, not an empty store made to answer.
    assert "no store" in str(result.exception)
    assert not home.exists()
