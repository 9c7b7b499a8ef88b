"""The LLM seam: every model call in llmqa goes through ``ChatSeam``.

Judge, example generator and revision drafting build llmqa's own ``Message`` objects and
call ``ask_until_valid``; which backend answers (an OpenAI-compatible endpoint, any LangChain
chat model, the embedded llama.cpp model, or the fake used in tests) is chosen once, in
``backends.make_chat_model``. LangChain is imported only by the modules that talk to it
(``adapter``, ``seam``, ``backends``, ``fake``, ``local``, ``_structured``, ``openai_batch``),
so importing this package, the messages or the ask loop costs no LangChain start-up; the
names below that need it load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from llmqa.llm.ask import Asked, Problem, ask_until_valid
from llmqa.llm.failures import Failure, classify_exception
from llmqa.llm.messages import ImagePart, Message, TextPart, assistant, system, user
from llmqa.llm.reply import Reply, ReplyStatus, validate_answer
from llmqa.llm.retry import RetryPolicy
from llmqa.llm.spec import BackendSpec

# Names whose modules import LangChain: resolved on first access (PEP 562), not at import.
_HEAVY = {"ChatSeam": "llmqa.llm.seam", "make_chat_model": "llmqa.llm.backends",
          "make_seam": "llmqa.llm.backends", "FakeChatModel": "llmqa.llm.fake"}


def __getattr__(name: str) -> Any:
    if name in _HEAVY:
        return getattr(importlib.import_module(_HEAVY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Asked",
    "BackendSpec",
    "ChatSeam",
    "Failure",
    "FakeChatModel",
    "ImagePart",
    "Message",
    "Problem",
    "Reply",
    "ReplyStatus",
    "RetryPolicy",
    "TextPart",
    "ask_until_valid",
    "assistant",
    "classify_exception",
    "make_chat_model",
    "make_seam",
    "system",
    "user",
    "validate_answer",
]
