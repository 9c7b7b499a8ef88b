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
        # Both runs carry the cascade's outcome, for ``llmqa runs`` later.
        import json

        notes = {n["stage"]: n for r in store.runs()
                 if (n := json.loads(r["settings"]).get("cascade"))}
        assert set(notes) == {"cheap", "strong"}
        assert notes["strong"]["strong_only_estimated_usd"] == data["strong_only_estimated_usd"]
        assert notes["cheap"]["escalated"] == len(expected)
        assert notes["cheap"]["strong_run"] == summary.strong.run_id
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
          "cited_clause_ids": ["SPAM-1.1"], "retrieved_clause_ids": ["SPAM-1.1", "HATE-1.1"]}
    assert rule.reasons(ok) == [EscalateWhen.SAMPLES_DISAGREE]
    # Only a cited clause counts: being shown a supervised clause is not resting on it.
    assert rule.reasons(ok | {"confidence": 1.0}) == []
    assert rule.reasons(ok | {"confidence": 1.0, "cited_clause_ids": ["HATE-1.1"]}) == [
        EscalateWhen.SUPERVISED]
    # A verdict citing nothing rests on nothing the gate trusts.
    assert rule.reasons(ok | {"confidence": 1.0, "cited_clause_ids": []}) == [
        EscalateWhen.SUPERVISED]
    assert rule.reasons({"status": "parse_error"}) == []  # no-verdict not chosen here
    assert EscalationRule().reasons(None) == [EscalateWhen.NO_VERDICT]


def test_cli_cascade_against_two_stubs(stubs, tmp_path, monkeypatch, capsys):
    from review_helpers import clean_env, review_args, run_main, write_items

    clean_env(monkeypatch)
    cheap_stub, strong_stub = stubs
    items = [i for i in sample_items(30) if (c := consensus_label(i)).label and not c.tie][:12]
    doubtful = {items[1].id, items[5].id}
    for item_id in doubtful:
        cheap_stub.add(Behaviour(verdict={"verdict": "ambiguous"}), item=item_id, times=None)
    path = write_items(tmp_path / "items.jsonl", items)
    args = review_args(path, tmp_path / "home", cheap_stub.url, "--escalate-model", "gpt-4o",
                       "--escalate-base-url", strong_stub.url, "--escalate-when", "not-agree",
                       "--json")
    code, out, err = run_main(args, capsys)
    assert code == 0, err
    import json

    data = json.loads(out)
    assert data["escalated"] == len(doubtful)
    assert data["models"]["gpt-4o"]["calls"] == len(doubtful) == strong_stub.chat_requests
    assert data["models"]["gpt-4o-mini"]["calls"] == len(items) == cheap_stub.chat_requests
    # ``llmqa runs`` and ``runs --costs`` name the cascade and the strong-only estimate.
    for extra in ([], ["--costs"]):
        code, out, _ = run_main(["runs", "--home", str(tmp_path / "home"), *extra], capsys)
        assert code == 0
        line = next(x for x in out.splitlines() if x.startswith("cascade ("))
        assert f"{len(doubtful)} of {len(items)} items escalated from gpt-4o-mini to gpt-4o" in line
        assert f"gpt-4o alone about ${data['strong_only_estimated_usd']:.4f}" in line
    code, out, _ = run_main(["results", "--home", str(tmp_path / "home"), "-o",
                             str(tmp_path / "v.jsonl")], capsys)
    rows = [json.loads(line) for line in (tmp_path / "v.jsonl").read_text().splitlines()]
    assert {r["item_id"] for r in rows if r["model"] == "gpt-4o"} == doubtful


def test_max_cost_bounds_both_stages_together(stubs, tmp_path, monkeypatch, capsys):
    import json

    from review_helpers import clean_env, review_args, run_main, write_items

    clean_env(monkeypatch)
    cheap_stub, strong_stub = stubs
    items = [i for i in sample_items(40) if (c := consensus_label(i)).label and not c.tie][:16]
    doubtful = {i.id for i in items[:8]}
    for item_id in doubtful:
        cheap_stub.add(Behaviour(verdict={"verdict": "ambiguous"}), item=item_id, times=None)
    path = write_items(tmp_path / "items.jsonl", items)

    def cascade(home: str, *extra: str) -> tuple[int, dict]:
        code, out, _ = run_main(review_args(
            path, tmp_path / home, cheap_stub.url, "--escalate-model", "gpt-4o",
            "--escalate-base-url", strong_stub.url, "--escalate-when", "not-agree",
            "--concurrency", "1", "--json", *extra), capsys)
        return code, json.loads(out)

    code, full = cascade("uncapped")
    assert code == 0 and full["escalated"] == len(doubtful)
    cheap_usd, strong_usd = (full["models"][m]["cost_usd"] for m in ("gpt-4o-mini", "gpt-4o"))
    # Room for the whole cheap stage and about half the strong one: the strong stage gets only
    # what the cheap one left, stops there, and a re-run would resume.
    cap = cheap_usd + strong_usd / 2
    before = strong_stub.chat_requests
    code, capped = cascade("capped", "--max-cost", str(cap))
    strong_calls = capped["models"]["gpt-4o"]["calls"]
    assert code == 3 and 0 < strong_calls < len(doubtful)
    assert strong_stub.chat_requests - before == strong_calls
    spent = capped["models"]["gpt-4o-mini"]["cost_usd"] + capped["models"]["gpt-4o"]["cost_usd"]
    assert spent <= cap


def test_supervised_escalation_follows_the_trust_gate(stubs, tmp_path, monkeypatch, capsys):
    """``--escalate-when supervised`` asks the trust gate after the cheap stage: the cheap
    model's verdicts resting on a clause its gold record has not earned go up, the ones on
    its one trusted clause stay."""
    import json
    from collections import Counter

    from llmqa.store.decisions import DecisionStore, for_item
    from review_helpers import clean_env, review_args, run_main, write_items

    clean_env(monkeypatch)
    cheap_stub, strong_stub = stubs
    items = [i for i in sample_items(200) if (c := consensus_label(i)).label and not c.tie][:80]
    labels = {i.id: consensus_label(i).label for i in items}
    trusted_ids, wrong_ids, open_items = items[:24], items[24:48], items[48:]
    assert len({labels[i.id] for i in trusted_ids}) > 1  # kappa is defined there
    home = tmp_path / "home"
    path = write_items(tmp_path / "items.jsonl", items)
    # The batch was reviewed by the cheap model before the analysts decided on part of it.
    code, _, err = run_main(review_args(path, home, cheap_stub.url), capsys)
    assert code == 0, err
    with VerdictStore(home) as store:
        cited = {r["item_id"]: r["cited_clause_ids"] for r in store.verdicts()}
        # The clause the stub's verdicts on the open items cite most: the one to trust.
        good = Counter(c for i in open_items for c in cited[i.id]).most_common(1)[0][0]
        bad = next(c for c in ("HATE-1.1", "SPAM-1.1") if c != good)
        # The analysts' record: on ``good`` the gold labels are the annotators' (which the
        # cheap stub, agreeing, repeated); on ``bad`` every gold label is another one.
        DecisionStore(store).record(
            [for_item(i, "confirm", analyst="ana", clause_ids=[good]) for i in trusted_ids]
            + [for_item(i, "correct", analyst="ana", clause_ids=[bad],
                        label="spam" if labels[i.id] != "spam" else "hate")
               for i in wrong_ids])
    args = review_args(path, home, cheap_stub.url, "--escalate-model", "gpt-4o",
                       "--escalate-base-url", strong_stub.url, "--escalate-when",
                       "supervised", "--json")
    code, out, err = run_main(args, capsys)
    assert code == 0, err
    data = json.loads(out)
    assert good not in data["supervised_clauses"]
    assert bad in data["supervised_clauses"]
    with VerdictStore(home) as store:
        cheap_rows = {r["item_id"]: r for r in store.verdicts(latest=False, model="gpt-4o-mini")}
    # The decided items are settled (not judged again); of the open ones, those whose cheap
    # verdict rests on anything but the trusted clause go up.
    expected = {i.id for i in open_items
                if not cheap_rows[i.id]["cited_clause_ids"]
                or not set(cheap_rows[i.id]["cited_clause_ids"]) <= {good}}
    assert 0 < len(expected) < len(open_items)
    assert data["escalated"] == len(expected) == strong_stub.chat_requests
    assert data["reasons"] == {"supervised": len(expected)}
    assert all(strong_stub.requests_for(i) == 1 for i in expected)


def test_cascade_through_the_batch_api(tmp_path, monkeypatch, capsys):
    """``--batch-api`` with a cascade: both stages are submitted as batches (no live chat
    call at either stub), the strong batch holds exactly the escalated items, and both
    stages are priced at the Batch discount."""
    import json

    from review_helpers import clean_env, review_args, run_main, write_items

    clean_env(monkeypatch)
    monkeypatch.setenv("LLMQA_BATCH_POLL", "0.02")
    items = [i for i in sample_items(30) if (c := consensus_label(i)).label and not c.tie][:10]
    doubtful = {items[2].id, items[6].id}
    with OpenAIStub(model="cheap", batch_delay=0.1) as cheap_stub, \
            OpenAIStub(model="strong", batch_delay=0.1) as strong_stub:
        for item_id in doubtful:
            cheap_stub.add(Behaviour(verdict={"verdict": "ambiguous"}), item=item_id,
                           times=None)
        path = write_items(tmp_path / "items.jsonl", items)
        args = review_args(path, tmp_path / "home", cheap_stub.url, "--escalate-model",
                           "gpt-4o", "--escalate-base-url", strong_stub.url,
                           "--escalate-when", "not-agree", "--batch-api", "--json")
        code, out, err = run_main(args, capsys)
        assert code == 0, err
        data = json.loads(out)
        assert cheap_stub.chat_requests == strong_stub.chat_requests == 0
        assert cheap_stub.paths["/v1/batches"] == strong_stub.paths["/v1/batches"] == 1
        assert data["escalated"] == len(doubtful)
        assert data["models"]["gpt-4o"]["calls"] == len(doubtful)
        assert data["models"]["gpt-4o-mini"]["calls"] == len(items)
    with VerdictStore(tmp_path / "home") as store:
        rows = list(store.verdicts(latest=False))
        latest = {r["item_id"]: r for r in store.verdicts(latest=True)}
        runs = store.cost_breakdown()
    assert {i for i, r in latest.items() if r["model"] == "gpt-4o"} == doubtful
    assert len(rows) == len(items) + len(doubtful)
    assert runs and all(r["batch"] for r in runs)
