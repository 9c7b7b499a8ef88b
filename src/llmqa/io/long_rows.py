"""Items from long rows: one row per annotation, as spreadsheets and many labelling tools
export them (``id, text, annotator, label``), instead of one row per item with an
``annotations`` list.

A CSV or Parquet file is long when it has an ``annotator`` column, a ``label`` (or, for
multi-label answers, ``labels``: a JSON list in CSV) column and no ``annotations`` column.
Rows with the same ``id`` are one item: its fields come from the first such row, and a later
row whose item fields differ is refused (naming both lines) rather than silently read as the
first. Each row's ``annotator``, ``label``/``labels``, ``clause_id`` and ``note`` are one
annotation, checked on its own so a bad one names its line and the item keeps the rest; a
second row by the same annotator on the same item is refused (a re-rating and a second label
cannot be told apart); a row with none of them is an item without annotations. Grouping
needs the whole file, so a long file is held in memory (one entry per item), unlike the
streamed wide formats.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from llmqa.errors import validation_problems
from llmqa.items import Annotation

ANNOTATION_COLUMNS = ("annotator", "label", "labels", "clause_id", "note")
Problem = tuple[str | None, str]


def is_long(columns: Iterable[str | None]) -> bool:
    names = {c for c in columns if c}
    return "annotations" not in names and "annotator" in names and bool(
        names & {"label", "labels"})


@dataclass
class _Pending:
    line: int
    row: dict[str, Any]
    annotations: list[Annotation] = field(default_factory=list)
    annotators: dict[str, int] = field(default_factory=dict)  # annotator → line


class LongRows:
    """Collects long rows into items; ``rows()`` gives each item's first line and fields."""

    def __init__(self) -> None:
        self._items: dict[str, _Pending] = {}

    def add(self, line: int, row: dict[str, Any]) -> Problem | None:
        """Take one row; a problem with it, as (field, message), or None."""
        annotation = {k: row.pop(k) for k in ANNOTATION_COLUMNS if k in row}
        item_id = row.get("id")
        if item_id in (None, ""):
            return "id", "Field required"
        pending = self._items.get(str(item_id))
        if pending is None:
            pending = self._items[str(item_id)] = _Pending(line, row)
        elif row != pending.row:
            differing = sorted(k for k in set(row) | set(pending.row)
                               if row.get(k) != pending.row.get(k))
            return differing[0], (f"differs from line {pending.line}, where item {item_id} "
                                  "first appears: every row of an item repeats its fields")
        if not annotation:
            return None
        if isinstance(annotation.get("labels"), str):
            try:
                annotation["labels"] = json.loads(annotation["labels"])
            except json.JSONDecodeError as exc:
                return "labels", f"not a JSON list of labels ({exc.msg})"
        try:
            # Kept as the model: the item's own validation takes it as it is.
            made = Annotation.model_validate(annotation)
        except ValidationError as exc:
            location, message = validation_problems(exc)[0]
            return location, message
        if made.annotator in pending.annotators:
            return "annotator", (f"{made.annotator} already rated item {item_id} on line "
                                 f"{pending.annotators[made.annotator]}: one row per annotator "
                                 "and item (several labels go in one row's labels, as a JSON "
                                 "list)")
        pending.annotators[made.annotator] = line
        pending.annotations.append(made)
        return None

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(first line, item fields with ``annotations``), in order of first appearance."""
        for pending in self._items.values():
            yield pending.line, {**pending.row, "annotations": pending.annotations}
