"""Example generation and verification with a fake chat model and a bag-of-words embedder.

The generator and the judge each get their own ``FakeChatModel``: the generator's replies
are queued per test, the judge answers by rule (``JudgeRules``) from the content it is shown,
so a test states plainly what the judge would say about each candidate.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from typer.testing import CliRunner

from conftest import SAMPLE_GUIDELINES, FakeEmbedder
from llmqa.generation import (
    Candidate,
    CandidateGenerator,
    DropReason,
    ExamplePipeline,
    GenerationConfig,
    Verifier,
    VerifyConfig,
    bullet,
    generation_models,
)
from llmqa.generation.neighbours import neighbour_ids
from llmqa.guidelines import GuidelineSet, load_guidelines
from llmqa.guidelines.parser import parse_example
from llmqa.index.retriever import Retriever
from llmqa.judge import Judge, JudgeConfig
from llmqa.llm.backends import BackendSpec, make_seam
from llmqa.llm.fake import FakeChatModel
from llmqa.llm.retry import RetryPolicy

FAST_RETRY = RetryPolicy(max_attempts=2, base_wait=0.01, max_wait=0.02, deadline=30.0)
_SHOWN = re.compile(r"^\[([A-Z][A-Z0-9]*-\d+(?:\.\d+)*)\]", re.MULTILINE)
_CONTENT = re.compile(r"<<<ITEM-CONTENT \w+>>>(.*?)<<<END-ITEM-CONTENT", re.DOTALL)


# -- helpers ---------------------------------------------------------------------------------
def make_retriever(guidelines: GuidelineSet, embedder: Any | None = None) -> Retriever:
    return Retriever.from_guidelines(guidelines, embedder or FakeEmbedder())

class JudgeRules:
    """A judge that answers by keyword: the first rule whose word is in the content wins.

    Citations are limited to the clauses the prompt shows, like a well-behaved model.
    """

    def __init__(self, rules: list[tuple[str, str, str | None]],
                 default: tuple[str, str | None] = ("allowed", None)) -> None:
        self.rules = rules
        self.default = default
        self.prompts: list[str] = []

    def __call__(self, messages: list[BaseMessage]) -> dict[str, Any]:
        prompt = str(messages[-1].content)
        self.prompts.append(prompt)
        shown = _SHOWN.findall(prompt)
        found = _CONTENT.search(prompt)
        content = (found.group(1) if found else prompt).lower()
        label, clause = self.default
        for word, rule_label, rule_clause in self.rules:
            if word in content:
                label, clause = rule_label, rule_clause
                break
        cited = [clause] if clause in shown else []
        return {"rationale": "rule", "cited_clause_ids": cited, "suggested_label": label,
                "verdict": "agree", "confidence": 0.9}


def example(kind: str, content: str, label: str, modality: str = "lyrics", words: str = "",
            why: str = "a reason") -> dict[str, Any]:
    return {"kind": kind, "modality": modality, "content": content, "words": words,
            "why": why, "label": label}


def build(guidelines: GuidelineSet, generator_replies: list[Any], judge: JudgeRules,
          top_k: int = 2, near_miss_k: int = 3, reasks: int = 1,
          threshold: float = 0.92) -> tuple[ExamplePipeline, FakeChatModel, FakeChatModel]:
    gen_model = FakeChatModel(generator_replies)
    judge_model = FakeChatModel(responder=judge)
    spec = BackendSpec(model="fake")
    generator = CandidateGenerator(make_seam(spec, gen_model), guidelines,
                                   GenerationConfig(per_kind=2, reasks=reasks, retry=FAST_RETRY))
    judge_ = Judge(make_seam(spec, judge_model), guidelines,
                   JudgeConfig(top_k=top_k, max_examples=0, retry=FAST_RETRY, reasks=1))
    verifier = Verifier(guidelines, make_retriever(guidelines), judge_,
                        VerifyConfig(near_miss_k=near_miss_k, duplicate_threshold=threshold,
                                     concurrency=2))
    return ExamplePipeline(generator, verifier), gen_model, judge_model


def run_clause(pipeline: ExamplePipeline, guidelines: GuidelineSet, clause_id: str):
    return asyncio.run(pipeline.run_clause(guidelines.by_id[clause_id]))


def reasons(report) -> dict[str, str]:
    return {c.candidate.content if c.candidate else "<reply>": c.reason.value
            for c in report.dropped}


@pytest.fixture
def guidelines(tiny_guidelines: Path) -> GuidelineSet:
    return load_guidelines(tiny_guidelines)


HATE_RULES = JudgeRules([("historian", "allowed", "GEN-1.1"), ("documentary", "allowed", "GEN-1.1"),
                         ("vermin", "hate", "HATE-1.1"), ("rats", "hate", "HATE-1.1"),
                         ("cockroach", "hate", "HATE-1.1"), ("drake", "spam", "SPAM-1.1")])


# -- the prompt and the schema ---------------------------------------------------------------
def test_the_system_prompt_is_static_and_the_clause_follows(guidelines: GuidelineSet) -> None:
    generator = CandidateGenerator(make_seam(BackendSpec(model="fake"), FakeChatModel()),
                                   guidelines, GenerationConfig(per_kind=2))
    first = generator.messages(guidelines.by_id["HATE-1.1"])
    second = generator.messages(guidelines.by_id["SPAM-1.1"])
    assert first[0].content == second[0].content  # cacheable prefix
    assert "HATE-1.1" not in first[0].content
    user = str(first[1].content)
    assert "[HATE-1.1] Dehumanising comparisons (label: hate)" in user
    assert "rats crawling through our town" in user  # existing examples, not to be repeated
    assert "HATE-1.2" in user and "GEN-1.1" in user  # neighbours: sibling and exception
    assert "SPAM-1.1" not in user
    assert "Write 2 in-scope examples" in user
    assert len(generator.prompt_hash) == 12


def test_media_clauses_ask_for_description_and_words() -> None:
    guidelines = load_guidelines(SAMPLE_GUIDELINES)
    generator = CandidateGenerator(make_seam(BackendSpec(model="fake"), FakeChatModel()),
                                   guidelines)
    user = str(generator.messages(guidelines.by_id["SEX-1.2"])[1].content)
    assert "mostly about media" in user and "artwork or video" in user
    text_clause = str(generator.messages(guidelines.by_id["SPAM-1.1"])[1].content)
    assert "mostly about media" not in text_clause


def test_the_schema_constrains_labels_and_modalities(guidelines: GuidelineSet) -> None:
    answer, one = generation_models(guidelines.labels, 4, 300)
    schema = json.dumps(answer.model_json_schema())
    assert '"maxItems": 4' in schema and '"maxLength": 300' in schema
    with pytest.raises(ValueError):
        one.model_validate(example("in_scope", "x", "not-a-label"))
    with pytest.raises(ValueError):
        one.model_validate(example("in_scope", "x", "hate", modality="podcast"))


def test_neighbours_are_siblings_references_and_exceptions(guidelines: GuidelineSet) -> None:
    assert neighbour_ids(guidelines, guidelines.by_id["HATE-1.1"]) == {"HATE-1.2", "GEN-1.1"}
    sample = load_guidelines(SAMPLE_GUIDELINES)
    near = neighbour_ids(sample, sample.by_id["HARASS-1.2"])
    assert {"HARASS-1.1", "VEX-1.3", "GEN-1.3", "GEN-1.1"} <= near
    assert "SPAM-1.1" not in near


# -- candidates: items and examples ----------------------------------------------------------
def test_a_candidate_becomes_a_blind_item_and_a_guideline_bullet() -> None:
    art = Candidate("HATE-2.2", "in_scope", "artwork", "Cover showing a burning flag",
                    words="[group] OUT", why="hateful symbol (see HATE-2.2)", label="hate")
    item = art.item()
    assert item.id.startswith("cand-") and "HATE" not in item.id
    assert item.annotations == [] and item.project is None
    assert item.content.caption is not None
    assert item.content.modality == "image" and item.content.caption.startswith("Cover")
    assert item.content.text == "[group] OUT"
    line = bullet(art.example())
    assert line == ('- [artwork] Cover showing a burning flag. Visible text: "[group] OUT" '
                    "(why: hateful symbol [see HATE-2.2])")
    assert parse_example(line[2:]) == art.example().model_copy(
        update={"why": "hateful symbol [see HATE-2.2]"})
    audio = Candidate("X-1", "out_of_scope", "audio", "Radio news bulletin", words="Police said")
    assert audio.item().content.transcript == "Police said"
    assert "Transcript: \"Police said\"" in audio.example_text()
    lyrics = Candidate("X-1", "in_scope", "lyrics", "la la la")
    assert lyrics.item().content.metadata == {"format": "lyrics"}
    assert Candidate.from_dict(art.to_dict()) == art


# -- generation: malformed replies ------------------------------------------------------------
def test_a_malformed_generation_is_reasked_then_dropped(guidelines: GuidelineSet) -> None:
    pipeline, gen_model, judge_model = build(guidelines, ["this is not json", "still not json"],
                                             HATE_RULES)
    report = run_clause(pipeline, guidelines, "HATE-1.1")
    assert report.generated == 1 and not report.kept
    assert report.reasons == {"malformed": 1}
    assert "not JSON" in report.dropped[0].detail
    assert len(gen_model.calls) == 2  # one re-ask, with the problem stated
    assert "could not be used" in str(gen_model.calls[1]["messages"][-1].content)
    assert judge_model.calls == []  # nothing reached the judge


def test_valid_examples_of_an_invalid_reply_are_salvaged(guidelines: GuidelineSet) -> None:
    reply = {"examples": [
        example("in_scope", "Those [group] cockroach rats infest our town", "hate"),
        example("out_of_scope", "A podcast", "allowed", modality="podcast"),
        {"kind": "in_scope", "content": "missing fields"},
    ]}
    pipeline, gen_model, _ = build(guidelines, [reply], HATE_RULES)
    report = run_clause(pipeline, guidelines, "HATE-1.1")
    assert report.generated == 3
    assert [c.candidate.content for c in report.kept] == [
        "Those [group] cockroach rats infest our town"]
    assert report.reasons == {"malformed": 2}
    assert len(gen_model.calls) == 1  # something was usable: no re-ask
    details = " ".join(c.detail for c in report.dropped)
    assert "modality" in details and "malformed example 3" in details


def test_semantically_malformed_candidates_are_dropped(guidelines: GuidelineSet) -> None:
    reply = {"examples": [
        example("in_scope", "Lyrics calling [group] vermin, as HATE-1.1 forbids", "hate"),
        example("in_scope", "[group] are vermin in this town, a song", "allowed"),
        example("out_of_scope", "A documentary on how [group] were called vermin", "hate"),
        example("out_of_scope", "This is out of scope because it is news", "allowed"),
        example("in_scope", "  ", "hate"),
    ]}
    pipeline, _, judge_model = build(guidelines, [reply], HATE_RULES)
    report = run_clause(pipeline, guidelines, "HATE-1.1")
    assert report.reasons == {"malformed": 5}
    details = [c.detail for c in report.dropped]
    assert any("names a clause ID" in d for d in details)
    assert any("in-scope example labelled 'allowed'" in d for d in details)
    assert any("clause's own label" in d for d in details)
    assert any("talks about the policy" in d for d in details)
    assert any("empty" in d for d in details)
    assert judge_model.calls == []


# -- verification ------------------------------------------------------------------------------
def test_an_in_scope_candidate_retrieving_the_wrong_clause_is_dropped(
        guidelines: GuidelineSet) -> None:
    reply = {"examples": [
        example("in_scope", "Piano Covers Drake Adele Lofi Study Beats Free Download Viral",
                "hate", modality="title"),
        example("in_scope", "Those [group] are vermin and rats, crawling everywhere", "hate"),
    ]}
    pipeline, _, judge_model = build(guidelines, [reply], HATE_RULES, top_k=1)
    report = run_clause(pipeline, guidelines, "HATE-1.1")
    assert reasons(report) == {
        "Piano Covers Drake Adele Lofi Study Beats Free Download Viral": "retrieval_miss"}
    dropped = report.dropped[0]
    assert "does not land on HATE-1.1 in the top 1" in dropped.detail
    assert dropped.evidence["retrieval"]["hits"][0]["clause_id"] == "SPAM-1.1"
    assert set(dropped.evidence) == {"nearest", "retrieval"}  # no vectors or hits left
    assert len(report.kept) == 1
    assert len(judge_model.calls) == 1  # the miss never reached the judge


def test_an_unrelated_out_of_scope_candidate_is_not_a_near_miss(
        guidelines: GuidelineSet) -> None:
    reply = {"examples": [
        example("out_of_scope", "Piano Covers Drake Adele Lofi Trending Free Download Viral",
                "allowed", modality="title"),
        example("out_of_scope", "A historian explains how propaganda called [group] rats",
                "allowed", modality="transcript"),
    ]}
    pipeline, _, _ = build(guidelines, [reply], HATE_RULES, near_miss_k=1)
    report = run_clause(pipeline, guidelines, "HATE-1.1")
    assert reasons(report) == {
        "Piano Covers Drake Adele Lofi Trending Free Download Viral": "not_a_near_miss"}
    kept = report.kept[0]
    assert kept.evidence["near_miss_via"] in {"HATE-1.1", "HATE-1.2", "GEN-1.1"}
    assert kept.evidence["judge"]["suggested_label"] == "allowed"


def test_near_duplicates_of_existing_examples_and_of_each_other_are_dropped(
        guidelines: GuidelineSet) -> None:
    reply = {"examples": [
        example("in_scope", "[group] are rats crawling through our town.", "hate"),
        example("in_scope", "Every [group] is vermin, a cockroach plague on this land", "hate"),
        example("in_scope", "Every [group] is vermin, a cockroach plague on this land!", "hate"),
    ]}
    pipeline, _, judge_model = build(guidelines, [reply], HATE_RULES)
    report = run_clause(pipeline, guidelines, "HATE-1.1")
    dropped = {c.reason for c in report.dropped}
    assert dropped == {DropReason.DUPLICATE_EXISTING, DropReason.DUPLICATE_CANDIDATE}
    existing = next(c for c in report.dropped if c.reason is DropReason.DUPLICATE_EXISTING)
    assert "HATE-1.1 in#0" in existing.detail and existing.evidence["nearest"]["score"] > 0.99
    assert len(report.kept) == 1
    assert len(judge_model.calls) == 1


def test_a_candidate_kept_earlier_in_the_run_counts_as_existing(
        guidelines: GuidelineSet) -> None:
    same = {"examples": [example("in_scope", "Every [group] is vermin and a cockroach plague",
                                 "hate")]}
    pipeline, _, _ = build(guidelines, [same, same], HATE_RULES)
    run = asyncio.run(pipeline.run([guidelines.by_id["HATE-1.1"], guidelines.by_id["HATE-1.2"]]))
    assert run.kept == 1 and run.reasons == {"duplicate_of_candidate": 1}


def test_the_judge_must_give_the_intended_label_and_cite_the_clause(
        guidelines: GuidelineSet) -> None:
    rules = JudgeRules([("documentary", "hate", "HATE-1.1"), ("cockroach", "allowed", "GEN-1.1"),
                        ("plague", "hate", None), ("vermin", "hate", "HATE-1.1")])
    reply = {"examples": [
        example("in_scope", "Those [group] are cockroach scum in our streets", "hate"),
        example("in_scope", "The [group] plague spreads like rats across town", "hate"),
        example("out_of_scope", "A documentary on how [group] were called rats", "allowed",
                modality="description"),
        example("in_scope", "Those [group] are vermin, rats in our town square", "hate"),
    ]}
    pipeline, _, _ = build(guidelines, [reply], rules)
    report = run_clause(pipeline, guidelines, "HATE-1.1")
    got = reasons(report)
    json.dumps([c.to_record() for c in report.checked])  # dropped ones too: no vectors left
    assert got["Those [group] are cockroach scum in our streets"] == "judge_label_mismatch"
    assert got["The [group] plague spreads like rats across town"] == "judge_did_not_cite_clause"
    assert got["A documentary on how [group] were called rats"] == "judge_label_mismatch"
    assert [c.candidate.content for c in report.kept] == [
        "Those [group] are vermin, rats in our town square"]
    out_detail = next(c.detail for c in report.dropped if c.candidate.kind == "out_of_scope")
    assert "clause's own label" in out_detail


def test_an_out_of_scope_candidate_must_get_its_written_label(guidelines: GuidelineSet) -> None:
    reply = {"examples": [example("out_of_scope", "A historian explains how [group] were called "
                                  "rats", "spam", modality="transcript")]}
    pipeline, _, _ = build(guidelines, [reply], HATE_RULES)
    report = run_clause(pipeline, guidelines, "HATE-1.1")
    assert reasons(report) == {"A historian explains how [group] were called rats":
                               "judge_label_mismatch"}
    assert "written as 'spam'" in report.dropped[0].detail


def test_the_judge_is_asked_blind(guidelines: GuidelineSet) -> None:
    reply = {"examples": [
        example("in_scope", "Those [group] are vermin, rats in our town square", "hate"),
        example("out_of_scope", "A historian explains how [group] were called rats", "allowed",
                modality="transcript"),
    ]}
    judge = JudgeRules(HATE_RULES.rules)
    pipeline, _, _ = build(guidelines, [reply], judge, top_k=1)
    report = run_clause(pipeline, guidelines, "HATE-1.1")
    assert len(report.kept) == 2
    for prompt in judge.prompts:
        assert "Human annotations:\n- none" in prompt
        assert "Consensus human label: none (no annotations)" in prompt
        assert "No human label was given" in prompt
        item_line = next(line for line in prompt.splitlines() if line.startswith("Item "))
        assert re.fullmatch(r"Item cand-[0-9a-f]{12}:", item_line)
        for leak in ("in_scope", "out_of_scope", "in scope", "out of scope", "near miss"):
            assert leak not in prompt.split("Item cand-")[1].lower()
        # The target clause is always among the clauses shown, whichever kind it is.
        assert "[HATE-1.1]" in prompt


def test_a_judge_without_a_verdict_drops_the_candidate(guidelines: GuidelineSet) -> None:
    reply = {"examples": [example("in_scope", "Those [group] are vermin, rats in our town",
                                  "hate")]}
    pipeline, _, judge_model = build(guidelines, [reply], HATE_RULES)
    judge_model.responder = lambda messages: "garbage"
    report = run_clause(pipeline, guidelines, "HATE-1.1")
    assert reasons(report) == {"Those [group] are vermin, rats in our town": "judge_no_verdict"}
    assert "parse_error" in report.dropped[0].detail


def test_kept_records_carry_the_verification_evidence(guidelines: GuidelineSet) -> None:
    reply = {"examples": [
        example("in_scope", "Those [group] are vermin, rats in our town square", "hate",
                why="vermin comparison."),
        example("out_of_scope", "A historian explains how [group] were called rats", "allowed",
                modality="transcript", why="history, GEN-1.1"),
    ]}
    pipeline, _, _ = build(guidelines, [reply], HATE_RULES)
    run = asyncio.run(pipeline.run([guidelines.by_id["HATE-1.1"]]))
    assert (run.generated, run.kept, run.dropped) == (2, 2, 0)
    records = list(run.kept_records())
    first = records[0]
    assert first["clause_id"] == "HATE-1.1" and first["kept"] is True
    assert first["example"] == ('- [lyrics] Those [group] are vermin, rats in our town square '
                                "(why: vermin comparison)")
    assert first["verification"]["retrieval"]["target_rank"] == 1
    assert first["verification"]["judge"]["cited_clause_ids"] == ["HATE-1.1"]
    assert first["guideline_version"] == guidelines.version
    json.dumps(records)  # JSON-safe: no vectors or hits left behind
    summary = run.to_dict()
    assert summary["generated"] == 2 and summary["clauses"][0]["kept"] == 2


# -- the CLI ----------------------------------------------------------------------------------
def _cli_app():
    from llmqa.cli import app  # the real one: old flag spellings are rewritten there

    return app


def routed_model(generator_reply: Callable[[list[BaseMessage]], Any],
                 judge: JudgeRules) -> FakeChatModel:
    """One fake model for the CLI: the system message tells a judge request from a
    generation request."""
    def respond(messages: list[BaseMessage]) -> Any:
        if "quality reviewer" in str(messages[0].content):
            return judge(messages)
        return generator_reply(messages)

    return FakeChatModel(responder=respond)


def test_cli_examples_prints_counts_and_writes_kept_candidates(
        tmp_home: Path, tiny_guidelines: Path, cli_fake_embedder: FakeEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import llmqa.llm.backends as backends

    reply = {"examples": [
        example("in_scope", "Those [group] are vermin, rats in our town square", "hate"),
        example("in_scope", "[group] are rats crawling through our town.", "hate"),
        example("out_of_scope", "A historian explains how [group] were called rats", "allowed",
                modality="transcript"),
        example("out_of_scope", "Lyrics about HATE-1.1", "allowed"),
    ]}
    model = routed_model(lambda messages: reply, JudgeRules(HATE_RULES.rules))
    monkeypatch.setattr(backends, "make_chat_model", lambda spec: model)
    out = tmp_home / "kept.jsonl"
    result = CliRunner().invoke(_cli_app(), [
        "examples", "HATE-1.1", "-g", str(tiny_guidelines), "--model", "gpt-4o-mini",
        "--base-url", "http://127.0.0.1:9/v1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 generated, 2 kept, 2 dropped" in result.stdout
    assert "HATE-1.1: 4 generated, 2 kept\n" in result.stderr  # a line per clause as it is done
    assert "duplicate_of_existing 1" in result.stdout and "malformed 1" in result.stdout
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["kind"] for r in records] == ["in_scope", "out_of_scope"]
    assert all(r["verification"]["judge"]["status"] == "ok" for r in records)


def test_run_examples_reports_progress_per_clause(
        tmp_home: Path, tiny_guidelines: Path, cli_fake_embedder: FakeEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import llmqa.llm.backends as backends
    from llmqa.generation.from_settings import run_examples
    from llmqa.workspace import Workspace

    reply = {"examples": [example("in_scope", "[group] are rats crawling through town", "hate")]}
    model = routed_model(lambda messages: reply, JudgeRules(HATE_RULES.rules))
    monkeypatch.setattr(backends, "make_chat_model", lambda spec: model)
    ws = Workspace.from_settings(model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1",
                                 guidelines=str(tiny_guidelines))
    clauses = list(ws.guidelines)[:2]
    calls: list[tuple[str, int, int]] = []
    reports: list[str] = []
    run_examples(ws, clauses, on_progress=lambda *call: calls.append(call),
                 on_clause=lambda report: reports.append(report.clause_id))
    assert calls == [("examples", 0, 2), ("examples", 1, 2), ("examples", 2, 2)]
    assert reports == [c.id for c in clauses]


def test_cli_examples_needs_one_way_of_choosing_clauses(tmp_home: Path,
                                                        tiny_guidelines: Path) -> None:
    result = CliRunner().invoke(_cli_app(), ["examples", "-g", str(tiny_guidelines)])
    assert result.exit_code != 0
    result = CliRunner().invoke(_cli_app(), ["examples", "NOPE-1", "-g", str(tiny_guidelines)])
    assert "unknown clause" in str(result.exception)


@pytest.mark.slow
def test_real_embedder_finds_copies_and_retrieves_a_clear_case(local_embedder) -> None:
    """With all-MiniLM-L6-v2: a copy of an existing example is a near duplicate, and a plain
    in-scope case retrieves its clause within the judge's top 5."""
    guidelines = load_guidelines(SAMPLE_GUIDELINES)
    retriever = make_retriever(guidelines, local_embedder)
    judge = Judge(make_seam(BackendSpec(model="fake"), FakeChatModel()), guidelines)
    verifier = Verifier(guidelines, retriever, judge)
    clause = guidelines.by_id["HARASS-1.3"]
    copy = Candidate("HARASS-1.3", "in_scope", "description", clause.in_scope[0].text,
                     label="harassment")
    fresh = Candidate("HARASS-1.3", "in_scope", "transcript",
                      "Here is the home address and private mobile number of the reviewer who "
                      "panned our record. Go and visit her.", label="harassment")
    survivors = verifier._drop_duplicates([verifier_checked(copy), verifier_checked(fresh)])
    assert [s.candidate for s in survivors] == [fresh]
    kept = verifier._check_retrieval(clause, survivors)
    assert kept and kept[0].evidence["retrieval"]["target_rank"] <= 5


def verifier_checked(candidate: Candidate):
    from llmqa.generation.verify import Checked

    return Checked(candidate.clause_id, candidate)


def test_generation_and_blind_judging_over_the_openai_protocol(guidelines: GuidelineSet) -> None:
    """The generator's schema and the blind judge work through ChatOpenAI (a local stub)."""
    from llmqa.testing.openai_stub import Behaviour, OpenAIStub

    reply = {"examples": [
        example("in_scope", "Those [group] are vermin, rats in our town square", "hate"),
        example("out_of_scope", "A historian explains how [group] were called rats", "allowed",
                modality="transcript")]}
    in_id = Candidate("HATE-1.1", "in_scope", "lyrics", reply["examples"][0]["content"]).item().id
    with OpenAIStub() as stub:
        stub.add(Behaviour(content=json.dumps(reply)), times=1)
        stub.add(Behaviour(verdict={"suggested_label": "hate", "cited_clause_ids": ["HATE-1.1"]}),
                 item=in_id, times=None)
        stub.add(Behaviour(verdict={"suggested_label": "allowed", "cited_clause_ids": []}),
                 times=None)
        spec = BackendSpec(model="gpt-4o-mini", base_url=stub.url, max_tokens=2500)
        seam = make_seam(spec)
        generator = CandidateGenerator(seam, guidelines, GenerationConfig(retry=FAST_RETRY))
        judge = Judge(seam, guidelines, JudgeConfig(top_k=2, retry=FAST_RETRY))
        verifier = Verifier(guidelines, make_retriever(guidelines), judge)
        report = asyncio.run(ExamplePipeline(generator, verifier).run_clause(
            guidelines.by_id["HATE-1.1"]))
        first = stub.bodies[0]
    assert (report.generated, len(report.kept)) == (2, 2), [c.detail for c in report.dropped]
    response_format = first["response_format"]
    assert response_format["type"] == "json_schema"
    schema = response_format["json_schema"]["schema"]
    assert schema["properties"]["examples"]["maxItems"] == 6
    assert (first.get("max_completion_tokens") or first.get("max_tokens")) == 2500


def test_existing_examples_are_embedded_when_the_retriever_holds_no_snapshot(
        guidelines: GuidelineSet) -> None:
    from llmqa.generation.dedupe import NearDuplicates

    embedder = FakeEmbedder()
    duplicates = NearDuplicates(embedder, guidelines)
    vector = embedder.embed(["[group] are rats crawling through our town."])[0]
    nearest = duplicates.nearest(vector)
    assert nearest is not None and nearest.ref == "HATE-1.1 in#0" and nearest.score > 0.99
    assert len(embedder.texts) == 1 + sum(len(c.in_scope) + len(c.out_of_scope)
                                          for c in guidelines)


def test_cli_examples_where_disagreement_picks_troubled_clauses(
        tmp_home: Path, tiny_guidelines: Path, cli_fake_embedder: FakeEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import llmqa.llm.backends as backends
    from llmqa.items import Item

    def annotated(item_id: str, *labels: str) -> Item:
        return Item.model_validate({
            "id": item_id, "content": {"modality": "text", "text": f"text {item_id}"},
            "annotations": [{"annotator": f"a{n}", "label": label,
                             "clause_id": "SPAM-1.1" if label == "spam" else None}
                            for n, label in enumerate(labels)]})

    items = tmp_home / "items.jsonl"
    items.write_text("".join(annotated(f"x{n}", "spam", "allowed", "spam").model_dump_json()
                             + "\n" for n in range(4)))
    seen: list[str] = []

    def generation(messages: list[BaseMessage]) -> Any:
        seen.append(str(messages[1].content))
        return "not json"

    model = routed_model(generation, JudgeRules([]))
    monkeypatch.setattr(backends, "make_chat_model", lambda spec: model)
    result = CliRunner().invoke(_cli_app(), [
        "examples", "--where-disagreement", "--items", str(items), "-g", str(tiny_guidelines),
        "--model", "gpt-4o-mini", "--base-url", "http://127.0.0.1:9/v1", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [c["clause_id"] for c in payload["clauses"]] == ["SPAM-1.1"]
    assert payload["reasons"] == {"malformed": 1}
    assert all("[SPAM-1.1]" in prompt for prompt in seen)


def test_the_eval_is_skipped_without_a_model(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    for name in ("OPENAI_API_KEY", "LLMQA_MODEL"):
        monkeypatch.delenv(name, raising=False)
    path = Path(__file__).resolve().parents[1] / "evals" / "examples_eval.py"
    spec = importlib.util.spec_from_file_location("examples_eval", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([]) == 0
    assert "skipped" in capsys.readouterr().out


def test_writing_ahead_overlaps_clauses_and_gives_the_one_by_one_result(
        guidelines: GuidelineSet) -> None:
    """With ``ahead``, later clauses' writing calls run while a clause is verified (here the
    judge of the first clause cannot answer before the third clause's candidates are asked
    for), and the run is the one-by-one run: verification stays in order, so a candidate
    kept for an earlier clause still makes a later near copy a duplicate."""
    import threading

    same = "Every [group] is vermin and a cockroach plague"
    replies = {"HATE-1.1": [example("in_scope", same, "hate")],
               "HATE-1.2": [example("in_scope", same + "!", "hate"),
                            example("in_scope", "[group] are rats crawling through our town",
                                    "hate")],
               "SPAM-1.1": [example("in_scope", "Drake Drake free download top hits viral",
                                    "spam", modality="title")]}
    order = ["HATE-1.1", "HATE-1.2", "SPAM-1.1"]
    asked_last = threading.Event()

    def writer(messages: list[BaseMessage]) -> dict[str, Any]:
        clause_id = _SHOWN.search(str(messages[-1].content)).group(1)  # type: ignore[union-attr]
        if clause_id == order[-1]:
            asked_last.set()
        return {"examples": replies[clause_id]}

    def run(ahead: int, wait: float) -> tuple[Any, bool]:
        judge = JudgeRules(HATE_RULES.rules)
        waited: list[bool] = []

        def blocking_judge(messages: list[BaseMessage]) -> dict[str, Any]:
            if not waited:  # the run's first judge call: clause 1's
                waited.append(asked_last.wait(wait))
            return judge(messages)

        asked_last.clear()
        pipeline, _, _ = build(guidelines, [], JudgeRules([]))
        pipeline.generator.seam = make_seam(BackendSpec(model="fake"),
                                            FakeChatModel(responder=writer))
        pipeline.verifier.judge.seam = make_seam(BackendSpec(model="fake"),
                                                 FakeChatModel(responder=blocking_judge))
        pipeline.ahead = ahead
        result = asyncio.run(pipeline.run([guidelines.by_id[c] for c in order]))
        return result, waited[0]

    ahead, overlapped = run(2, wait=10.0)
    one_by_one, waited_for_nothing = run(0, wait=0.2)
    assert overlapped and not waited_for_nothing
    assert ahead.to_dict() == one_by_one.to_dict()
    assert ahead.reasons["duplicate_of_candidate"] == 1  # HATE-1.2's copy of HATE-1.1's
    assert [c.clause_id for c in ahead.clauses] == order


def test_cli_examples_splits_its_concurrency_between_writing_and_verifying(
        tmp_home: Path, tiny_guidelines: Path, cli_fake_embedder: FakeEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """--concurrency bounds the requests in flight: half writes ahead, the rest verifies."""
    import llmqa.generation as generation
    import llmqa.llm.backends as backends

    made: list[tuple[int, int]] = []

    class Spy(generation.ExamplePipeline):
        def __init__(self, generator: Any, verifier: Any, ahead: int = 0) -> None:
            made.append((ahead, verifier.config.concurrency))
            super().__init__(generator, verifier, ahead)

    monkeypatch.setattr(generation, "ExamplePipeline", Spy)
    model = routed_model(lambda messages: {"examples": []}, JudgeRules(HATE_RULES.rules))
    monkeypatch.setattr(backends, "make_chat_model", lambda spec: model)
    for concurrency, split in (("6", (3, 3)), ("1", (0, 1))):
        result = CliRunner().invoke(_cli_app(), [
            "examples", "HATE-1.1", "-g", str(tiny_guidelines), "--model", "gpt-4o-mini",
            "--base-url", "http://127.0.0.1:9/v1", "--concurrency", concurrency])
        assert result.exit_code == 0, result.output
        assert made[-1] == split


def test_a_rejected_key_stops_a_run_writing_ahead_and_its_calls(guidelines: GuidelineSet) -> None:
    """A 401 while verifying stops the run with a configuration error; the writing calls
    already under way for later clauses are cancelled, not left sending."""
    import httpx2 as httpx  # the openai SDK's own httpx
    import openai

    from llmqa.errors import BackendConfigError

    def rejected(messages: list[BaseMessage]) -> Any:
        request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
        return openai.AuthenticationError("bad key", response=httpx.Response(
            401, request=request, json={}), body=None)

    written: list[str] = []

    def writer(messages: list[BaseMessage]) -> dict[str, Any]:
        written.append(_SHOWN.search(str(messages[-1].content)).group(1))  # type: ignore[union-attr]
        return {"examples": [example("in_scope", "Those [group] are vermin, rats in our "
                                     "town square", "hate")]}

    pipeline, _, _ = build(guidelines, [], JudgeRules([]))
    pipeline.generator.seam = make_seam(BackendSpec(model="fake"), FakeChatModel(
        responder=writer))
    pipeline.verifier.judge.seam = make_seam(BackendSpec(model="fake"), FakeChatModel(
        responder=rejected))
    pipeline.ahead = 1
    clauses = [guidelines.by_id[c] for c in ("HATE-1.1", "HATE-1.2", "SPAM-1.1", "GEN-1.1")]
    with pytest.raises(BackendConfigError, match="stopped"):
        asyncio.run(pipeline.run(clauses))
    assert written[:1] == ["HATE-1.1"] and len(written) <= 2  # the one ahead, no more
