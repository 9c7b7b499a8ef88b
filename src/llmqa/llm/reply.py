"""What a model call comes back as: a ``Reply`` with a precise status, and the one place a
raw answer is validated against a schema (markdown fences tolerated, nothing else).

Free of LangChain, so the store can re-validate stored answers (``store/reparse.py``) and
callers can read replies without loading a model layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ValidationError

from llmqa.errors import first_error


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


class Usage:
    """Token totals over ``self.replies``: every call of an asking is paid for, the re-asks
    and the unusable replies too."""

    replies: list[Reply]

    @property
    def input_tokens(self) -> int:
        return sum(r.input_tokens for r in self.replies)

    @property
    def output_tokens(self) -> int:
        return sum(r.output_tokens for r in self.replies)

    @property
    def cached_tokens(self) -> int:
        return sum(r.cached_tokens for r in self.replies)


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def strip_fence(raw: str) -> str:
    """The answer inside a markdown code fence (```json ... ```), or the text as it is."""
    text = raw.strip()
    fenced = _FENCE.match(text)
    return fenced.group(1) if fenced else text


def validate_answer(raw: str, schema: type[BaseModel]) -> tuple[BaseModel | None, str | None]:
    """Parse a raw answer into ``schema``; a markdown fence is tolerated, nothing else is."""
    try:
        return schema.model_validate_json(strip_fence(raw)), None
    except ValidationError as exc:
        return None, first_error(exc)
