"""The review app's queue: triage rows held in memory, filtered per request.

Everything a request needs is computed once at start (``ReviewQueue.build``): the rows in
priority order, each with the facets the filters use (project, label, clauses, the judge's
verdict, annotators) and the item, the judge's newest verdict and the item's current
decision, and an index per filter (value → row positions) with a decided mask. A queue
page is then a few vectorised mask operations and 100 rows to render (see
benchmarks/bench_serve.py for the figures at 50,000 items), never a triage run or a store
scan. Decisions made in the app update the in-memory state as they are written to the
store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmqa.items import Item
from llmqa.store.decisions import Decision

FILTERS = ("project", "label", "clause", "verdict", "annotator")


@dataclass(frozen=True)
class QueueFilter:
    project: str | None = None
    label: str | None = None
    clause: str | None = None
    verdict: str | None = None
    annotator: str | None = None
    undecided: bool = False
    ids: tuple[str, ...] | None = None  # exactly these items (the report's count links)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QueueFilter:
        values = {name: (query.get(name) or "").strip() or None for name in FILTERS}
        ids = tuple(i for i in (query.get("ids") or "").split(",") if i) or None
        return cls(**values, undecided=query.get("undecided") in ("1", "on", "true"), ids=ids)

    def query(self) -> dict[str, str]:
        """The filter as query parameters (for links that keep it)."""
        params = {name: getattr(self, name) for name in FILTERS if getattr(self, name)}
        if self.undecided:
            params["undecided"] = "1"
        if self.ids:
            params["ids"] = ",".join(self.ids)
        return params


@dataclass
class Row:
    """One queue row with its facets precomputed for filtering."""

    rank: int
    item_id: str
    triage: dict[str, Any]
    project: str | None
    label: str | None
    clauses: frozenset[str]
    verdict: str | None
    annotators: frozenset[str]


@dataclass
class ReviewQueue:
    rows: list[Row]
    items: dict[str, Item]
    verdicts: dict[str, dict[str, Any]]
    decisions: dict[str, Decision]
    position: dict[str, int] = field(default_factory=dict)
    index: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    decided: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @classmethod
    def build(cls, triage_rows: Iterable[Mapping[str, Any]], items: Iterable[Item],
              verdicts: Iterable[Mapping[str, Any]] = (),
              decisions: Mapping[str, Decision] | None = None) -> ReviewQueue:
        """Rows in the given (priority) order; items missing from the queue follow, unranked,
        so every item can be opened and decided. ``decisions``: the current ones (see
        ``DecisionStore.current``)."""
        by_id = {item.id: item for item in items}
        latest = {str(v["item_id"]): dict(v) for v in verdicts}
        rows: list[Row] = []
        seen: set[str] = set()
        for triage in triage_rows:
            item_id = str(triage["item_id"])
            if item_id in by_id and item_id not in seen:
                seen.add(item_id)
                rows.append(_row(len(rows) + 1, by_id[item_id], dict(triage), latest))
        for item_id, item in by_id.items():
            if item_id not in seen:
                rows.append(_row(len(rows) + 1, item, {}, latest))
        queue = cls(rows, by_id, latest, dict(decisions or {}))
        queue.position = {row.item_id: i for i, row in enumerate(rows)}
        queue._build_index()
        return queue

    def _build_index(self) -> None:
        found: dict[str, dict[str, list[int]]] = {name: {} for name in FILTERS}
        for i, row in enumerate(self.rows):
            for name, values in _facets(row):
                for value in values:
                    if value:
                        found[name].setdefault(value, []).append(i)
        self.index = {name: {value: np.array(positions, dtype=np.int64)
                             for value, positions in values.items()}
                      for name, values in found.items()}
        self.decided = np.array([row.item_id in self.decisions for row in self.rows],
                                dtype=bool)

    def mask(self, f: QueueFilter) -> np.ndarray:
        """Which rows the filter keeps (a boolean array in queue order)."""
        keep = np.ones(len(self.rows), dtype=bool)
        for name in FILTERS:
            value = getattr(f, name)
            if value is None:
                continue
            only = np.zeros(len(self.rows), dtype=bool)
            only[self.index[name].get(value, np.zeros(0, dtype=np.int64))] = True
            keep &= only
        if f.undecided:
            keep &= ~self.decided
        if f.ids is not None:
            only = np.zeros(len(self.rows), dtype=bool)
            only[[self.position[i] for i in f.ids if i in self.position]] = True
            keep &= only
        return keep

    def _keep(self, row: Row, f: QueueFilter) -> bool:
        return ((f.project is None or row.project == f.project)
                and (f.label is None or row.label == f.label)
                and (f.clause is None or f.clause in row.clauses)
                and (f.verdict is None or row.verdict == f.verdict)
                and (f.annotator is None or f.annotator in row.annotators)
                and (not f.undecided or row.item_id not in self.decisions)
                and (f.ids is None or row.item_id in f.ids))

    def matching(self, f: QueueFilter) -> Iterator[Row]:
        return (row for row in self.rows if self._keep(row, f))

    def page(self, f: QueueFilter, offset: int = 0, limit: int = 100
             ) -> tuple[list[Row], int, int]:
        """One page of matching rows, how many match, and how many of those are undecided."""
        keep = self.mask(f)
        positions = np.flatnonzero(keep)
        undecided = int(np.count_nonzero(keep & ~self.decided))
        return ([self.rows[i] for i in positions[offset:offset + limit]], int(positions.size),
                undecided)

    def neighbour(self, item_id: str, f: QueueFilter, step: int,
                  undecided_only: bool = False) -> str | None:
        """The next (step 1) or previous (-1) matching item after ``item_id``."""
        start = self.position.get(item_id)
        if start is None:
            return None
        i = start + step
        while 0 <= i < len(self.rows):
            row = self.rows[i]
            if self._keep(row, f) and not (undecided_only and row.item_id in self.decisions):
                return row.item_id
            i += step
        return None

    def facets(self) -> dict[str, list[str]]:
        """The values each filter can take, for the filter form."""
        return {name: sorted(values) for name, values in self.index.items()}

    def record(self, decision: Decision) -> None:
        self.decisions[decision.item_id] = decision
        position = self.position.get(decision.item_id)
        if position is not None:
            self.decided[position] = True


def _row(rank: int, item: Item, triage: dict[str, Any],
         verdicts: Mapping[str, Mapping[str, Any]]) -> Row:
    verdict = verdicts.get(item.id)
    clauses = set(triage.get("clause_ids") or [])
    clauses.update(a.clause_id for a in item.annotations if a.clause_id)
    if verdict:
        clauses.update(verdict.get("cited_clause_ids") or [])
    label = triage.get("label") or item.plurality_label()
    return Row(rank if triage else 0, item.id, triage, item.project, label, frozenset(clauses),
               verdict.get("verdict") if verdict else None,
               frozenset(a.annotator for a in item.annotations))


def _facets(row: Row) -> list[tuple[str, Iterable[str | None]]]:
    return [("project", [row.project]), ("label", [row.label]), ("clause", row.clauses),
            ("verdict", [row.verdict]), ("annotator", row.annotators)]

