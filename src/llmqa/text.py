"""Small text helpers shared by the reports, the terminal tables and guideline revision."""

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


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain aligned table: readable in a terminal, pasteable into a ticket."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def md_inline(value: object, strict: bool = True) -> str:
    """Text from the batch (an item's words, an id, a label) as one line of markdown that
    shows as written: it cannot break a table, open a code span, carry HTML or make a link
    or image into a comment or a wiki page that renders it. ``strict`` escapes every bracket,
    star and underscore too; without it ``not_offensive`` and ``[handle]`` read plainly in
    the raw text (a link needs ``](``, which is broken instead)."""
    text = " ".join(str(value).split())
    for char in "\\|`<>" + ("*_[]" if strict else ""):
        text = text.replace(char, "\\" + char)
    return text if strict else text.replace("](", "]\\(")
