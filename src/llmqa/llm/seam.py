"""One small interface to chat models with structured output.

``ChatSeam.ask(messages, schema)`` sends one request asking for JSON that matches ``schema``
and returns a ``Reply``: the validated object when there is one, and otherwise a precise
status (``truncated``, ``refused``, ``content_filter``, ``empty``, ``parse_error``) with the
raw answer, so a caller can store a failure instead of guessing. Transport failures are
raised; ``classify_exception`` says whether they are worth retrying and how long to wait.

The request is made through LangChain's ``with_structured_output(..., include_raw=True)``
with a plain JSON schema (not the pydantic class), so the provider's own parser never
swallows a malformed answer: the raw text comes back and is validated here.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import re
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from pydantic import BaseModel, ValidationError

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]


class ReplyStatus(StrEnum):
    OK = "ok"
    PARSE_ERROR = "parse_error"  # not JSON, or JSON that fails the schema
    TRUNCATED = "truncated"  # finish_reason=length: the answer was cut off
    REFUSED = "refused"
    CONTENT_FILTER = "content_filter"
    EMPTY = "empty"  # no content, no tool call, no refusal


@dataclass
class Reply:
    status: ReplyStatus
    parsed: BaseModel | None
    raw: str
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    finish_reason: str | None = None
    latency_s: float = 0.0
    model_name: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Failure:
    """How a raised exception should be treated."""

    transient: bool
    status: str  # e.g. rate_limited, server_error, timeout, bad_request, auth, context_length
    message: str
    retry_after: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _usage(message: AIMessage) -> tuple[int, int, int]:
    usage = message.usage_metadata or {}
    details = usage.get("input_token_details") or {}
    return (int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0),
            int(details.get("cache_read") or 0))


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


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


def validate_answer(raw: str, schema: type[BaseModel]) -> tuple[BaseModel | None, str | None]:
    """Parse a raw answer into ``schema``; a markdown fence is tolerated, nothing else is."""
    text = raw.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        return schema.model_validate_json(text), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, f"{where}: {first['msg']}" if where else first["msg"]


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
                structured = self.model.with_structured_output(None, method="json_mode",
                                                               include_raw=True)
            else:
                structured = self.model.with_structured_output(json_schema, method=self.method,
                                                               include_raw=True)
            runnable = self._runnables[schema] = _raw_step(structured) or structured
        return runnable

    def _with_schema_text(self, messages: list[BaseMessage],
                          schema: type[BaseModel]) -> list[BaseMessage]:
        """json_mode sends no schema to the provider: state it in the system message, or the
        model has to guess the field names."""
        text = self._schema_texts.get(schema)
        if text is None:
            text = self._schema_texts[schema] = (
                "The JSON object must have exactly these fields, as this JSON schema "
                "describes:\n" + json.dumps(schema.model_json_schema(), ensure_ascii=False))
        if messages and isinstance(messages[0], SystemMessage) and isinstance(
                messages[0].content, str):
            return [SystemMessage(content=f"{messages[0].content}\n\n{text}"), *messages[1:]]
        return [SystemMessage(content=text), *messages]

    async def ask(self, messages: list[BaseMessage], schema: type[BaseModel]) -> Reply:
        started = time.perf_counter()
        if self.method == "json_mode":
            messages = self._with_schema_text(messages, schema)
        try:
            result = await asyncio.wait_for(self._runnable(schema).ainvoke(messages),
                                            timeout=self.timeout)
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

    def interpret(self, message: AIMessage, schema: type[BaseModel], latency: float = 0.0) -> Reply:
        """Turn a raw model message into a ``Reply``: the one place statuses are decided."""
        input_tokens, output_tokens, cached = _usage(message)
        meta = message.response_metadata or {}
        finish = meta.get("finish_reason")
        raw = _json_text(message)
        common = {"raw": raw, "input_tokens": input_tokens, "output_tokens": output_tokens,
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
    from llmqa.llm.openai_batch import message_from_body

    return message_from_body(completion.model_dump())


def _retry_after(headers: Any) -> float | None:
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return float(value) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


_SECRET = re.compile(r"\b(?:sk-[A-Za-z0-9_\-]{6,}|Bearer\s+[A-Za-z0-9._\-]{6,})")


def redact(text: str, patterns: bool = True) -> str:
    """Remove API keys from a message before it is stored, printed or raised.

    Some OpenAI-compatible servers and proxies echo the credential they rejected; error
    text goes to the SQLite store, exports and the terminal, none of which may hold a key.
    The configured key is always removed; with ``patterns`` anything shaped like a key
    (``sk-...``, ``Bearer ...``) is too, which suits error text but not model answers.
    """
    key = os.environ.get("OPENAI_API_KEY") or ""
    if len(key) >= 6:
        text = text.replace(key, "[redacted]")
    return _SECRET.sub("[redacted]", text) if patterns else text


def classify_exception(exc: BaseException) -> Failure:
    """Transient (retry) or terminal (fail the item), from the exception alone.

    The OpenAI SDK's exception types are the de-facto vocabulary of OpenAI-compatible servers;
    other LangChain backends raise their own types, which fall through to a terminal
    ``backend_error`` unless they carry an HTTP status.
    """
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return Failure(True, "timeout", "the request timed out")
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        openai = None  # type: ignore[assignment]
    message = redact(f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}")
    if openai is not None:
        if isinstance(exc, openai.APITimeoutError):
            return Failure(True, "timeout", message)
        if isinstance(exc, openai.APIConnectionError):
            return Failure(True, "connection_error", message)
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            retry_after = _retry_after(exc.response.headers if exc.response is not None else None)
            body = str(getattr(exc, "body", "") or exc).lower()
            if status == 429:
                # An exhausted quota is not going to recover by waiting.
                if "insufficient_quota" in body:
                    return Failure(False, "quota_exhausted", message)
                return Failure(True, "rate_limited", message, retry_after)
            if status >= 500 or status in (408, 409):
                return Failure(True, "server_error", message, retry_after)
            if "context_length" in body or "maximum context length" in body:
                return Failure(False, "context_length", message)
            if status in (401, 403):
                return Failure(False, "auth_error", message)
            if status == 404:
                return Failure(False, "not_found", message)
            return Failure(False, "bad_request", message)
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and (status == 429 or status >= 500):
        return Failure(True, "server_error" if status >= 500 else "rate_limited", message)
    if isinstance(exc, ConnectionError):
        return Failure(True, "connection_error", message)
    return Failure(False, "backend_error", message)
