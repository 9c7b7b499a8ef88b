"""The items × raters label matrix every agreement figure is computed from.

Labels are stored as integer codes into ``Ratings.labels`` with ``-1`` for "this rater did not
rate this item", so metrics run on plain numpy arrays. Bad input never raises here: a label
outside the label set, an annotator outside the allowed list, a second rating by the same
annotator, a duplicate item or a judge label for an unknown item is recorded in ``problems``
with the item id and left out of the matrix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmqa.items import MULTI_LABEL_SEPARATOR, Item

MISSING = -1


@dataclass(frozen=True)
class RatingProblem:
    """One rating (or row) that was left out, and why."""

    item_id: str | None
    kind: str
    message: str
    annotator: str | None = None

    def __str__(self) -> str:
        where = f"item {self.item_id}" if self.item_id is not None else "input"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "kind": self.kind, "annotator": self.annotator,
                "message": self.message}


@dataclass
class Ratings:
    """Items × raters label codes plus what the breakdowns group by.

    ``judge`` holds the LLM judge's label code per item (``-1`` where it gave none); it is kept
    apart from ``codes`` so that human agreement is never diluted by the judge.
    """

    codes: np.ndarray
    labels: list[str]
    raters: list[str]
    item_ids: list[str]
    projects: list[str | None] = field(default_factory=list)
    modalities: list[str | None] = field(default_factory=list)
    clause_ids: list[tuple[str, ...]] = field(default_factory=list)
    judge: np.ndarray | None = None
    problems: list[RatingProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.codes = np.asarray(self.codes, dtype=np.int64).reshape(len(self.item_ids),
                                                                    len(self.raters))
        n = len(self.item_ids)
        # Optional per-item metadata defaults to "unknown" so from_matrix callers can skip it.
        self.projects = list(self.projects) or [None] * n
        self.modalities = list(self.modalities) or [None] * n
        self.clause_ids = list(self.clause_ids) or [()] * n
        if self.judge is not None:
            self.judge = np.asarray(self.judge, dtype=np.int64)
        if not (len(self.projects) == len(self.modalities) == len(self.clause_ids) == n):
            raise ValueError("per-item metadata must have one entry per item")
        if self.codes.shape[1] != len(self.raters):
            raise ValueError("codes must have one column per rater")
        if self.codes.size and (self.codes.max() >= len(self.labels) or self.codes.min() < -1):
            raise ValueError("codes must be -1 (missing) or an index into labels")

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_labels(self) -> int:
        return len(self.labels)

    @property
    def per_item(self) -> np.ndarray:
        """Number of human ratings of each item."""
        return (self.codes >= 0).sum(axis=1)

    @property
    def n_ratings(self) -> int:
        return int((self.codes >= 0).sum())

    @property
    def pairable(self) -> np.ndarray:
        """Items with at least two human ratings: the only ones agreement can be measured on."""
        return self.per_item >= 2

    def counts(self) -> np.ndarray:
        """Items × labels: how many raters gave each label to each item."""
        from llmqa.agreement.metrics import label_counts

        return label_counts(self.codes, self.n_labels)

    def subset(self, rows: np.ndarray) -> Ratings:
        """The same ratings restricted to ``rows`` (a boolean mask or index array)."""
        index = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows)
        return Ratings(
            codes=self.codes[index], labels=self.labels, raters=self.raters,
            item_ids=[self.item_ids[i] for i in index],
            projects=[self.projects[i] for i in index],
            modalities=[self.modalities[i] for i in index],
            clause_ids=[self.clause_ids[i] for i in index],
            judge=None if self.judge is None else self.judge[index],
            problems=[],
        )

    def label_of(self, code: int) -> str | None:
        return self.labels[code] if code >= 0 else None

    @classmethod
    def from_matrix(cls, codes: Sequence[Sequence[int]] | np.ndarray,
                    labels: Sequence[str] | None = None, raters: Sequence[str] | None = None,
                    item_ids: Sequence[str] | None = None, **extra: Any) -> Ratings:
        """Wrap an existing items × raters code matrix (``-1`` = missing)."""
        matrix = np.asarray(codes, dtype=np.int64)
        if matrix.ndim != 2:
            raise ValueError("codes must be a 2-D items × raters matrix")
        n, r = matrix.shape
        n_labels = int(matrix.max()) + 1 if matrix.size and matrix.max() >= 0 else 0
        return cls(
            codes=matrix,
            labels=list(labels) if labels is not None else [str(i) for i in range(n_labels)],
            raters=list(raters) if raters is not None else [f"r{j}" for j in range(r)],
            item_ids=list(item_ids) if item_ids is not None else [str(i) for i in range(n)],
            **extra,
        )

    @classmethod
    def from_items(cls, items: Iterable[Any], judge_labels: Mapping[str, str] | None = None,
                   labels: Sequence[str] | None = None, *,
                   annotators: Iterable[str] | None = None,
                   judge_clauses: Mapping[str, Iterable[str]] | None = None) -> Ratings:
        """Build the matrix from ``Item`` records.

        ``labels`` fixes the label set and its order (the order matters for ordinal and
        interval alpha); without it the labels seen are used, sorted numerically when they all
        look like numbers and alphabetically otherwise. ``annotators`` restricts who counts as
        a rater. ``judge_labels`` maps item id to the judge's label, ``judge_clauses`` item id
        to the clause ids the judge cited (used by the per-clause breakdown). Anything else in
        ``items`` (e.g. a reader's ``RowError``) is recorded as a problem.
        """
        return _Builder(labels, annotators).build(items, judge_labels or {}, judge_clauses or {})


class _Builder:
    """Collects ratings item by item; kept separate so ``from_items`` stays readable."""

    def __init__(self, labels: Sequence[str] | None, annotators: Iterable[str] | None) -> None:
        self.fixed_labels = list(labels) if labels is not None else None
        self.label_set = set(self.fixed_labels) if self.fixed_labels is not None else None
        self.allowed = set(annotators) if annotators is not None else None
        self.problems: list[RatingProblem] = []
        self.rows: list[dict[str, str]] = []
        self.item_ids: list[str] = []
        self.projects: list[str | None] = []
        self.modalities: list[str | None] = []
        self.clauses: list[tuple[str, ...]] = []
        self.seen: set[str] = set()

    def build(self, items: Iterable[Any], judge_labels: Mapping[str, str],
              judge_clauses: Mapping[str, Iterable[str]]) -> Ratings:
        for record in items:
            if isinstance(record, Item):
                self._add_item(record, judge_clauses)
            else:
                self.problems.append(RatingProblem(None, "row_error", str(record)))
        judge_raw = self._judge_labels(judge_labels)
        labels = self._label_list(judge_raw)
        code_of = {label: i for i, label in enumerate(labels)}
        raters = sorted({a for row in self.rows for a in row})
        column = {rater: j for j, rater in enumerate(raters)}
        codes = np.full((len(self.rows), len(raters)), MISSING, dtype=np.int64)
        for i, row in enumerate(self.rows):
            for annotator, label in row.items():
                codes[i, column[annotator]] = code_of[label]
        judge = None
        if judge_labels:
            judge = np.array([code_of[judge_raw[item_id]] if item_id in judge_raw else MISSING
                              for item_id in self.item_ids], dtype=np.int64)
        return Ratings(codes=codes, labels=labels, raters=raters, item_ids=self.item_ids,
                       projects=self.projects, modalities=self.modalities,
                       clause_ids=self.clauses, judge=judge, problems=self.problems)

    def _add_item(self, item: Item, judge_clauses: Mapping[str, Iterable[str]]) -> None:
        if item.id in self.seen:
            self.problems.append(RatingProblem(item.id, "duplicate_item",
                                               "duplicate item id; only the first row is used"))
            return
        self.seen.add(item.id)
        row: dict[str, str] = {}
        for annotation in item.annotations:
            if self._keep(item.id, annotation.annotator, annotation.label, row):
                row[annotation.annotator] = annotation.label
        clauses = {a.clause_id for a in item.annotations if a.clause_id}
        clauses.update(judge_clauses.get(item.id, ()))
        self.rows.append(row)
        self.item_ids.append(item.id)
        self.projects.append(item.project)
        self.modalities.append(item.content.modality.value)
        self.clauses.append(tuple(sorted(clauses)))

    def _keep(self, item_id: str, annotator: str, label: str, row: dict[str, str]) -> bool:
        if self.allowed is not None and annotator not in self.allowed:
            self.problems.append(RatingProblem(item_id, "unknown_annotator",
                                               f"unknown annotator {annotator!r}; rating ignored",
                                               annotator))
            return False
        if self.label_set is not None and not self._known(label):
            self.problems.append(RatingProblem(
                item_id, "unknown_label",
                f"label {label!r} from {annotator} is not in the label set; rating ignored",
                annotator))
            return False
        if annotator in row:
            same = "the same label" if row[annotator] == label else f"{row[annotator]!r} first"
            self.problems.append(RatingProblem(
                item_id, "duplicate_rating",
                f"{annotator} rated this item more than once ({same}); the first rating is used",
                annotator))
            return False
        return True

    def _known(self, label: str) -> bool:
        """In the label set, or a multi-label answer made only of labels in the set."""
        if self.label_set is None:
            return True
        parts = label.split(MULTI_LABEL_SEPARATOR)
        return label in self.label_set or all(part in self.label_set for part in parts)

    def _judge_labels(self, judge_labels: Mapping[str, str]) -> dict[str, str]:
        kept: dict[str, str] = {}
        for item_id, raw in judge_labels.items():
            label = str(raw).strip()
            if item_id not in self.seen:
                self.problems.append(RatingProblem(item_id, "judge_unknown_item",
                                                   "judge label for an item not in the input",
                                                   "judge"))
            elif self.label_set is not None and not self._known(label):
                self.problems.append(RatingProblem(
                    item_id, "judge_unknown_label",
                    f"judge label {label!r} is not in the label set; ignored", "judge"))
            else:
                kept[item_id] = label
        return kept

    def _label_list(self, judge: dict[str, str]) -> list[str]:
        if self.fixed_labels is not None:
            # Multi-label answers are composite categories after the guideline's labels.
            seen = {label for row in self.rows for label in row.values()} | set(judge.values())
            fixed = list(dict.fromkeys(self.fixed_labels))
            return fixed + sorted(seen - set(fixed))
        seen = {label for row in self.rows for label in row.values()} | set(judge.values())
        return sort_labels(seen)


def sort_labels(labels: Iterable[str]) -> list[str]:
    """Numbers in numeric order (so "10" follows "9"), anything else alphabetically."""
    unique = set(labels)
    try:
        return sorted(unique, key=float)
    except ValueError:
        return sorted(unique)
