"""llmqa: annotation QA against written policy guidelines."""

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
