"""The "against gold" part of ``llmqa agreement``: computed by the library
(``agreement.gold``), rendered here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmqa.cli._common import table
from llmqa.config import Settings


def against_gold_of(records: list[Any], resolved: Settings, gold: Path | None, use_judge: bool,
                  n_boot: int, seed: int) -> tuple[Any, list[str]]:
    from llmqa.agreement.gold import gold_from_sources
    from llmqa.items import Item

    items = [r for r in records if isinstance(r, Item)]
    return gold_from_sources(items, resolved.home_path, gold, use_judge=use_judge,
                             n_boot=n_boot, seed=seed)


def render_gold(result: Any) -> str:
    def ci(value: float | None, low: float | None, high: float | None) -> str:
        if value is None:
            return "undefined"
        return f"{value:.3f}" + (f" [{low:.3f}, {high:.3f}]" if low is not None
                                 and high is not None else "")

    rows = [[r.rater, str(r.n_items), ci(r.agreement, r.agreement_low, r.agreement_high),
             ci(r.kappa, r.kappa_low, r.kappa_high)] for r in result.raters]
    lines = [f"\nagainst gold ({result.gold_items} items decided by analysts; 95% CIs)",
             table(rows, ["rater", "items", "agreement", "kappa"])]
    if result.by_clause:
        rows = [[r.clause_id or "", r.rater, str(r.n_items),
                 ci(r.kappa, r.kappa_low, r.kappa_high)] for r in result.by_clause]
        lines += ["", table(rows, ["clause", "rater", "pairs", "kappa vs gold"])]
    return "\n".join(lines)
