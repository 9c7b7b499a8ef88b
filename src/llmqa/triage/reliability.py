"""How much to trust each source of evidence on this batch, estimated without an answer key.

The rule is CROWDLAB's (cleanlab's multi-annotator method): a source's reliability is

    r = max(0, 1 − error / error_of_guessing)

where ``error`` is how often the source disagrees with the labels under review and
``error_of_guessing`` how often always guessing the most common label would. 0 means "no
better than guessing", 1 "agrees with every label". Most labels are right, so a source that
rarely agrees with them is not seeing the labelling task (a guideline written for another
policy, embeddings that miss what the labels are about) and its disagreements are noise, not
evidence of errors.

* ``classifier``: the out-of-fold classifier's top label vs the label under review;
* ``guideline``: the label the nearest guideline evidence implies vs the label under review;
* ``annotators``: each annotator's vote vs the majority of the *other* annotators on the
  item (leave-one-out), against guessing the most common vote;
* ``judge``: not its agreement with the labels under review, since its prompt shows them: a
  model that echoes them (the embedded SmolLM2 does) would score as well as one that read
  the content. Instead its *flags*: of its ``likely_error``
  verdicts, how often the content views (the classifier's and the guideline evidence's
  label, which the judge never saw as such) point to the label it suggests, against how
  often they would for a flag on a reviewed item drawn at random with a random other label
  (the same rule, on the support less one standard error). Only views better than guessing
  count. A judge whose flags fall where nothing else points scores 0. With fewer than 10
  flags, or no usable view, agreement with the labels is used as for the other sources.
  evals/README ("Simulated judges") has what this changes.
* ``judge_ambiguity``: its ``ambiguous`` verdicts, apart from its flags (a judge can flag
  well and call half the batch ambiguous): of its calls on items rated two or more times,
  the share where the annotators split, against the share of those items that split (a call
  on a random one), on the support less one standard error. Not measured with fewer than 10
  such calls, on items rated once, or where every item splits or none does; then it counts
  as the flags do. A judge that calls "ambiguous" wherever it sees the labels split scores
  well here and adds what the split already says.

``combine`` scales weights by these (see scores.py): the two content views by their
reliability relative to the better of the two; the annotator-dissent signals by
``clip((r − 0.5) / (0.7 − 0.5), 0, 1)``: a dissent is evidence of a wrong label only from
annotators who are more reliable than not, and counts in full from annotators who mostly agree
(r ≥ 0.7, a typical trained QA team). On crowd data where a quarter of the votes dissent
anyway (MD-Agreement: r ≈ 0.2–0.3) a split is routine and says nothing about the label, and
even a small weight on it reorders the top of the queue; on the sample batch (r ≈ 0.7) it
counts in full. (The first rule, ``(r − 0.5) / 0.5``, reached full weight only for annotators
who never disagree, where there is no dissent to weigh; it gave the sample batch 0.4.)

The judge's signals are scaled by ``min(1, r / r_ref)``, ``r_ref`` the best reliability among
the other sources (the content views and the annotators among themselves): the judge stands
in for an expert reviewer, so it counts in full when its flags are borne out at least as
well as they agree with the labels, and a judge no better than guessing drops out instead
of reordering the queue with noise. Below 30 reviewed items the estimate is not used and the
judge keeps its weight. ``judge_ambiguity`` is scaled by its own reliability: an ``agree``
verdict pulls an item's ambiguity down as an ``ambiguous`` one lifts it, so a judge that
misses most splits costs the queue the splits it missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from llmqa.triage.data import TriageData
from llmqa.triage.signals import SignalSet

# Fewer reviewed items than this and the judge's reliability is not used (see weight_factors).
MIN_JUDGE_ITEMS = 30
# Fewer likely-error flags than this and the judge is measured by agreement with the labels.
MIN_JUDGE_FLAGS = 10
# Annotator reliability at or below which dissent carries no weight, and from which it counts
# in full (linear in between).
ANNOTATORS_FLOOR = 0.5
ANNOTATORS_FULL = 0.7

# Which family each adaptively weighted signal belongs to.
FAMILY = {
    "label_issue": "classifier",
    "model_uncertainty": "classifier",
    "guideline_conflict": "guideline",
    "guideline_split": "guideline",
    "minority_share": "annotators",
    "label_issue_multi": "annotators",
    "consensus_dissent": "annotators",
    "judge_error": "judge",
    "judge_ambiguity": "judge_ambiguity",
}


@dataclass(frozen=True)
class Reliability:
    family: str
    value: float | None  # None: not measurable (the source is missing)
    agreement: float | None  # with ``basis="flags"``: the share of flags the content supports
    guessing: float | None  # ... and the share a random suggestion would get
    items: int
    basis: str = "labels"

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {"reliability": r(self.value), "agreement": r(self.agreement),
                "guessing": r(self.guessing), "items": self.items, "basis": self.basis}


def _rule(agreement: float, guessing: float) -> float:
    if guessing >= 1.0:
        return 0.0
    return max(0.0, 1.0 - (1.0 - agreement) / (1.0 - guessing))


def _view(data: TriageData, signals: SignalSet, signal: str, key: str,
          family: str) -> Reliability:
    given = data.given
    if signal not in signals:
        return Reliability(family, None, None, None, 0)
    inputs: list[Any] = signals[signal].inputs
    rows = [i for i in range(data.n_items)
            if given[i] >= 0 and inputs[i] and inputs[i].get(key) is not None]
    if not rows:
        return Reliability(family, None, None, None, 0)
    agreement = float(np.mean([inputs[i][key] == data.labels[given[i]] for i in rows]))
    labelled = given[given >= 0]
    guessing = float(np.bincount(labelled).max() / len(labelled))
    return Reliability(family, _rule(agreement, guessing), agreement, guessing, len(rows))


def _annotators(data: TriageData) -> Reliability:
    codes = data.ratings.codes
    counts = data.ratings.counts()
    rows, cols = np.nonzero(codes >= 0)
    keep = counts.sum(axis=1)[rows] >= 2
    rows, cols = rows[keep], cols[keep]
    if len(rows) == 0:
        return Reliability("annotators", None, None, None, 0)
    mine = codes[rows, cols]
    others = counts[rows].copy()
    others[np.arange(len(rows)), mine] -= 1
    tied = others == others.max(axis=1, keepdims=True)
    # A tie among the others gives fractional credit, as in llmqa.agreement.
    agreement = float((tied[np.arange(len(rows)), mine] / tied.sum(axis=1)).mean())
    guessing = float(np.bincount(mine).max() / len(mine))
    return Reliability("annotators", _rule(agreement, guessing), agreement, guessing,
                       len(np.unique(rows)))


CONTENT_VIEWS = {"classifier": ("label_issue", "predicted"),
                 "guideline": ("guideline_conflict", "implied_label")}


def _judge(data: TriageData, signals: SignalSet,
           content: dict[str, Reliability]) -> Reliability:
    by_labels = _view(data, signals, "judge_error", "judge_label", "judge")
    # Only a view better than guessing can bear a flag out (MD-Agreement's guideline view,
    # at 0, disagrees with the labels everywhere and would "support" flags at random).
    views = [CONTENT_VIEWS[f] for f, r in content.items() if r.value]
    if "judge_error" not in signals or by_labels.items < MIN_JUDGE_ITEMS or not views:
        return by_labels
    inputs: list[Any] = signals["judge_error"].inputs
    supported: list[bool] = []
    chance: list[float] = []
    for i in range(data.n_items):
        given = data.given_label(i)
        if given is None or not inputs[i]:
            continue
        pointed = {row[key] for signal, key in views
                   if (row := signals[signal].inputs[i]) and row.get(key)} - {given}
        # Guessing: a flag on a reviewed item drawn at random, with a random other label.
        chance.append(len(pointed) / max(len(data.labels) - 1, 1))
        suggested = inputs[i].get("judge_label")
        if suggested is not None and suggested != given:
            supported.append(suggested in pointed)
    if len(supported) < MIN_JUDGE_FLAGS:
        return by_labels
    support, guessing = float(np.mean(supported)), float(np.mean(chance))
    # The rule on the support less one standard error: flags that beat chance by luck (an
    # echoing judge's, by a standard error or so) earn no weight, while a few dozen flags
    # that beat it clearly keep most of theirs (evals/README: 0, 1 and 1.645 SE compared).
    bound = support - np.sqrt(support * (1 - support) / len(supported))
    return Reliability("judge", _rule(max(bound, 0.0), guessing), support, guessing,
                       by_labels.items, basis="flags")


def _judge_ambiguity(data: TriageData, signals: SignalSet) -> Reliability:
    """The judge's ``ambiguous`` calls against the annotators' splits: of the calls on items
    rated two or more times, the share where the annotators split, against the share of such
    items that split at all (a call on a random one)."""
    unmeasured = Reliability("judge_ambiguity", None, None, None, 0, basis="splits")
    if "judge_ambiguity" not in signals:
        return unmeasured
    inputs: list[Any] = signals["judge_ambiguity"].inputs
    counts = data.ratings.counts()
    rows = [i for i in range(data.n_items) if inputs[i] and not inputs[i].get("supervised")
            and counts[i].sum() >= 2]
    if len(rows) < MIN_JUDGE_ITEMS:
        return unmeasured
    split = (counts[rows] > 0).sum(axis=1) > 1
    called = np.array([inputs[i]["verdict"] == "ambiguous" for i in rows], dtype=bool)
    # Where every item splits, or none does, a call cannot land better than at random.
    if called.sum() < MIN_JUDGE_FLAGS or split.all() or not split.any():
        return unmeasured
    support, guessing = float(split[called].mean()), float(split.mean())
    # One standard error low, as for the flags: calls that beat chance by luck earn nothing.
    bound = support - np.sqrt(support * (1 - support) / called.sum())
    return Reliability("judge_ambiguity", _rule(max(bound, 0.0), guessing), support, guessing,
                       len(rows), basis="splits")


def estimate(data: TriageData, signals: SignalSet) -> dict[str, Reliability]:
    content = {family: _view(data, signals, signal, key, family)
               for family, (signal, key) in CONTENT_VIEWS.items()}
    return content | {"annotators": _annotators(data),
                      "judge": _judge(data, signals, content),
                      "judge_ambiguity": _judge_ambiguity(data, signals)}


def weight_factors(reliability: dict[str, Reliability]) -> dict[str, float]:
    """Multiplier per family: content views relative to the better one, annotators above 0.5
    rescaled to [0, 1]. A family that could not be measured keeps factor 1 (its signals are
    missing anyway)."""
    content: dict[str, float] = {f: found for f in ("classifier", "guideline")
                                 if f in reliability
                                 and (found := reliability[f].value) is not None}
    best = max(content.values(), default=0.0)
    factors: dict[str, float] = {}
    for family in ("classifier", "guideline"):
        value = content.get(family)
        factors[family] = 1.0 if value is None or best <= 0 else value / best
    judge = reliability.get("judge")
    # A judge that reviewed a handful of items (the top of a queue, a spot check) keeps its
    # weight: agreement over so few labels says nothing about it.
    if judge is not None and judge.value is not None and judge.items >= MIN_JUDGE_ITEMS:
        # The judge stands in for an expert reviewer: it counts in full when it agrees with
        # the labels at least as well as the best other source (content view or the
        # annotators among themselves), in proportion below that.
        others = [v for f in ("classifier", "guideline", "annotators")
                  if f in reliability and (v := reliability[f].value) is not None]
        reference = max(others, default=0.0)
        factors["judge"] = (min(1.0, judge.value / reference) if reference > 0
                            else float(judge.value > 0))
    # Its ambiguous calls by their own measure when there is one (the flags' say nothing
    # about them), else as its flags.
    calls = reliability.get("judge_ambiguity")
    if calls is not None and calls.value is not None:
        factors["judge_ambiguity"] = calls.value
    elif "judge" in factors:
        factors["judge_ambiguity"] = factors["judge"]
    annotators = reliability.get("annotators")
    factors["annotators"] = (1.0 if annotators is None or annotators.value is None
                             else float(np.clip((annotators.value - ANNOTATORS_FLOOR)
                                                / (ANNOTATORS_FULL - ANNOTATORS_FLOOR), 0.0, 1.0)))
    return factors
