"""The LLM seam: statuses decided by ``ChatSeam.interpret``, structured-output methods through a
real ``ChatOpenAI`` against the local stub, and the single retry layer (429/5xx/timeouts
retried, 4xx not, deadlines bounding hangs, attempts capped)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest
from langchain_core.messages import AIMessage

from llmqa.errors import BackendError
from llmqa.guidelines import GuidelineSet
from llmqa.judge.judge import AbortRun, Judge
from llmqa.llm.fake import FakeChatModel
from llmqa.llm.messages import system, user
from llmqa.llm.retry import RetryPolicy, call_with_retries
from llmqa.llm.seam import ChatSeam, Reply, ReplyStatus, classify_exception
from llmqa.redact import redact
from llmqa.runner import ReviewOptions, ReviewRunner
from llmqa.store import VerdictStore
from llmqa.testing import Behaviour, OpenAIStub
from llmqa.verdicts import Verdict, VerdictStatus, answer_model
from review_helpers import (
    HashEmbedder,
    hits_for,
    make_item,
    make_judge,
    make_retriever,
    sample_guidelines,
    stub_seam,
)

LABELS = ("allowed", "hate", "spam")
SCHEMA = answer_model(LABELS)
VALID = {"rationale": "Names a protected group as vermin.", "cited_clause_ids": ["HATE-1.1"],
         "suggested_label": "hate", "verdict": "agree", "confidence": 0.9}


@pytest.fixture(scope="module")
def guidelines() -> GuidelineSet:
    return sample_guidelines()


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


def _seam() -> ChatSeam:
    return ChatSeam(FakeChatModel(), name="fake")


def _message(content: str = "", finish: str = "stop", **kwargs: object) -> AIMessage:
    return AIMessage(content=content, response_metadata={"finish_reason": finish},
                     usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
                     **kwargs)


# -- interpret: the one place statuses are decided --------------------------------------------
def test_interpret_valid_answer_parses_and_counts_tokens() -> None:
    reply = _seam().interpret(_message(json.dumps(VALID)), SCHEMA)
    assert reply.status is ReplyStatus.OK
    assert reply.parsed is not None and reply.parsed.model_dump()["suggested_label"] == "hate"
    assert (reply.input_tokens, reply.output_tokens) == (10, 5)


def test_interpret_tolerates_a_markdown_fence_only() -> None:
    fenced = f"```json\n{json.dumps(VALID)}\n```"
    assert _seam().interpret(_message(fenced), SCHEMA).status is ReplyStatus.OK
    chatty = f"Sure! Here is my answer: {json.dumps(VALID)}"
    assert _seam().interpret(_message(chatty), SCHEMA).status is ReplyStatus.PARSE_ERROR


def test_interpret_malformed_json_is_parse_error_with_raw_kept() -> None:
    raw = '{"rationale": "cut", "verdict": "agree"'
    reply = _seam().interpret(_message(raw), SCHEMA)
    assert reply.status is ReplyStatus.PARSE_ERROR
    assert reply.raw == raw and reply.parsed is None and reply.error


def test_interpret_label_outside_label_set_is_parse_error() -> None:
    reply = _seam().interpret(_message(json.dumps(VALID | {"suggested_label": "piracy"})), SCHEMA)
    assert reply.status is ReplyStatus.PARSE_ERROR
    assert "suggested_label" in (reply.error or "")


def test_interpret_extra_field_and_out_of_range_confidence_are_parse_errors() -> None:
    assert _seam().interpret(_message(json.dumps(VALID | {"extra": 1})),
                             SCHEMA).status is ReplyStatus.PARSE_ERROR
    assert _seam().interpret(_message(json.dumps(VALID | {"confidence": 7})),
                             SCHEMA).status is ReplyStatus.PARSE_ERROR


@pytest.mark.parametrize(("message", "status"), [
    (_message(json.dumps(VALID)[:40], finish="length"), ReplyStatus.TRUNCATED),
    (_message("", finish="stop"), ReplyStatus.EMPTY),
    (_message("   \n", finish="stop"), ReplyStatus.EMPTY),
    (_message("", additional_kwargs={"refusal": "I can't help with that."}), ReplyStatus.REFUSED),
    (_message("", finish="content_filter"), ReplyStatus.CONTENT_FILTER),
])
def test_interpret_failure_statuses(message: AIMessage, status: ReplyStatus) -> None:
    reply = _seam().interpret(message, SCHEMA)
    assert reply.status is status
    assert reply.parsed is None and reply.error


# -- the same statuses through a real ChatOpenAI against the stub ------------------------------
async def _ask_stub(stub: OpenAIStub, method: str = "json_schema",
                    labels: tuple[str, ...] = LABELS) -> Reply:
    seam = stub_seam(stub.url, method=method)
    messages = [system("Answer with a JSON object."),
                user("Item t-1:\nConsensus human label: hate (2 of 3)\n"
                     "[HATE-1.1] Dehumanising comparisons")]
    return await seam.ask(messages, answer_model(labels))


@pytest.mark.parametrize(("behaviour", "status"), [
    (Behaviour(), ReplyStatus.OK),
    (Behaviour(content='{"rationale": "oops", '), ReplyStatus.PARSE_ERROR),
    (Behaviour(verdict={"suggested_label": "piracy"}), ReplyStatus.PARSE_ERROR),
    (Behaviour(finish_reason="length", content='{"rationale": "a very lo'), ReplyStatus.TRUNCATED),
    (Behaviour(content=""), ReplyStatus.EMPTY),
    (Behaviour(refusal="I can't assist with that."), ReplyStatus.REFUSED),
    (Behaviour(content="", finish_reason="content_filter"), ReplyStatus.CONTENT_FILTER),
])
def test_chat_openai_statuses_against_the_stub(stub: OpenAIStub, behaviour: Behaviour,
                                               status: ReplyStatus) -> None:
    stub.add(behaviour)
    reply = asyncio.run(_ask_stub(stub))
    assert reply.status is status, reply.error
    assert stub.chat_requests == 1
    if behaviour.content:
        assert reply.raw == behaviour.content
    body = stub.bodies[-1]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["properties"]["suggested_label"][
        "enum"] == list(LABELS)


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_every_structured_method_gives_a_valid_verdict(stub: OpenAIStub, method: str) -> None:
    reply = asyncio.run(_ask_stub(stub, method))
    assert reply.status is ReplyStatus.OK, reply.error
    assert reply.parsed is not None and reply.parsed.model_dump()["suggested_label"] == "hate"
    body = stub.bodies[-1]
    if method == "function_calling":
        assert body["tools"] and body.get("tool_choice")
    elif method == "json_mode":
        assert body["response_format"] == {"type": "json_object"}
        # The provider gets no schema in json_mode: the field names must be in the prompt.
        system = body["messages"][0]["content"]
        for name in ("rationale", "cited_clause_ids", "suggested_label", "verdict", "confidence"):
            assert name in system


# -- retries: one layer, transient only --------------------------------------------------------
def _judge_on(stub: OpenAIStub, guidelines: GuidelineSet, timeout: float = 10.0,
              **retry: float) -> Judge:
    policy = RetryPolicy(**({"max_attempts": 4, "base_wait": 0.01, "max_wait": 0.05,
                             "deadline": 30.0} | retry))  # type: ignore[arg-type]
    return make_judge(stub_seam(stub.url, timeout=timeout), guidelines, retry=policy)


def _review(judge: Judge, item_id: str = "r-1") -> Verdict:
    item = make_item(item_id, "they are vermin", labels=("hate", "hate", "allowed"))
    prepared = judge.prepare(item, hits_for("HATE-1.1", "HATE-1.2"))
    return asyncio.run(judge.review(prepared))


def test_429_with_retry_after_waits_then_succeeds_with_one_retry_layer(
        stub: OpenAIStub, guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(status=429, headers={"Retry-After": "1"}), item="r-1")
    started = time.monotonic()
    verdict = _review(_judge_on(stub, guidelines))
    elapsed = time.monotonic() - started
    assert verdict.status is VerdictStatus.OK
    assert elapsed >= 1.0
    # Exactly two requests: the SDK did not retry on its own (max_retries=0).
    assert stub.requests_for("r-1") == 2
    assert verdict.attempts == 2


def test_500_is_retried(stub: OpenAIStub, guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(status=500), item="r-1", times=2)
    verdict = _review(_judge_on(stub, guidelines))
    assert verdict.status is VerdictStatus.OK
    assert stub.requests_for("r-1") == 3
    assert verdict.attempts == 3


def test_a_timeout_is_retried_then_succeeds(stub: OpenAIStub, guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(delay=3.0), item="r-1")
    started = time.monotonic()
    verdict = _review(_judge_on(stub, guidelines, timeout=0.5))
    assert verdict.status is VerdictStatus.OK
    assert stub.requests_for("r-1") == 2
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(("status", "error"), [
    (400, {"message": "Invalid 'messages'", "type": "invalid_request_error", "code": None}),
    (404, {"message": "The model does not exist", "type": "invalid_request_error",
           "code": "model_not_found"}),
])
def test_client_errors_are_not_retried(stub: OpenAIStub, guidelines: GuidelineSet, status: int,
                                       error: dict) -> None:
    stub.add(Behaviour(status=status, error=error), item="r-1", times=None)
    judge = _judge_on(stub, guidelines)
    if status == 404:
        with pytest.raises(AbortRun):
            _review(judge)
    else:
        verdict = _review(judge)
        assert verdict.status is VerdictStatus.FAILED
        assert verdict.error is not None and "bad_request" in verdict.error
    assert stub.requests_for("r-1") == 1


def test_401_is_not_retried_and_aborts_the_judge(stub: OpenAIStub,
                                                 guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(status=401, error={"message": "Incorrect API key provided",
                                          "type": "invalid_request_error",
                                          "code": "invalid_api_key"}), times=None)
    with pytest.raises(AbortRun, match="AuthenticationError"):
        _review(_judge_on(stub, guidelines))
    assert stub.requests_for("r-1") == 1


def test_attempts_per_item_are_capped(stub: OpenAIStub, guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(status=503), item="r-1", times=None)
    verdict = _review(_judge_on(stub, guidelines, max_attempts=3))
    assert verdict.status is VerdictStatus.FAILED
    assert verdict.attempts == 3
    assert stub.requests_for("r-1") == 3
    assert verdict.error is not None and verdict.error.startswith("server_error")


def test_retry_after_longer_than_the_deadline_fails_at_once(stub: OpenAIStub,
                                                           guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(status=429, headers={"Retry-After": "30"}), item="r-1", times=None)
    started = time.monotonic()
    verdict = _review(_judge_on(stub, guidelines, deadline=2.0))
    assert time.monotonic() - started < 1.5
    assert verdict.status is VerdictStatus.FAILED
    assert stub.requests_for("r-1") == 1


def _runner_over_stub(stub: OpenAIStub, tmp_path, guidelines: GuidelineSet, timeout: float = 10.0,
                      **retry: float) -> tuple[ReviewRunner, VerdictStore]:
    judge = _judge_on(stub, guidelines, timeout=timeout, **retry)
    store = VerdictStore(tmp_path / "home")
    runner = ReviewRunner(judge, make_retriever(guidelines, HashEmbedder()), store,
                          ReviewOptions(concurrency=4))
    return runner, store


def _items(n: int) -> list:
    return [make_item(f"i-{k}", f"ordinary podcast episode number {k} about gardening",
                      labels=("allowed", "allowed", "allowed")) for k in range(n)]


def test_a_hang_is_bounded_by_the_item_deadline_and_the_run_continues(
        stub: OpenAIStub, tmp_path, guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(hang=True), item="i-0", times=None)
    # The request timeout alone (30 s) would hold the item; the 1.5 s item deadline must not.
    runner, store = _runner_over_stub(stub, tmp_path, guidelines, timeout=30.0, deadline=1.5)
    started = time.monotonic()
    with store:
        summary = asyncio.run(runner.run(_items(4)))
        rows = {r["item_id"]: r for r in store.verdicts()}
    assert time.monotonic() - started < 6
    assert summary.status == "done"
    assert rows["i-0"]["status"] == "failed" and "timeout" in rows["i-0"]["error"]
    assert all(rows[f"i-{k}"]["status"] == "ok" for k in (1, 2, 3))


def test_context_length_is_too_long_and_the_run_continues(stub: OpenAIStub, tmp_path,
                                                          guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(status=400, error={
        "message": "This model's maximum context length is 128000 tokens. However, your "
                   "messages resulted in 250000 tokens.",
        "type": "invalid_request_error", "param": "messages",
        "code": "context_length_exceeded"}), item="i-1", times=None)
    runner, store = _runner_over_stub(stub, tmp_path, guidelines)
    with store:
        summary = asyncio.run(runner.run(_items(3)))
        rows = {r["item_id"]: r for r in store.verdicts()}
    assert rows["i-1"]["status"] == "too_long"
    assert stub.requests_for("i-1") == 1
    assert rows["i-0"]["status"] == rows["i-2"]["status"] == "ok"
    assert summary.statuses == {"ok": 2, "too_long": 1}


def test_401_aborts_the_run_with_a_clear_backend_error(stub: OpenAIStub, tmp_path,
                                                       guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(status=401, error={"message": "Incorrect API key provided",
                                          "type": "invalid_request_error",
                                          "code": "invalid_api_key"}), times=None)
    runner, store = _runner_over_stub(stub, tmp_path, guidelines)
    items = _items(20)
    with store, pytest.raises(BackendError, match="re-run to resume") as caught:
        asyncio.run(runner.run(items))
    assert "AuthenticationError" in str(caught.value)
    # Only the requests already in flight were sent; nothing was retried.
    assert stub.chat_requests <= runner.options.concurrency
    with VerdictStore(tmp_path / "home") as store:
        assert store.runs()[0]["status"] == "aborted"
        assert not list(store.verdicts())


def test_two_runs_in_one_process_each_get_a_working_client(stub: OpenAIStub, tmp_path,
                                                           guidelines: GuidelineSet) -> None:
    """Every asyncio.run gets its own HTTP client (no 'Event loop is closed')."""
    for number in range(2):
        runner, store = _runner_over_stub(stub, tmp_path / str(number), guidelines)
        with store:
            summary = asyncio.run(runner.run(_items(6)))
        assert summary.statuses == {"ok": 6}, summary.statuses


# -- the retry helper and the classifier on their own ------------------------------------------
def test_call_with_retries_stops_on_terminal_errors_and_caps_transient_ones() -> None:
    calls: list[int] = []

    async def flaky() -> str:
        calls.append(1)
        raise ConnectionError("dropped")

    policy = RetryPolicy(max_attempts=3, base_wait=0.001, max_wait=0.002, deadline=5)
    with pytest.raises(ConnectionError):
        asyncio.run(call_with_retries(policy, flaky))
    assert len(calls) == 3

    calls.clear()

    async def broken() -> str:
        calls.append(1)
        raise ValueError("a bug, not a transient failure")

    with pytest.raises(ValueError):
        asyncio.run(call_with_retries(policy, broken))
    assert len(calls) == 1


def test_classify_exception_reads_statuses_and_retry_after() -> None:
    import httpx2  # the HTTP client openai's errors carry
    import openai

    def status_error(code: int, body: dict | None = None,
                     headers: dict | None = None) -> openai.APIStatusError:
        request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
        response = httpx2.Response(code, headers=headers or {}, request=request, json=body or {})
        cls = {429: openai.RateLimitError, 401: openai.AuthenticationError,
               400: openai.BadRequestError}.get(code, openai.APIStatusError)
        return cls("error", response=response, body=body)

    limited = classify_exception(status_error(429, headers={"retry-after-ms": "1500"}))
    assert limited.transient and limited.retry_after == 1.5
    quota = classify_exception(status_error(429, {"error": {"code": "insufficient_quota"}}))
    assert not quota.transient
    assert classify_exception(status_error(401)).status == "auth_error"
    too_long = classify_exception(status_error(400, {"error": {
        "code": "context_length_exceeded"}}))
    assert too_long.status == "context_length" and not too_long.transient
    assert classify_exception(status_error(502)).transient
    assert classify_exception(TimeoutError()).status == "timeout"
    # An unreachable server is named (its address without credentials or query): the SDK's
    # own "Connection error." does not say which one.
    unreachable = openai.APIConnectionError(request=httpx2.Request(
        "POST", "http://user:secret@127.0.0.1:9/v1/chat/completions?key=k"))
    down = classify_exception(unreachable)
    assert down.transient and down.status == "connection_error"
    assert down.message == ("APIConnectionError: Connection error. "
                            "(http://127.0.0.1:9/v1/chat/completions)")


def test_redact_removes_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-VERYSECRET-123")
    text = redact("bad key sk-test-VERYSECRET-123 and Bearer abcdefghijk and sk-other-key-99")
    assert "VERYSECRET" not in text and "abcdefghijk" not in text and "other-key" not in text
    assert redact("a risk-assessment podcast") == "a risk-assessment podcast"
