"""Annotator notes for the sample batch, in the voices annotators write them in.

The simulator in ``build.py`` decides which annotations carry a note (about one in nine, more
on borderline items) and drafts a plain note from the clause the annotator cited. This module
then gives each annotator a voice: some barely write notes, some write more; each has a few
favourite ways of saying "I'm not sure"; and anyone may hedge on any item, more often where
the item is genuinely hard or where they slipped, rarely where they share a confident
misunderstanding. Hedges are written from how annotators hedge in practice (question marks,
"leaning X", "idk", "not 100%", "could argue Y", "depends how you read it"), not from any
list a tool matches: most are phrased in words such a list would not contain.

It draws from its own ``random.Random`` so that the labels, annotators and priorities the
simulator draws stay exactly as they were before the notes were rewritten.
"""

from __future__ import annotations

import random

# Ways annotators hedge. {b} is the other reading they have in mind, {a} their own.
HEDGES = [
    "not 100% on this one", "idk, {a}?", "hmm. {a} I guess", "{a}? maybe {b}",
    "leaning {a}", "tricky one", "went back and forth, {a}", "probably {a} but could argue {b}",
    "{a} I think", "low confidence", "guessing {a}", "hard one - {a} or {b}", "tough one",
    "would like someone to double-check", "pls double check", "{b} also possible?", "{a}/{b}",
    "depends how you read it", "guidelines don't really cover this", "no clause fits cleanly",
    "can't tell if it's meant seriously", "iffy", "on balance {a}", "gut says {a}", "maybe {b}?",
    "possibly {b}", "kinda {b}?", "{a}, with doubts", "not confident about the clause",
    "could argue {b}", "I'd want a 2nd look", "{a}?", "?", "not sure", "unsure",
    "borderline", "grey area between {a} and {b}", "could go either way", "judgement call",
    "unclear whether {b} applies", "could be {b}", "edge case", "second opinion please",
    "50/50 {a} vs {b}", "close call", "unsrue", "borderine {b}",
]
# Notes that explain rather than hedge, for items where no clause note fits.
ORDINARY = [
    "checked the full text", "listened to the whole clip", "title + cover only",
    "read the description too", "same as the previous upload from this account",
    "context is in the first minute", "lyrics match the description", "ok", "clear",
    "straightforward",
]
CITING = ["per {c}", "{c}", "see {c}"]  # only where the annotation cites a clause
# Confident notes an annotator writes on an item others find hard.
CONFIDENT = [
    "clearly {a}", "{a}, no doubt", "reads as {a} to me", "{a} - the framing decides it",
    "went with {a}: context is evident",
]

P_HEDGE = {  # chance that a note hedges, by the annotator's situation on the item
    "ambiguous": 0.5, "slip": 0.3, "overflag": 0.6, "dissent": 0.35, "wrong": 0.2,
    "near_miss": 0.12, "clean": 0.06,
}
KEEP = {"ann03": 0.4, "ann07": 0.6}  # terse annotators drop most of the notes they might write
EXTRA = {"ann05": 0.12, "ann09": 0.08}  # chatty ones add notes; everyone else 0.02
# Doubt is itself a reason to write something: where an annotator could well be unsure (a hard
# item, a label that is in fact wrong), a note-less annotation gets a hedge this often.
DOUBT = {"ambiguous": 0.1, "slip": 0.1, "dissent": 0.1, "wrong": 0.1}
COMBINE = 0.3  # share of hedges written after a reason ("dehumanising, but ...")
FAVOURITES = 5  # hedges per annotator voice; the rest of the time any phrasing


def voices(annotators: list[str], rng: random.Random) -> dict[str, list[str]]:
    """Each annotator's favourite hedges: annotators reuse their own few phrasings."""
    return {who: rng.sample(HEDGES, FAVOURITES) for who in annotators}


def _name(label: str, clause: str | None, rng: random.Random) -> str:
    return clause if clause and rng.random() < 0.5 else label


def situation(item: dict, ann: dict, strict: str) -> tuple[str, tuple[str, str | None]]:
    """The annotator's situation on the item, and the other reading they might mention."""
    truth = (item["label"], item["clause"])
    own = (ann["label"], ann.get("clause_id"))
    near_miss = truth[0] == "allowed" and truth[1] is not None
    if item["kind"] == "ambiguous":
        others = [o for o in item["options"] if o[0] != own[0]] or item["options"]
        return "ambiguous", others[0]
    if item["kind"] == "seeded_error":
        if own[0] == truth[0]:
            return "dissent", item["wrong"]
        return "wrong", truth
    if own[0] != truth[0]:
        return ("overflag" if near_miss and ann["annotator"] == strict else "slip"), truth
    alt = item["alt"] or ("spam", None)
    return ("near_miss" if near_miss else "clean"), alt


def voice_notes(rng: random.Random, item: dict, anns: list[dict], favourites: dict[str, list[str]],
                drafts_kept: set[str], strict: str) -> int:
    """Rewrite the drafted notes of one item's annotations in place; return how many hedge.

    ``drafts_kept`` are drafts that are not the annotator's judgement (a note that the upload
    addresses moderators): they stay as written. ``strict`` over-flags near misses."""
    hedged = 0
    for ann in anns:
        draft = ann.pop("note", None)
        if draft in drafts_kept:
            ann["note"] = draft
            continue
        who = ann["annotator"]
        where, other = situation(item, ann, strict)
        doubt = False
        if draft is None:
            doubt = rng.random() < DOUBT.get(where, 0.0)
            if not doubt and rng.random() >= EXTRA.get(who, 0.02):
                continue
        elif rng.random() >= KEEP.get(who, 1.0):
            continue
        a = _name(ann["label"], ann.get("clause_id"), rng)
        b = _name(other[0], other[1], rng)
        if doubt or rng.random() < P_HEDGE[where]:
            hedged += 1
            pool = favourites[who] if rng.random() < 0.7 else HEDGES
            note = rng.choice(pool).format(a=a, b=b)
            if draft and where not in ("ambiguous", "overflag") and rng.random() < COMBINE:
                note = f"{draft}, {note}"
        elif where == "ambiguous" and rng.random() < 0.5:
            note = rng.choice(CONFIDENT).format(a=a)
        elif draft and where != "overflag":  # the over-flag draft is itself a hedge
            note = draft
        else:
            clause = ann.get("clause_id")
            note = rng.choice(ORDINARY + CITING if clause else ORDINARY).format(c=clause)
        ann["note"] = note[0].upper() + note[1:] if rng.random() < 0.25 else note
    return hedged
