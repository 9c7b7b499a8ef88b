"""Agreement against gold: the analysts' decisions as a rater everyone is scored against.

For the judge and for every annotator: on the items with a gold label (the newest
``confirm``/``correct`` decision, made on the item's current content), the share of items
where the rater gave the gold label (with a Wilson 95% interval) and Cohen's kappa with gold
(with a seeded percentile bootstrap 95% interval over items, from 10 items up: gold sets
start small, and a bootstrap of three agreeing items says [1.000, 1.000]). Also per clause,
for the judge and for the annotators pooled (every annotation one pair; the intervals then
count annotations).

An item's clauses are those the gold decision rests on, else those its annotators named,
else those the judge cited. ``llmqa agreement`` shows this section when the store (or
``--gold FILE``) has gold labels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from llmqa.agreement.bootstrap import bootstrap_interval
from llmqa.agreement.pairwise import cohen_kappa_from_confusion, confusion_matrix
from llmqa.agreement.proportion import wilson_interval
from llmqa.items import Item
from llmqa.store.decisions import Decision

JUDGE = "judge"
ANNOTATORS = "annotators (pooled)"


@dataclass(frozen=True)
class VersusGold:
    rater: str
    n_items: int
    agreement: float | None
    agreement_low: float | None
    agreement_high: float | None
    kappa: float | None
    kappa_low: float | None
    kappa_high: float | None
    clause_id: str | None = None
    item_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def versus_gold(rater: str, pairs: Sequence[tuple[str, str, str]], *, n_boot: int = 1000,
                seed: int = 0, clause_id: str | None = None) -> VersusGold:
    """``pairs``: (item id, the rater's label, the gold label)."""
    n = len(pairs)
    labels = sorted({p[1] for p in pairs} | {p[2] for p in pairs})
    code = {label: i for i, label in enumerate(labels)}
    given = np.array([code[p[1]] for p in pairs], dtype=np.int64)
    gold = np.array([code[p[2]] for p in pairs], dtype=np.int64)
    same = (given == gold).astype(float)

    def kappa(weights: np.ndarray | None = None) -> float:
        return cohen_kappa_from_confusion(confusion_matrix(given, gold, len(labels), weights))

    point_k = kappa() if n else math.nan
    k_ci = bootstrap_interval(kappa, n, n_boot=n_boot, seed=seed) if n and n_boot else None
    a_ci = wilson_interval(int(same.sum()), n)
    return VersusGold(rater, n, _r(float(same.mean())) if n else None,
                      _r(a_ci[0] if a_ci else None), _r(a_ci[1] if a_ci else None),
                      None if math.isnan(point_k) else _r(point_k),
                      _r(k_ci.low if k_ci else None), _r(k_ci.high if k_ci else None),
                      clause_id, sorted({p[0] for p in pairs}))


def _r(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)


@dataclass(frozen=True)
class GoldAgreement:
    gold_items: int
    raters: list[VersusGold]           # the judge first, then each annotator
    by_clause: list[VersusGold]        # judge and pooled annotators, per clause

    def to_dict(self) -> dict[str, Any]:
        return {"gold_items": self.gold_items, "raters": [r.to_dict() for r in self.raters],
                "by_clause": [r.to_dict() for r in self.by_clause]}


def gold_agreement(items: Iterable[Item], gold: Mapping[str, Decision],
                   judge_labels: Mapping[str, str | None] | None = None,
                   judge_clauses: Mapping[str, list[str]] | None = None, *,
                   n_boot: int = 1000, seed: int = 0) -> GoldAgreement:
    judge_pairs: list[tuple[str, str, str]] = []
    annotator_pairs: dict[str, list[tuple[str, str, str]]] = {}
    clause_pairs: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    n_gold = 0
    for item in items:
        decision = gold.get(item.id)
        if decision is None or not decision.is_gold or not decision.matches(item):
            continue
        n_gold += 1
        truth = str(decision.label)
        clauses = (list(decision.clause_ids)
                   or sorted({a.clause_id for a in item.annotations if a.clause_id})
                   or list((judge_clauses or {}).get(item.id) or []))
        judged = (judge_labels or {}).get(item.id)
        if judge_labels is not None and item.id in judge_labels:
            pair = (item.id, judged or "(ambiguous)", truth)
            judge_pairs.append(pair)
            for clause_id in clauses:
                clause_pairs.setdefault((clause_id, JUDGE), []).append(pair)
        for annotation in item.annotations:
            pair = (item.id, annotation.label, truth)
            annotator_pairs.setdefault(annotation.annotator, []).append(pair)
            for clause_id in clauses:
                clause_pairs.setdefault((clause_id, ANNOTATORS), []).append(pair)
    raters = []
    if judge_pairs:
        raters.append(versus_gold(JUDGE, judge_pairs, n_boot=n_boot, seed=seed))
    raters += [versus_gold(name, pairs, n_boot=n_boot, seed=seed)
               for name, pairs in sorted(annotator_pairs.items())]
    by_clause = [versus_gold(rater, pairs, n_boot=n_boot, seed=seed, clause_id=clause_id)
                 for (clause_id, rater), pairs in sorted(clause_pairs.items())]
    return GoldAgreement(n_gold, raters, by_clause)


def gold_from_sources(items: Sequence[Item], home: Any, gold_file: Any = None, *,
                      use_judge: bool = True, n_boot: int = 1000,
                      seed: int = 0) -> tuple[GoldAgreement | None, list[str]]:
    """Agreement against the store's gold decisions (or a gold file's), the judge's labels
    read from the store's newest ok verdicts; ``None`` when no item has gold. Also returns
    the gold file's rejected lines (file:line)."""
    from pathlib import Path

    from llmqa.agreement.gate import judge_label
    from llmqa.io.readers import RowError
    from llmqa.store.decisions import DecisionStore
    from llmqa.store.gold import read_gold
    from llmqa.store.verdicts import DB_NAME, VerdictStore

    problems: list[str] = []
    gold: dict[str, Decision] = {}
    if gold_file is not None:
        for record in read_gold(gold_file, analyst="(file)", other_columns=True):
            if isinstance(record, RowError):
                problems.append(str(record))
            elif record.is_gold:
                gold[record.item_id] = record
    labels: dict[str, str | None] | None = None
    clauses: dict[str, list[str]] = {}
    if (Path(home) / DB_NAME).exists():
        with VerdictStore(home, readonly=True) as store:
            if gold_file is None:
                gold = {k: d for k, d in DecisionStore(store).current(items).items()
                        if d.is_gold}
            if use_judge and gold:
                labels = {}
                for row in store.verdicts(latest=True, status="ok"):
                    decision = gold.get(row["item_id"])
                    if decision is None or (decision.item_hash and
                                            row["item_hash"] != decision.item_hash):
                        continue
                    labels[row["item_id"]] = judge_label(row)
                    clauses[row["item_id"]] = row["cited_clause_ids"]
    if gold_file is not None and not gold and not problems:
        # Named by the user, so an empty answer must not pass for "no gold yet".
        problems.append(f"{gold_file}: no gold rows (each needs an id and a label)")
    if not gold:
        return None, problems
    result = gold_agreement(items, gold, labels or None, clauses, n_boot=n_boot, seed=seed)
    if gold_file is not None and not result.gold_items:
        problems.append(f"{gold_file}: none of its {len(gold)} gold items is in this batch")
    return (result if result.gold_items else None), problems
