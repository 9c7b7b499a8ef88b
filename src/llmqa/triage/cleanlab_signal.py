"""Confident-learning signals: cleanlab's label-quality scores on out-of-fold probabilities.

* ``label_issue``: 1 − ``cleanlab.rank.get_label_quality_scores`` (self-confidence) of the
  label under review given the classifier's out-of-fold probabilities. Works with any number
  of annotators, including one.
* ``label_issue_multi``: with two or more annotators, 1 − the quality of the label under
  review under CROWDLAB (``cleanlab.multiannotator.get_label_quality_multiannotator``), which
  weighs the classifier against each annotator's estimated accuracy. The label under review
  may differ from cleanlab's own consensus (ties, Dawid-Skene), so its quality is read from
  cleanlab's per-annotator quality columns: every annotator who gave the label under review
  has exactly that score.
* ``model_uncertainty``: entropy of the out-of-fold probabilities, scaled to [0, 1]: the
  content itself sits between labels. It needs no second annotator, so it is what ambiguity
  rests on when each item has one label.

``flagged`` in the inputs is ``cleanlab.filter.find_label_issues``' verdict, kept for the
analyst; it does not enter the scores (the continuous score ranks better).
"""

from __future__ import annotations

import warnings

import numpy as np

from llmqa.triage.data import TriageData
from llmqa.triage.signals import Signal, normalised_entropy

DESCRIPTIONS = {
    "label_issue": "1 − cleanlab label quality of the label under review (out-of-fold "
                   "classifier on item embeddings)",
    "label_issue_multi": "1 − cleanlab CROWDLAB quality of the label under review (classifier "
                         "weighed against annotator accuracy)",
    "model_uncertainty": "entropy of the classifier's out-of-fold probabilities, scaled to "
                         "[0, 1]",
}


def missing_signals(n: int, why: str) -> list[Signal]:
    return [Signal.missing(name, n, text, why) for name, text in DESCRIPTIONS.items()]


def cleanlab_signals(data: TriageData, probabilities: np.ndarray) -> list[Signal]:
    from cleanlab.rank import get_label_quality_scores

    n = data.n_items
    labels = data.labels
    given = data.given
    predicted = ~np.isnan(probabilities[:, 0])
    scored = np.flatnonzero(predicted & (given >= 0))
    issue = np.full(n, np.nan)
    flagged = np.zeros(n, dtype=bool)
    if len(scored):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            issue[scored] = 1.0 - get_label_quality_scores(given[scored], probabilities[scored])
        flagged[scored] = _find_issues(given[scored], probabilities[scored])
    uncertainty = np.full(n, np.nan)
    uncertainty[predicted] = normalised_entropy(probabilities[predicted])
    inputs: list[dict | None] = [None] * n
    phrases: list[str | None] = [None] * n
    for i in np.flatnonzero(predicted):
        p = probabilities[i]
        top = int(p.argmax())
        entry = {"predicted": labels[top], "p_predicted": round(float(p[top]), 4)}
        if given[i] >= 0:
            entry |= {"p_given": round(float(p[given[i]]), 4), "flagged": bool(flagged[i])}
            if top != given[i]:
                phrases[i] = (f"classifier says {labels[top]} ({p[top]:.2f}), "
                              f"{labels[given[i]]} {p[given[i]]:.2f}")
            else:
                phrases[i] = f"classifier agrees ({p[top]:.2f})"
        else:
            phrases[i] = f"classifier says {labels[top]} ({p[top]:.2f})"
        inputs[i] = entry
    signals = [
        Signal("label_issue", issue, inputs, phrases, DESCRIPTIONS["label_issue"]),
        _crowdlab(data, probabilities, predicted, inputs, phrases),
        Signal("model_uncertainty", uncertainty, inputs, phrases,
               DESCRIPTIONS["model_uncertainty"]),
    ]
    return signals


def _find_issues(given: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    from cleanlab.filter import find_label_issues

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(find_label_issues(given, probabilities), dtype=bool)
    except Exception:  # cleanlab refuses some degenerate label sets; the flag is optional
        return np.zeros(len(given), dtype=bool)


def _crowdlab(data: TriageData, probabilities: np.ndarray, predicted: np.ndarray,
              inputs: list[dict | None], phrases: list[str | None]) -> Signal:
    name = "label_issue_multi"
    n = data.n_items
    codes = data.ratings.codes
    rows = np.flatnonzero(predicted & ((codes >= 0).sum(axis=1) >= 1) & (data.given >= 0))
    sub = codes[rows]
    raters = np.flatnonzero((sub >= 0).any(axis=0))
    sub = sub[:, raters]
    if len(raters) < 2 or not ((sub >= 0).sum(axis=1) >= 2).any():
        return Signal.missing(name, n, DESCRIPTIONS[name],
                              "fewer than two annotators on any item: CROWDLAB needs several")
    import pandas as pd
    from cleanlab.multiannotator import get_label_quality_multiannotator

    frame = pd.DataFrame(np.where(sub >= 0, sub, np.nan).astype(float))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = get_label_quality_multiannotator(
                frame, probabilities[rows], consensus_method="majority_vote",
                return_detailed_quality=True, return_annotator_stats=False, verbose=False)
    except ValueError as exc:  # e.g. annotators who never share an item
        return Signal.missing(name, n, DESCRIPTIONS[name], f"cleanlab refused the data: {exc}")
    detailed = result["detailed_label_quality"].to_numpy(dtype=float)
    given = data.given[rows]
    # Every annotator who gave the label under review has that label's posterior quality.
    same = (sub == given[:, None]) & ~np.isnan(detailed)
    quality = np.where(same, detailed, -np.inf).max(axis=1)
    values = np.full(n, np.nan)
    ok = np.isfinite(quality)
    values[rows[ok]] = 1.0 - quality[ok]
    return Signal(name, values, inputs, phrases, DESCRIPTIONS[name])
