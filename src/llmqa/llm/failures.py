"""Whether a failed model call is worth retrying, and how long the server asked us to wait.

``classify_exception`` reads the exception alone, so the retry layer, the judge (which ends
a run on a bad key) and the generator all decide alike. Free of LangChain.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from dataclasses import dataclass, field
from typing import Any

from llmqa.redact import redact


@dataclass(frozen=True)
class Failure:
    """How a raised exception should be treated."""

    transient: bool
    status: str  # e.g. rate_limited, server_error, timeout, bad_request, auth, context_length
    message: str
    retry_after: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ContextTooLong(ValueError):
    """A prompt longer than the model's context window, from a backend that has no HTTP
    status to say so with (the embedded llama.cpp model raises a bare ValueError)."""


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


def _where(exc: Any) -> str:
    """The address a connection failed on, without credentials or query: the SDK's own
    message ("Connection error.") does not say which server was unreachable."""
    try:
        url = exc.request.url
        port = f":{url.port}" if url.port else ""
        return f" ({url.scheme}://{url.host}{port}{url.path})"
    except (AttributeError, RuntimeError):  # no request attached to this error
        return ""


def classify_exception(exc: BaseException) -> Failure:
    """Transient (retry) or terminal (fail the item), from the exception alone.

    The OpenAI SDK's exception types are the de-facto vocabulary of OpenAI-compatible servers;
    other LangChain backends raise their own types, which fall through to a terminal
    ``backend_error`` unless they carry an HTTP status.
    """
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return Failure(True, "timeout", "the request timed out")
    if isinstance(exc, ContextTooLong):
        return Failure(False, "context_length", str(exc))
    try:
        # Loaded on the first failure, not at import: the SDK costs start-up time.
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        openai = None  # type: ignore[assignment]
    message = redact(f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}")
    if openai is not None:
        if isinstance(exc, openai.APITimeoutError):
            return Failure(True, "timeout", message)
        if isinstance(exc, openai.APIConnectionError):
            return Failure(True, "connection_error", message + _where(exc))
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
    code = getattr(exc, "status_code", None)
    if isinstance(code, int) and (code == 429 or code >= 500):
        return Failure(True, "server_error" if code >= 500 else "rate_limited", message)
    if isinstance(exc, ConnectionError):
        return Failure(True, "connection_error", message)
    return Failure(False, "backend_error", message)
