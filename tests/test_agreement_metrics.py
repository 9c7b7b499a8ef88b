"""Agreement coefficients against reference implementations, published values and edge cases."""

from __future__ import annotations

import math
import warnings

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from sklearn.metrics import confusion_matrix as sk_confusion
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from llmqa.agreement import (
    Ratings,
    bootstrap_interval,
    bootstrap_intervals,
    cohen_kappa,
    confusion_matrix,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    label_counts,
    pairwise_cohen,
    percent_agreement,
)
from llmqa.agreement.metrics import (
    Level,
    PooledTerms,
    fleiss_kappa_value,
    gwet_ac1_value,
    krippendorff_alpha_value,
    specific_agreement,
)
from llmqa.agreement.pairwise import mean_pairwise_kappa
from llmqa.agreement.ratings import sort_labels
from llmqa.io.readers import RowError
from llmqa.items import Item

TOL = 1e-9


def noisy_codes(seed: int, n_items: int, n_raters: int, n_labels: int, accuracy: float = 0.6,
                missing: float = 0.0) -> np.ndarray:
    """Raters who copy a hidden truth with probability ``accuracy``, else guess uniformly."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_labels, n_items)
    guess = rng.integers(0, n_labels, (n_items, n_raters))
    codes = np.where(rng.random((n_items, n_raters)) < accuracy, truth[:, None], guess)
    codes[rng.random((n_items, n_raters)) < missing] = -1
    return codes


def as_reliability(codes: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """The krippendorff package's input: raters × items floats, NaN for missing."""
    numbers = codes.astype(float) if values is None else values[np.maximum(codes, 0)]
    return np.where(codes >= 0, numbers, np.nan).T


def percent_agreement_by_hand(codes: np.ndarray) -> float:
    shares = []
    for row in codes:
        rated = row[row >= 0]
        if len(rated) < 2:
            continue
        pairs = [(a, b) for i, a in enumerate(rated) for j, b in enumerate(rated) if i != j]
        shares.append(sum(a == b for a, b in pairs) / len(pairs))
    return float(np.mean(shares))


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 observers × 12 units,
# values 1-5 (here as codes 0-4); the same data is Gwet's ``cac.raw4raters`` in irrCAC.
KRIPPENDORFF_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
    [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
]).T - 1


# --- Krippendorff's alpha -----------------------------------------------------------------

@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize(("seed", "n_items", "n_raters", "n_labels", "missing"), [
    (0, 300, 2, 3, 0.0),     # two raters, complete
    (1, 300, 5, 4, 0.1),     # the usual case
    (2, 200, 8, 6, 0.4),     # many raters, heavy missingness
    (3, 150, 20, 5, 0.8),    # sparse crowd: takes the count-matrix path (> 12 raters)
    (4, 50, 3, 2, 0.2),      # binary
])
def test_alpha_matches_krippendorff_package(level: Level, seed: int, n_items: int, n_raters: int,
                                            n_labels: int, missing: float) -> None:
    codes = noisy_codes(seed, n_items, n_raters, n_labels, missing=missing)
    ours = krippendorff_alpha(codes, level, n_labels)
    reference = krippendorff.alpha(reliability_data=as_reliability(codes),
                                   level_of_measurement=level)
    assert ours.value is not None
    assert ours.value == pytest.approx(reference, abs=TOL)
    assert ours.n_items == int(((codes >= 0).sum(axis=1) >= 2).sum())


def test_alpha_count_path_equals_pair_path() -> None:
    codes = noisy_codes(5, 400, 6, 5, missing=0.3)
    counts = label_counts(codes, 5)
    assert krippendorff_alpha(codes).value == pytest.approx(
        krippendorff_alpha_value(counts, "nominal"), abs=TOL)
    # The full coincidence-matrix route, by asking for nominal distances explicitly.
    from llmqa.agreement.metrics import coincidence_matrix, distance_matrix

    o = coincidence_matrix(counts)
    n_c = o.sum(axis=1)
    d = distance_matrix("nominal", n_c)
    generic = 1 - (n_c.sum() - 1) * (o * d).sum() / (n_c @ d @ n_c)
    assert krippendorff_alpha(codes).value == pytest.approx(generic, abs=TOL)


@pytest.mark.parametrize("level", ["interval", "ratio"])
def test_alpha_with_numeric_label_values(level: Level) -> None:
    codes = noisy_codes(6, 250, 4, 4, missing=0.2)
    scale = [1.0, 2.0, 4.0, 8.0]
    values = np.array(scale)
    ours = krippendorff_alpha(codes, level, 4, values=scale)
    reference = krippendorff.alpha(reliability_data=as_reliability(codes, values),
                                   level_of_measurement=level)
    assert ours.value == pytest.approx(reference, abs=TOL)


def test_alpha_published_example() -> None:
    # Krippendorff (2011) reports 0.743 (nominal), 0.815 (ordinal), 0.849 (interval), 0.797 (ratio).
    codes = KRIPPENDORFF_2011
    assert krippendorff_alpha(codes, "nominal").value == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(codes, "ordinal").value == pytest.approx(0.815, abs=5e-4)
    assert krippendorff_alpha(codes, "interval").value == pytest.approx(0.849, abs=5e-4)
    ratio = krippendorff_alpha(codes, "ratio", values=[1, 2, 3, 4, 5]).value
    assert ratio == pytest.approx(0.797, abs=5e-4)


def test_alpha_unused_labels_do_not_change_it() -> None:
    codes = noisy_codes(7, 100, 3, 3, missing=0.1)
    assert krippendorff_alpha(codes, "nominal", 3).value == pytest.approx(
        krippendorff_alpha(codes, "nominal", 10).value, abs=TOL)
    assert krippendorff_alpha(codes, "ordinal", 3).value == pytest.approx(
        krippendorff_alpha(codes, "ordinal", 10).value, abs=TOL)


def test_alpha_rejects_unknown_level() -> None:
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(np.zeros((3, 2), dtype=int), "cardinal")


# --- Fleiss' kappa ------------------------------------------------------------------------

@pytest.mark.parametrize(("seed", "n_raters", "n_labels"), [(0, 2, 2), (1, 3, 4), (2, 7, 5),
                                                             (3, 12, 3)])
def test_fleiss_matches_statsmodels_on_complete_data(seed: int, n_raters: int,
                                                     n_labels: int) -> None:
    codes = noisy_codes(seed, 250, n_raters, n_labels)
    table, _ = aggregate_raters(codes)
    assert fleiss_kappa(codes, n_labels).value == pytest.approx(sm_fleiss(table), abs=TOL)


def test_fleiss_generalisation_reduces_to_fleiss_on_equal_counts() -> None:
    # Every item has exactly three of six possible raters: statsmodels on the count table.
    rng = np.random.default_rng(8)
    codes = noisy_codes(8, 200, 6, 4)
    for row in codes:
        row[rng.choice(6, 3, replace=False)] = -1
    counts = label_counts(codes, 4)
    assert fleiss_kappa(codes, 4).value == pytest.approx(sm_fleiss(counts), abs=TOL)


def test_fleiss_and_ac1_published_values_with_missing_ratings() -> None:
    # irrCAC (Gwet) on cac.raw4raters: Fleiss 0.76117 (pa 0.8181818, pe 0.2387153) and
    # AC1 0.77544 (pe 0.1903212).
    assert fleiss_kappa(KRIPPENDORFF_2011).value == pytest.approx(0.76117, abs=5e-6)
    assert gwet_ac1(KRIPPENDORFF_2011).value == pytest.approx(0.77544, abs=5e-6)
    assert percent_agreement(KRIPPENDORFF_2011).value == pytest.approx(9 / 11, abs=TOL)


# --- Gwet's AC1 ---------------------------------------------------------------------------

def test_ac1_by_hand_two_raters() -> None:
    # 10 items, labels 0/1: rater A = 0 on 6 items, rater B agrees on 8 of 10.
    a = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    b = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 0])
    codes = np.column_stack([a, b])
    pa = 0.8
    pi0 = ((a == 0).sum() + (b == 0).sum()) / 20  # mean share of label 0 per item
    pe = (pi0 * (1 - pi0) + (1 - pi0) * pi0) / (2 - 1)
    assert gwet_ac1(codes).value == pytest.approx((pa - pe) / (1 - pe), abs=TOL)


def test_ac1_by_hand_three_labels_with_missing() -> None:
    codes = np.array([[0, 0, 0], [0, 1, -1], [2, 2, 1], [1, -1, -1], [2, 2, 2]])
    q = 3
    pa = (1 + 0 + 1 / 3 + 1) / 4  # items with 2+ ratings
    shares = np.array([[1, 0, 0], [.5, .5, 0], [0, 1 / 3, 2 / 3], [0, 1, 0], [0, 0, 1]])
    pi = shares.mean(axis=0)  # every rated item, per Gwet (2014)
    pe = (pi * (1 - pi)).sum() / (q - 1)
    assert gwet_ac1(codes, q).value == pytest.approx((pa - pe) / (1 - pe), abs=TOL)


# --- Cohen's kappa ------------------------------------------------------------------------

@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cohen_matches_sklearn(weights: str | None, seed: int) -> None:
    codes = noisy_codes(seed, 300, 2, 5, missing=0.15)
    a, b = codes[:, 0], codes[:, 1]
    both = (a >= 0) & (b >= 0)
    reference = cohen_kappa_score(a[both], b[both], labels=list(range(5)), weights=weights)
    ours = cohen_kappa(a, b, 5, weights)
    assert ours.value == pytest.approx(reference, abs=TOL)
    assert ours.n_items == int(both.sum())


def test_pairwise_cohen_each_pair_matches_sklearn() -> None:
    codes = noisy_codes(9, 200, 4, 3, missing=0.2)
    pairs = pairwise_cohen(codes, ["a", "b", "c", "d"], 3)
    assert len(pairs) == 6
    for pair in pairs:
        i, j = "abcd".index(pair.rater_a), "abcd".index(pair.rater_b)
        both = (codes[:, i] >= 0) & (codes[:, j] >= 0)
        assert pair.cohen_kappa == pytest.approx(
            cohen_kappa_score(codes[both, i], codes[both, j]), abs=TOL)
        assert pair.percent_agreement == pytest.approx(
            float((codes[both, i] == codes[both, j]).mean()), abs=TOL)
    light = mean_pairwise_kappa(pairs)
    assert light.value == pytest.approx(np.mean([p.cohen_kappa for p in pairs]), abs=TOL)
    assert light.warning is None  # fully crossed: every pair shares most items


def test_pairwise_cohen_on_a_sparse_crowd_matches_sklearn() -> None:
    # Each item rated by 3 of 40 raters: most pairs share nothing and are left out, as
    # before; those that share items match scikit-learn on exactly those items.
    rng = np.random.default_rng(3)
    codes = np.full((300, 40), -1)
    for row in codes:
        row[rng.choice(40, 3, replace=False)] = rng.integers(0, 3, 3)
    pairs = {(p.rater_a, p.rater_b): p for p in pairwise_cohen(codes, n_labels=3)}
    expected = 0
    for i in range(40):
        for j in range(i + 1, 40):
            both = (codes[:, i] >= 0) & (codes[:, j] >= 0)
            if not both.any():
                assert (str(i), str(j)) not in pairs
                continue
            expected += 1
            pair = pairs[str(i), str(j)]
            assert pair.n_items == int(both.sum())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # undefined kappas: nan there, None here
                reference = cohen_kappa_score(codes[both, i], codes[both, j])
            if np.isnan(reference):
                assert pair.cohen_kappa is None
            else:
                assert pair.cohen_kappa == pytest.approx(reference, abs=TOL)
    assert len(pairs) == expected > 0
    # Pairs meet on one or two items here: the mean of their kappas is flagged as noise.
    light = mean_pairwise_kappa(list(pairs.values()))
    assert light.warning is not None
    assert "share a median of" in light.warning and "Krippendorff" in light.warning


def test_confusion_matrix_matches_sklearn() -> None:
    codes = noisy_codes(10, 120, 2, 4, missing=0.1)
    a, b = codes[:, 0], codes[:, 1]
    both = (a >= 0) & (b >= 0)
    np.testing.assert_array_equal(confusion_matrix(a, b, 4),
                                  sk_confusion(a[both], b[both], labels=range(4)))


# --- percent agreement --------------------------------------------------------------------

@pytest.mark.parametrize(("n_raters", "missing"), [(2, 0.0), (4, 0.3), (9, 0.5)])
def test_percent_agreement_by_hand(n_raters: int, missing: float) -> None:
    codes = noisy_codes(11, 80, n_raters, 3, missing=missing)
    assert percent_agreement(codes).value == pytest.approx(percent_agreement_by_hand(codes),
                                                           abs=TOL)


# --- undefined and degenerate cases -------------------------------------------------------

def test_everyone_gives_the_same_single_label() -> None:
    codes = np.zeros((6, 3), dtype=int)
    for score in (fleiss_kappa(codes, 3), krippendorff_alpha(codes, n_labels=3),
                  krippendorff_alpha(codes, "ordinal", 3), cohen_kappa(codes[:, 0], codes[:, 1])):
        assert score.value is None
        assert score.warning and "undefined" in score.warning
    # Observed agreement is perfect, and AC1's chance term does not collapse: both are 1.
    assert percent_agreement(codes).value == 1.0
    assert gwet_ac1(codes, 3).value == 1.0


def test_only_one_label_in_the_label_set() -> None:
    codes = np.zeros((4, 2), dtype=int)
    ac1 = gwet_ac1(codes, 1)
    assert ac1.value is None and "fewer than two labels" in (ac1.warning or "")


def test_all_agree_on_varied_labels_is_one() -> None:
    codes = np.repeat(np.array([[0], [1], [2], [1]]), 4, axis=1)
    for score in (fleiss_kappa(codes), krippendorff_alpha(codes), gwet_ac1(codes),
                  percent_agreement(codes), cohen_kappa(codes[:, 0], codes[:, 3])):
        assert score.value == pytest.approx(1.0, abs=TOL)


def test_no_item_with_two_ratings() -> None:
    codes = np.array([[0, -1], [-1, 1], [-1, -1]])
    for score in (fleiss_kappa(codes, 2), krippendorff_alpha(codes, n_labels=2),
                  gwet_ac1(codes, 2), percent_agreement(codes, 2)):
        assert score.value is None and score.n_items == 0 and score.warning
    assert cohen_kappa(codes[:, 0], codes[:, 1], 2).warning == "no item was rated by both"
    assert pairwise_cohen(codes, n_labels=2) == []


def test_single_item() -> None:
    disagree = np.array([[0, 1, 1]])
    assert percent_agreement(disagree).value == pytest.approx(1 / 3)
    assert fleiss_kappa(disagree).value == pytest.approx(fleiss_kappa_value(label_counts(disagree)))
    reference = krippendorff.alpha(reliability_data=as_reliability(disagree),
                                   level_of_measurement="nominal")
    assert krippendorff_alpha(disagree).value == pytest.approx(reference, abs=TOL)
    # A single item on which everyone agrees: nothing to correct for chance against.
    assert krippendorff_alpha(np.array([[2, 2]]), n_labels=3).value is None


def test_missing_ratings_are_ignored_not_counted_as_a_label() -> None:
    codes = np.array([[0, 0, -1], [1, 1, 1], [0, -1, 0], [1, 0, -1]])
    dense = [row[row >= 0] for row in codes]
    assert percent_agreement(codes).value == pytest.approx(
        np.mean([np.mean([a == b for i, a in enumerate(r) for j, b in enumerate(r) if i != j])
                 for r in dense]))


def test_nothing_returns_nan() -> None:
    rng = np.random.default_rng(12)
    for _ in range(50):
        codes = rng.integers(-1, 2, (rng.integers(1, 6), rng.integers(2, 5)))
        for score in (fleiss_kappa(codes, 2), gwet_ac1(codes, 2), percent_agreement(codes, 2),
                      krippendorff_alpha(codes, n_labels=2),
                      krippendorff_alpha(codes, "interval", 2)):
            assert score.value is None or math.isfinite(score.value)
            assert score.value is not None or score.warning


def test_specific_agreement_per_label() -> None:
    codes = np.array([[0, 0], [0, 1], [1, 1], [1, 1]])
    specific = specific_agreement(label_counts(codes, 3))
    assert specific[0] == pytest.approx(2 / 3)   # 2 of the 3 ratings of 0 are matched by a 0
    assert specific[1] == pytest.approx(4 / 5)
    assert math.isnan(specific[2])


# --- weights = bootstrap replicates -------------------------------------------------------

def test_integer_weights_equal_repeating_items() -> None:
    codes = noisy_codes(13, 60, 4, 3, missing=0.3)
    weights = np.random.default_rng(0).integers(0, 4, len(codes))
    repeated = np.repeat(codes, weights, axis=0)
    counts, counts_rep = label_counts(codes, 3), label_counts(repeated, 3)
    terms = PooledTerms(counts)
    assert terms.percent_agreement(weights) == pytest.approx(
        percent_agreement(repeated, 3).value, abs=TOL)
    assert fleiss_kappa_value(counts, weights) == pytest.approx(fleiss_kappa_value(counts_rep),
                                                                abs=TOL)
    assert gwet_ac1_value(counts, weights) == pytest.approx(gwet_ac1_value(counts_rep), abs=TOL)
    for level in ("nominal", "ordinal", "interval"):
        assert krippendorff_alpha_value(counts, level, weights) == pytest.approx(
            krippendorff_alpha_value(counts_rep, level), abs=TOL)


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    codes = noisy_codes(14, 300, 4, 3, missing=0.2)
    counts = label_counts(codes, 3)
    terms = PooledTerms(counts)
    first = bootstrap_intervals({"fleiss": terms.fleiss_kappa, "alpha":
                                 terms.krippendorff_alpha_nominal}, len(counts), 300, seed=7)
    again = bootstrap_intervals({"fleiss": terms.fleiss_kappa, "alpha":
                                 terms.krippendorff_alpha_nominal}, len(counts), 300, seed=7)
    other = bootstrap_interval(terms.fleiss_kappa, len(counts), 300, seed=8)
    assert first == again
    assert (other.low, other.high) != (first["fleiss"].low, first["fleiss"].high)
    point = terms.fleiss_kappa()
    low, high = first["fleiss"].low, first["fleiss"].high
    assert low is not None and high is not None
    assert low < point < high
    assert first["fleiss"].n_valid == 300 and first["fleiss"].warning is None
    # The interval narrows as the sample grows (sanity check of the resampling scale).
    assert high - low < 0.25


def test_bootstrap_drops_undefined_replicates() -> None:
    # One disagreeing item among many unanimous ones: some replicates are all-one-label.
    codes = np.array([[0, 0]] * 11 + [[0, 1]])
    terms = PooledTerms(label_counts(codes, 2))
    interval = bootstrap_interval(terms.fleiss_kappa, len(codes), 200, seed=1)
    assert 0 < interval.n_valid < 200
    assert interval.warning and "undefined" in interval.warning


def test_no_bootstrap_interval_under_ten_items() -> None:
    # Three agreeing items resample to the same value every time: a point, not an interval.
    agree = np.array([[0, 0], [1, 1], [0, 0]])
    terms = PooledTerms(label_counts(agree, 2))
    few = bootstrap_interval(terms.fleiss_kappa, len(agree), 200, seed=1)
    assert (few.low, few.high) == (None, None)
    assert few.warning == "no interval on 3 item(s): a bootstrap needs at least 10"
    codes = np.array([[0, 0], [1, 1], [0, 1], [1, 0], [0, 0]] * 2)
    terms = PooledTerms(label_counts(codes, 2))
    ten = bootstrap_interval(terms.fleiss_kappa, len(codes), 200, seed=1)
    assert ten.low is not None and ten.high is not None and ten.low < ten.high


# --- Ratings ------------------------------------------------------------------------------

def make_item(item_id: str, *ratings: tuple[str, str], project: str | None = "p",
              clause: str | None = None) -> Item:
    return Item.model_validate({
        "id": item_id, "project": project,
        "content": {"modality": "text", "text": "x"},
        "annotations": [{"annotator": a, "label": lab, "clause_id": clause} for a, lab in ratings],
    })


def test_ratings_from_items_reports_problems_without_raising() -> None:
    items = [
        make_item("1", ("ann", "spam"), ("bob", "hate"), clause="SPAM-1.1"),
        make_item("2", ("ann", "spam"), ("ann", "hate"), ("eve", "spam")),
        make_item("3", ("ann", "bogus"), ("bob", "spam")),
        make_item("1", ("ann", "hate")),
        RowError("f.jsonl", 9, None, "malformed JSON"),
    ]
    ratings = Ratings.from_items(items, judge_labels={"1": "spam", "2": "bogus", "9": "spam"},
                                 labels=["hate", "spam", "allowed"], annotators=["ann", "bob"])
    kinds = sorted(p.kind for p in ratings.problems)
    assert kinds == sorted(["duplicate_rating", "unknown_annotator", "unknown_label",
                            "duplicate_item", "row_error", "judge_unknown_label",
                            "judge_unknown_item"])
    assert {p.item_id for p in ratings.problems if p.kind != "row_error"} == {"1", "2", "3", "9"}
    assert ratings.labels == ["hate", "spam", "allowed"]
    assert ratings.raters == ["ann", "bob"]
    assert ratings.item_ids == ["1", "2", "3"]
    np.testing.assert_array_equal(ratings.codes, [[1, 0], [1, -1], [-1, 1]])
    np.testing.assert_array_equal(ratings.judge, [1, -1, -1])
    assert ratings.clause_ids[0] == ("SPAM-1.1",)
    assert ratings.pairable.tolist() == [True, False, False]


def test_ratings_label_order_without_a_label_set() -> None:
    assert sort_labels(["10", "9", "1.5"]) == ["1.5", "9", "10"]
    assert sort_labels(["spam", "allowed", "10"]) == ["10", "allowed", "spam"]
    ratings = Ratings.from_items([make_item("a", ("x", "3"), ("y", "10"))])
    assert ratings.labels == ["3", "10"]


def test_ratings_subset_and_from_matrix() -> None:
    ratings = Ratings.from_matrix([[0, 1], [1, -1], [-1, -1]], labels=["a", "b"],
                                  projects=["p", "q", "p"])
    assert ratings.per_item.tolist() == [2, 1, 0]
    sub = ratings.subset(ratings.pairable)
    assert sub.item_ids == ["0"] and sub.projects == ["p"]
    with pytest.raises(ValueError):
        Ratings.from_matrix([[0, 5]], labels=["a", "b"])


def test_no_warnings_leak_from_metrics() -> None:
    codes = np.zeros((3, 2), dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fleiss_kappa(codes, 2)
        krippendorff_alpha(codes, "ordinal", 2)
        cohen_kappa(codes[:, 0], codes[:, 1], 2)
        specific_agreement(label_counts(codes, 2))
