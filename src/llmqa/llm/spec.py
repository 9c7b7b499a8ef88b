"""Which chat model to use, as data: ``BackendSpec``.

- ``local`` (default): the embedded SmolLM2-135M via llama.cpp; offline, tiny, weak.
- ``NAME`` or ``openai:NAME``: OpenAI or any OpenAI-compatible server given ``base_url``.
- ``class:package.module:ClassName``: any LangChain chat model, built with ``model_kwargs``.

Free of LangChain: the judge reads a spec's properties to pick its settings; only
``backends.make_chat_model`` turns a spec into a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]

LOCAL = "local"
LOCAL_MODEL_NAME = "smollm2-135m-instruct"
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
