"""A section's blocks → clause text, in-scope and out-of-scope examples, ``Not:`` notes.

An example is a list item that is a quotation (``● “I wish I was dead” (passive)``), a line that
is nothing but quotations inside a list of examples, any list item after a lead-in that
announces examples (``For instance:``, ``Examples:``, ``statements like:``), or a quotation
listed after ``e.g.`` / ``for example`` in running text (``quotes``). Whether it is in or out
of scope follows the notes around it: after an exclusion cue (``are NOT considered``,
``Clarifications``, ``Distinction from``, ``does not count``) examples are out of scope until
the next sub-heading or inclusion cue; an example that itself says it is not covered (``--
this is not threatening``) is out of scope. A paragraph that states an exclusion becomes a
``Not:`` note, and the quotations it gives as cases become out-of-scope examples.

A list of examples ends at a paragraph that is not itself an example, a sub-heading, or a
table row. Under a note heading (``A note on …``, ``Notes``) nothing is taken as an example
until the next heading of the same rank: a note usually contrasts several categories, so its
quotations are kept as text and counted in ``noted`` for the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from llmqa.guidelines.importing.blocks import Block
from llmqa.guidelines.importing.lines import BULLET_MARK
from llmqa.guidelines.importing.quotes import harvest, quotations
from llmqa.guidelines.importing.result import DraftExample

_QUOTE_OPEN = "\"“'‘«"
_QUOTED = re.compile(r"^[\"“‘'«](.+?)[\"”’'»](?=\s|$|[.,;:!?)\-–—])\s*[-–—:,.]*\s*(.*)$", re.DOTALL)
_EXCLUSION = re.compile(
    r"\b(?:not\s+(?:be\s+)?(?:considered|count(?:ed)?|covered|included|hate(?:ful)?|in scope)|"
    r"(?:would|does|do|should)\s+not\s+(?:count|be|include|cover|fall)|is\s+not\s+\w+ing\b|"
    r"clarifications?|exclusions?|exceptions?|distinction\s+from|distinguish(?:ed|ing)?\s+from|"
    r"not\s+to\s+be\s+confused|out\s+of\s+scope|cases\s+that\s+are\s+not|excluded?)\b",
    re.IGNORECASE)
_INCLUSION = re.compile(r"\b(?:includes?|including|in\s+scope|covered|counts?\s+as|such\s+as|"
                        r"examples?|for\s+instance|e\.g\.|statements\s+like|like\s*:)\b",
                        re.IGNORECASE)
# Only words that announce examples: "Harm can include:" introduces kinds, not exemplars.
_LEAD_IN = re.compile(r"(?:examples?|for\s+instance|for\s+example|e\.g\.|such\s+as|"
                      r"statements\s+like|like|instance|in[\s-]scope|out[\s-]of[\s-]scope|"
                      r"covered)\s*:?\s*$", re.IGNORECASE)
_SCOPE_MARKER = re.compile(r"^(?:(in[\s-]scope|covered|violating)|(out[\s-]of[\s-]scope|not\s+"
                           r"covered|non-violating))(?:\s+examples?)?\s*:?\s*$", re.IGNORECASE)
_LABEL_LINE = re.compile(r"^(?:label|category|tag)\s*:\s*`?([A-Za-z][\w\-/]*)`?\s*$",
                         re.IGNORECASE)
NOTE_TITLE = re.compile(r"^(?:an?\s+|some\s+|general\s+|further\s+|additional\s+)?"
                        r"(?:notes?|remarks?|comments?)\b", re.IGNORECASE)
# What may sit between the quotations of a line that is only a list of quotations.
_BETWEEN_QUOTES = re.compile(r"^[\s,;/•·\-–—]*(?:(?:and|or)\b)?[\s,;/•·\-–—]*$", re.IGNORECASE)


@dataclass
class Body:
    text: list[str] = field(default_factory=list)
    in_scope: list[DraftExample] = field(default_factory=list)
    out_of_scope: list[DraftExample] = field(default_factory=list)
    rows: list[Block] = field(default_factory=list)
    label: str | None = None  # a "Label: X" line of its own
    noted: dict[str, int] = field(default_factory=dict)  # note heading → quotations kept as text


def read_body(blocks: list[Block]) -> Body:
    body = Body()
    excluding = False
    expecting = False  # the last paragraph announced a list of examples
    in_run = False  # the last block was an example: a bare quoted line continues the list
    note: tuple[str, str] | None = None  # (heading, kind of block that opened it)
    for block in blocks:
        text = block.text.strip()
        bullet = BULLET_MARK.match(text) if block.kind == "paragraph" else None
        if bullet:  # a bullet line set in bold (or read as a heading) is still a list item
            block = Block("item", bullet.group(2), block.line, marker=bullet.group(1))
            text = block.text
        if block.kind == "row":
            body.rows.append(block)
            expecting = in_run = False
            continue
        named = _LABEL_LINE.match(text) if block.kind == "paragraph" else None
        if named and body.label is None:
            body.label = named.group(1)
            continue
        marker = _SCOPE_MARKER.match(text) if block.kind != "item" else None
        if marker:  # "In scope:" / "Out of scope:": a list follows, the line itself is markup
            expecting, excluding, note = True, bool(marker.group(2)), None
            continue
        if block.kind == "heading" or block.alone:
            if note is None or block.kind == "heading" or note[1] != "heading":
                note = None
                excluding = bool(_EXCLUSION.search(text))
                if not excluding and NOTE_TITLE.match(text):
                    note = (text, block.kind)
            expecting = in_run = False
            body.text.append(f"{text}:" if not text.endswith((":", "?", ".")) else text)
            continue
        if note is not None:
            body.text.append(f"- {text}" if block.kind == "item" else text)
            kept = len(quotations(text))
            if kept:
                body.noted[note[0]] = body.noted.get(note[0], 0) + kept
            continue
        listed = _only_quotations(text) if block.kind == "paragraph" and (
            expecting or in_run) else None
        if block.kind == "item" or listed:
            example = (_example(text) if (text[:1] in _QUOTE_OPEN or expecting) else None) if (
                not listed or len(listed) == 1) else None
            examples = [example] if example else [DraftExample(text=q) for q in listed or []]
            if not examples:
                body.text.append(f"- {text}")
                _add_inline(body, text, whole=False)
                in_run = False
                continue
            for found in examples:
                says_not = bool(_EXCLUSION.search(found.why or ""))
                (body.out_of_scope if excluding or says_not else body.in_scope).append(found)
            in_run = True
            continue
        in_run = False
        exclusion = _EXCLUSION.search(_unquoted(text))
        if exclusion and not text.endswith(":"):
            body.text.append(f"Not: {text}")
            _add_inline(body, text, whole=True)
            excluding = excluding or bool(_LEAD_IN.search(text))
            expecting = False
            continue
        body.text.append(text)
        _add_inline(body, text, whole=False)
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


def _add_inline(body: Body, text: str, whole: bool) -> None:
    found = harvest(text, _EXCLUSION, whole=whole)
    body.in_scope.extend(DraftExample(text=q) for q in found.in_scope)
    body.out_of_scope.extend(DraftExample(text=q) for q in found.out_of_scope)


def _only_quotations(text: str) -> list[str] | None:
    """The quotations of a line that is nothing else (``“A” “B”``; one may carry a
    ``- reason``), else None."""
    quotes = quotations(text)
    if not quotes or quotes[0].start != 0:
        return None
    gaps = [text[a.end:b.start] for a, b in pairwise(quotes)]
    if not all(_BETWEEN_QUOTES.match(gap) for gap in gaps):
        return None
    if len(quotes) > 1 and not _BETWEEN_QUOTES.match(text[quotes[-1].end:]):
        return None
    return [q.text for q in quotes]


def _unquoted(text: str) -> str:
    """The text with its quotations blanked: a cue inside a quotation is not the author's."""
    for quote in reversed(quotations(text)):
        text = text[:quote.start] + " " + text[quote.end:]
    return text
