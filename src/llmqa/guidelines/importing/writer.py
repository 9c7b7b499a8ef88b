"""Draft clauses → llmqa's markdown clause format (docs/guideline-format.md).

What is written must read back through ``load_guidelines`` as the same clauses, so lines of
clause text that the parser would take for markup (a ``Label:`` line, an ``In scope:`` line, a
heading) are quoted with a leading ``> ``, and each example is written on one line.
"""

from __future__ import annotations

import re

from llmqa.guidelines.importing.result import DraftClause, DraftExample, ImportResult

_MARKUP = re.compile(r"^\s*(?:#|(?:\*\*|__)?\s*(?:label|category|applies\s+to|in[\s-]scope|"
                     r"covered|violating|out[\s-]of[\s-]scope|not\s+covered|non-violating)\b)",
                     re.IGNORECASE)
_WHY_LIKE = re.compile(r"\((?:why|because|reason)\s*:", re.IGNORECASE)


_PREFIX = re.compile(r"^[A-Z][A-Z0-9]*$")


def valid_prefix(prefix: str) -> bool:
    return bool(_PREFIX.match(prefix))


def clause_id(prefix: str, draft: DraftClause) -> str:
    return f"{prefix}-{draft.code}"


def to_markdown(result: ImportResult) -> str:
    out = [f"# {result.title}", "",
           f"Imported from {result.summary.source} by `llmqa guidelines import` "
           f"({result.summary.method}). Review every clause before use.", ""]
    if result.no_violation_label:
        out += [f"No-violation label: {result.no_violation_label}", ""]
    for draft in result.drafts:
        depth = min(2 + draft.code.count("."), 6)
        out.append(f"{'#' * depth} {clause_id(result.prefix, draft)} {_one_line(draft.title)}")
        if draft.general:
            out.append("Applies to: all labels")
        elif not draft.is_section:
            out.append(f"Label: {draft.label}")
        out.append("")
        if draft.text:
            out.append(clause_text(draft))
            out.append("")
        for heading, examples in (("In scope:", draft.in_scope),
                                  ("Out of scope:", draft.out_of_scope)):
            if examples and not draft.is_section:
                out.append(heading)
                out.extend(f"- {_example(e)}" for e in examples)
                out.append("")
    return "\n".join(out).rstrip() + "\n"


def clause_text(draft: DraftClause) -> str:
    """The clause text as written: lines the parser would read as markup are quoted."""
    return "\n".join(f"> {line}" if _MARKUP.match(line) else line
                     for line in draft.text.splitlines())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _example(example: DraftExample) -> str:
    text = _one_line(example.text)
    if text.startswith("[") or _WHY_LIKE.search(text):
        text = f"\u200b{text}"  # keeps a leading [word] from reading as a modality tag
    return f"{text} (why: {_one_line(example.why)})" if example.why else text
