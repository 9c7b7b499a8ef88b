"""Consensus labels (majority, Dawid-Skene, MACE) and the agreement report."""

from __future__ import annotations

import json

import numpy as np
import pytest

from llmqa.agreement import Ratings, agreement_report, compute_consensus, majority_vote
from llmqa.agreement.consensus import leave_one_out_agreement, leave_one_out_majority
from llmqa.agreement.metrics import label_counts

LABELS = ["allowed", "hate", "spam"]


def test_leave_one_out_majority_is_the_others_majority() -> None:
    # Subtracting a rater's votes from the counts must give what their removal gives.
    codes, _ = crowd(seed=5, n_items=300, missing=0.4)
    counts = label_counts(codes, 3)
    for tie_break in ("prior", "first", "none"):
        for j in range(codes.shape[1]):
            expected = majority_vote(np.delete(codes, j, axis=1), 3, tie_break=tie_break).labels
            assert np.array_equal(leave_one_out_majority(codes, 3, j, tie_break), expected)
            assert np.array_equal(leave_one_out_majority(codes, 3, j, tie_break, counts),
                                  expected)


def crowd(seed: int = 0, n_items: int = 400, accuracy: tuple[float, ...] = (0.9, 0.85, 0.8, 0.2),
          n_labels: int = 3, missing: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Annotators who give the true label with their accuracy, else a uniform other label.

    The last annotator (accuracy 0.2, below chance for 3 labels) is the bad one.
    """
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_labels, n_items)
    codes = np.empty((n_items, len(accuracy)), dtype=np.int64)
    for j, acc in enumerate(accuracy):
        wrong = (truth + rng.integers(1, n_labels, n_items)) % n_labels
        codes[:, j] = np.where(rng.random(n_items) < acc, truth, wrong)
    codes[rng.random(codes.shape) < missing] = -1
    return codes, truth


# --- majority vote ------------------------------------------------------------------------

def test_majority_vote_labels_confidence_and_unrated() -> None:
    codes = np.array([[0, 0, 1], [2, 2, 2], [-1, -1, -1], [1, -1, -1]])
    result = majority_vote(codes, 3)
    assert result.labels.tolist() == [0, 2, -1, 1]
    assert result.confidence[0] == pytest.approx(2 / 3)
    assert result.confidence[1] == 1.0 and np.isnan(result.confidence[2])
    assert result.tie.tolist() == [False, False, False, False]
    assert result.n_ratings.tolist() == [3, 3, 0, 1]


def test_majority_ties_are_flagged_and_resolved_by_the_documented_rule() -> None:
    # Label 2 is the most used overall (5 ratings), label 0 comes first in the label set.
    codes = np.array([[0, 2, -1], [2, 2, 2], [1, 2, -1], [0, 1, -1]])
    prior = majority_vote(codes, 3, tie_break="prior")
    assert prior.tie.tolist() == [True, False, True, True]
    # Row 0 (0 vs 2) and row 2 (1 vs 2) go to 2, the most used; row 3 (0 vs 1, both used twice)
    # falls back to label-set order.
    assert prior.labels.tolist() == [2, 2, 2, 0]
    first = majority_vote(codes, 3, tie_break="first")
    assert first.labels.tolist() == [0, 2, 1, 0]
    none = majority_vote(codes, 3, tie_break="none")
    assert none.labels.tolist() == [-1, 2, -1, -1]
    assert none.tie.tolist() == prior.tie.tolist()
    assert prior.confidence[0] == pytest.approx(0.5)


def test_three_way_tie() -> None:
    result = majority_vote(np.array([[0, 1, 2]]), 3, tie_break="first")
    assert result.tie.tolist() == [True] and result.labels.tolist() == [0]


def test_leave_one_out_reliability() -> None:
    codes = np.array([[0, 0, 1], [1, 1, 1], [0, 1, -1]])
    scores = leave_one_out_agreement(codes, label_counts(codes, 2))
    # rater 0: item 0 others {0,1} tie → 1/2; item 1 others {1,1} → 1; item 2 others {1} → 0.
    assert scores[0] == pytest.approx((0.5 + 1 + 0) / 3)
    assert scores[2] == pytest.approx((0 + 1) / 2)
    # Without rater 2, item 2 is a 0-1 tie; both labels are used three times, so label order.
    np.testing.assert_array_equal(leave_one_out_majority(codes, 2, 2), [0, 1, 0])


def test_unknown_method_and_tie_rule_are_errors() -> None:
    ratings = Ratings.from_matrix([[0, 1]], labels=["a", "b"])
    with pytest.raises(ValueError, match="method"):
        compute_consensus(ratings, "vote")
    with pytest.raises(ValueError, match="tie"):
        compute_consensus(ratings, "majority", tie_break="coin")


# --- Dawid-Skene and MACE -----------------------------------------------------------------

@pytest.mark.parametrize("method", ["majority", "dawid-skene", "mace"])
def test_models_recover_truth_and_rank_the_bad_annotator_last(method: str) -> None:
    codes, truth = crowd()
    ratings = Ratings.from_matrix(codes, labels=LABELS, raters=["a", "b", "c", "bad"])
    result = compute_consensus(ratings, method, seed=0)
    rated = result.n_ratings > 0
    accuracy = (result.labels[rated] == truth[rated]).mean()
    assert accuracy > 0.85  # chance is 1/3
    reliability = result.reliability
    assert min(reliability, key=lambda name: reliability[name] or 0) == "bad"
    assert all(0 <= (v or 0) <= 1 for v in reliability.values())
    assert np.all((result.confidence[rated] > 0) & (result.confidence[rated] <= 1 + 1e-9))
    if method != "majority":
        assert result.probabilities is not None
        np.testing.assert_allclose(result.probabilities[rated].sum(axis=1), 1.0, atol=1e-6)


def test_models_beat_majority_when_the_bad_annotator_is_systematic() -> None:
    # The bad annotator always answers "spam": a model learns to discount them.
    codes, truth = crowd(seed=3, accuracy=(0.75, 0.7, 0.7), missing=0.0)
    codes = np.column_stack([codes, np.full(len(codes), 2)])
    ratings = Ratings.from_matrix(codes, labels=LABELS, raters=["a", "b", "c", "spammer"])
    majority = compute_consensus(ratings, "majority")
    ds = compute_consensus(ratings, "dawid-skene")
    assert (ds.labels == truth).mean() >= (majority.labels == truth).mean()
    assert min(ds.reliability, key=lambda k: ds.reliability[k] or 0) == "spammer"


@pytest.mark.parametrize("method", ["dawid-skene", "mace"])
def test_models_with_a_single_label_fall_back_with_a_warning(method: str) -> None:
    ratings = Ratings.from_matrix([[1, 1], [1, -1], [-1, -1]], labels=LABELS)
    result = compute_consensus(ratings, method)
    assert result.labels.tolist() == [1, 1, -1]
    assert result.warnings and "fewer than two labels" in result.warnings[0]
    assert result.method == method


def test_mace_is_reproducible_with_a_seed() -> None:
    codes, _ = crowd(seed=4, n_items=150)
    ratings = Ratings.from_matrix(codes, labels=LABELS)
    one = compute_consensus(ratings, "mace", seed=5)
    two = compute_consensus(ratings, "mace", seed=5)
    np.testing.assert_array_equal(one.labels, two.labels)
    assert one.reliability == two.reliability


def test_consensus_records_are_flat_rows_with_every_label() -> None:
    ratings = Ratings.from_matrix([[0, 2], [1, 1]], labels=LABELS, item_ids=["x", "y"],
                                  projects=["p", None], modalities=["text", "image"])
    rows = list(compute_consensus(ratings).records(ratings))
    assert [r["item_id"] for r in rows] == ["x", "y"]
    assert rows[0]["tie"] is True and rows[1]["consensus"] == "hate"
    assert rows[1]["votes"] == {"allowed": 0, "hate": 2, "spam": 0}
    assert set(rows[0]) == {"item_id", "project", "modality", "consensus", "confidence", "tie",
                            "n_ratings", "votes", "method"}


# --- the report ---------------------------------------------------------------------------

def judged_ratings(judge_accuracy: float, seed: int = 0) -> tuple[Ratings, np.ndarray]:
    codes, truth = crowd(seed=seed, n_items=300, accuracy=(0.85, 0.8, 0.75, 0.7))
    rng = np.random.default_rng(seed + 100)
    wrong = (truth + rng.integers(1, 3, len(truth))) % 3
    judge = np.where(rng.random(len(truth)) < judge_accuracy, truth, wrong)
    projects = ["music" if i % 2 else "podcasts" for i in range(len(truth))]
    clauses = [(f"C{t}",) if t else () for t in truth]
    ratings = Ratings.from_matrix(codes, labels=LABELS, raters=["a", "b", "c", "d"],
                                  judge=judge, projects=projects, clause_ids=clauses,
                                  modalities=["text"] * len(truth))
    return ratings, truth


def test_report_breakdowns_and_dict_shape() -> None:
    ratings, _ = judged_ratings(0.8)
    report = agreement_report(ratings, n_boot=200, seed=1)
    data = report.to_dict()
    json.dumps(data)  # JSON-safe: no numpy scalars, no NaN
    assert set(data["headline"]) == {"percent_agreement", "fleiss_kappa", "krippendorff_alpha",
                                     "gwet_ac1", "mean_pairwise_cohen_kappa"}
    fleiss = data["headline"]["fleiss_kappa"]
    assert fleiss["ci_low"] < fleiss["value"] < fleiss["ci_high"]
    assert data["gate"] == {"metric": "fleiss_kappa", "value": fleiss["value"]}
    assert [g["group"] for g in data["by_project"]] == ["music", "podcasts"]
    assert sum(g["n_items"] for g in data["by_project"]) == data["n_pairable"]
    assert [row["label"] for row in data["by_label"]] == LABELS
    assert {row["group"] for row in data["by_clause"]} == {"C1", "C2"}
    assert [a["annotator"] for a in data["by_annotator"]] == ["a", "b", "c", "d"]
    assert len(data["pairwise"]) == 6
    assert set(data["confusion"]["annotator_vs_consensus"]) == {"a", "b", "c", "d"}
    # Same seed, same intervals.
    again = agreement_report(ratings, n_boot=200, seed=1).to_dict()
    assert again["headline"] == data["headline"]


def test_a_slice_under_ten_items_has_a_value_and_says_why_it_has_no_interval() -> None:
    codes = np.array([[0, 0, 1], [1, 1, 1], [2, 2, 0], [0, 0, 0], [1, 2, 1], [2, 2, 2]] * 2)
    projects = ["music"] * 6 + ["podcasts"] * 4 + ["music"] * 2
    ratings = Ratings.from_matrix(codes, labels=LABELS, raters=["a", "b", "c"],
                                  projects=projects)
    report = agreement_report(ratings, n_boot=100, seed=1)
    assert report.headline["fleiss_kappa"].ci_low is not None  # 12 items
    podcasts = next(g for g in report.by_project if g.group == "podcasts")
    assert podcasts.fleiss_kappa.value is not None and podcasts.fleiss_kappa.ci_low is None
    assert podcasts.fleiss_kappa.warning == ("no interval on 4 item(s): a bootstrap needs at "
                                             "least 10")


def test_report_judge_comparison_verdicts() -> None:
    # Humans are 70-85% accurate; a judge in that band lands inside the human range.
    good_judge = agreement_report(judged_ratings(0.78)[0], n_boot=0).judge
    bad_judge = agreement_report(judged_ratings(0.4)[0], n_boot=0).judge
    oracle = agreement_report(judged_ratings(0.99)[0], n_boot=0).judge
    assert good_judge is not None and bad_judge is not None and oracle is not None
    assert good_judge.within_human_range is True
    assert good_judge.verdict.startswith("within")
    assert bad_judge.within_human_range is False
    assert bad_judge.verdict.startswith("below")
    assert oracle.verdict.startswith("above")
    assert [p.rater_b for p in good_judge.vs_annotators] == ["a", "b", "c", "d"]
    assert good_judge.human_vs_consensus_range is not None
    low, high = good_judge.human_vs_consensus_range
    assert low <= high


def test_a_crowd_of_occasional_annotators_does_not_widen_the_human_range() -> None:
    # Four steady annotators plus 150 who each rated three items at random: their kappas on
    # three items run from -1 to 1, and counted in the range they would put a poor judge
    # "within the human range".
    ratings, truth = judged_ratings(0.4)
    rng = np.random.default_rng(7)
    extra = np.full((len(truth), 150), -1)
    for j in range(150):
        extra[rng.choice(len(truth), 3, replace=False), j] = rng.integers(0, 3, 3)
    crowd_ratings = Ratings.from_matrix(
        np.hstack([ratings.codes, extra]), labels=LABELS,
        raters=["a", "b", "c", "d", *(f"x{j}" for j in range(150))], judge=ratings.judge)
    judge = agreement_report(crowd_ratings, n_boot=0).judge
    assert judge is not None
    majority = judge.vs_human_majority.value
    assert majority is not None
    occasional = [v for name, v in judge.human_vs_consensus.items()
                  if name.startswith("x") and v is not None]
    assert min(occasional) < majority  # they would have hidden it
    assert judge.verdict.startswith("below"), judge.verdict
    assert judge.human_vs_consensus_range is not None
    low, _ = judge.human_vs_consensus_range
    assert low > majority


def test_report_on_unanimous_single_label_data_warns_instead_of_failing() -> None:
    ratings = Ratings.from_matrix(np.zeros((5, 3), dtype=int), labels=LABELS)
    report = agreement_report(ratings, n_boot=50)
    assert report.gate_value is None
    assert report.headline["percent_agreement"].value == 1.0
    assert any("fleiss_kappa" in w and "undefined" in w for w in report.warnings)
    json.dumps(report.to_dict())


def test_report_counts_single_and_unrated_items() -> None:
    ratings = Ratings.from_matrix([[0, 1], [0, -1], [-1, -1], [1, 1]], labels=["a", "b"])
    report = agreement_report(ratings, n_boot=0)
    assert (report.n_items, report.n_pairable, report.n_single, report.n_unrated) == (4, 2, 1, 1)
    assert report.headline["percent_agreement"].n_items == 2
