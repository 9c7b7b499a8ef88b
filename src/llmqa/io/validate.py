"""Row checks that need context: duplicate item IDs, labels and clauses the guidelines lack."""

from __future__ import annotations

from llmqa.items import Item


class ItemChecks:
    """A ``RowCheck`` for ``read_items``: reject duplicates and labels outside the guidelines.

    Only item IDs are remembered (not rows), so memory grows by a few dozen bytes per item.
    """

    def __init__(self, labels: set[str] | None = None, clause_ids: set[str] | None = None,
                 duplicates: bool = True) -> None:
        self.labels = labels
        self.clause_ids = clause_ids
        self._seen: set[str] | None = set() if duplicates else None

    def __call__(self, item: Item) -> tuple[str, str] | None:
        if self._seen is not None:
            if item.id in self._seen:
                return "id", f"duplicate item id {item.id!r}"
            self._seen.add(item.id)
        for number, annotation in enumerate(item.annotations):
            unknown = (sorted(annotation.label_set() - self.labels)
                       if self.labels is not None else [])
            if unknown:
                where = "labels" if annotation.labels is not None else "label"
                return (f"annotations.{number}.{where}",
                        f"item {item.id}: label {unknown[0]!r} from {annotation.annotator} "
                        f"is not in the guideline label set")
            if (self.clause_ids is not None and annotation.clause_id
                    and annotation.clause_id not in self.clause_ids):
                return (f"annotations.{number}.clause_id",
                        f"item {item.id}: unknown clause {annotation.clause_id!r}")
        return None
