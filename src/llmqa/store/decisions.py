"""Analysts' decisions on items: the gold labels, kept as an append-only audit trail.

Every decision is a new row of the ``decisions`` table; the newest row per item wins and the
older ones stay as history. ``llmqa decide``, ``llmqa decisions import`` and the review app
(``llmqa serve``) all write through ``DecisionStore.record``.

A decision remembers what the analyst saw: the item's content hash and a hash of its
annotations. It *settles* the item only while both still match: new content or new labels
make the item undecided again (``DecisionStore.current``).

``confirm`` and ``correct`` carry a gold label; ``ambiguous`` (a question for the guideline)
and ``escalate`` (someone else decides) take the item off the queue without one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from llmqa.choices import DecisionKind
from llmqa.items import Item, closest_label
from llmqa.store.verdicts import VerdictStore

GOLD_KINDS = frozenset({DecisionKind.CONFIRM, DecisionKind.CORRECT})


class Decision(BaseModel):
    """One analyst decision on one item (a row of ``decisions``, and a line of gold.jsonl)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item_id: str = Field(min_length=1)
    decision: DecisionKind
    label: str | None = None
    clause_ids: list[str] = Field(default_factory=list)
    note: str | None = None
    analyst: str = Field(min_length=1)
    item_hash: str | None = None
    labels_hash: str | None = None
    source: str = "decide"
    model: str | None = None
    guideline_version: str | None = None
    verdict_key: str | None = None
    created_at: str | None = None

    @field_validator("item_id", mode="before")
    @classmethod
    def _id_as_string(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("analyst", "label", "note")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _gold_needs_label(self) -> Decision:
        if self.decision in GOLD_KINDS and not self.label:
            raise ValueError(f"a '{self.decision}' decision needs the gold label")
        if not self.analyst:
            raise ValueError("the analyst's name is required")
        return self

    @property
    def is_gold(self) -> bool:
        return self.decision in GOLD_KINDS

    def summary(self) -> str:
        """One line: ``item: correct → label by analyst``."""
        label = f" → {self.label}" if self.label else ""
        return f"{self.item_id}: {self.decision.value}{label} by {self.analyst}"

    def matches(self, item: Item) -> bool:
        """True while the item's content and annotations are what the analyst decided on."""
        return ((self.item_hash is None or self.item_hash == item.content_hash())
                and (self.labels_hash is None or self.labels_hash == item.labels_hash()))


def for_item(item: Item, decision: str | None, *, analyst: str, label: str | None = None,
             **fields: Any) -> Decision:
    """A decision on ``item`` with its hashes filled in; ``confirm`` without a label takes the
    annotators' plurality label, and a label without a kind is ``confirm`` when it is that
    label, else ``correct``."""
    plurality = item.plurality_label()
    if decision is None:
        decision = DecisionKind.CONFIRM if label == plurality else DecisionKind.CORRECT
    if decision == DecisionKind.CONFIRM and label is None:
        label = plurality
    return Decision(item_id=item.id, decision=decision, label=label, analyst=analyst,
                    item_hash=item.content_hash(), labels_hash=item.labels_hash(), **fields)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


_COLUMNS = ("item_id", "item_hash", "labels_hash", "decision", "label", "clause_ids", "note",
            "analyst", "source", "model", "guideline_version", "verdict_key", "created_at")


class DecisionStore:
    """Decisions over a ``VerdictStore``'s connection (same file, same transactions)."""

    def __init__(self, store: VerdictStore) -> None:
        self.store = store

    def record(self, decisions: Decision | Iterable[Decision]) -> list[Decision]:
        """Append decisions (one transaction); returns them with their timestamps."""
        batch = [decisions] if isinstance(decisions, Decision) else list(decisions)
        now = _now()
        stamped = [d if d.created_at else d.model_copy(update={"created_at": now})
                   for d in batch]
        rows = [tuple(json.dumps(d.clause_ids) if c == "clause_ids" else
                      (getattr(d, c).value if c == "decision" else getattr(d, c))
                      for c in _COLUMNS) for d in stamped]
        marks = ", ".join("?" * len(_COLUMNS))
        with self.store._write() as db:
            db.executemany(f"INSERT INTO decisions ({', '.join(_COLUMNS)}) VALUES ({marks})",
                           rows)
        return stamped

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Decision]:
        if not self.exists():
            return
        for row in self.store.db.execute(sql, params):
            record = {c: row[c] for c in _COLUMNS}
            record["clause_ids"] = json.loads(record["clause_ids"] or "[]")
            yield Decision(**record)

    def history(self, item_id: str) -> list[Decision]:
        """Every decision on the item, oldest first."""
        return list(self._rows("SELECT * FROM decisions WHERE item_id = ? ORDER BY id",
                               (item_id,)))

    def latest(self) -> dict[str, Decision]:
        """The newest decision per item (whatever content it was made on)."""
        sql = ("SELECT * FROM decisions WHERE id IN (SELECT MAX(id) FROM decisions "
               "GROUP BY item_id) ORDER BY item_id")
        return {d.item_id: d for d in self._rows(sql)}

    def current(self, items: Iterable[Item]) -> dict[str, Decision]:
        """The newest decision of each item whose content and labels have not changed since."""
        latest = self.latest()
        return {item.id: latest[item.id] for item in items
                if item.id in latest and latest[item.id].matches(item)}

    def gold(self) -> dict[str, Decision]:
        """The newest decision per item, when it carries a gold label."""
        return {k: d for k, d in self.latest().items() if d.is_gold}

    def exists(self) -> bool:
        """False for a store opened read-only before migration 3 ran on it."""
        return self.store.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                     "name = 'decisions'").fetchone() is not None

    def count(self) -> int:
        if not self.exists():
            return 0
        return int(self.store.db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0])


def stored_item(store: VerdictStore, item_id: str) -> Item | None:
    """The item as the last review saved it (the ``items`` table), if it did."""
    row = store.db.execute("SELECT data FROM items WHERE item_id = ?", (item_id,)).fetchone()
    return Item.model_validate_json(row[0]) if row else None


def verdict_reference(store: VerdictStore, item_id: str) -> dict[str, str | None]:
    """The newest verdict on the item (model, guideline version, key): what a decision
    answered."""
    row = store.db.execute("SELECT key, model, guideline_version FROM verdicts WHERE item_id = ? "
                           "ORDER BY created_at DESC, rowid DESC LIMIT 1", (item_id,)).fetchone()
    if row is None:
        return {}
    return {"verdict_key": row[0], "model": row[1], "guideline_version": row[2]}


def unknown_label(label: str | None, labels: Collection[str] | None,
                  item: Item | None = None) -> str | None:
    """Why ``label`` cannot be gold: neither a guideline label nor one the item's annotators
    used (a typo stored as gold would count against every judge and annotator). ``None``
    when it can, or when there is no label set to check against."""
    if label is None or labels is None or label in labels or (item and label in item.labels()):
        return None
    meant = closest_label(label, labels)
    return (f"unknown label {label!r}" + (f" (did you mean {meant!r}?)" if meant else "")
            + f"; the guidelines' labels: {', '.join(labels)}")


def unknown_clauses(clause_ids: Iterable[str], clauses: Collection[str] | None) -> str | None:
    """Why a decision's clause IDs cannot stand: one the guidelines (``clauses``) do not
    define, named with the ID it most likely meant. ``None`` when all can, or when there are
    no guidelines to check against."""
    missing = [c for c in clause_ids if clauses is not None and c not in clauses]
    if not missing:
        return None
    meant = closest_label(missing[0], clauses or ())
    return (f"unknown clause {missing[0]!r}" + (f" (did you mean {meant!r}?)" if meant else "")
            + " in the guidelines")


def decide(store: VerdictStore, item_id: str, *, analyst: str | None, label: str | None = None,
           decision: str | None = None, labels: Collection[str] | None = None,
           clauses: Collection[str] | None = None, **fields: Any) -> tuple[Decision, bool]:
    """Record one analyst decision on ``item_id`` and return it, with whether the store knows
    the item. Without a ``decision`` kind: ``confirm`` when ``label`` is the annotators'
    plurality label, else ``correct``. A decision on an item the store has not seen has no
    content hash, so it holds for whatever content the item has. With ``labels`` and
    ``clauses`` (the guidelines'), a label outside them and the item's own, or a clause ID
    they do not define, is refused."""
    from llmqa.errors import Hint, InputError

    if not analyst:
        raise InputError("a decision needs the analyst's name", Hint("pass {} NAME", ("analyst",)))
    if decision is None and label is None:
        raise InputError("a decision needs a gold label or its kind", Hint(
            "pass {} LABEL, or {} ambiguous|escalate", ("label", "decision")))
    item = stored_item(store, item_id)
    problem = unknown_label(label, labels, item) or unknown_clauses(
        fields.get("clause_ids") or (), clauses)
    if problem:
        raise InputError(f"{item_id}: {problem}")
    fields |= verdict_reference(store, item_id)
    try:
        if item is None:
            made = Decision(item_id=item_id, decision=decision or DecisionKind.CORRECT,
                            label=label, analyst=analyst, **fields)
        else:
            made = for_item(item, decision, analyst=analyst, label=label, **fields)
    except ValueError as exc:
        raise InputError(f"{item_id}: {exc}") from exc
    DecisionStore(store).record(made)
    return made, item is not None


def record_imported(store: VerdictStore, decisions: Iterable[Decision]) -> None:
    """Record gold made elsewhere; a decision without hashes is taken as made on the item as
    the store knows it now."""
    stamped = []
    for decision in decisions:
        item = stored_item(store, decision.item_id)
        if item is not None and decision.item_hash is None:
            decision = decision.model_copy(update={"item_hash": item.content_hash(),
                                                   "labels_hash": item.labels_hash()})
        stamped.append(decision)
    DecisionStore(store).record(stamped)


def current_decisions(home: Path, items: Iterable[Item]) -> dict[str, Decision]:
    """``DecisionStore.current`` for the store in ``home``; empty when there is none yet."""
    from llmqa.store.verdicts import DB_NAME

    if not (Path(home) / DB_NAME).exists():
        return {}
    with VerdictStore(home, readonly=True) as store:
        return DecisionStore(store).current(items)


def current_gold(home: Path, items: Iterable[Item]) -> dict[str, str]:
    """item id → the gold label analysts gave it (on its current content and labels)."""
    return {k: str(d.label) for k, d in current_decisions(home, items).items() if d.is_gold}


def history_table(rows: list[Decision]) -> str:
    """An item's decisions (``DecisionStore.history``) as a table for a terminal."""
    from llmqa.text import table

    return table([[r.created_at or "", r.analyst, r.decision.value, r.label or "",
                   ",".join(r.clause_ids), r.note or ""] for r in rows],
                 ["when", "analyst", "decision", "label", "clauses", "note"])
