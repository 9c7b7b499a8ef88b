"""Small text helpers shared by the report, the terminal tables and guideline revision."""

from __future__ import annotations


def trim(text: str, max_chars: int) -> str:
    """At most ``max_chars`` characters: cut at a word boundary when one is in the second
    half, and the cut marked with an ellipsis."""
    if len(text) <= max_chars:
        return text
    cut = text[: max(1, max_chars - 1)]
    if " " in cut[max_chars // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def one_line(text: str, max_chars: int) -> str:
    """The text with its whitespace runs (newlines included) folded to single spaces, trimmed."""
    return trim(" ".join(text.split()), max_chars)
