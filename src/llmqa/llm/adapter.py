"""The one adapter between llmqa's messages and LangChain's (and the OpenAI wire format).

``to_langchain`` turns ``Message`` objects into the messages a LangChain chat model takes;
``message_from_body`` turns an OpenAI chat-completions response body (a Batch API answer, or
the completion inside an SDK finish-reason error) into the ``AIMessage`` LangChain would
have built, so ``ChatSeam.interpret`` decides its status like any other answer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    convert_to_openai_messages,
)

from llmqa.llm.messages import ImagePart, Message, TextPart

_TYPES: dict[str, type[BaseMessage]] = {
    "system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}


def _content(content: str | tuple[TextPart | ImagePart, ...]) -> Any:
    if isinstance(content, str):
        return content
    return [{"type": "text", "text": p.text} if isinstance(p, TextPart)
            else {"type": "image_url", "image_url": {"url": p.url}} for p in content]


def to_langchain(messages: Sequence[Message]) -> list[BaseMessage]:
    """llmqa messages as LangChain messages (text parts and ``image_url`` parts)."""
    return [_TYPES[m.role](content=_content(m.content)) for m in messages]


def openai_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """llmqa messages in the OpenAI chat-completions format (Batch API request lines)."""
    return convert_to_openai_messages(to_langchain(messages))  # type: ignore[return-value]


def message_from_body(body: dict[str, Any]) -> AIMessage:
    """A chat-completions response body as the ``AIMessage`` LangChain would have built."""
    choice = (body.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    usage = body.get("usage") or {}
    kwargs: dict[str, Any] = {}
    if message.get("refusal"):
        kwargs["refusal"] = message["refusal"]
    tool_calls = []
    for call in message.get("tool_calls") or []:
        try:
            args = json.loads(call["function"]["arguments"])
        except (json.JSONDecodeError, KeyError):
            continue
        tool_calls.append({"name": call["function"]["name"], "args": args, "id": call.get("id")})
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens", 0)
    return AIMessage(
        content=message.get("content") or "", additional_kwargs=kwargs, tool_calls=tool_calls,
        response_metadata={"finish_reason": choice.get("finish_reason"),
                           "model_name": body.get("model")},
        usage_metadata={"input_tokens": usage.get("prompt_tokens", 0),
                        "output_tokens": usage.get("completion_tokens", 0),
                        "total_tokens": usage.get("total_tokens", 0),
                        "input_token_details": {"cache_read": cached}})
