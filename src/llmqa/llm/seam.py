"""One small interface to chat models with structured output, and the one adapter to LangChain.

``ChatSeam.ask(messages, schema)`` takes llmqa's own ``Message`` objects (``llm/messages.py``),
sends one request asking for JSON that matches ``schema`` and returns a ``Reply``: the
validated object when there is one, and otherwise a precise status (``truncated``,
``refused``, ``content_filter``, ``empty``, ``parse_error``) with the raw answer, so a caller
can store a failure instead of guessing. Transport failures are raised;
``classify_exception`` says whether they are worth retrying and how long to wait.

The request is made through LangChain's ``with_structured_output(..., include_raw=True)``
with a plain JSON schema (not the pydantic class), so the provider's own parser never
swallows a malformed answer: the raw text comes back and is validated here. llmqa's messages
become LangChain's in ``llm/adapter.py``; nothing outside ``llm/`` sees a LangChain type.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from pydantic import BaseModel

from llmqa.llm.adapter import message_from_body, to_langchain
from llmqa.llm.failures import Failure, classify_exception
from llmqa.llm.messages import Message
from llmqa.llm.reply import Reply, ReplyStatus, validate_answer
from llmqa.llm.spec import StructuredMethod

# Re-exported: callers that ask a seam read its replies and classify its failures.
__all__ = ["ChatSeam", "Failure", "Reply", "ReplyStatus", "StructuredMethod",
           "classify_exception", "validate_answer"]


def _usage(message: AIMessage) -> tuple[int, int, int]:
    usage: Any = message.usage_metadata or {}
    details = usage.get("input_token_details") or {}
    return (int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0),
            int(details.get("cache_read") or 0))


def _json_text(message: AIMessage) -> str:
    if message.tool_calls:
        return json.dumps(message.tool_calls[0]["args"])
    if message.invalid_tool_calls:
        return str(message.invalid_tool_calls[0].get("args") or "")
    content = message.content
    if isinstance(content, list):
        content = "".join(part.get("text", "") if isinstance(part, dict) else str(part)
                          for part in content)
    return str(content or "")


class ChatSeam:
    """A LangChain chat model plus the structured-output method that works for it."""

    def __init__(self, model: BaseChatModel, name: str, method: StructuredMethod = "json_schema",
                 timeout: float = 120.0) -> None:
        self.model = model
        self.name = name
        self.method = method
        self.timeout = timeout
        # Per schema class (``answer_model`` caches its classes): building a JSON schema per
        # call costs more CPU than the rest of the request.
        self._runnables: dict[type[BaseModel], Any] = {}
        self._schema_texts: dict[type[BaseModel], str] = {}

    def _runnable(self, schema: type[BaseModel]) -> Any:
        runnable = self._runnables.get(schema)
        if runnable is None:
            json_schema = schema.model_json_schema()
            json_schema.setdefault("title", schema.__name__)
            if self.method == "json_mode":
                structured = self.model.with_structured_output(
                    None, method="json_mode", include_raw=True)  # type: ignore[arg-type]
            else:
                structured = self.model.with_structured_output(json_schema, method=self.method,
                                                               include_raw=True)
            runnable = self._runnables[schema] = _raw_step(structured) or structured
        return runnable

    def _with_schema_text(self, messages: Sequence[Message],
                          schema: type[BaseModel]) -> list[Message]:
        """json_mode sends no schema to the provider: state it in the system message, or the
        model has to guess the field names."""
        text = self._schema_texts.get(schema)
        if text is None:
            text = self._schema_texts[schema] = (
                "The JSON object must have exactly these fields, as this JSON schema "
                "describes:\n" + json.dumps(schema.model_json_schema(), ensure_ascii=False))
        if messages and messages[0].role == "system" and isinstance(messages[0].content, str):
            return [Message("system", f"{messages[0].content}\n\n{text}"), *messages[1:]]
        return [Message("system", text), *messages]

    async def ask(self, messages: Sequence[Message], schema: type[BaseModel]) -> Reply:
        started = time.perf_counter()
        if self.method == "json_mode":
            messages = self._with_schema_text(messages, schema)
        request = to_langchain(messages)
        try:
            async with asyncio.timeout(self.timeout):  # in this task: see retry.py
                result = await self._runnable(schema).ainvoke(request)
            message: AIMessage = result if isinstance(result, AIMessage) else result["raw"]
        except Exception as exc:
            # The OpenAI SDK's parse path (json_schema) raises on finish_reason length or
            # content_filter instead of returning the answer: these are answers, not failures.
            stopped = _stopped_answer(exc)
            if stopped is None:
                raise
            message = stopped
        latency = time.perf_counter() - started
        return self.interpret(message, schema, latency)

    def interpret_body(self, body: dict[str, Any], schema: type[BaseModel]) -> Reply:
        """A ``Reply`` from an OpenAI chat-completions response body (a Batch API answer)."""
        return self.interpret(message_from_body(body), schema)

    def interpret(self, message: AIMessage, schema: type[BaseModel], latency: float = 0.0) -> Reply:
        """Turn a raw model message into a ``Reply``: the one place statuses are decided."""
        input_tokens, output_tokens, cached = _usage(message)
        meta = message.response_metadata or {}
        finish = meta.get("finish_reason")
        raw = _json_text(message)
        common: dict[str, Any] = {
            "raw": raw, "input_tokens": input_tokens, "output_tokens": output_tokens,
            "cached_tokens": cached, "finish_reason": finish, "latency_s": latency,
            "model_name": meta.get("model_name") or meta.get("model")}
        refusal = message.additional_kwargs.get("refusal")
        if refusal:
            return Reply(ReplyStatus.REFUSED, None, error=str(refusal), **common)
        if finish == "content_filter":
            return Reply(ReplyStatus.CONTENT_FILTER, None, error="stopped by a content filter",
                         **common)
        if finish == "length":
            return Reply(ReplyStatus.TRUNCATED, None,
                         error="answer cut off at the output token limit", **common)
        if not raw.strip():
            return Reply(ReplyStatus.EMPTY, None, error="the model returned no content", **common)
        parsed, error = validate_answer(raw, schema)
        if parsed is None:
            return Reply(ReplyStatus.PARSE_ERROR, None, error=error, **common)
        return Reply(ReplyStatus.OK, parsed, **common)


def _raw_step(structured: Any) -> Any | None:
    """The bound model call inside ``with_structured_output(..., include_raw=True)``.

    LangChain builds that runnable as ``RunnableMap(raw=bound_model) | parsers``; the seam
    validates the raw answer itself, so it calls the bound model directly and skips the
    parsers, whose sync steps each hop through a thread pool. Any other shape is used whole.
    """
    first = getattr(structured, "first", None)
    steps = getattr(first, "steps__", None)
    if isinstance(steps, dict) and list(steps) == ["raw"]:
        return steps["raw"]
    return None


def _stopped_answer(exc: BaseException) -> AIMessage | None:
    """The answer inside the SDK's Length/ContentFilterFinishReasonError, if ``exc`` is one."""
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        return None
    if not isinstance(exc, openai.LengthFinishReasonError | openai.ContentFilterFinishReasonError):
        return None
    completion = getattr(exc, "completion", None)
    if completion is None:
        reason = "length" if isinstance(exc, openai.LengthFinishReasonError) else "content_filter"
        return AIMessage(content="", response_metadata={"finish_reason": reason})
    return message_from_body(completion.model_dump())
