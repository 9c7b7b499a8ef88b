"""Building a chat model and its seam from a ``BackendSpec`` (see ``llm/spec.py``).

- ``local`` (default): the embedded SmolLM2-135M via llama.cpp; offline, tiny, weak.
- ``NAME`` or ``openai:NAME``: ``ChatOpenAI`` against OpenAI or any OpenAI-compatible server
  (vLLM, Ollama, llama.cpp server) given ``base_url``; the key comes from ``OPENAI_API_KEY``.
- ``class:package.module:ClassName``: any LangChain chat model, constructed with
  ``model_kwargs`` (for example ``class:langchain_anthropic:ChatAnthropic`` with
  ``model=...``).

The SDK's own retries are switched off (``max_retries=0``): llmqa's runner is the single
retry layer, so a 429 is never retried by two layers at once.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import ValidationError

from llmqa.errors import ConfigError, Hint, every_error
from llmqa.llm.seam import ChatSeam
from llmqa.llm.spec import LOCAL, BackendSpec, StructuredMethod

__all__ = ["LOCAL", "BackendSpec", "StructuredMethod", "make_chat_model", "make_seam"]


def make_chat_model(spec: BackendSpec) -> BaseChatModel:
    if spec.is_local:
        from llmqa.llm.local import LlamaCppChatModel

        return LlamaCppChatModel(**spec.model_kwargs)
    if spec.model.startswith("class:"):
        target = spec.model.removeprefix("class:")
        module_name, _, class_name = target.rpartition(":")
        if not module_name:
            module_name, _, class_name = target.rpartition(".")
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(f"cannot import chat model '{target}': {exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, BaseChatModel)):
            raise ConfigError(f"'{target}' is not a LangChain chat model class")
        try:
            return cls(**spec.model_kwargs)
        except (TypeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            given = ", ".join(sorted(spec.model_kwargs)) or "none"
            problem = every_error(exc) if isinstance(exc, ValidationError) else str(exc)
            raise ConfigError(f"cannot build '{target}' with the model options given "
                              f"({given}): {problem}") from exc
    import openai
    from langchain_openai import ChatOpenAI

    name = spec.model.removeprefix("openai:")
    if not name:
        raise ConfigError("empty model name")
    key = os.environ.get("OPENAI_API_KEY")
    if not key and not spec.base_url and not spec.no_calls:
        raise ConfigError(f"model '{name}' needs OPENAI_API_KEY", hint=Hint(
            "or {} for a local OpenAI-compatible server; leave {} unset to use the embedded "
            "model", ("base_url", "model")))
    kwargs: dict[str, Any] = {"model": name, "base_url": spec.base_url,
                              "api_key": key or "not-needed", "timeout": spec.timeout,
                              "max_retries": 0, "temperature": spec.temperature,
                              # A client of its own: langchain-openai otherwise shares one async
                              # client per (base_url, timeout) across the process, whose pooled
                              # connections belong to the event loop of the first run, so a
                              # second asyncio.run (notebooks, tests, doctor then review) fails
                              # with "Event loop is closed".
                              "http_async_client": openai.DefaultAsyncHttpxClient(
                                  timeout=spec.timeout)}
    if spec.max_tokens:
        kwargs["max_tokens"] = spec.max_tokens
    kwargs.update(spec.model_kwargs)
    return ChatOpenAI(**kwargs)


def make_seam(spec: BackendSpec, model: BaseChatModel | None = None) -> ChatSeam:
    """A seam for ``spec``; pass ``model`` to use an already-built chat model (tests)."""
    chat = model if model is not None else make_chat_model(spec)
    return ChatSeam(chat, name=spec.display_name, method=spec.method or "json_schema",
                    timeout=spec.timeout)
