"""The LLM judge against the humans.

The judge is an extra rater that never votes in the consensus. Besides its kappa against the
consensus (with a CI) and against each annotator, the verdict compares like with like: the
judge's kappa against the majority vote of the humans must fall inside the range of each
human's kappa against the majority vote of the *other* humans (leave-one-out, so nobody is
compared with their own vote); its mean kappa against single annotators is also checked
against the range of human-human pairwise kappas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from llmqa.agreement.breakdowns import Boot, with_ci
from llmqa.agreement.consensus import leave_one_out_majority, majority_vote
from llmqa.agreement.metrics import Score, label_counts
from llmqa.agreement.pairwise import (
    PairScore,
    cohen_kappa,
    cohen_kappa_from_confusion,
    confusion_matrix,
    pair_agreement,
)
from llmqa.agreement.ratings import Ratings

# The judge is placed against the human range only on this many items or more, and only the
# annotators (and annotator pairs) with this many items make up the range.
MIN_JUDGE_ITEMS = 30


@dataclass(frozen=True)
class JudgeComparison:
    n_items: int
    vs_consensus: Score
    agreement_with_consensus: Score
    vs_human_majority: Score
    vs_annotators: list[PairScore]
    mean_kappa_vs_annotators: float | None
    human_vs_consensus: dict[str, float | None]
    human_vs_consensus_range: tuple[float, float] | None
    human_pairwise_range: tuple[float, float] | None
    within_human_range: bool | None
    within_pairwise_range: bool | None
    verdict: str


def compare_judge(sub: Ratings, agreed: np.ndarray, pairs: list[PairScore], boot: Boot,
           tie_break: str) -> JudgeComparison:
    assert sub.judge is not None
    judge, k = sub.judge, sub.n_labels
    vs_consensus = cohen_kappa(judge, agreed, k)
    if vs_consensus.value is not None and boot.n_boot > 0:
        def stat(w: np.ndarray) -> float:
            return cohen_kappa_from_confusion(confusion_matrix(judge, agreed, k, w))

        vs_consensus = with_ci(vs_consensus, boot.intervals({"k": stat}, len(judge))["k"])
    vs_annotators = [PairScore("judge", name, *_pair(judge, sub.codes[:, j], k))
                     for j, name in enumerate(sub.raters)]
    vs_annotators = [p for p in vs_annotators if p.n_items]
    # The verdict compares like with like: the judge against the majority of the humans, each
    # human against the majority of the other humans; neither is compared with its own vote.
    majority = majority_vote(sub.codes, k, tie_break=tie_break).labels
    vs_majority = cohen_kappa(judge, majority, k)
    if vs_majority.value is not None and boot.n_boot > 0:
        def stat_majority(w: np.ndarray) -> float:
            return cohen_kappa_from_confusion(confusion_matrix(judge, majority, k, w))

        vs_majority = with_ci(vs_majority,
                              boot.intervals({"m": stat_majority}, len(judge))["m"])
    counts = label_counts(sub.codes, k)
    scores = {name: cohen_kappa(sub.codes[:, j],
                                leave_one_out_majority(sub.codes, k, j, tie_break, counts), k)
              for j, name in enumerate(sub.raters)}
    human = {name: score.value for name, score in scores.items()}
    # The humans are held to the judge's standard: in a crowd most annotators rate a handful
    # of items, whose kappas span -1 to 1 and would put any judge "within the human range".
    human_range = _range(s.value for s in scores.values()
                         if s.value is not None and s.n_items >= MIN_JUDGE_ITEMS)
    pair_range = _range(p.cohen_kappa for p in pairs
                        if p.cohen_kappa is not None and p.n_items >= MIN_JUDGE_ITEMS)
    judge_pairs = [p.cohen_kappa for p in vs_annotators if p.cohen_kappa is not None]
    mean_vs_humans = float(np.mean(judge_pairs)) if judge_pairs else None
    within_human = _within(vs_majority.value, human_range)
    within_pairs = _within(mean_vs_humans, pair_range)
    return JudgeComparison(
        n_items=int((judge >= 0).sum()), vs_consensus=vs_consensus,
        agreement_with_consensus=pair_agreement(judge, agreed), vs_human_majority=vs_majority,
        vs_annotators=vs_annotators,
        mean_kappa_vs_annotators=mean_vs_humans, human_vs_consensus=human,
        human_vs_consensus_range=human_range, human_pairwise_range=pair_range,
        within_human_range=within_human, within_pairwise_range=within_pairs,
        verdict=_verdict(vs_majority, human_range))


def _pair(a: np.ndarray, b: np.ndarray, k: int) -> tuple[int, float | None, float | None,
                                                        str | None]:
    kappa = cohen_kappa(a, b, k)
    return kappa.n_items, pair_agreement(a, b).value, kappa.value, kappa.warning


def _range(values: Any) -> tuple[float, float] | None:
    found = list(values)
    return (float(min(found)), float(max(found))) if found else None


def _within(value: float | None, bounds: tuple[float, float] | None) -> bool | None:
    if value is None or bounds is None:
        return None
    return bounds[0] <= value <= bounds[1]


def _verdict(score: Score, bounds: tuple[float, float] | None) -> str:
    """Where the judge stands against the humans; no verdict on fewer than
    ``MIN_JUDGE_ITEMS`` items (a kappa of 1.000 on 3 items says nothing), and always with the
    judge's interval."""
    value = score.value
    if score.n_items < MIN_JUDGE_ITEMS:
        return (f"no verdict: the judge rated {score.n_items} of these items; comparing it "
                f"with the human range needs at least {MIN_JUDGE_ITEMS}")
    if value is None:
        return "no verdict: the judge's kappa against the human majority is undefined"
    if bounds is None:
        return ("no verdict: no annotator has a defined kappa against the others' majority on "
                f"{MIN_JUDGE_ITEMS} items or more")
    low, high = bounds
    ci = (f" (95% CI {score.ci_low:.3f} to {score.ci_high:.3f}, {score.n_items} items)"
          if score.ci_low is not None and score.ci_high is not None
          else f" ({score.n_items} items)")
    if value < low:
        return (f"below the human range: judge vs human majority kappa {value:.3f}{ci} < "
                f"lowest human vs the others' majority {low:.3f}")
    if value > high:
        return (f"above the human range: judge vs human majority kappa {value:.3f}{ci} > "
                f"highest human vs the others' majority {high:.3f}")
    return (f"within the human range: judge vs human majority kappa {value:.3f}{ci} in "
            f"[{low:.3f}, {high:.3f}] (each human vs the others' majority)")
