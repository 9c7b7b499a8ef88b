"""A section's blocks → clause text, in-scope and out-of-scope examples, ``Not:`` notes.

An example is a list item that is a quotation (``● “I wish I was dead” (passive)``), or any
list item after a lead-in that announces examples (``For instance:``, ``Examples:``,
``statements like:``). Whether it is in or out of scope follows the notes around it: after an
exclusion cue (``are NOT considered``, ``Clarifications``, ``Distinction from``, ``does not
count``) examples are out of scope until the next sub-heading or inclusion cue; an example
that itself says it is not covered (``-- this is not threatening``) is out of scope. A
paragraph that states an exclusion becomes a ``Not:`` note, and quotations inside it become
out-of-scope examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from llmqa.guidelines.importing.blocks import Block
from llmqa.guidelines.importing.result import DraftExample

_QUOTE_OPEN = "\"“'‘«"
_QUOTED = re.compile(r"^[\"“‘'«](.+?)[\"”’'»](?=\s|$|[.,;:!?)\-–—])\s*[-–—:,.]*\s*(.*)$", re.DOTALL)
# A closing ’ followed by a letter is an apostrophe (‘it’s not okay’), not the end of a quote.
_QUOTATION = (r"“([^”]{3,300})”|\"([^\"]{3,300})\"|‘(.{3,300}?)’(?![A-Za-z])")
_INLINE_QUOTE = re.compile(_QUOTATION)
_EXCLUSION = re.compile(
    r"\b(?:not\s+(?:be\s+)?(?:considered|count(?:ed)?|covered|included|hate(?:ful)?|in scope)|"
    r"(?:would|does|do|should)\s+not\s+(?:count|be|include|cover|fall)|is\s+not\s+\w+ing\b|"
    r"clarifications?|exclusions?|exceptions?|distinction\s+from|distinguish(?:ed|ing)?\s+from|"
    r"not\s+to\s+be\s+confused|out\s+of\s+scope|cases\s+that\s+are\s+not|excluded?)\b",
    re.IGNORECASE)
_INCLUSION = re.compile(r"\b(?:includes?|including|in\s+scope|covered|counts?\s+as|such\s+as|"
                        r"examples?|for\s+instance|e\.g\.|statements\s+like|like\s*:)\b",
                        re.IGNORECASE)
_EG_QUOTES = re.compile(r"\((?:e\.g\.|for example|for instance),?\s*([^)]*)\)", re.IGNORECASE)
# Only words that announce examples: "Harm can include:" introduces kinds, not exemplars.
_LEAD_IN = re.compile(r"(?:examples?|for\s+instance|for\s+example|e\.g\.|such\s+as|"
                      r"statements\s+like|like|instance|in[\s-]scope|out[\s-]of[\s-]scope|"
                      r"covered)\s*:?\s*$", re.IGNORECASE)
_SCOPE_MARKER = re.compile(r"^(?:(in[\s-]scope|covered|violating)|(out[\s-]of[\s-]scope|not\s+"
                           r"covered|non-violating))(?:\s+examples?)?\s*:?\s*$", re.IGNORECASE)
_LABEL_LINE = re.compile(r"^(?:label|category|tag)\s*:\s*`?([A-Za-z][\w\-/]*)`?\s*$",
                         re.IGNORECASE)


@dataclass
class Body:
    text: list[str] = field(default_factory=list)
    in_scope: list[DraftExample] = field(default_factory=list)
    out_of_scope: list[DraftExample] = field(default_factory=list)
    rows: list[Block] = field(default_factory=list)
    label: str | None = None  # a "Label: X" line of its own


def read_body(blocks: list[Block]) -> Body:
    body = Body()
    excluding = False
    expecting = False  # the last paragraph announced a list of examples
    for block in blocks:
        text = block.text.strip()
        if block.kind == "row":
            body.rows.append(block)
            continue
        named = _LABEL_LINE.match(text) if block.kind == "paragraph" else None
        if named and body.label is None:
            body.label = named.group(1)
            continue
        marker = _SCOPE_MARKER.match(text) if block.kind != "item" else None
        if marker:  # "In scope:" / "Out of scope:": a list follows, the line itself is markup
            expecting, excluding = True, bool(marker.group(2))
            continue
        if block.kind == "heading" or block.alone:
            excluding = bool(_EXCLUSION.search(text))
            expecting = False
            body.text.append(f"{text}:" if not text.endswith((":", "?", ".")) else text)
            continue
        if block.kind == "item":
            example = _example(text) if (text[:1] in _QUOTE_OPEN or expecting) else None
            if example is None:
                body.text.append(f"- {text}")
                body.in_scope.extend(_inline_examples(text))
                continue
            says_not = bool(_EXCLUSION.search(example.why or ""))
            (body.out_of_scope if excluding or says_not else body.in_scope).append(example)
            continue
        exclusion = _EXCLUSION.search(text)
        if exclusion and not text.endswith(":"):
            body.text.append(f"Not: {text}")
            body.out_of_scope.extend(DraftExample(text=q) for q in _quotes(text))
            excluding = excluding or bool(_LEAD_IN.search(text))
            continue
        body.text.append(text)
        body.in_scope.extend(_inline_examples(text))
        if (_LEAD_IN.search(text) and text.endswith(":")) or text.lower().startswith(
                ("for instance", "for example", "examples")):
            expecting = True
            excluding = bool(exclusion) or (excluding and not _INCLUSION.search(text))
        else:
            expecting = False
    return body


def _example(text: str) -> DraftExample | None:
    quoted = _QUOTED.match(text)
    if quoted:
        why = quoted.group(2).strip().strip("()").strip() or None
        return DraftExample(text=quoted.group(1).strip(), why=why)
    if text[:1] in _QUOTE_OPEN:
        return DraftExample(text=text.strip(_QUOTE_OPEN + "”’» "))
    return DraftExample(text=text)


def _inline_examples(text: str) -> list[DraftExample]:
    """Quotations given as examples in parentheses: ``(e.g. ‘X are lowlife’ or ‘...’)``."""
    return [DraftExample(text=quote) for group in _EG_QUOTES.findall(text)
            for quote in _quotes(group)]


def _quotes(text: str) -> list[str]:
    return [next(g for g in match if g).strip() for match in _INLINE_QUOTE.findall(text)]
