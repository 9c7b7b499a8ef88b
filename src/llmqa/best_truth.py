"""The best truth there is about items' labels, for the steps that learn from them (themes,
revisions): analysts' gold decisions, and the undecided items triage ranks as likely label
errors (in doubt until a person has looked, so nothing is learned from them yet)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from llmqa.items import Item
from llmqa.store.decisions import current_gold
from llmqa.triage.queue_file import DEFAULT_CHECK_FIRST, check_first, read_queue_file


def best_truth(home: Path, items: Iterable[Item], queue: Path | None = None,
               threshold: float = DEFAULT_CHECK_FIRST
               ) -> tuple[dict[str, str], dict[str, float] | None]:
    """Item id -> analysts' gold label; and, with a triage ``queue`` file, item id -> the
    likely-error score of each undecided item at or above ``threshold`` (else ``None``)."""
    gold = current_gold(home, items)
    if queue is None:
        return gold, None
    first = check_first(read_queue_file(queue), threshold)
    return gold, {k: v for k, v in first.items() if k not in gold}
