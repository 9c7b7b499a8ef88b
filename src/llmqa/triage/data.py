"""What triage works on: the items, their ratings matrix and the label under review.

The label under review (``given``) is the consensus of the human annotations (majority vote by
default, Dawid-Skene or MACE on request); for an item with one annotation it is that label and
for an unannotated item there is none (``-1``): such an item can be ambiguous but never a
likely error. Everything is kept in item order so every signal is a plain array over items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmqa.agreement import Consensus, Ratings, compute_consensus
from llmqa.items import Item


@dataclass
class TriageData:
    ratings: Ratings
    consensus: Consensus
    texts: list[str]
    content_hashes: list[str]
    priorities: list[float | None]
    notes: list[list[tuple[str, str]]]  # per item: (annotator, note)
    problems: list[str] = field(default_factory=list)

    @property
    def given(self) -> np.ndarray:
        """The label code under review per item; ``-1`` where the item has no label."""
        return self.consensus.labels

    @property
    def labels(self) -> list[str]:
        return self.ratings.labels

    @property
    def item_ids(self) -> list[str]:
        return self.ratings.item_ids

    @property
    def projects(self) -> list[str | None]:
        return self.ratings.projects

    @property
    def n_items(self) -> int:
        return self.ratings.n_items

    def given_label(self, index: int) -> str | None:
        return self.ratings.label_of(int(self.given[index]))

    @classmethod
    def from_items(cls, items: Iterable[Any], *, consensus: str = "majority",
                   tie_break: str = "prior", seed: int = 0) -> TriageData:
        """Collect items (anything that is not an ``Item``, e.g. a reader's ``RowError``, is
        reported in ``problems``); a repeated item id keeps its first row, as in agreement."""
        kept: list[Item] = []
        seen: set[str] = set()
        problems: list[str] = []
        for record in items:
            if not isinstance(record, Item):
                problems.append(str(record))
            elif record.id in seen:
                problems.append(f"item {record.id}: duplicate item id; only the first row is used")
            else:
                seen.add(record.id)
                kept.append(record)
        ratings = Ratings.from_items(kept)
        problems += [str(p) for p in ratings.problems]
        result = compute_consensus(ratings, consensus, tie_break, seed)
        problems += result.warnings
        return cls(
            ratings=ratings,
            consensus=result,
            texts=[item.content.readable_text() for item in kept],
            content_hashes=[item.content_hash() for item in kept],
            priorities=[item.priority for item in kept],
            notes=[[(a.annotator, a.note) for a in item.annotations if a.note] for item in kept],
            problems=problems,
        )
