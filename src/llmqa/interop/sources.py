"""What an export sends: the items (from an item file, or every item the store has a verdict
for) and the judge's latest suggestion for each, and the labels a labelling tool offers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from llmqa.interop.mapping import Suggestion, suggestions_from_rows
from llmqa.io.readers import ReadReport, read_items
from llmqa.items import Item


@dataclass
class ExportSource:
    items: list[Item]
    suggestions: dict[str, Suggestion]
    read: ReadReport = field(default_factory=ReadReport)

    def labels(self, guideline_labels: tuple[str, ...] | None) -> list[str]:
        """The label set to offer: the guidelines' when given, else every label the items and
        suggestions use (sorted), so a config always covers the data it is shown with."""
        if guideline_labels:
            return list(guideline_labels)
        seen = {label for item in self.items for a in item.annotations
                for label in a.label_set()}
        seen |= {s.label for s in self.suggestions.values()}
        return sorted(seen)


def load_export_source(home: str | Path, items_path: str | None = None,
                       fmt: str | None = None) -> ExportSource:
    """Items and suggestions for an export. Without ``items_path`` the items are those the
    store holds a verdict for; a missing store means no suggestions, not an error, when an
    item file is given."""
    from llmqa.store import VerdictStore
    from llmqa.store.verdicts import DB_NAME

    store_path = Path(home) / DB_NAME
    rows = []
    if store_path.exists() or items_path is None:
        with VerdictStore(home, readonly=True) as store:
            rows = list(store.verdicts(latest=True))
    suggestions = suggestions_from_rows(rows)
    report = ReadReport()
    if items_path is None:
        items = list(_stored_items(rows))
        report.accepted = len(items)
    else:
        items = []
        for record in read_items(items_path, fmt):
            report.add(record)
            if isinstance(record, Item):
                items.append(record)
    return ExportSource(items, suggestions, report)


def _stored_items(rows: list[dict]) -> Iterator[Item]:
    for row in rows:
        if row.get("item_data"):
            yield Item.model_validate(json.loads(row["item_data"]))
