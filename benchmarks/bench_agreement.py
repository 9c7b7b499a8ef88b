"""Krippendorff's alpha and Dawid-Skene on 100,000 items × 5 raters with 10% missing ratings;
MACE and Dawid-Skene on 50,000 items × 3 raters; the whole ``llmqa agreement`` report on a
crowd (6,592 items, each rated by 5 of 670 annotators, as MD-Agreement is).

Run: ``python benchmarks/bench_agreement.py [--items N] [--labels K] [--repeat R]``.
Prints our nominal alpha against the ``krippendorff`` package (value and best-of-R time; the
target is at least 5× faster and equal to 1e-9), the Dawid-Skene consensus time, and for the
crowd the report's time beside scikit-learn's ``cohen_kappa_score`` over every pair of
annotators who share an item (the loop a notebook would write for the pairwise table).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def synthetic(n_items: int, n_raters: int, n_labels: int, missing: float,
              seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes (items × raters, -1 missing) from raters of accuracy 0.55..0.95, and the truth."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_labels, n_items)
    accuracy = np.linspace(0.95, 0.55, n_raters)
    correct = rng.random((n_items, n_raters)) < accuracy
    codes = np.where(correct, truth[:, None], rng.integers(0, n_labels, (n_items, n_raters)))
    codes[rng.random((n_items, n_raters)) < missing] = -1
    return codes, truth


def best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--raters", type=int, default=5)
    parser.add_argument("--labels", type=int, default=11, help="11 = the shipped guideline set")
    parser.add_argument("--missing", type=float, default=0.10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mace-items", type=int, default=50_000,
                        help="MACE is timed on this many items × 3 raters (0: skip; it is slow)")
    parser.add_argument("--crowd-items", type=int, default=6592,
                        help="items of the crowd report (0: skip)")
    parser.add_argument("--crowd-raters", type=int, default=670)
    args = parser.parse_args()

    import krippendorff

    from llmqa.agreement import Ratings, compute_consensus, krippendorff_alpha

    codes, truth = synthetic(args.items, args.raters, args.labels, args.missing, args.seed)
    print(f"data: {args.items:,} items × {args.raters} raters, {args.labels} labels, "
          f"{(codes < 0).mean():.1%} missing (seed {args.seed})")

    ours_s, ours = best_time(lambda: krippendorff_alpha(codes, "nominal", args.labels).value,
                             args.repeat)
    # The package takes raters × items floats with NaN for missing; converting is its input
    # format, not part of its computation, so it is done outside the timer.
    reliability = np.where(codes >= 0, codes, np.nan).T.astype(float)
    ref_s, ref = best_time(lambda: krippendorff.alpha(reliability_data=reliability,
                                                      level_of_measurement="nominal"),
                           args.repeat)
    diff = abs(ours - ref)
    print("\nKrippendorff's alpha (nominal)")
    print(f"  llmqa         alpha = {ours:.12f}   {ours_s * 1000:9.1f} ms (best of {args.repeat})")
    print(f"  krippendorff  alpha = {ref:.12f}   {ref_s * 1000:9.1f} ms (best of {args.repeat})")
    print(f"  |difference| = {diff:.2e} ({'OK' if diff <= 1e-9 else 'MISMATCH'} at 1e-9); "
          f"speed-up {ref_s / ours_s:.1f}x ({'meets' if ref_s / ours_s >= 5 else 'misses'} "
          "the 5x target)")

    ratings = Ratings.from_matrix(codes, labels=[str(i) for i in range(args.labels)])
    ds_s, consensus = best_time(lambda: compute_consensus(ratings, "dawid-skene"), 1)
    mv_s, majority = best_time(lambda: compute_consensus(ratings, "majority"), 1)
    rated = consensus.n_ratings > 0
    print("\nConsensus")
    print(f"  Dawid-Skene (crowd-kit)  {ds_s:7.2f} s   accuracy vs truth "
          f"{(consensus.labels[rated] == truth[rated]).mean():.4f}")
    print(f"  majority vote            {mv_s:7.2f} s   accuracy vs truth "
          f"{(majority.labels[rated] == truth[rated]).mean():.4f}")
    if args.mace_items:
        small, small_truth = synthetic(args.mace_items, 3, args.labels, 0.0, args.seed)
        small_ratings = Ratings.from_matrix(small, labels=[str(i) for i in range(args.labels)])
        mace_s, mace = best_time(lambda: compute_consensus(small_ratings, "mace"), 1)
        ds_small_s, _ = best_time(lambda: compute_consensus(small_ratings, "dawid-skene"), 1)
        print(f"  on {args.mace_items:,} items × 3 raters: MACE {mace_s:.2f} s (accuracy vs "
              f"truth {(mace.labels == small_truth).mean():.4f}), Dawid-Skene {ds_small_s:.2f} s")
    if args.crowd_items:
        crowd(args.crowd_items, args.crowd_raters, args.seed)


def crowd(n_items: int, n_raters: int, seed: int, per_item: int = 5) -> None:
    """The full report where each item has ``per_item`` of many raters: the pairwise and
    per-annotator tables are where the cost is."""
    from sklearn.metrics import cohen_kappa_score

    from llmqa.agreement import Ratings
    from llmqa.agreement.pairwise import pairwise_cohen
    from llmqa.agreement.report import agreement_report

    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n_items)
    # A few prolific annotators and a long tail, as crowds have.
    weight = 1.0 / np.arange(1, n_raters + 1) ** 0.8
    codes = np.full((n_items, n_raters), -1)
    for i in range(n_items):
        who = rng.choice(n_raters, per_item, replace=False, p=weight / weight.sum())
        right = rng.random(per_item) < 0.8
        codes[i, who] = np.where(right, truth[i], 1 - truth[i])
    ratings = Ratings.from_matrix(codes, labels=["no", "yes"])
    print(f"\nCrowd: {n_items:,} items, {per_item} of {n_raters} annotators each")
    report_s, _ = best_time(lambda: agreement_report(ratings, n_boot=1000), 1)
    print(f"  llmqa agreement report, 1,000 bootstrap replicates   {report_s:7.2f} s")
    pairs_s, pairs = best_time(lambda: pairwise_cohen(codes), 1)

    def sklearn_pairs() -> list[float]:
        import warnings

        warnings.simplefilter("ignore")  # one warning per pair whose kappa is undefined
        values = []
        for i in range(n_raters):
            for j in range(i + 1, n_raters):
                both = (codes[:, i] >= 0) & (codes[:, j] >= 0)
                if both.any():
                    values.append(cohen_kappa_score(codes[both, i], codes[both, j]))
        return values

    ref_s, ref = best_time(sklearn_pairs, 1)
    ours = [p.cohen_kappa for p in pairs]
    same = len(ours) == len(ref) and all(
        (a is None and np.isnan(b)) or (a is not None and abs(a - b) < 1e-9)
        for a, b in zip(ours, ref, strict=True))
    print(f"  pairwise Cohen's kappa, {len(pairs):,} pairs sharing an item: llmqa "
          f"{pairs_s:.2f} s, scikit-learn loop {ref_s:.2f} s "
          f"({'same values' if same else 'VALUES DIFFER'})")


if __name__ == "__main__":
    main()
