"""Fit the score weights on an answer key, and say how well the fit does on unseen items.

The answer key is JSONL (or any items-format reader row) with an item id (``id`` or
``item_id``) and either ``kind`` (``seeded_error``/``error``/``likely_error``/``wrong`` → an
error, ``ambiguous`` → ambiguous, ``clean``/``correct``/``ok``/``agree`` → neither) or
booleans ``is_error`` / ``is_ambiguous``. Another kind is refused with its line: read as
"neither", a typo ("seeded-error") would count a known error as clean. Items missing from
the key are left out of the fit.

Each score gets a logistic regression (L2, ``C=1``) on the rank-normalised signals (see
``scores.py``). The reported quality is out-of-fold (stratified k-fold): each item is scored
by a model fitted without it, so the AUROC and precision-at-k are what to expect on a new
batch of the same kind, not on the items the weights were fitted to. The final weights are
then fitted on every keyed item.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from llmqa.errors import InputError
from llmqa.io.json_file import read_json_lines
from llmqa.triage.scores import (
    DEFAULT_AMBIGUITY_WEIGHTS,
    DEFAULT_ERROR_WEIGHTS,
    Weights,
    feature_matrix,
    normalise_signal,
)
from llmqa.triage.signals import AMBIGUITY, ERROR, SignalSet

_ERROR_KINDS = {"seeded_error", "error", "likely_error", "wrong"}
_KINDS = _ERROR_KINDS | {"ambiguous", "clean", "correct", "ok", "agree"}


@dataclass
class Key:
    error: dict[str, bool]
    ambiguous: dict[str, bool]


def load_key(path: str | Path) -> Key:
    error: dict[str, bool] = {}
    ambiguous: dict[str, bool] = {}
    for number, row in read_json_lines(path, "answer key"):
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: not a JSON object")
        item_id = str(row.get("id", row.get("item_id")))
        if item_id == "None":
            raise InputError(f"{path}:{number}: needs 'id' or 'item_id'")
        kind = str(row.get("kind", "")).lower()
        if kind not in _KINDS and not {"is_error", "is_ambiguous"} & row.keys():
            said = f"kind {row['kind']!r} is not one of" if "kind" in row else "needs a kind:"
            raise InputError(f"{path}:{number}: {said} {', '.join(sorted(_KINDS))} (or "
                             "is_error / is_ambiguous booleans)")
        error[item_id] = bool(row.get("is_error", kind in _ERROR_KINDS))
        ambiguous[item_id] = bool(row.get("is_ambiguous", kind == "ambiguous"))
    if not error:
        raise InputError(f"{path}: the answer key is empty")
    return Key(error, ambiguous)


def precision_at_k(score: np.ndarray, truth: np.ndarray, k: int | None = None) -> float | None:
    """Share of true items among the ``k`` highest scores (k = number of true items)."""
    k = int(truth.sum()) if k is None else k
    if k <= 0:
        return None
    order = np.argsort(-np.nan_to_num(score, nan=-np.inf), kind="stable")[:k]
    return float(truth[order].mean())


def auroc(score: np.ndarray, truth: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    ok = ~np.isnan(score)
    if len(np.unique(truth[ok])) < 2:
        return None
    return float(roc_auc_score(truth[ok], score[ok]))


def calibrate(signals: SignalSet, item_ids: list[str], key: Key, folds: int = 5,
              seed: int = 0) -> tuple[Weights, dict[str, Any]]:
    """Fitted weights and, per score, the out-of-fold quality of the fit."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    n = signals.n_items
    weights: dict[str, dict[str, float]] = {}
    intercept: dict[str, float] = {}
    report: dict[str, Any] = {}
    defaults = {ERROR: DEFAULT_ERROR_WEIGHTS, AMBIGUITY: DEFAULT_AMBIGUITY_WEIGHTS}
    for score, flags in ((ERROR, key.error), (AMBIGUITY, key.ambiguous)):
        rows = np.array([i for i, item_id in enumerate(item_ids) if item_id in flags])
        names = [name for name in defaults[score] if name in signals
                 and signals[name].available.any()]
        truth = np.array([flags[item_ids[i]] for i in rows], dtype=bool) if len(rows) else None
        positives = int(truth.sum()) if truth is not None else 0
        if truth is None or positives < folds or len(rows) - positives < folds:
            raise InputError(f"the answer key marks {positives} of {len(rows)} matching items "
                             f"as {score}; at least {folds} of each class are needed to "
                             "calibrate")
        ranks = {name: normalise_signal(name, signals[name].values) for name in names}
        x = feature_matrix(ranks, names, n)[rows]
        model = LogisticRegression(C=1.0, max_iter=2000)
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        held_out = cross_val_predict(model, x, truth, cv=splitter, method="predict_proba")[:, 1]
        model.fit(x, truth)
        weights[score] = {name: round(float(w), 4)
                          for name, w in zip(names, model.coef_[0], strict=True)}
        intercept[score] = round(float(model.intercept_[0]), 4)
        report[score] = {"items": len(rows), "positives": positives,
                         "cv_auroc": auroc(held_out, truth),
                         "cv_precision_at_k": precision_at_k(held_out, truth),
                         "weights": weights[score], "intercept": intercept[score]}
    fitted = Weights(weights[ERROR], weights[AMBIGUITY], intercept, source="calibrated")
    return fitted, report
