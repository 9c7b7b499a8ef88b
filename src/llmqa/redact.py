"""Removing API keys from text before it is stored, printed or raised.

Some OpenAI-compatible servers and proxies echo the credential they rejected; error text goes
to the SQLite store, exports and the terminal, none of which may hold a key. A base module:
the store, the runners and the LLM layer all use it, and it imports nothing from llmqa.
"""

from __future__ import annotations

import os
import re

_SECRET = re.compile(r"\b(?:sk-[A-Za-z0-9_\-]{6,}|Bearer\s+[A-Za-z0-9._\-]{6,})")


def redact(text: str, patterns: bool = True) -> str:
    """The configured key (``OPENAI_API_KEY``) is always removed; with ``patterns`` anything
    shaped like a key (``sk-...``, ``Bearer ...``) is too, which suits error text but not
    model answers."""
    key = os.environ.get("OPENAI_API_KEY") or ""
    if len(key) >= 6:
        text = text.replace(key, "[redacted]")
    return _SECRET.sub("[redacted]", text) if patterns else text
