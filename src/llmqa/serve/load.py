"""What the review app serves, loaded once at start: items, the triage queue, the judge's
verdicts, current decisions, the guideline and the trust gate.

The queue comes from a ``llmqa triage -o queue.jsonl`` file when one is given (a 50,000-item
batch is triaged once, not at every start); without one it is computed here with the same
library call ``llmqa triage`` makes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.errors import InputError
from llmqa.io.readers import RowError, read_items
from llmqa.items import Item, media_folder
from llmqa.serve.queue import ReviewQueue
from llmqa.store.decisions import DecisionStore
from llmqa.store.verdicts import VerdictStore
from llmqa.triage.queue_file import read_queue_file

if TYPE_CHECKING:
    from llmqa.agreement.gate import Gate
    from llmqa.guidelines import GuidelineSet
    from llmqa.workspace import Workspace


@dataclass
class ServeData:
    queue: ReviewQueue
    media_root: Path  # relative media paths start here: the items file's folder
    # Folders whose files the app serves: the items file's, and those named (--media-root).
    media_roots: tuple[Path, ...] = ()
    guidelines: GuidelineSet | None = None
    gate: Gate | None = None
    labels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def labels_for(self, item: Item) -> list[str]:
        """The labels an analyst may give ``item``: the guidelines' and the item's own, as
        ``llmqa decide`` allows; without guidelines, every label the batch uses."""
        if self.guidelines is None:
            return self.labels
        known = self.guidelines.labels
        return [*known, *sorted(set(item.labels()) - set(known))]


def load(items_path: str, ws: Workspace, *, queue_path: Path | None = None,
         use_guidelines: bool = True, fmt: str | None = None,
         media_roots: Iterable[Path] = ()) -> ServeData:
    from llmqa.agreement.gate import compute_gate

    settings = ws.settings
    items: list[Item] = []
    notes: list[str] = []
    for record in read_items(items_path, fmt):
        if isinstance(record, RowError):
            notes.append(str(record))
        else:
            items.append(record)
    if not items:
        raise InputError(f"{items_path}: no valid items found")
    guidelines = None
    if use_guidelines and Path(settings.guidelines).exists():
        from llmqa.guidelines import load_guidelines

        guidelines = load_guidelines(settings.guidelines)
    if queue_path is not None:
        rows = read_queue_file(queue_path)
    else:
        rows = _triage_rows(items, ws, guidelines is not None, notes)
    with VerdictStore(settings.home_path) as store:
        verdicts = list(store.verdicts(latest=True, status="ok"))
        decisions = DecisionStore(store)
        current = decisions.current(items)
        gold = decisions.gold()
    gate = compute_gate(verdicts, gold) if gold else None
    queue = ReviewQueue.build(rows, items, verdicts, current)
    labels = list(guidelines.labels) if guidelines is not None else []
    labels += sorted({label for item in items for label in item.labels()} - set(labels))
    media_root = media_folder(items_path)
    roots = (media_root, *(Path(root).resolve() for root in media_roots))
    return ServeData(queue, media_root, roots, guidelines, gate, labels, notes)


def _triage_rows(items: list[Item], ws: Workspace, use_guidelines: bool,
                 notes: list[str]) -> list[dict[str, Any]]:
    """The queue as ``llmqa triage`` ranks it with its defaults; decided items stay in it
    (the app marks them), and the evidence stays out (the app shows the signals)."""
    from llmqa.triage import QueueOptions

    queue = ws.triage_queue(items, QueueOptions(with_evidence=False), include_decided=True,
                            use_guidelines=use_guidelines)
    notes += queue.run.notes
    return queue.rows
