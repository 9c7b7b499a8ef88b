"""Errors llmqa raises on purpose.

The hierarchy is small so callers (and the CLI) can tell a user mistake from a bug::

    LlmqaError                 base; the CLI prints the message and exits 1, no traceback
    ├── InputError             bad input data: a file that cannot be read at all
    ├── GuidelineError         guidelines that cannot be parsed or are inconsistent
    ├── IndexMismatchError     an index queried with a different embedder than built it
    ├── ConfigError            missing or contradictory settings (exit 2, like a usage error)
    ├── BackendError           an LLM or embedding backend failed in a way retries cannot fix
    │   └── BackendConfigError the backend rejected the settings: bad key, unknown model (exit 2)
    └── StoreError             the result store is locked, read-only, full or corrupt

``UnannotatedWarning`` (a ``UserWarning``) is issued for input that reads but is probably
not what the user meant (a CSV without an ``annotations`` column); the CLI prints it as one
``warning:`` line.

Row-level problems in an otherwise readable file are not exceptions: readers yield
``RowError`` records so one bad row never stops a batch.
"""

from __future__ import annotations


class LlmqaError(Exception):
    """Base class for errors that are reported to the user as a message."""

    exit_code = 1


class InputError(LlmqaError):
    """An input file is missing, unreadable or in an unknown format."""


class GuidelineError(LlmqaError):
    """Guidelines are missing, empty or inconsistent."""


class IndexMismatchError(LlmqaError):
    """The clause index was built with another embedder or guideline set."""


class ConfigError(LlmqaError):
    """Settings are missing or contradictory."""

    exit_code = 2


class BackendError(LlmqaError):
    """A model backend failed permanently (bad key, unknown model, unreachable)."""


class BackendConfigError(BackendError):
    """The backend rejected the settings themselves (a bad key, an unknown model)."""

    exit_code = 2


class StoreError(LlmqaError):
    """The local result store cannot be used (locked, read-only, disk full, corrupt)."""


class UnannotatedWarning(UserWarning):
    """Items are read without annotations because the file has no annotations column."""
