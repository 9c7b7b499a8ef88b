"""Agreement for a workspace: the items' ratings with the store's judge verdicts as one more
rater, a consensus label per item, and the report.

``Workspace.agreement`` runs this, so ``llmqa agreement`` and ``llmqa report`` agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmqa.errors import InputError

if TYPE_CHECKING:
    from llmqa.agreement import Consensus, Ratings
    from llmqa.agreement.report import AgreementReport
    from llmqa.workspace import Workspace


@dataclass
class AgreementRun:
    """The ratings, their consensus and report, the judge models counted among the raters,
    and the label-set report when annotators picked several labels per item."""

    ratings: Ratings
    consensus: Consensus
    report: AgreementReport
    models: list[str]
    multi_label: dict[str, Any] | None = None


def run_agreement(ws: Workspace, records: Iterable[Any], *, labels: Sequence[str] | None = None,
                  method: str = "majority", ties: str = "prior", level: str = "nominal",
                  n_boot: int = 1000, seed: int = 0, use_judge: bool = True,
                  source: str = "") -> AgreementRun:
    """Agreement over ``records`` (items; rejected rows among them are counted). Only these
    items' verdicts count: the store may hold other batches."""
    from llmqa.agreement import Ratings, agreement_report, compute_consensus
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
    return AgreementRun(ratings, consensus, report, models,
                        multilabel_report(sets) if sets.is_multi_label else None)
