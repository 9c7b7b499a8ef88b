"""Errors llmqa raises on purpose.

The hierarchy is small so callers (and the CLI) can tell a user mistake from a bug::

    LlmqaError                 base; the CLI prints the message and exits 1, no traceback
    ├── InputError             bad input data: a file that cannot be read at all
    │   └── MissingInputError  an input path that does not exist (exit 2, a usage error)
    ├── GuidelineError         guidelines that cannot be parsed or are inconsistent
    ├── IndexMismatchError     an index queried with a different embedder than built it
    ├── ConfigError            missing or contradictory settings (exit 2, like a usage error)
    │   └── UsageError         arguments that cannot work together or an unknown format
    ├── BackendError           an LLM or embedding backend failed in a way retries cannot fix
    │   └── BackendConfigError the backend rejected the settings: bad key, unknown model (exit 2)
    └── StoreError             the result store is locked, read-only, full or corrupt

An error may carry a ``Hint``: what to change, naming settings by their Python names
(``max_cost``, ``home``) and steps to take by a ``Step`` (``INDEX``). The library's
``str(error)`` writes them as `home` and as the call that takes the step; the CLI phrases the
same hint with its flag and command names (``--home``, `llmqa index`), so no library message
mentions a flag or a command.

``InputWarning`` (a ``UserWarning``) is issued for input that reads but is probably not what
the user meant (``UnannotatedWarning``: a CSV without an ``annotations`` column; an image the
judge cannot read); the CLI prints it as one ``warning:`` line.

Row-level problems in an otherwise readable file are not exceptions: readers yield
``RowError`` records so one bad row never stops a batch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Step:
    """Something to do before trying again, e.g. build the clause index. ``name`` is the
    step's own name (the CLI's command has it); ``call`` the library call that does it."""

    name: str
    call: str


INDEX = Step("index", "`Workspace.index.sync(guidelines)`")
REBUILD_INDEX = Step("index --rebuild", "`Workspace.index.rebuild(guidelines)`")
REVIEW = Step("review", "`Workspace.review(items, spec)`")
CHECK_GUIDELINES = Step("guidelines check", "`llmqa.guidelines.check.check(path)`")
IMPORT_GUIDELINES = Step("guidelines import",
                         "`llmqa.guidelines.importing.import_to_folder(path, folder)`")
IMPORT_STEPS = {"label-studio": Step("import label-studio",
                                     "`llmqa.interop.convert.items_from_label_studio`"),
                "argilla": Step("import argilla", "`llmqa.interop.convert.items_from_argilla`")}


def library_name(option: str | Step) -> str:
    """How the library itself names an option or step in a message."""
    return option.call if isinstance(option, Step) else f"`{option}`"


@dataclass(frozen=True)
class Hint:
    """What the user can change. ``text`` holds ``{}`` placeholders filled, in order, with
    the names of ``options``: settings or parameter names (``"max_cost"``) or ``Step``s."""

    text: str
    options: tuple[str | Step, ...] = ()

    def render(self, name: Callable[[Any], str] | None = None) -> str:
        name = name or library_name
        return self.text.format(*(name(o) for o in self.options))

    @staticmethod
    def literal(text: str) -> str:
        """``text`` (a path, a value, a message) for a hint's ``text``: its braces are not
        placeholders."""
        return text.replace("{", "{{").replace("}", "}}")


class LlmqaError(Exception):
    """Base class for errors that are reported to the user as a message."""

    exit_code = 1

    def __init__(self, message: str = "", hint: Hint | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def describe(self, name: Callable[[Any], str] | None = None) -> str:
        """The message and, when there is one, the hint with options named by ``name``."""
        if self.hint is None:
            return self.message
        hint = self.hint.render(name)
        return f"{self.message}; {hint}" if self.message else hint

    def __str__(self) -> str:
        return self.describe()


class InputError(LlmqaError):
    """An input file is missing, unreadable or in an unknown format."""


class MissingInputError(InputError):
    """An input path that does not exist: a mistyped argument, so a usage error."""

    exit_code = 2


class GuidelineError(LlmqaError):
    """Guidelines are missing, empty or inconsistent."""


class IndexMismatchError(LlmqaError):
    """The clause index was built with another embedder or guideline set."""


class ConfigError(LlmqaError):
    """Settings are missing or contradictory."""

    exit_code = 2


class UsageError(ConfigError):
    """Arguments that cannot work together, or an output format llmqa cannot write."""


class BackendError(LlmqaError):
    """A model backend failed permanently (bad key, unknown model, unreachable)."""


class BackendConfigError(BackendError):
    """The backend rejected the settings themselves (a bad key, an unknown model)."""

    exit_code = 2


class StoreError(LlmqaError):
    """The local result store cannot be used (locked, read-only, disk full, corrupt)."""


class InputWarning(UserWarning):
    """Input that reads but is probably not what the user meant; the CLI prints it as one
    ``warning:`` line."""


class UnannotatedWarning(InputWarning):
    """Items are read without annotations because the file has no annotations column."""


def validation_problems(exc: Any) -> list[tuple[str | None, str]]:
    """(location, message) per problem a pydantic ``ValidationError`` found, in its order; the
    one wording for rows, settings and model answers alike."""
    problems = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]) or None
        message = error["msg"]
        if error["type"] == "value_error":  # our own validators' words, without pydantic's tag
            message = message.removeprefix("Value error, ")
        if error["type"] == "enum":
            message = f"unknown value {error.get('input')!r}; {message.lower()}"
        if error["type"] == "extra_forbidden":  # pydantic's "Extra inputs are not permitted"
            message = "unknown field"
        problems.append((location, message))
    return problems


def first_error(exc: Any, default: str = "") -> str:
    """The first problem of a pydantic ``ValidationError`` as ``loc: message`` (``default`` as
    the loc when it has none; just the message when neither)."""
    location, message = validation_problems(exc)[0]
    return _phrased(location or default, message)


def every_error(exc: Any) -> str:
    """Every problem of a pydantic ``ValidationError`` on one line, ``loc: message; ...``
    (pydantic's own text spans lines and links its docs)."""
    return "; ".join(_phrased(*problem) for problem in validation_problems(exc))


def _phrased(location: str | None, message: str) -> str:
    return f"{location}: {message}" if location else message


def fault_message(exc: OSError | sqlite3.DatabaseError) -> str:
    """A fault of the machine rather than of llmqa (a disk filling up, a file vanishing, a
    store corrupted under us) as one line for the user."""
    if isinstance(exc, sqlite3.DatabaseError):
        return f"the store cannot be read ({exc}); it may be corrupt: move it aside to start anew"
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"
