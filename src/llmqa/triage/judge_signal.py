"""The LLM judge's stored verdict as signals (only when a review exists and not ``--offline``).

From the newest ``ok`` verdict per item (``VerdictStore.verdicts(latest=True, status="ok")``):

* ``judge_error``: the judge's probability that the label under review is wrong: its
  confidence when it says ``likely_error`` (or says ``agree`` while suggesting a label other
  than the one under review, which happens when the consensus method differs from the
  judge's plurality), 1 − confidence when it agrees, 0.5 when it calls the item ambiguous.
* ``judge_ambiguity``: 0.5 + confidence/2 for an ``ambiguous`` verdict, (1 − confidence)/2
  otherwise: every ambiguous verdict ranks above every other, an unsure judge above a sure
  one.
* ``self_consistency_spread``: with ``--samples N`` the judge voted N times; 1 − the share of
  the winning verdict (0 = unanimous samples). Missing for single-sample verdicts.

With a trust gate (``agreement.gate``, built once analysts have recorded gold labels), a
verdict resting on a *supervised* clause (or citing none) is kept in the inputs and phrases,
marked ``supervised``, but its values are left out: it neither raises nor lowers the item's
scores; a person decides there.

A verdict whose ``item_hash`` differs from the item's current content hash judged other
content: it is ignored and counted in the signal's note.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from llmqa.triage.data import TriageData
from llmqa.triage.signals import Signal

_SELF_CONSISTENCY = re.compile(r"self-consistency: (\d+)/(\d+) samples")
DESCRIPTIONS = {
    "judge_error": "the judge's probability that the label under review is wrong",
    "judge_ambiguity": "how strongly the judge calls the item ambiguous",
    "self_consistency_spread": "1 − share of the judge's samples that gave the winning verdict",
}


def missing_signals(n: int, why: str) -> list[Signal]:
    return [Signal.missing(name, n, text, why) for name, text in DESCRIPTIONS.items()]


def judge_signals(data: TriageData, verdicts: Iterable[Mapping[str, Any]],
                  trusted: Callable[[list[str]], bool] | None = None,
                  ) -> tuple[list[Signal], list[list[str]]]:
    """The three signals, and the clause ids the judge cited per item. ``trusted`` (a gate's
    ``is_trusted``) says whether a verdict citing these clauses may count."""
    n = data.n_items
    position = {item_id: i for i, item_id in enumerate(data.item_ids)}
    error = np.full(n, np.nan)
    ambiguity = np.full(n, np.nan)
    spread = np.full(n, np.nan)
    inputs: list[Any] = [None] * n
    phrases: list[str | None] = [None] * n
    cited: list[list[str]] = [[] for _ in range(n)]
    stale = supervised = 0
    for row in verdicts:
        i = position.get(str(row.get("item_id")))
        if i is None or row.get("status", "ok") != "ok" or row.get("verdict") is None:
            continue
        if row.get("item_hash") and row["item_hash"] != data.content_hashes[i]:
            stale += 1
            continue
        verdict = row["verdict"]
        confidence = row.get("confidence")
        confidence = 0.5 if confidence is None else float(np.clip(confidence, 0.0, 1.0))
        suggested = row.get("suggested_label")
        given = data.given_label(i)
        disagrees = verdict == "likely_error" or (
            verdict == "agree" and given is not None and suggested not in (None, given))
        if verdict == "ambiguous":
            error[i] = 0.5
            ambiguity[i] = 0.5 + confidence / 2
        else:
            error[i] = confidence if disagrees else 1.0 - confidence
            ambiguity[i] = (1.0 - confidence) / 2
        samples = int(row.get("samples") or 1)
        for note in row.get("notes") or []:
            match = _SELF_CONSISTENCY.search(str(note))
            if match and samples > 1:
                spread[i] = 1.0 - int(match.group(1)) / max(int(match.group(2)), 1)
        cited[i] = list(row.get("cited_clause_ids") or [])
        # The label the judge would give (reliability.py compares it with the labels under
        # review); none for "ambiguous", or for a likely error without a suggestion.
        judge_label = None if verdict == "ambiguous" else (suggested if disagrees else given)
        inputs[i] = {"verdict": verdict, "suggested_label": suggested, "judge_label": judge_label,
                     "confidence": confidence, "cited_clause_ids": cited[i],
                     "samples": samples, "model": row.get("model")}
        clauses = f" citing {', '.join(cited[i])}" if cited[i] else ""
        if verdict == "ambiguous":
            phrases[i] = f"judge: ambiguous ({confidence:.2f}){clauses}"
        elif disagrees:
            phrases[i] = f"judge: {suggested} ({confidence:.2f}){clauses}"
        else:
            phrases[i] = f"judge agrees ({confidence:.2f})"
        if trusted is not None and not trusted(cited[i]):
            supervised += 1
            error[i] = ambiguity[i] = spread[i] = np.nan
            inputs[i]["supervised"] = True
            phrases[i] = f"{phrases[i]} [supervised clause: not counted]"
    notes = []
    if stale:
        notes.append(f"{stale} verdicts judged older content and were ignored")
    if supervised:
        notes.append(f"{supervised} verdicts rest on clauses the gate supervises: shown, not "
                     "counted")
    note = "; ".join(notes) or None
    if np.isnan(error).all():
        why = note or "no usable verdict for these items in the store"
        return missing_signals(n, why), cited
    spread_note = None if (~np.isnan(spread)).any() else "no verdict was sampled more than once"
    return [Signal("judge_error", error, inputs, phrases, DESCRIPTIONS["judge_error"], note),
            Signal("judge_ambiguity", ambiguity, inputs, phrases, DESCRIPTIONS["judge_ambiguity"]),
            Signal("self_consistency_spread", spread, inputs, phrases,
                   DESCRIPTIONS["self_consistency_spread"], spread_note)], cited
