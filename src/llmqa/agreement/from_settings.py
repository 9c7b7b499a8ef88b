"""Agreement for a workspace: the items' ratings with the store's judge verdicts as one more
rater, a consensus label per item, and the report.

``Workspace.agreement`` runs this, so ``llmqa agreement`` and ``llmqa report`` agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.errors import InputError

if TYPE_CHECKING:
    from llmqa.agreement import Consensus, Ratings
    from llmqa.agreement.gold import GoldAgreement
    from llmqa.agreement.report import AgreementReport
    from llmqa.workspace import Workspace


@dataclass
class AgreementRun:
    """The ratings, their consensus and report, the judge models counted among the raters,
    the label-set report when annotators picked several labels per item, everyone against
    the analysts' gold (when asked for and some item has gold; ``gold_problems``: the gold
    file's rejected lines, file:line), and the kappa gate when ``min_kappa`` is set."""

    ratings: Ratings
    consensus: Consensus
    report: AgreementReport
    models: list[str]
    multi_label: dict[str, Any] | None = None
    against_gold: GoldAgreement | None = None
    gold_problems: list[str] = field(default_factory=list)
    min_kappa: float | None = None

    @property
    def passed(self) -> bool | None:
        """The gate: ``None`` without ``min_kappa``; an undefined Fleiss' kappa fails."""
        from llmqa.agreement.terminal import gate

        return gate(self.report.gate_value, self.min_kappa)

    def to_dict(self, source: str = "") -> dict[str, Any]:
        data = {"source": source, **self.report.to_dict(), "judge_models": self.models}
        data["against_gold"] = self.against_gold.to_dict() if self.against_gold else None
        data["gate"] |= {"min_kappa": self.min_kappa, "passed": self.passed}
        return data | ({"multi_label": self.multi_label} if self.multi_label else {})


def run_agreement(ws: Workspace, records: Iterable[Any], *, labels: Sequence[str] | None = None,
                  method: str = "majority", ties: str = "prior", level: str = "nominal",
                  n_boot: int = 1000, seed: int = 0, use_judge: bool = True,
                  source: str = "", against_gold: bool = False, gold: Path | None = None,
                  min_kappa: float | None = None) -> AgreementRun:
    """Agreement over ``records`` (items; rejected rows among them are counted). Only these
    items' verdicts count: the store may hold other batches. ``against_gold`` scores everyone
    against the store's gold decisions, or ``gold``'s (a gold JSONL file) when given."""
    from llmqa.agreement import Ratings, agreement_report, compute_consensus
    from llmqa.agreement.gold import gold_from_sources
    from llmqa.agreement.multilabel import LabelSetCollector, multilabel_report
    from llmqa.items import Item

    records = list(records)
    ids = {r.id for r in records if isinstance(r, Item)}
    judge_labels, judge_clauses = ws.judge_labels(ids) if use_judge else (None, None)
    models = ws.judge_models(ids) if judge_labels is not None else []
    answers = LabelSetCollector()
    ratings = Ratings.from_items(answers.watch(records), judge_labels=judge_labels,
                                 labels=labels, judge_clauses=judge_clauses)
    sets = answers.sets(labels)
    if ratings.n_items == 0:
        rejected = f" ({len(ratings.problems)} rows rejected)" if ratings.problems else ""
        raise InputError(f"{source}: no valid items found{rejected}")
    consensus = compute_consensus(ratings, method, ties, seed)
    report = agreement_report(ratings, consensus=consensus, n_boot=n_boot, seed=seed,
                              level=level)
    run = AgreementRun(ratings, consensus, report, models,
                       multilabel_report(sets) if sets.is_multi_label else None,
                       min_kappa=min_kappa)
    if against_gold or gold is not None:
        run.against_gold, run.gold_problems = gold_from_sources(
            [r for r in records if isinstance(r, Item)], ws.settings.home_path, gold,
            use_judge=use_judge, n_boot=n_boot, seed=seed)
    return run
