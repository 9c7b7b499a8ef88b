"""llmqa: annotation QA against written policy guidelines."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmqa.errors import (
        BackendError,
        ConfigError,
        GuidelineError,
        IndexMismatchError,
        InputError,
        LlmqaError,
        StoreError,
    )
    from llmqa.items import Annotation, Content, Item, Modality

__version__ = "0.1.0"

# Loaded on first use (PEP 562): the item models cost a pydantic schema build that
# `llmqa --help` and `import llmqa.errors` should not pay.
_EXPORTS = {
    "Annotation": "llmqa.items",
    "BackendError": "llmqa.errors",
    "ConfigError": "llmqa.errors",
    "Content": "llmqa.items",
    "GuidelineError": "llmqa.errors",
    "IndexMismatchError": "llmqa.errors",
    "InputError": "llmqa.errors",
    "Item": "llmqa.items",
    "LlmqaError": "llmqa.errors",
    "Modality": "llmqa.items",
    "StoreError": "llmqa.errors",
}

__all__ = [
    "Annotation",
    "BackendError",
    "ConfigError",
    "Content",
    "GuidelineError",
    "IndexMismatchError",
    "InputError",
    "Item",
    "LlmqaError",
    "Modality",
    "StoreError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llmqa' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip this hook
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
