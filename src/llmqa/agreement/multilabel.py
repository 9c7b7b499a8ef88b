"""Agreement and consensus for multi-label answers (an item may be both hate and harassment).

Single-label metrics see a multi-label answer as one composite category (``harassment+hate``),
so they count only exact set matches. Here each answer is a set:

* **per-label binary agreement**: for each label, every answer becomes "has it" / "has it
  not", and percent agreement and nominal Krippendorff's alpha are computed on that;
* **Krippendorff's alpha with the MASI distance** (Passonneau 2006): partial overlaps count as
  partial agreement. δ(A, B) = 1 − J(A, B)·M(A, B), with J the Jaccard index and M = 1 when the
  sets are equal, 2/3 when one contains the other, 1/3 when they overlap otherwise, 0 when
  disjoint; alpha = 1 − (n−1) Σ o_ck δ_ck / Σ n_c n_k δ_ck over the coincidences of the
  distinct sets (δ unsquared, as nltk's ``AnnotationTask(distance=masi_distance).alpha``);
* **consensus**: the labels more than half of an item's annotators chose.

Single-label answers are one-element sets, so a file that mixes both is measured whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmqa.agreement.metrics import (
    NO_PAIRS,
    Score,
    coincidence_matrix,
    krippendorff_alpha,
    percent_agreement,
)
from llmqa.items import Content, Item

LabelSet = frozenset[str]


@dataclass(frozen=True)
class LabelSets:
    """Per item, each annotator's set of labels (the first answer of an annotator counts)."""

    item_ids: list[str]
    raters: list[str]
    answers: list[dict[str, LabelSet]]
    labels: list[str] = field(default_factory=list)

    @classmethod
    def from_items(cls, items: Iterable[Item], labels: Sequence[str] | None = None) -> LabelSets:
        item_ids: list[str] = []
        answers: list[dict[str, LabelSet]] = []
        for item in items:
            row: dict[str, LabelSet] = {}
            for annotation in item.annotations:
                row.setdefault(annotation.annotator, annotation.label_set())
            item_ids.append(item.id)
            answers.append(row)
        raters = sorted({r for row in answers for r in row})
        seen = {label for row in answers for chosen in row.values() for label in chosen}
        ordered = list(labels) if labels is not None else []
        ordered += sorted(seen - set(ordered))
        return cls(item_ids, raters, answers, ordered)

    @property
    def is_multi_label(self) -> bool:
        return any(len(chosen) > 1 for row in self.answers for chosen in row.values())

    def binary_codes(self, label: str) -> np.ndarray:
        """Items × raters: 1 has the label, 0 has not, -1 did not answer."""
        column = {rater: j for j, rater in enumerate(self.raters)}
        codes = np.full((len(self.answers), len(self.raters)), -1, dtype=np.int64)
        for i, row in enumerate(self.answers):
            for rater, chosen in row.items():
                codes[i, column[rater]] = int(label in chosen)
        return codes


def masi_distance(a: LabelSet, b: LabelSet) -> float:
    union = len(a | b)
    if union == 0:
        return 0.0
    if a == b:
        monotonicity = 1.0
    elif a <= b or b <= a:
        monotonicity = 2 / 3
    elif a & b:
        monotonicity = 1 / 3
    else:
        monotonicity = 0.0
    return 1.0 - len(a & b) / union * monotonicity


def masi_alpha(sets: LabelSets) -> Score:
    """Krippendorff's alpha over label sets with the MASI distance."""
    domain = sorted({chosen for row in sets.answers for chosen in row.values()}, key=sorted)
    index = {chosen: k for k, chosen in enumerate(domain)}
    counts = np.zeros((len(sets.answers), len(domain)))
    for i, row in enumerate(sets.answers):
        for chosen in row.values():
            counts[i, index[chosen]] += 1
    n_items = int((counts.sum(axis=1) >= 2).sum()) if counts.size else 0
    if n_items == 0:
        return Score(None, 0, NO_PAIRS)
    o = coincidence_matrix(counts)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d = np.array([[masi_distance(a, b) for b in domain] for a in domain])
    expected = float(n_c @ d @ n_c)
    if expected <= 0:
        return Score(None, n_items, "undefined: every answer is the same set of labels")
    return Score(1.0 - (n - 1) * float((o * d).sum()) / expected, n_items)


def per_label_agreement(sets: LabelSets) -> dict[str, dict[str, Any]]:
    """For each label: how many answers chose it, percent agreement and nominal alpha on
    "chose it or not"."""
    report: dict[str, dict[str, Any]] = {}
    for label in sets.labels:
        codes = sets.binary_codes(label)
        report[label] = {"chosen": int((codes == 1).sum()),
                         "percent_agreement": percent_agreement(codes, 2).to_dict(),
                         "alpha": krippendorff_alpha(codes, "nominal", 2).to_dict()}
    return report


def multilabel_consensus(sets: LabelSets) -> dict[str, LabelSet]:
    """Per item, the labels more than half of its annotators chose (empty: no majority for
    any label, or nobody answered)."""
    consensus: dict[str, LabelSet] = {}
    for item_id, row in zip(sets.item_ids, sets.answers, strict=True):
        votes: dict[str, int] = {}
        for chosen in row.values():
            for label in chosen:
                votes[label] = votes.get(label, 0) + 1
        consensus[item_id] = frozenset(k for k, v in votes.items() if v * 2 > len(row))
    return consensus


def multilabel_report(sets: LabelSets) -> dict[str, Any]:
    """What ``llmqa agreement --json`` adds under ``multi_label`` for multi-label data."""
    alpha = masi_alpha(sets)
    return {"masi_alpha": alpha.to_dict(), "per_label": per_label_agreement(sets),
            "consensus": {k: sorted(v) for k, v in multilabel_consensus(sets).items()}}


class LabelSetCollector:
    """Keeps each item's answers as sets while a stream of items (and row errors) passes on
    to ``Ratings.from_items``, so a file is read once for both."""

    def __init__(self) -> None:
        self.items: list[Item] = []

    def watch(self, records: Iterable[Any]) -> Iterator[Any]:
        for record in records:
            if isinstance(record, Item):
                # Only the answers are kept: the content can be large (transcripts).
                self.items.append(record.model_copy(update={"content": _NO_CONTENT}))
            yield record

    def sets(self, labels: Sequence[str] | None = None) -> LabelSets:
        return LabelSets.from_items(self.items, labels)


_NO_CONTENT = Content(modality="text", text="-")


def render_multilabel(report: dict[str, Any]) -> str:
    """The multi-label section of ``llmqa agreement``'s text report."""
    alpha = report["masi_alpha"]
    value = "undef" if alpha["value"] is None else f"{alpha['value']:.3f}"
    lines = [f"multi-label: Krippendorff's alpha (MASI distance) {value} over "
             f"{alpha['n_items']} items", "per label (chose it or not):"]
    for label, row in report["per_label"].items():
        if not row["chosen"]:
            continue
        agree, kappa = row["percent_agreement"]["value"], row["alpha"]["value"]
        lines.append(f"  {label:<20} chosen {row['chosen']:>5}  agree "
                     f"{'undef' if agree is None else f'{agree:.3f}'}  alpha "
                     f"{'undef' if kappa is None else f'{kappa:.3f}'}")
    return "\n".join(lines)
