"""Ambiguity when each item has one label: how likely another annotator would differ.

With one annotation there is no disagreement to measure, and the classifier's own
uncertainty turned out to be a poor stand-in (on the sample batch it is *lower* on the items
annotators split on). What does predict a split is the content evidence disagreeing with the
one label: an item whose label the classifier and the guideline evidence do not support is
an item another annotator would likely have labelled otherwise. So, for items rated once:

    single_label_conflict = 1 − Σ_v f_v · P_v(label) / Σ_v f_v

over the content views v (classifier, guideline evidence) available for the item, with the
views' reliability factors f_v (reliability.py). Items with two or more ratings get ``NaN``:
their disagreement is observed directly (``label_entropy``).

The same evidence feeds the likely-error score; for a single-label item the two scores are
then not independent, which is the honest state of knowledge: without a second opinion, a
label the evidence contradicts is either wrong or contestable, and the reason line shows the
evidence either way.
"""

from __future__ import annotations

import numpy as np

from llmqa.triage.data import TriageData
from llmqa.triage.reliability import weight_factors
from llmqa.triage.signals import Signal, SignalSet

NAME = "single_label_conflict"
DESCRIPTION = ("items rated once: 1 − reliability-weighted support of the content evidence "
               "for the label")
_VIEWS = (("label_issue", "classifier"), ("guideline_conflict", "guideline"))


def single_label_conflict(data: TriageData, signals: SignalSet) -> Signal:
    n = data.n_items
    once = data.ratings.per_item == 1
    if not once.any():
        return Signal.missing(NAME, n, DESCRIPTION, "no item is rated exactly once")
    factors = weight_factors(signals.reliability) if signals.reliability else {}
    total = np.zeros(n)
    weight = np.zeros(n)
    for name, family in _VIEWS:
        if name not in signals:
            continue
        f = factors.get(family, 1.0)
        inputs = signals[name].inputs
        for i in np.flatnonzero(once):
            entry = inputs[i]
            if f > 0 and entry and entry.get("p_given") is not None:
                total[i] += f * entry["p_given"]
                weight[i] += f
    values = np.where(once & (weight > 0), 1.0 - total / np.maximum(weight, 1e-12), np.nan)
    phrases: list[str | None] = [None] * n
    inputs_out: list[dict | None] = [None] * n
    for i in np.flatnonzero(~np.isnan(values)):
        phrases[i] = f"one label, and the content evidence supports it only {1 - values[i]:.2f}"
        inputs_out[i] = {"support": round(float(1 - values[i]), 4)}
    return Signal(NAME, values, inputs_out, phrases, DESCRIPTION)
