"""The documents that represent a clause in the index: its text, its sentences, its examples.

Document IDs are ``CLAUSE_ID#CLAUSE_HASH#part``, so editing a clause replaces exactly that
clause's documents and nothing else is embedded again.
"""

from __future__ import annotations

import re
from typing import Any

from llmqa.guidelines.model import Clause, normalise

_SENTENCE = re.compile(r"(?<=[.;:])\s+(?=[A-Z\"(\[])")
MIN_SENTENCE_CHARS = 25


def clause_sentences(clause: Clause) -> list[str]:
    """The clause text split into sentences, when it has more than one."""
    sentences = [s.strip() for s in _SENTENCE.split(normalise(clause.text))]
    sentences = [s for s in sentences if len(s) >= MIN_SENTENCE_CHARS]
    return sentences if len(sentences) > 1 else []


def clause_documents(clause: Clause) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, text, metadata) for the clause text, its sentences and each of its examples.
    None for a general rule: the judge reads it with every item, so retrieving it would only
    take the place of a clause that decides a label."""
    if clause.general:
        return []
    base = f"{clause.id}#{clause.content_hash}"
    meta = {"clause_id": clause.id, "clause_hash": clause.content_hash,
            "label": clause.label or ""}
    docs = [(f"{base}#c", clause.document(), {**meta, "kind": "clause", "example": -1})]
    for number, sentence in enumerate(clause_sentences(clause)):
        docs.append((f"{base}#s{number}", sentence, {**meta, "kind": "sentence",
                                                     "example": number}))
    for kind, examples in (("in", clause.in_scope), ("out", clause.out_of_scope)):
        for number, example in enumerate(examples):
            docs.append((f"{base}#{kind}{number}", example.text,
                         {**meta, "kind": kind, "example": number}))
    return docs
