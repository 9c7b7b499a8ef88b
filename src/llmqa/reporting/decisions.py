"""The report's "Analysts' decisions" section: how much is decided, the per-clause trust gate,
and the judge and annotators against gold, each count a link into the review app.

The links point at ``llmqa serve`` (``review_url``, by default its own address): a click on
a clause opens the queue filtered by that clause, a click on a count opens exactly those
items (``?ids=``). They work while the app runs; the page itself stays self-contained.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from llmqa.items import Item

DEFAULT_REVIEW_URL = "http://127.0.0.1:8765"
MAX_LINKED_IDS = 200  # a longer address is refused by some browsers and servers


def review_link(base: str, **params: str) -> str:
    return f"{base.rstrip('/')}/?{urlencode(params)}"


def ids_link(base: str, item_ids: Sequence[str]) -> str:
    return review_link(base, ids=",".join(item_ids[:MAX_LINKED_IDS]))


def decisions_section(items: Sequence[Item], home: Path,
                      review_url: str = DEFAULT_REVIEW_URL, n_boot: int = 500,
                      seed: int = 0) -> dict[str, Any] | None:
    """``None`` when the store holds no decision on these items."""
    from llmqa.agreement.gate import compute_gate
    from llmqa.agreement.gold import gold_from_sources
    from llmqa.store.decisions import DecisionStore
    from llmqa.store.verdicts import DB_NAME, VerdictStore

    if not (home / DB_NAME).exists():
        return None
    with VerdictStore(home, readonly=True) as store:
        decisions = DecisionStore(store)
        current = decisions.current(items)
        gold = {k: d for k, d in current.items() if d.is_gold}
        verdicts = list(store.verdicts(latest=True, status="ok")) if gold else []
    if not current:
        return None
    gate = compute_gate(verdicts, gold, n_boot=n_boot, seed=seed) if gold else None
    against, _ = gold_from_sources(list(items), home, n_boot=n_boot, seed=seed)
    base = review_url
    return {
        "n_items": len(items), "decided": len(current), "gold": len(gold),
        "undecided_link": review_link(base, undecided="1"),
        "gate": None if gate is None else {
            "min_kappa": gate.min_kappa, "min_items": gate.min_items, "models": gate.models,
            "clauses": [c.to_dict() | {"link": review_link(base, clause=c.clause_id)
                                       if not c.clause_id.startswith("(") else None,
                                       "items_link": ids_link(base, c.item_ids)}
                        for c in gate.clauses]},
        "against_gold": None if against is None else {
            "raters": [r.to_dict() | {"link": ids_link(base, r.item_ids)}
                       for r in against.raters]},
    }
