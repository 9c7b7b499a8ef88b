"""Choosing a chat model from a spec string.

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
import re
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel

from llmqa.errors import ConfigError
from llmqa.llm.seam import ChatSeam, StructuredMethod

LOCAL = "local"
_VISION = re.compile(r"gpt-4o|gpt-4\.1|gpt-5|o[134]\b|vision|llava|vl\b|gemma-?3|pixtral|claude",
                     re.IGNORECASE)


@dataclass(frozen=True)
class BackendSpec:
    model: str = LOCAL
    base_url: str | None = None
    method: StructuredMethod | None = None
    timeout: float = 60.0
    temperature: float = 0.0
    max_tokens: int | None = 600
    vision: bool | None = None
    model_kwargs: dict[str, Any] = field(default_factory=dict)
    # Built for a dry run: nothing is sent, so no API key is required.
    no_calls: bool = False

    @property
    def is_local(self) -> bool:
        return self.model == LOCAL

    @property
    def display_name(self) -> str:
        if self.is_local:
            from llmqa.llm.local import LOCAL_MODEL_NAME

            return LOCAL_MODEL_NAME
        return self.model.removeprefix("openai:")

    @property
    def supports_images(self) -> bool:
        if self.vision is not None:
            return self.vision
        return not self.is_local and bool(_VISION.search(self.model))

    @property
    def max_item_chars(self) -> int:
        # The embedded model has a 4k-token context shared with the clauses and the answer.
        return 2500 if self.is_local else 16000


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
            raise ConfigError(f"cannot build '{target}' with the model options given "
                              f"({given}): {exc}") from exc
    import openai
    from langchain_openai import ChatOpenAI

    name = spec.model.removeprefix("openai:")
    if not name:
        raise ConfigError("empty model name")
    key = os.environ.get("OPENAI_API_KEY")
    if not key and not spec.base_url and not spec.no_calls:
        raise ConfigError(f"model '{name}' needs OPENAI_API_KEY, or --base-url for a local "
                          "OpenAI-compatible server; omit --model to use the embedded model")
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
