"""Cheap-then-strong review against two stub servers that answer differently: escalation
happens exactly for the items meeting the rule, counted at each stub."""

from __future__ import annotations

import asyncio

import pytest

from llmqa.judge.render import consensus_label
from llmqa.runner import ReviewOptions, ReviewRunner
from llmqa.runner.cascade import Cascade, EscalateWhen, EscalationRule
from llmqa.store import VerdictStore
from llmqa.testing import Behaviour, OpenAIStub
from review_helpers import make_judge, make_retriever, sample_items, stub_seam


def _runner(url: str, model: str, store: VerdictStore) -> ReviewRunner:
    judge = make_judge(stub_seam(url, model=model))
    return ReviewRunner(judge, make_retriever(judge.guidelines), store,
                        ReviewOptions(concurrency=4))


def _live(runner: ReviewRunner):
    return lambda items, source: asyncio.run(runner.run(items, source))


@pytest.fixture
def stubs():
    with OpenAIStub(model="cheap") as cheap, OpenAIStub(model="strong") as strong:
        yield cheap, strong


def test_escalates_exactly_the_doubtful_items(stubs, tmp_path):
    cheap_stub, strong_stub = stubs
    items = [i for i in sample_items(40)
             if (c := consensus_label(i)).label and not c.tie][:24]
    flagged = {items[0].id, items[3].id, items[7].id}
    unsure = {items[10].id, items[11].id}
    broken = {items[15].id}
    for item in items:
        other = "hate" if consensus_label(item).label != "hate" else "spam"
        if item.id in flagged:
            cheap_stub.add(Behaviour(verdict={"verdict": "likely_error",
                                              "suggested_label": other}), item=item.id,
                           times=None)
        elif item.id in unsure:
            cheap_stub.add(Behaviour(verdict={"confidence": 0.4}), item=item.id, times=None)
        elif item.id in broken:
            cheap_stub.add(Behaviour(content="not json at all"), item=item.id, times=None)
    strong_stub.add(Behaviour(verdict={"confidence": 0.95}), times=None)
    with VerdictStore(tmp_path) as store:
        cheap, strong = (_runner(cheap_stub.url, "gpt-4o-mini", store),
                         _runner(strong_stub.url, "gpt-4o", store))
        rule = EscalationRule(min_confidence=0.7)
        cascade = Cascade(cheap, strong, rule, _live(cheap), _live(strong))
        summary = cascade.run(items, "test")
        expected = flagged | unsure | broken
        assert set(summary.escalated) == expected
        assert strong_stub.chat_requests == len(expected)
        assert all(strong_stub.requests_for(i) == 1 for i in expected)
        assert summary.reasons[EscalateWhen.NOT_AGREE] == len(flagged)
        assert summary.reasons[EscalateWhen.NO_VERDICT] == len(broken)
        assert summary.reasons[EscalateWhen.LOW_CONFIDENCE] == len(unsure)
        # Both verdicts are stored; the newest for an escalated item is the strong model's.
        latest = {r["item_id"]: r for r in store.verdicts(latest=True)}
        assert {i for i, r in latest.items() if r["model"] == "gpt-4o"} == expected
        every = list(store.verdicts(latest=False))
        assert len(every) == len(items) + len(expected)
        data = summary.to_dict()
        assert data["models"]["gpt-4o"]["calls"] == len(expected)
        assert data["models"]["gpt-4o-mini"]["calls"] == len(items)
        assert data["strong_only_estimated_usd"] > data["models"]["gpt-4o"]["cost_usd"]
        # A re-run costs nothing at either stub.
        calls = cheap_stub.chat_requests, strong_stub.chat_requests
        again = cascade.run(items, "test")
        assert (cheap_stub.chat_requests, strong_stub.chat_requests) == calls
        assert set(again.escalated) == expected


def test_rule_conditions():
    rule = EscalationRule(when=frozenset({EscalateWhen.SAMPLES_DISAGREE,
                                          EscalateWhen.SUPERVISED}),
                          supervised_clauses=frozenset({"HATE-1.1"}))
    ok = {"status": "ok", "verdict": "agree", "confidence": 0.6, "samples": 5,
          "cited_clause_ids": [], "retrieved_clause_ids": ["SPAM-1.1"]}
    assert rule.reasons(ok) == [EscalateWhen.SAMPLES_DISAGREE]
    assert rule.reasons(ok | {"confidence": 1.0}) == []
    assert rule.reasons(ok | {"confidence": 1.0, "retrieved_clause_ids": ["HATE-1.1"]}) == [
        EscalateWhen.SUPERVISED]
    assert rule.reasons({"status": "parse_error"}) == []  # no-verdict not chosen here
    assert EscalationRule().reasons(None) == [EscalateWhen.NO_VERDICT]
