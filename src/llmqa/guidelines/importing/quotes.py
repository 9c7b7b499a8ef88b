"""Quotations inside running text, and whether each is an example, a counter-example or neither.

A guideline gives exemplars inline as often as in lists: ``(e.g. ‘X are lowlife’ or ‘…’)``,
``Hateful tropes, e.g. ‘They Will Not Replace Us’ and ‘White Sharia’``, ``For instance, ‘A’
would not count but ‘B’ would``. The rules, sentence by sentence (quotations are masked first,
so a cue word inside a quotation never counts):

* after an example cue (``e.g.``, ``for example``, ``for instance``, ``such as``) the
  quotations that follow, joined only by commas, ``or``, ``and``, are examples; a parenthesis
  that closes inside a quotation does not end the list (``(e.g. ‘X are thick)’``);
* in a text that states an exclusion every quotation is a counter-example, except one in a
  clause after ``but`` / ``whereas`` / ``while`` that has no cue of its own when the clause
  before it had one (``‘A’ would not count but ‘B’ would``); elsewhere only listed ones count;
* a quotation introduced as someone's words (``as X put it:``, ``Google defines it as``,
  ``according to``) is a citation, never an example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN_CLOSE = {"“": "”", "‘": "’", '"': '"', "«": "»"}
EXAMPLE_CUE = re.compile(r"\b(?:e\.\s?g\.|for\s+example|for\s+instance|such\s+as)\s*[,:]?\s*$",
                         re.IGNORECASE)
# Only separators may sit between the quotations of one list of examples.
_JOINER = re.compile(r"^[\s,;/]*(?:(?:and|or|and/or|as\s+well\s+as)\b)?[\s,;/]*$", re.IGNORECASE)
# Someone else's words: "As X put it:", "Google defines it as", "according to X,", "writes:".
# A verb of saying without a colon ("posts that say ‘…’") introduces a case, not a citation.
_CITATION = re.compile(
    r"(?:\bputs?\s+it|\baccording\s+to\b[^,:.]{0,60}|\b(?:defines?|defined|describes?|"
    r"described)\b[^.:]{0,40}\bas|\b(?:says?|said|writes?|wrote|states?|stated|as\s+follows)"
    r"\s*:)\s*[:,]?\s*$", re.IGNORECASE)
_CONTRAST = re.compile(r"[,;]?\s+\b(?:but|whereas|while|however)\b\s*,?\s*|;\s+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“‘\"«(])")
_MASK = "\x00"


@dataclass(frozen=True)
class Quotation:
    text: str
    start: int  # offsets into the text it was found in, quotation marks included
    end: int


@dataclass
class Found:
    in_scope: list[str]
    out_of_scope: list[str]


def quotations(text: str) -> list[Quotation]:
    """Quotations in reading order. A closing ’ followed by a letter is an apostrophe."""
    found: list[Quotation] = []
    position = 0
    while position < len(text):
        char = text[position]
        opens = char in _OPEN_CLOSE and (char != "‘" or position == 0 or not
                                         text[position - 1].isalnum())
        if char == '"' and position > 0 and text[position - 1].isalnum():
            opens = False  # a closing straight quote with no opening one before it
        if not opens:
            position += 1
            continue
        end = _closing(text, position, _OPEN_CLOSE[char])
        if end is None:
            position += 1
            continue
        inner = _tidy(text[position + 1:end])
        if len(inner) >= 2:
            found.append(Quotation(inner, position, end + 1))
        position = end + 1
    return found


def _closing(text: str, start: int, mark: str) -> int | None:
    limit = min(len(text), start + 400)
    for position in range(start + 1, limit):
        if text[position] != mark:
            continue
        if mark == "’" and position + 1 < len(text) and text[position + 1].isalpha():
            continue  # don’t, it’s
        return position
    return None


def _tidy(inner: str) -> str:
    inner = " ".join(inner.split())
    # ‘X are thick)’: the parenthesis of the sentence closed inside the quotation.
    if inner.endswith(")") and "(" not in inner:
        inner = inner[:-1].rstrip()
    return inner


def harvest(text: str, exclusion: re.Pattern[str], whole: bool) -> Found:
    """Examples quoted in ``text``. ``whole``: the text states an exclusion, so every
    quotation but a citation counts; otherwise only listed ones do."""
    found = Found([], [])
    for sentence, quotes in _sentences(text):
        masked = _masked(sentence, quotes)
        cued = bool(exclusion.search(masked))
        for number, quote in enumerate(quotes):
            before = masked[:quote.start]
            after_cue = _listed(masked, quotes, number)
            if _CITATION.search(_since_last_quote(before)) and not after_cue:
                continue
            if cued and (whole or after_cue):
                target = (found.in_scope if _clause_allows(masked, quote.start, exclusion)
                          else found.out_of_scope)
                target.append(quote.text)
            elif whole:
                found.out_of_scope.append(quote.text)
            elif after_cue:
                found.in_scope.append(quote.text)
    return found


def _sentences(text: str) -> list[tuple[str, list[Quotation]]]:
    quotes = quotations(text)
    masked = _masked(text, quotes)
    out: list[tuple[str, list[Quotation]]] = []
    start = 0
    bounds = [m.start() for m in _SENTENCE_END.finditer(masked)] + [len(text)]
    for end in bounds:
        inside = [Quotation(q.text, q.start - start, q.end - start) for q in quotes
                  if start <= q.start < end]
        out.append((text[start:end], inside))
        start = end
    return out


def _masked(text: str, quotes: list[Quotation]) -> str:
    chars = list(text)
    for quote in quotes:
        for position in range(quote.start, min(quote.end, len(chars))):
            chars[position] = _MASK
    return "".join(chars)


def _since_last_quote(before: str) -> str:
    return before.rsplit(_MASK, 1)[-1]


def _listed(masked: str, quotes: list[Quotation], number: int) -> bool:
    """Whether quotation ``number`` follows an example cue, possibly through earlier
    quotations of the same list."""
    while True:
        start = quotes[number].start
        previous_end = quotes[number - 1].end if number else 0
        between = masked[previous_end:start]
        if EXAMPLE_CUE.search(between.rstrip("( ")) or EXAMPLE_CUE.search(between):
            return True
        if number == 0 or not _JOINER.match(between):
            return False
        number -= 1


def _clause_allows(masked: str, start: int, exclusion: re.Pattern[str]) -> bool:
    """A quotation in a cue-less clause introduced by a contrast after a cued clause."""
    cuts = [0] + [m.end() for m in _CONTRAST.finditer(masked)] + [len(masked) + 1]
    for index in range(1, len(cuts) - 1):
        if cuts[index] <= start < cuts[index + 1]:
            own = masked[cuts[index]:cuts[index + 1]]
            previous = masked[cuts[index - 1]:cuts[index]]
            return not exclusion.search(own) and bool(exclusion.search(previous))
    return False
