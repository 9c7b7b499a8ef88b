"""The per-clause trust gate: on which clauses may the judge flag without a person?

For every item with both a stored judge verdict and an analyst's gold label (on the same
content), the judge's label is compared with gold:

* ``agree`` → the label the judge reviewed (``human_label``), or its suggestion when it gave
  one; ``likely_error`` → its suggested label (``(other)`` when it named none);
  ``ambiguous`` → ``(ambiguous)``, which never matches a gold label.

Items are grouped by clause: the clauses the analyst's decision rests on, else those the judge
cited (``(no clause)`` when neither names one). Per clause: Cohen's kappa between judge and
gold, its seeded percentile bootstrap interval (``agreement.bootstrap``), and the verdict:
**trusted** when at least ``min_items`` items back it and the interval's *lower* bound reaches
``min_kappa``; otherwise **supervised**: every flag on that clause goes to a person, and
triage shows the judge's verdict there without letting it raise the item's priority.
A clause with too few gold items is supervised: trust has to be earned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from llmqa.agreement.bootstrap import MIN_ITEMS, too_few
from llmqa.agreement.gold import JUDGE, versus_gold
from llmqa.store.decisions import Decision

DEFAULT_MIN_KAPPA = 0.6
DEFAULT_MIN_ITEMS = 20
NO_CLAUSE = "(no clause)"
AMBIGUOUS = "(ambiguous)"
OTHER = "(other)"


@dataclass(frozen=True)
class ClauseTrust:
    clause_id: str
    n_items: int
    agreement: float | None       # share of items where the judge's label is gold
    kappa: float | None
    ci_low: float | None
    ci_high: float | None
    trusted: bool
    why: str
    item_ids: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        return "trusted" if self.trusted else "supervised"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"state": self.state}


@dataclass(frozen=True)
class Gate:
    min_kappa: float
    min_items: int
    clauses: list[ClauseTrust]
    overall: ClauseTrust
    models: list[str]
    gold_items: int

    @property
    def trusted(self) -> frozenset[str]:
        return frozenset(c.clause_id for c in self.clauses if c.trusted)

    def is_trusted(self, clause_ids: Iterable[str]) -> bool:
        """The judge may flag an item alone when every clause it rests on is trusted."""
        ids = list(clause_ids)
        return bool(ids) and all(c in self.trusted for c in ids)

    def to_dict(self) -> dict[str, Any]:
        return {"min_kappa": self.min_kappa, "min_items": self.min_items,
                "models": self.models, "gold_items": self.gold_items,
                "overall": self.overall.to_dict(),
                "clauses": [c.to_dict() for c in self.clauses]}


def judge_label(verdict: Mapping[str, Any]) -> str:
    """The label a verdict amounts to (see the module docstring)."""
    kind = verdict.get("verdict")
    suggested = verdict.get("suggested_label")
    if kind == "ambiguous":
        return AMBIGUOUS
    if kind == "likely_error":
        return suggested or OTHER
    return suggested or verdict.get("human_label") or OTHER


def compute_gate(verdicts: Iterable[Mapping[str, Any]], gold: Mapping[str, Decision], *,
                 min_kappa: float = DEFAULT_MIN_KAPPA, min_items: int = DEFAULT_MIN_ITEMS,
                 n_boot: int = 1000, seed: int = 0) -> Gate:
    """The gate from store verdict rows (newest ``ok`` per item) and gold decisions."""
    pairs: list[tuple[str, str, str, list[str]]] = []  # item, judge label, gold, clauses
    models: set[str] = set()
    for row in verdicts:
        decision = gold.get(str(row.get("item_id")))
        if (decision is None or not decision.is_gold or row.get("status", "ok") != "ok"
                or row.get("verdict") is None):
            continue
        if decision.item_hash and row.get("item_hash") not in (None, decision.item_hash):
            continue  # the judge read other content than the analyst decided on
        clauses = list(decision.clause_ids) or list(row.get("cited_clause_ids") or [])
        pairs.append((row["item_id"], judge_label(row), str(decision.label),
                      clauses or [NO_CLAUSE]))
        if row.get("model"):
            models.add(str(row["model"]))
    groups: dict[str, list[int]] = {}
    for index, (_, _, _, clauses) in enumerate(pairs):
        for clause_id in clauses:
            groups.setdefault(clause_id, []).append(index)
    rows = [_trust(cid, [pairs[i] for i in idx], min_kappa, min_items, n_boot, seed)
            for cid, idx in sorted(groups.items())]
    overall = _trust("all", pairs, min_kappa, min_items, n_boot, seed)
    return Gate(min_kappa, min_items, rows, overall, sorted(models), len(pairs))


def _trust(clause_id: str, pairs: list[tuple[str, str, str, list[str]]], min_kappa: float,
           min_items: int, n_boot: int, seed: int) -> ClauseTrust:
    score = versus_gold(JUDGE, [p[:3] for p in pairs], n_boot=n_boot, seed=seed)
    n, value, low = score.n_items, score.kappa, score.kappa_low
    if n < min_items:
        why = f"{n} gold items, fewer than {min_items}"
    elif value is None:
        why = "kappa undefined (one label only): cannot tell agreement from chance"
    elif low is None and n < MIN_ITEMS:
        why = too_few(n)
    elif low is None or low < min_kappa:
        why = f"lower bound {_fmt(low)} below {min_kappa:g}"
    else:
        why = f"lower bound {_fmt(low)} reaches {min_kappa:g} on {n} items"
    trusted = n >= min_items and value is not None and low is not None and low >= min_kappa
    return ClauseTrust(clause_id, n, score.agreement, value, low, score.kappa_high, trusted, why,
                       score.item_ids)


def _fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def gate_from_store(store: Any, **options: Any) -> Gate:
    """The gate over a ``VerdictStore``: its newest ok verdicts and its gold decisions."""
    from llmqa.store.decisions import DecisionStore

    gold = DecisionStore(store).gold()
    verdicts = store.verdicts(latest=True, status="ok") if gold else []
    return compute_gate(verdicts, gold, **options)


def untrusted_clauses(store: Any, model: str, clause_ids: Iterable[str],
                      **options: Any) -> frozenset[str]:
    """The clauses of ``clause_ids`` on which ``model``'s verdicts are not trusted: the gate
    computed on that model's own newest ok verdicts (another model's record earns it no
    trust). Every clause while no gold exists."""
    from llmqa.store.decisions import DecisionStore

    gold = DecisionStore(store).gold()
    newest: dict[str, dict[str, Any]] = {}
    if gold:
        for row in store.verdicts(latest=False, model=model, status="ok"):
            kept = newest.get(row["item_id"])
            if row["item_id"] in gold and (
                    kept is None or (row.get("created_at") or "") >= (kept.get("created_at")
                                                                      or "")):
                newest[row["item_id"]] = row
    trusted = compute_gate(newest.values(), gold, **options).trusted
    return frozenset(clause_ids) - trusted
