"""What a guideline edit changed: verdict flips, and agreement before and after.

Pure functions over stored verdict rows (``VerdictStore`` rows: ``status``, ``verdict``,
``suggested_label``, ``cited_clause_ids``, ``retrieved_clause_ids``), so the comparison can be
checked without a model. Agreement is Cohen's kappa between the judge's label and a reference
label (the analysts' gold where it exists, else the annotators' plurality). Before, after and
the change share the same bootstrap replicates: the change's interval is paired, which is
what a reviewer of one edit needs (two independent intervals would overlap even for a real
drop).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmqa.agreement import Interval, bootstrap_joint, confusion_matrix
from llmqa.agreement.metrics import cohen_kappa_from_confusion

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Flip:
    item_id: str
    old_verdict: str | None
    new_verdict: str | None
    old_label: str | None
    new_label: str | None
    clauses: tuple[str, ...]  # the changed clauses this item was judged against

    def to_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "old_verdict": self.old_verdict,
                "new_verdict": self.new_verdict, "old_label": self.old_label,
                "new_label": self.new_label, "clauses": list(self.clauses)}


@dataclass(frozen=True)
class KappaChange:
    """Judge-vs-reference kappa on one set of items, before and after the edit."""

    scope: str  # "overall" or a clause id
    reference: str  # "gold" or "humans"
    n_items: int
    before: float | None
    after: float | None
    before_ci: Interval | None = None
    after_ci: Interval | None = None
    change_ci: Interval | None = None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        def ci(interval: Interval | None) -> list[float | None] | None:
            return None if interval is None else [interval.low, interval.high]

        return {"scope": self.scope, "reference": self.reference, "n_items": self.n_items,
                "before": self.before, "after": self.after, "change": self.change,
                "before_ci": ci(self.before_ci), "after_ci": ci(self.after_ci),
                "change_ci": ci(self.change_ci)}


def judge_label(row: Row | None) -> str | None:
    """The label the judge stands for; ``None`` when it gave no usable verdict."""
    if not row or row.get("status") != "ok":
        return None
    return row.get("suggested_label")


def clauses_of(row: Row | None) -> set[str]:
    """Every clause a verdict was judged against: retrieved (shown) and cited."""
    if not row:
        return set()
    return set(row.get("retrieved_clause_ids") or ()) | set(row.get("cited_clause_ids") or ())


def flips(old: Mapping[str, Row], new: Mapping[str, Row],
          changed: Iterable[str]) -> list[Flip]:
    """Items whose verdict or suggested label differs between the two versions."""
    changed = set(changed)
    found = []
    for item_id in sorted(old.keys() & new.keys()):
        a, b = old[item_id], new[item_id]
        before = (a.get("verdict"), judge_label(a))
        after = (b.get("verdict"), judge_label(b))
        if before == after:
            continue
        involved = tuple(sorted((clauses_of(a) | clauses_of(b)) & changed))
        found.append(Flip(item_id, before[0], after[0], before[1], after[1], involved))
    return found


@dataclass
class _Codes:
    labels: dict[str, int] = field(default_factory=dict)

    def code(self, label: str | None) -> int:
        if label is None:
            return -1
        return self.labels.setdefault(label, len(self.labels))


def kappa_change(scope: str, reference_name: str, item_ids: list[str],
                 reference: Mapping[str, str], old: Mapping[str, Row], new: Mapping[str, Row],
                 n_boot: int = 1000, seed: int = 0) -> KappaChange:
    """Kappa of the judge against ``reference`` on ``item_ids``, before and after.

    Items without a reference label are left out; an item the judge gave no verdict on counts
    as missing for that version (kappa is over items rated by both).
    """
    ids = [i for i in item_ids if reference.get(i)]
    codes = _Codes()
    ref = np.array([codes.code(reference[i]) for i in ids], dtype=np.int64)
    a = np.array([codes.code(judge_label(old.get(i))) for i in ids], dtype=np.int64)
    b = np.array([codes.code(judge_label(new.get(i))) for i in ids], dtype=np.int64)
    k = max(1, len(codes.labels))

    def kappa(judge: np.ndarray, weights: np.ndarray | None = None) -> float:
        confusion = confusion_matrix(judge, ref, k, weights)
        if confusion.sum() == 0:
            return math.nan
        return cohen_kappa_from_confusion(confusion)

    before, after = kappa(a), kappa(b)

    def both(weights: np.ndarray) -> dict[str, float]:
        x, y = kappa(a, weights), kappa(b, weights)
        return {"before": x, "after": y, "change": y - x}

    intervals = (bootstrap_joint(both, ["before", "after", "change"], len(ids), n_boot, seed)
                 if ids and n_boot else {})
    return KappaChange(scope, reference_name, len(ids), _finite(before), _finite(after),
                       intervals.get("before"), intervals.get("after"), intervals.get("change"))


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
