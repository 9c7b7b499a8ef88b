"""Cheap-then-strong review: a cheap judge sees every item, a strong one only the doubtful.

Both stages are ordinary reviews over the same store, so both verdicts are kept (their keys
differ by model) and a re-run costs nothing at either stage. The strong stage runs after the
cheap one, so its verdict is the newest for an escalated item and is what every reader of
the store's latest verdicts sees. Which items go up is decided from the cheap verdicts alone
by an ``EscalationRule``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from llmqa.choices import EscalateWhen
from llmqa.items import Item
from llmqa.runner.review import ReviewRunner, ReviewSummary

StageRun = Callable[[list[Item], str], ReviewSummary]


DEFAULT_WHEN = frozenset({EscalateWhen.NOT_AGREE, EscalateWhen.LOW_CONFIDENCE,
                          EscalateWhen.NO_VERDICT})


@dataclass(frozen=True)
class EscalationRule:
    when: frozenset[EscalateWhen] = DEFAULT_WHEN
    min_confidence: float = 0.7
    supervised_clauses: frozenset[str] = frozenset()

    def reasons(self, row: Mapping[str, Any] | None) -> list[EscalateWhen]:
        """Why a stored cheap verdict goes to the strong judge (empty: it stays)."""
        if row is None or row.get("status") != "ok":
            return [EscalateWhen.NO_VERDICT] if EscalateWhen.NO_VERDICT in self.when else []
        found = []
        if EscalateWhen.NOT_AGREE in self.when and row.get("verdict") != "agree":
            found.append(EscalateWhen.NOT_AGREE)
        confidence = row.get("confidence")
        if (EscalateWhen.LOW_CONFIDENCE in self.when
                and (confidence is None or confidence < self.min_confidence)):
            found.append(EscalateWhen.LOW_CONFIDENCE)
        if (EscalateWhen.SAMPLES_DISAGREE in self.when and (row.get("samples") or 1) > 1
                and (confidence is None or confidence < 1.0)):
            found.append(EscalateWhen.SAMPLES_DISAGREE)
        if EscalateWhen.SUPERVISED in self.when:
            # As the trust gate reads a verdict: it rests on the clauses it cites, and one
            # citing none rests on nothing the gate could have trusted.
            cited = set(row.get("cited_clause_ids") or ())
            if not cited or cited & self.supervised_clauses:
                found.append(EscalateWhen.SUPERVISED)
        return found


@dataclass
class CascadeSummary:
    cheap_model: str
    strong_model: str
    cheap: ReviewSummary
    strong: ReviewSummary
    escalated: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    strong_only_estimated_usd: float | None = None  # every item at the strong model's price
    supervised_clauses: list[str] | None = None  # under the ``supervised`` condition
    # Statuses of each item's newest stored verdict after both stages: an item counts by its
    # final verdict, so a cheap answer without one that the strong model then judged is fine.
    final_statuses: Counter = field(default_factory=Counter)

    @property
    def items(self) -> int:
        return self.cheap.items

    @property
    def decided(self) -> int:
        """Items left out because an analyst already decided them."""
        return self.cheap.decided

    @property
    def status(self) -> str:
        """The first stage's status unless it finished, else the second's."""
        return self.strong.status if self.cheap.status == "done" else self.cheap.status

    @property
    def budget_reached(self) -> bool:
        return self.cheap.budget_reached or self.strong.budget_reached

    @property
    def complete(self) -> bool:
        """Every item's final verdict is usable."""
        return all(status == "ok" for status in self.final_statuses)

    @property
    def cost_usd(self) -> float | None:
        if self.cheap.cost_usd is None or self.strong.cost_usd is None:
            return None
        return round(self.cheap.cost_usd + self.strong.cost_usd, 6)

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.cheap.items, "escalated": len(self.escalated),
            "reasons": dict(self.reasons), "cost_usd": self.cost_usd,
            "strong_only_estimated_usd": self.strong_only_estimated_usd,
            "supervised_clauses": self.supervised_clauses,
            "models": {
                self.cheap_model: {"stage": "cheap", "calls": self.cheap.reviewed,
                                   "reused": self.cheap.reused, "cost_usd": self.cheap.cost_usd},
                self.strong_model: {"stage": "strong", "calls": self.strong.reviewed,
                                    "reused": self.strong.reused,
                                    "cost_usd": self.strong.cost_usd}},
            "cheap": self.cheap.to_dict(), "strong": self.strong.to_dict(),
        }


class Cascade:
    """``cheap`` and ``strong`` share one store; ``run_cheap``/``run_strong`` run a stage
    (live by default; the Batch API path passes its own), so either stage can be batched."""

    def __init__(self, cheap: ReviewRunner, strong: ReviewRunner, rule: EscalationRule,
                 run_cheap: StageRun, run_strong: StageRun,
                 supervised: Callable[[], frozenset[str]] | None = None) -> None:
        """``supervised`` (for the ``supervised`` condition) gives the clauses the trust gate
        supervises; it is asked after the cheap stage, so the gate sees its new verdicts."""
        if cheap.store is not strong.store:
            raise ValueError("both stages must write to the same store")
        self.cheap, self.strong, self.rule = cheap, strong, rule
        self.run_cheap, self.run_strong = run_cheap, run_strong
        self.supervised = supervised

    def select(self, items: Iterable[Item]) -> tuple[list[Item], Counter]:
        """The items whose stored cheap verdict meets the rule, and how often each reason."""
        items = list(items)
        keys = self.cheap.keys
        if any(i.id not in keys for i in items):  # a stage run outside this runner
            keys = {p.item.id: p.key for p in self.cheap.prepare(items)}
        rows = self.cheap.store.verdicts_by_key(list(keys.values()))
        chosen: list[Item] = []
        reasons: Counter[str] = Counter()
        for item in items:
            why = self.rule.reasons(rows.get(keys[item.id]))
            if why:
                chosen.append(item)
                reasons.update(str(w) for w in why)
        return chosen, reasons

    def run(self, items: list[Item], source: str = "") -> CascadeSummary:
        cheap = self.run_cheap(items, source)
        if cheap.status != "done":
            # Out of budget or stopped: escalating from a partial first stage would spend the
            # strong model's price on an arbitrary subset.
            return CascadeSummary(self.cheap.judge.seam.name, self.strong.judge.seam.name,
                                  cheap, ReviewSummary(status="skipped"))
        if EscalateWhen.SUPERVISED in self.rule.when and self.supervised is not None:
            self.rule = replace(self.rule, supervised_clauses=self.supervised())
        escalated, reasons = self.select(items)
        strong = (self.run_strong(escalated, source) if escalated
                  else ReviewSummary(status="done"))
        # The strong judge is shown the same prompts, so the cheap stage's token estimates
        # price it: no second pass over the batch.
        tokens = self.cheap.prompt_tokens
        if all(i.id in tokens for i in items):
            _, _, strong_only = self.strong.price(sum(tokens[i.id] for i in items), len(items))
        else:
            _, _, strong_only = self.strong.estimate(self.strong.prepare(items))
        summary = CascadeSummary(self.cheap.judge.seam.name, self.strong.judge.seam.name,
                                 cheap, strong, [i.id for i in escalated], reasons, strong_only,
                                 sorted(self.rule.supervised_clauses)
                                 if EscalateWhen.SUPERVISED in self.rule.when else None)
        summary.final_statuses = Counter(
            row["status"] for row in self.cheap.store.verdicts(
                latest=True, item_ids={i.id for i in items}))
        self._annotate(summary)
        return summary

    def _annotate(self, summary: CascadeSummary) -> None:
        """Write the cascade's outcome on both stages' runs, so ``llmqa runs`` can show what
        the strong model alone would have cost long after this process is gone."""
        note = {"cheap_model": summary.cheap_model, "strong_model": summary.strong_model,
                "cheap_run": summary.cheap.run_id, "strong_run": summary.strong.run_id,
                "items": summary.cheap.items, "escalated": len(summary.escalated),
                "cost_usd": summary.cost_usd,
                "strong_only_estimated_usd": summary.strong_only_estimated_usd}
        for stage, run in (("cheap", summary.cheap), ("strong", summary.strong)):
            if run.run_id is not None:
                self.cheap.store.annotate_run(run.run_id, cascade=note | {"stage": stage})
