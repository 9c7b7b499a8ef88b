"""llmqa's own messages, their conversion at the seam, and the one ask-until-valid loop."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict

from llmqa.llm.adapter import openai_messages, to_langchain
from llmqa.llm.ask import Problem, ask_until_valid, reply_problem
from llmqa.llm.fake import FakeChatModel
from llmqa.llm.messages import ImagePart, Message, TextPart, assistant, system, user
from llmqa.llm.reply import Reply, ReplyStatus
from llmqa.llm.retry import RetryPolicy
from llmqa.llm.seam import ChatSeam

# A generous deadline: the first failure imports the OpenAI SDK to classify it (seconds on a
# loaded machine), and the deadline counts that time too.
FAST = RetryPolicy(max_attempts=3, base_wait=0.001, max_wait=0.002, deadline=120)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    score: float


def _reask(problem: Problem) -> Message:
    return user(f"Your previous answer could not be used: {problem.message}")


def _ask(model: FakeChatModel, **options: Any):
    return asyncio.run(ask_until_valid(ChatSeam(model, name="fake"),
                                       [system("Label it."), user("some item")], Answer,
                                       reask=_reask, retry=FAST, **options))


# -- messages ----------------------------------------------------------------------------------
def test_messages_are_plain_values_with_text_and_image_parts() -> None:
    plain = user("hello")
    assert plain == Message("user", "hello") and plain.text == "hello" and plain.images == ()
    with_image = user("look", "https://example.invalid/a.png")
    assert with_image.content == (TextPart("look"), ImagePart("https://example.invalid/a.png"))
    assert with_image.text == "look" and with_image.images == (
        ImagePart("https://example.invalid/a.png"),)
    with pytest.raises(AttributeError):
        plain.role = "system"  # type: ignore[misc]  # frozen: safe to share between items


def test_the_adapter_converts_roles_and_parts_for_langchain_and_openai() -> None:
    messages = [system("rules"), user("look", "data:image/png;base64,AAAA"), assistant("{}")]
    converted = to_langchain(messages)
    assert [type(m) for m in converted] == [SystemMessage, HumanMessage, AIMessage]
    assert converted[1].content == [{"type": "text", "text": "look"},
                                    {"type": "image_url",
                                     "image_url": {"url": "data:image/png;base64,AAAA"}}]
    wire = openai_messages(messages)
    assert [m["role"] for m in wire] == ["system", "user", "assistant"]
    assert wire[1]["content"][1]["image_url"]["url"].startswith("data:image/png")


def test_the_seam_sends_llmqa_messages_to_a_langchain_model() -> None:
    model = FakeChatModel([{"label": "spam", "score": 0.5}])
    reply = asyncio.run(ChatSeam(model, name="fake").ask([system("s"), user("u")], Answer))
    assert reply.status is ReplyStatus.OK and reply.parsed == Answer(label="spam", score=0.5)
    sent = model.calls[0]["messages"]
    assert isinstance(sent[0], SystemMessage) and isinstance(sent[1], HumanMessage)


# -- ask_until_valid ---------------------------------------------------------------------------
def test_a_valid_first_answer_is_taken_with_its_usage() -> None:
    model = FakeChatModel([{"label": "spam", "score": 0.5}])
    asked = _ask(model)
    assert asked.ok and asked.answer == Answer(label="spam", score=0.5)
    assert asked.attempts == 1 and len(model.calls) == 1
    assert asked.raw == json.dumps({"label": "spam", "score": 0.5})
    assert asked.input_tokens > 0 and asked.output_tokens > 0


def test_a_malformed_answer_is_re_asked_once_with_its_raw_answer_and_the_error() -> None:
    model = FakeChatModel(['{"label": "spam"}', {"label": "spam", "score": 0.5}])
    asked = _ask(model)
    assert asked.ok and asked.attempts == 2 and len(asked.replies) == 2
    history = model.calls[1]["messages"]
    assert isinstance(history[-2], AIMessage) and history[-2].content == '{"label": "spam"}'
    assert "score: Field required" in history[-1].content
    assert asked.input_tokens == sum(r.input_tokens for r in asked.replies)


def test_only_one_re_ask_then_the_last_problem_is_kept() -> None:
    model = FakeChatModel(["nope", "still nope", {"label": "spam", "score": 0.5}])
    asked = _ask(model)
    assert not asked.ok and asked.answer is None and len(model.calls) == 2
    assert asked.problem is not None and asked.problem.status == "parse_error"
    assert asked.raw == "still nope"


def test_the_meaning_check_can_reject_a_schema_valid_answer_and_re_ask() -> None:
    model = FakeChatModel([{"label": "piracy", "score": 0.5}, {"label": "spam", "score": 0.5}])

    def known_label(reply: Reply) -> Problem | None:
        found = reply_problem(reply)
        if found is None and reply.parsed.label not in ("spam", "allowed"):  # type: ignore[union-attr]
            return Problem("unknown_label", f"label {reply.parsed.label!r} is not allowed")  # type: ignore[union-attr]
        return found

    asked = _ask(model, check=known_label, reaskable=("parse_error", "unknown_label"))
    assert asked.ok and asked.answer.label == "spam"  # type: ignore[union-attr]
    assert "label 'piracy' is not allowed" in model.calls[1]["messages"][-1].content
    # Not re-askable: the problem is kept and the model is asked once.
    once = FakeChatModel([{"label": "piracy", "score": 0.5}])
    asked = _ask(once, check=known_label)
    assert asked.problem == Problem("unknown_label", "label 'piracy' is not allowed")
    assert len(once.calls) == 1


def test_a_refusal_is_not_re_asked() -> None:
    model = FakeChatModel([AIMessage(content="", additional_kwargs={"refusal": "no"},
                                     response_metadata={"finish_reason": "stop"})])
    asked = _ask(model)
    assert asked.problem == Problem("refused", "no") and len(model.calls) == 1


def test_transport_failures_are_retried_counted_and_reported_not_raised() -> None:
    model = FakeChatModel([ConnectionError("dropped"), {"label": "spam", "score": 0.5}])
    asked = _ask(model)
    assert asked.ok and asked.attempts == 2 and len(asked.replies) == 1
    broken = FakeChatModel([ValueError("a bug")])
    asked = _ask(broken)
    assert asked.failure is not None and asked.failure.status == "backend_error"
    assert not asked.ok and asked.replies == [] and asked.attempts == 1


def test_the_core_imports_no_langchain() -> None:
    """Building prompts, judging, generating, drafting revisions and storing verdicts load no
    LangChain: only a seam (``ChatSeam``, ``make_seam``) does."""
    code = ("import sys\n"
            "import llmqa.llm, llmqa.judge, llmqa.generation.candidates, llmqa.revision.draft\n"
            "import llmqa.store, llmqa.store.reparse, llmqa.runner.review\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('langchain'))\n"
            "assert not loaded, loaded\n"
            "from llmqa.llm import ChatSeam\n"
            "assert 'langchain_core' in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
