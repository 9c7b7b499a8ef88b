"""Signals from the human annotations alone: disagreement, consensus uncertainty, hedged notes.

* ``label_entropy``: entropy of the item's votes, scaled to [0, 1] by the most spread the
  item's number of votes allows (a 1-1-1 split of three votes is 1.0).
* ``minority_share``: the share of votes that are not for the top label (2-1 → 0.33).
* ``consensus_uncertainty``: 1 − the Dawid-Skene posterior of the most likely label. It knows
  who voted: a split between two reliable annotators is more uncertain than a reliable
  annotator outvoting a sloppy one, and an item rated once inherits that rater's reliability.
* ``consensus_dissent``: 1 − the Dawid-Skene posterior of the label under review (differs
  from the above when the reliability-weighted consensus disagrees with the majority).
* ``note_hedging``: the share of the item's annotations whose note hedges ("unsure",
  "borderline", "could go either way"...): annotators telling us the item is hard.

Fallbacks: an item with fewer than two votes has no entropy or minority share (``NaN``); when
no item has two ratings (single-annotator data) or only one label is used, the posterior
signals fall back to ``NaN`` for every item with a note saying why.
"""

from __future__ import annotations

import re

import numpy as np

from llmqa.agreement import compute_consensus
from llmqa.triage.data import TriageData
from llmqa.triage.signals import Signal, normalised_entropy

# Hedges annotators use when they are not sure. Word-bounded, case-insensitive.
HEDGES = re.compile(
    r"\b(unsure|not sure|uncertain|borderline|ambiguous|unclear|either way|grey area|"
    r"gray area|judg(?:e)?ment call|hard to (?:say|tell)|debatable|on the fence|50/50|"
    r"lead'?s call|escalat\w*|second opinion|partly|competing|could be|might be|not certain|"
    r"edge case|tough call|close call)\b", re.IGNORECASE)
CLAUSE_REF = re.compile(r"\b[A-Z][A-Z0-9]*-\d+(?:\.\d+)*\b")


def _votes(labels: list[str], counts: np.ndarray) -> dict[str, int]:
    return {labels[k]: int(counts[k]) for k in np.argsort(-counts, kind="stable") if counts[k]}


def _split(votes: dict[str, int]) -> str:
    return "-".join(str(v) for v in votes.values()) + " (" + ", ".join(votes) + ")"


def disagreement_signals(data: TriageData) -> list[Signal]:
    counts = data.ratings.counts()
    m = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = counts / np.maximum(m, 1)[:, None]
    rated = m >= 2
    entropy = np.where(rated, normalised_entropy(share, support=m), np.nan)
    entropy = np.where(rated & np.isnan(entropy), 0.0, entropy)  # one label in use: no spread
    minority = np.where(rated, 1.0 - share.max(axis=1, initial=0.0), np.nan)
    inputs: list[dict | None] = []
    phrases: list[str | None] = []
    for i in range(data.n_items):
        if not rated[i]:
            inputs.append(None)
            phrases.append(None)
            continue
        votes = _votes(data.labels, counts[i])
        inputs.append({"votes": votes, "n_ratings": int(m[i])})
        phrases.append(f"annotators split {_split(votes)}" if len(votes) > 1
                       else f"{int(m[i])} annotators agree")
    note = None if rated.any() else "no item has two ratings: disagreement is not measurable"
    return [
        Signal("label_entropy", entropy, inputs, phrases,
               "entropy of the votes, scaled to [0, 1]", note),
        Signal("minority_share", minority, inputs, phrases,
               "share of votes not for the top label", note),
    ]


def posterior_signals(data: TriageData, seed: int = 0) -> list[Signal]:
    """Dawid-Skene posteriors (reused from ``llmqa.agreement``), or the model the run's
    consensus already fitted when that was Dawid-Skene or MACE."""
    n = data.n_items
    names = ("consensus_uncertainty", "consensus_dissent")
    descriptions = ("1 − posterior of the most likely label (annotator-reliability aware)",
                    "1 − posterior of the label under review")
    ratings = data.ratings
    if not (ratings.per_item >= 2).any():
        why = "no item has two ratings, so annotator reliability cannot be estimated"
        return [Signal.missing(nm, n, d, why) for nm, d in zip(names, descriptions, strict=True)]
    if data.consensus.probabilities is not None:
        model = data.consensus
    else:
        model = compute_consensus(ratings, "dawid-skene", seed=seed)
    if model.probabilities is None:  # fewer than two labels in use: nothing is uncertain
        why = "fewer than two labels are used: the posterior is certain"
        return [Signal.missing(nm, n, d, why) for nm, d in zip(names, descriptions, strict=True)]
    post = model.probabilities
    rated = ratings.per_item >= 1
    given = data.given
    top = post.argmax(axis=1)
    uncertainty = np.where(rated, 1.0 - post.max(axis=1), np.nan)
    p_given = np.where(given >= 0, post[np.arange(n), np.maximum(given, 0)], np.nan)
    dissent = np.where(rated & (given >= 0), 1.0 - p_given, np.nan)
    inputs: list[dict | None] = []
    phrases: list[str | None] = []
    for i in range(n):
        if not rated[i]:
            inputs.append(None)
            phrases.append(None)
            continue
        best = np.argsort(-post[i])[:3]
        inputs.append({"method": model.method,
                       "posterior": {data.labels[k]: round(float(post[i, k]), 4)
                                     for k in best if post[i, k] > 0.001}})
        if given[i] >= 0 and top[i] != given[i]:
            phrases.append(f"{model.method} favours {data.labels[top[i]]} "
                           f"({post[i, top[i]]:.2f}) over the majority label")
        else:
            phrases.append(f"{model.method} posterior {post[i].max():.2f}")
    return [Signal(names[0], uncertainty, inputs, phrases, descriptions[0]),
            Signal(names[1], dissent, inputs, phrases, descriptions[1])]


def note_signal(data: TriageData) -> tuple[Signal, list[list[str]]]:
    """Hedged notes, and the clause ids each item's notes mention (for the clause summary)."""
    n = data.n_items
    per_item = data.ratings.per_item
    any_notes = any(data.notes)
    values = np.full(n, np.nan)
    inputs: list[dict | None] = [None] * n
    phrases: list[str | None] = [None] * n
    mentioned: list[list[str]] = [[] for _ in range(n)]
    for i, notes in enumerate(data.notes):
        for _, note in notes:
            mentioned[i].extend(CLAUSE_REF.findall(note))
        if not any_notes or per_item[i] == 0:
            continue
        hedged = [note for _, note in notes if HEDGES.search(note)]
        values[i] = len(hedged) / per_item[i]
        if hedged:
            inputs[i] = {"hedged_notes": hedged}
            phrases[i] = "annotator note: " + "; ".join(f"'{h}'" for h in hedged[:2])
    missing = None if any_notes else "no annotation carries a note"
    return (Signal("note_hedging", values, inputs, phrases,
                   "share of annotations whose note hedges", missing), mentioned)
