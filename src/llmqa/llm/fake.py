"""A fake chat model for tests and demos: queued replies, a record of every prompt.

Shipped with the library (like httpx's ``MockTransport``) so teams can test their own
pipelines around llmqa without a model. Each queued reply may be:

- a ``dict`` or pydantic model → returned as JSON content;
- a ``str`` → returned verbatim as content (use it for malformed answers);
- an ``AIMessage`` → returned as is (set ``response_metadata`` for finish reasons);
- an ``Exception`` → raised;
- a callable ``(messages) -> any of the above``.

When the queue is empty ``responder`` is called, and without one the model raises.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import BaseModel, ConfigDict, PrivateAttr

from llmqa.llm._structured import SchemaBoundMixin

FakeReply = dict | BaseModel | str | AIMessage | Exception | Callable[[list[BaseMessage]], Any]


class FakeChatModel(SchemaBoundMixin, BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    responder: Callable[[list[BaseMessage]], Any] | None = None
    tokens_per_char: float = 0.25
    model_name: str = "fake"

    _queue: deque = PrivateAttr(default_factory=deque)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _calls: list[dict[str, Any]] = PrivateAttr(default_factory=list)

    def __init__(self, replies: Iterable[FakeReply] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._queue.extend(replies)

    @property
    def _llm_type(self) -> str:
        return "llmqa-fake"

    @property
    def calls(self) -> list[dict[str, Any]]:
        """Every request: ``{"messages": [...], "schema": {...}}``."""
        return self._calls

    def queue(self, *replies: FakeReply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def _next(self, messages: list[BaseMessage]) -> Any:
        with self._lock:
            reply = self._queue.popleft() if self._queue else None
        if reply is None:
            if self.responder is None:
                raise RuntimeError("FakeChatModel has no queued reply and no responder")
            reply = self.responder
        if callable(reply) and not isinstance(reply, BaseModel | type):
            reply = reply(messages)
        return reply

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        with self._lock:
            self._calls.append({"messages": list(messages),
                                "schema": kwargs.get("llmqa_json_schema")})
        reply = self._next(messages)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, AIMessage):
            message = reply
        else:
            if isinstance(reply, BaseModel):
                content = reply.model_dump_json()
            elif isinstance(reply, dict):
                content = json.dumps(reply)
            else:
                content = str(reply)
            prompt_chars = sum(len(str(m.content)) for m in messages)
            message = AIMessage(
                content=content,
                response_metadata={"finish_reason": "stop", "model_name": self.model_name},
                usage_metadata={"input_tokens": int(prompt_chars * self.tokens_per_char),
                                "output_tokens": int(len(content) * self.tokens_per_char),
                                "total_tokens": int((prompt_chars + len(content))
                                                    * self.tokens_per_char)})
        return ChatResult(generations=[ChatGeneration(message=message)])
