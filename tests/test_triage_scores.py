"""Score combination, reliability factors, calibration and the weights file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from llmqa.errors import InputError
from llmqa.triage import (
    DEFAULT_WEIGHTS,
    Key,
    Signal,
    SignalSet,
    TriageData,
    Weights,
    auroc,
    calibrate,
    combine,
    load_key,
    precision_at_k,
    rank_normalise,
)
from llmqa.triage.reliability import Reliability, estimate, weight_factors
from triage_support import batch, item


def _signal(name: str, values: list[float]) -> Signal:
    n = len(values)
    return Signal(name, np.array(values, dtype=float), [None] * n, [None] * n, name)


def _set(**columns: list[float]) -> SignalSet:
    n = len(next(iter(columns.values())))
    signals = SignalSet(n)
    for name, values in columns.items():
        signals.add(_signal(name, values))
    return signals


def test_rank_normalise_ties_and_missing() -> None:
    ranks = rank_normalise(np.array([0.1, np.nan, 0.5, 0.5, 0.9]))
    assert np.isnan(ranks[1])
    assert ranks[[0, 2, 3, 4]] == pytest.approx([0.125, 0.5, 0.5, 0.875])
    assert np.isnan(rank_normalise(np.array([np.nan, np.nan]))).all()


def test_weighted_mean_skips_missing_signals() -> None:
    signals = _set(label_issue=[0.9, 0.1, 0.5], guideline_conflict=[np.nan, 0.2, 0.8])
    weights = Weights(error={"label_issue": 1.0, "guideline_conflict": 1.0},
                      ambiguity={}, adaptive=False)
    scores = combine(signals, weights)
    # item 0 has only label_issue (its top rank); items 1-2 average both ranks
    assert scores.error[0] == pytest.approx(5 / 6)
    assert scores.error[1] == pytest.approx((1 / 6 + 0.25) / 2)
    assert np.isnan(scores.ambiguity).all()  # no ambiguity signal at all
    labelled = combine(signals, weights, labelled=np.array([True, False, True]))
    assert np.isnan(labelled.error[1])


def test_contributions_name_what_pushed_an_item_up() -> None:
    signals = _set(label_issue=[0.9, 0.1], minority_share=[0.0, 0.5])
    weights = Weights(error={"label_issue": 2.0, "minority_share": 1.0}, ambiguity={},
                      adaptive=False)
    scores = combine(signals, weights)
    assert scores.contributions(0, "error")[0][0] == "label_issue"
    # item 1: 1.0 × rank 0.75 (minority_share) outweighs 2.0 × rank 0.25 (label_issue)
    assert [c[0] for c in scores.contributions(1, "error")] == ["minority_share", "label_issue"]


def test_reliability_rule_and_factors() -> None:
    reliability = {
        "classifier": Reliability("classifier", 0.4, 0.7, 0.5, 10),
        "guideline": Reliability("guideline", 0.0, 0.4, 0.5, 10),
        "annotators": Reliability("annotators", 0.6, 0.84, 0.6, 10),
    }
    factors = weight_factors(reliability)
    assert factors == {"classifier": 1.0, "guideline": 0.0, "annotators": pytest.approx(0.5)}
    # Annotators who mostly agree (a trained team, r ≥ 0.7) count in full.
    team = reliability | {"annotators": Reliability("annotators", 0.72, 0.9, 0.6, 10)}
    assert weight_factors(team)["annotators"] == 1.0
    crowd = reliability | {"annotators": Reliability("annotators", 0.25, 0.7, 0.6, 10)}
    assert weight_factors(crowd)["annotators"] == 0.0
    unmeasured = {"classifier": Reliability("classifier", None, None, None, 0)}
    assert weight_factors(unmeasured)["classifier"] == 1.0


def test_judge_reliability_scales_the_judge_against_the_best_other_source() -> None:
    content = {"classifier": Reliability("classifier", 0.4, 0.7, 0.5, 300),
               "guideline": Reliability("guideline", 0.2, 0.6, 0.5, 300)}
    strong = weight_factors(content | {"judge": Reliability("judge", 0.8, 0.9, 0.5, 300)})
    weak = weight_factors(content | {"judge": Reliability("judge", 0.1, 0.55, 0.5, 300)})
    noise = weight_factors(content | {"judge": Reliability("judge", 0.0, 0.3, 0.5, 300)})
    few = weight_factors(content | {"judge": Reliability("judge", 0.0, 0.0, 0.5, 5)})
    assert strong["judge"] == 1.0 and weak["judge"] == pytest.approx(0.25)
    assert noise["judge"] == 0.0
    assert "judge" not in few  # a spot check of 5 items keeps the judge's full weight
    # Annotators who agree among themselves set a higher bar than the content views.
    experts = content | {"annotators": Reliability("annotators", 0.8, 0.9, 0.5, 300),
                         "judge": Reliability("judge", 0.2, 0.6, 0.5, 300)}
    assert weight_factors(experts)["judge"] == pytest.approx(0.25)


def _judged(verdicts: list[dict], predicted: Sequence[str | None] | None = None,
            n: int = 40) -> Reliability:
    """The judge's reliability on a balanced hate/allowed batch of ``n`` single-label items,
    with the classifier predicting ``predicted`` (no content view when None)."""
    from llmqa.items import Item
    from llmqa.triage import judge_signal

    items = [Item.model_validate({
        "id": f"i{k}", "content": {"modality": "text", "text": f"item {k}"},
        "annotations": [{"annotator": "a", "label": "hate" if k % 2 else "allowed"}]})
        for k in range(n)]
    data = TriageData.from_items(items)
    signals = SignalSet(n)
    for signal in judge_signal.judge_signals(data, verdicts)[0]:
        signals.add(signal)
    if predicted is not None:
        signals.add(Signal("label_issue", np.full(n, 0.5), [{"predicted": p} for p in predicted],
                           [None] * n, "label_issue"))
    return estimate(data, signals)["judge"]


def _verdict(k: int, flag: bool) -> dict:
    other = "allowed" if k % 2 else "hate"
    return {"item_id": f"i{k}", "status": "ok", "samples": 1, "confidence": 0.9,
            "verdict": "likely_error" if flag else "agree",
            "suggested_label": other if flag else None}


def test_a_judge_that_echoes_the_labels_it_was_shown_is_not_reliable() -> None:
    # It agrees with 36 of 40 labels (it was shown them) and flags four at random, where no
    # content view points: by agreement with the labels it would score 0.8.
    labels = ["hate" if k % 2 else "allowed" for k in range(40)]
    echo = [_verdict(k, flag=k < 12 and k % 3 == 0) for k in range(40)]
    assert _judged(echo).basis == "labels"  # four flags: too few to judge by
    echo = [_verdict(k, flag=k % 3 == 0) for k in range(40)]  # fourteen flags
    judge = _judged(echo, predicted=labels)
    assert (judge.basis, judge.agreement, judge.value) == ("flags", 0.0, 0.0)
    # Its flags where the classifier also points: reliable in proportion.
    pointed = [("allowed" if k % 2 else "hate") if k % 3 == 0 else labels[k] for k in range(40)]
    judge = _judged(echo, predicted=pointed)
    assert judge.agreement == 1.0 and judge.value == pytest.approx(1.0)
    # Guessing: a flag on a random item is supported where the view points elsewhere (with
    # two labels the suggestion itself says nothing more), here on 7 of 40 items.
    half = [p if k % 6 == 0 else labels[k] for k, p in enumerate(pointed)]
    judge = _judged(echo, predicted=half)
    assert (judge.agreement, judge.guessing) == (pytest.approx(7 / 14), pytest.approx(7 / 40))
    # ... on the support less one standard error (14 flags).
    bound = 7 / 14 - np.sqrt(0.25 / 14)
    assert judge.value == pytest.approx(1 - (1 - bound) / (1 - 7 / 40))
    # The view points elsewhere on fourteen other items: the flags are no better than chance.
    elsewhere = [("allowed" if k % 2 else "hate") if k % 3 == 1 else labels[k]
                 for k in range(40)]
    assert _judged(echo, predicted=elsewhere).value == 0.0
    # A view no better than guessing bears nothing out: agreement with the labels is used.
    assert _judged(echo, predicted=["hate"] * 40).basis == "labels"


def test_with_few_flags_the_judge_is_measured_on_the_labels_it_would_give() -> None:
    # Nine flags: too few, so its labels are compared with those under review, as for the
    # other sources; it agrees with 31 of 40 on a balanced batch.
    verdicts = [_verdict(k, flag=k < 9) for k in range(40)]
    judge = _judged(verdicts, predicted=["hate"] * 40)
    assert (judge.basis, judge.items, judge.agreement) == ("labels", 40, 31 / 40)
    assert judge.value == pytest.approx(1 - (9 / 40) / 0.5)


def test_an_unreliable_judge_drops_out_of_the_combination() -> None:
    signals = _set(guideline_conflict=[0.9, 0.1, 0.5], judge_error=[0.1, 0.95, 0.5],
                   judge_ambiguity=[0.2, 0.2, 0.9], label_entropy=[0.1, 0.5, 0.2])
    content = {"guideline": Reliability("guideline", 0.4, 0.7, 0.5, 300)}
    signals.reliability = content | {"judge": Reliability("judge", 0.0, 0.4, 0.5, 300)}
    scores = combine(signals, DEFAULT_WEIGHTS)
    assert scores.effective["error"]["judge_error"] == 0.0
    assert scores.effective["ambiguity"]["judge_ambiguity"] == 0.0
    assert int(np.argmax(scores.error)) == 0  # the guideline's pick, not the judge's
    signals.reliability = content | {"judge": Reliability("judge", 0.8, 0.9, 0.5, 300)}
    trusted = combine(signals, DEFAULT_WEIGHTS)
    assert trusted.effective["error"]["judge_error"] == 2.0
    assert int(np.argmax(trusted.error)) == 1


def test_adaptive_weights_drop_an_unreliable_source() -> None:
    signals = _set(label_issue=[0.9, 0.1, 0.5, 0.3], guideline_conflict=[0.1, 0.9, 0.5, 0.2])
    signals.reliability = {"classifier": Reliability("classifier", 0.5, 0.8, 0.6, 4),
                           "guideline": Reliability("guideline", 0.0, 0.5, 0.6, 4)}
    scores = combine(signals, DEFAULT_WEIGHTS)
    assert scores.effective["error"]["guideline_conflict"] == 0.0
    assert int(np.argmax(scores.error)) == 0
    fixed = combine(signals, Weights(adaptive=False))
    assert fixed.effective["error"]["guideline_conflict"] == 1.0


def test_a_score_left_to_one_source_says_so() -> None:
    """Crowd data: annotator dissent and the guideline evidence turned off leave the classifier
    alone, and the queue says that its top rows are the classifier's disagreements."""
    signals = _set(label_issue=[0.9, 0.1, 0.5, 0.3], guideline_conflict=[0.1, 0.9, 0.5, 0.2],
                   minority_share=[0.0, 0.4, 0.0, 0.2])
    crowd = {"classifier": Reliability("classifier", 0.18, 0.6, 0.5, 4),
             "guideline": Reliability("guideline", 0.0, 0.4, 0.5, 4),
             "annotators": Reliability("annotators", 0.26, 0.7, 0.6, 4)}
    signals.reliability = crowd
    note = combine(signals, DEFAULT_WEIGHTS).error_basis(crowd)
    assert note == (
        "the likely-error score rests on the classifier alone on this batch (reliability 0.18; "
        "0 is no better than always guessing the most common label, 1 agrees with every "
        "label): annotators' dissent (0.26) and guideline evidence (0.00) carry no weight here, "
        "so the top rows are where the classifier disagrees with the label, however many "
        "annotators agree")
    # Trained annotators count: no note. Fixed weights use every source: no note either.
    signals.reliability = crowd | {"annotators": Reliability("annotators", 0.7, 0.9, 0.6, 4)}
    assert combine(signals, DEFAULT_WEIGHTS).error_basis(signals.reliability) is None
    signals.reliability = crowd
    assert combine(signals, Weights(adaptive=False)).error_basis(crowd) is None
    # One rating per item: the guideline evidence alone is turned off, no crowd to speak of.
    single = _set(label_issue=[0.9, 0.1, 0.5, 0.3], guideline_conflict=[0.1, 0.9, 0.5, 0.2])
    single.reliability = {k: crowd[k] for k in ("classifier", "guideline")}
    note = combine(single, DEFAULT_WEIGHTS).error_basis(single.reliability)
    assert note is not None and note.endswith(": guideline evidence (0.00) carries no weight "
                                              "here, so the top rows are where the classifier "
                                              "disagrees with the label")
    # One source in the batch at all (no guidelines, one rating each) is no news.
    alone = _set(label_issue=[0.9, 0.1, 0.5])
    alone.reliability = {"classifier": crowd["classifier"]}
    assert combine(alone, DEFAULT_WEIGHTS).error_basis(alone.reliability) is None


def test_every_source_unreliable_falls_back_to_the_base_weights() -> None:
    signals = _set(guideline_conflict=[0.1, 0.9])
    signals.reliability = {"classifier": Reliability("classifier", None, None, None, 0),
                           "guideline": Reliability("guideline", 0.0, 0.5, 0.6, 2)}
    scores = combine(signals, DEFAULT_WEIGHTS)
    assert not np.isnan(scores.error).any() and scores.error[1] > scores.error[0]


def test_estimate_on_a_real_batch() -> None:
    data = TriageData.from_items(batch())
    signals = SignalSet(data.n_items)
    found = estimate(data, signals)
    assert found["classifier"].value is None  # no classifier signal in this set
    assert found["annotators"].value is not None
    assert 0 < found["annotators"].value <= 1
    assert found["annotators"].to_dict()["items"] == data.n_items


def test_weights_round_trip_and_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    weights = Weights(error={"label_issue": 2.0}, ambiguity={"label_entropy": 1.0},
                      intercept={"error": -1.0, "ambiguity": 0.5}, source="calibrated")
    weights.save(path)
    loaded = Weights.load(path)
    assert loaded == Weights(error={"label_issue": 2.0}, ambiguity={"label_entropy": 1.0},
                             intercept={"error": -1.0, "ambiguity": 0.5}, source="calibrated",
                             adaptive=False)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        Weights.load(tmp_path / "bad.json")
    (tmp_path / "shape.json").write_text(json.dumps({"error": [1, 2]}))
    with pytest.raises(InputError, match="'error' and 'ambiguity'"):
        Weights.load(tmp_path / "shape.json")
    with pytest.raises(InputError, match="no such weights file"):
        Weights.load(tmp_path / "missing.json")
    # Saved by a Windows editor: a byte-order mark is read past, a Latin-1 byte is named.
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert Weights.load(tmp_path / "bom.json") == loaded
    (tmp_path / "latin1.json").write_bytes(b'{"source": "caf\xe9"}')
    with pytest.raises(InputError, match=r"not valid UTF-8 \(byte 15\)"):
        Weights.load(tmp_path / "latin1.json")


def test_calibrated_weights_are_a_logistic_score() -> None:
    signals = _set(label_issue=[0.9, 0.1, 0.5], label_entropy=[0.0, 1.0, 0.5])
    weights = Weights(error={"label_issue": 4.0}, ambiguity={"label_entropy": 4.0},
                      intercept={"error": 0.0, "ambiguity": 0.0})
    scores = combine(signals, weights)
    assert scores.error[2] == pytest.approx(0.5)
    assert scores.error[0] > 0.5 > scores.error[1]
    assert ((scores.ambiguity > 0) & (scores.ambiguity < 1)).all()


def test_calibrate_fits_the_informative_signal_and_reports_held_out_quality() -> None:
    rng = np.random.default_rng(0)
    n = 120
    error = rng.random(n) < 0.2
    ambiguous = rng.random(n) < 0.3
    signals = _set(label_issue=(error + 0.3 * rng.random(n)).tolist(),
                   minority_share=rng.random(n).tolist(),
                   label_entropy=(ambiguous + 0.3 * rng.random(n)).tolist())
    ids = [f"i{i}" for i in range(n)]
    key = Key({i: bool(e) for i, e in zip(ids, error, strict=True)},
              {i: bool(a) for i, a in zip(ids, ambiguous, strict=True)})
    weights, report = calibrate(signals, ids, key)
    assert weights.calibrated and not weights.adaptive
    assert weights.error["label_issue"] > 3 * abs(weights.error["minority_share"])
    assert report["error"]["cv_auroc"] > 0.9 and report["ambiguity"]["cv_auroc"] > 0.9
    assert report["error"]["positives"] == int(error.sum())


def test_calibrate_needs_both_classes() -> None:
    signals = _set(label_issue=[0.1, 0.2, 0.3])
    key = Key({"a": True, "b": False, "c": False}, {"a": False, "b": False, "c": True})
    with pytest.raises(InputError, match="at least 5 of each class"):
        calibrate(signals, ["a", "b", "c"], key)


def test_load_key_formats(tmp_path: Path) -> None:
    path = tmp_path / "key.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "kind": "seeded_error"}, {"item_id": "b", "kind": "ambiguous"},
        {"id": "c", "kind": "clean"}, {"id": 4, "is_error": True, "is_ambiguous": True}]) + "\n")
    key = load_key(path)
    assert key.error == {"a": True, "b": False, "c": False, "4": True}
    assert key.ambiguous == {"a": False, "b": True, "c": False, "4": True}
    (tmp_path / "bad.jsonl").write_text('{"kind": "clean"}\n')
    with pytest.raises(InputError, match="needs 'id'"):
        load_key(tmp_path / "bad.jsonl")
    # A kind it does not know is a typo to fix, not a clean item.
    (tmp_path / "typo.jsonl").write_text('{"id": "a", "kind": "clean"}\n'
                                         '{"id": "b", "kind": "Seeded-Error"}\n')
    with pytest.raises(InputError, match=r"typo.jsonl:2: kind 'Seeded-Error' is not one of "
                       "agree, ambiguous, clean"):
        load_key(tmp_path / "typo.jsonl")
    (tmp_path / "bare.jsonl").write_text('{"id": "a"}\n')
    with pytest.raises(InputError, match=r"bare.jsonl:1: needs a kind: agree, ambiguous"):
        load_key(tmp_path / "bare.jsonl")
    with pytest.raises(InputError, match="no such answer key"):
        load_key(tmp_path / "none.jsonl")
    (tmp_path / "latin1.jsonl").write_bytes(b'{"id": "caf\xe9", "kind": "clean"}\n')
    with pytest.raises(InputError, match="not valid UTF-8"):
        load_key(tmp_path / "latin1.jsonl")


def test_precision_at_k_and_auroc_helpers() -> None:
    truth = np.array([True, False, True, False])
    assert precision_at_k(np.array([0.9, 0.8, 0.7, np.nan]), truth) == 0.5
    assert precision_at_k(np.array([0.9, 0.1, 0.8, 0.2]), truth) == 1.0
    assert precision_at_k(np.zeros(4), np.zeros(4, bool)) is None
    assert auroc(np.array([0.9, 0.1, 0.8, 0.2]), truth) == 1.0
    assert auroc(np.ones(2), np.array([True, True])) is None


def test_combine_on_an_unlabelled_item() -> None:
    data = TriageData.from_items([item("a", "x", ["spam", "hate"]), item("b", "y", [])])
    signals = _set(label_issue=[0.5, np.nan], label_entropy=[1.0, np.nan],
                   model_uncertainty=[0.2, 0.9])
    scores = combine(signals, DEFAULT_WEIGHTS, labelled=data.given >= 0)
    assert np.isnan(scores.error[1]) and not np.isnan(scores.ambiguity[1])


def test_hedged_notes_discount_the_error_score_not_the_ambiguity_score() -> None:
    from llmqa.triage.scores import Weights, combine
    from llmqa.triage.signals import Signal, SignalSet

    signals = SignalSet(3)
    conflict = np.array([0.9, 0.9, 0.1])
    signals.add(Signal("guideline_conflict", conflict, [None] * 3, [None] * 3, "x"))
    hedged = np.array([0.0, 2 / 3, np.nan])  # item 1: two of three annotators hedged
    signals.add(Signal("note_hedging", hedged, [None] * 3, [None] * 3, "x"))
    plain = combine(signals, Weights(adaptive=False, hedge_discount=0.0))
    scores = combine(signals, Weights(adaptive=False))
    assert plain.error[0] == plain.error[1]
    assert scores.error[0] == plain.error[0] and scores.error[2] == plain.error[2]
    assert np.isclose(scores.error[1], plain.error[1] * (1 - 0.5 * 2 / 3))
    assert np.allclose(scores.ambiguity, plain.ambiguity, equal_nan=True)
    calibrated = Weights({"guideline_conflict": 1.0}, {"note_hedging": 1.0},
                         intercept={"error": 0.0, "ambiguity": 0.0})
    fitted = combine(signals, calibrated)
    assert fitted.error[0] == fitted.error[1]  # a fit weighs hedging itself


def test_weights_file_keeps_the_hedge_discount(tmp_path) -> None:
    from llmqa.triage.scores import Weights

    path = tmp_path / "w.json"
    Weights(hedge_discount=0.2).save(path)
    assert Weights.load(path).hedge_discount == 0.2
    with pytest.raises(InputError, match="hedge_discount"):
        Weights.from_dict({"error": {}, "ambiguity": {}, "hedge_discount": 2})


def _ambiguity_reliability(called: list[int], n: int = 40, raters: int = 2,
                           splits: bool = True) -> Reliability:
    """The reliability of the judge's ``ambiguous`` calls on the items ``called``, on a batch
    of ``n`` items where the annotators split on the odd ones (with ``splits``)."""
    from llmqa.items import Item
    from llmqa.triage import judge_signal

    names = ["a", "b", "c"][:raters]
    items = [Item.model_validate({
        "id": f"i{k}", "content": {"modality": "text", "text": f"item {k}"},
        "annotations": [{"annotator": who,
                         "label": "hate" if splits and k % 2 and j else "allowed"}
                        for j, who in enumerate(names)]}) for k in range(n)]
    data = TriageData.from_items(items)
    signals = SignalSet(n)
    verdicts = [{"item_id": f"i{k}", "status": "ok", "confidence": 0.9,
                 "verdict": "ambiguous" if k in called else "agree"} for k in range(n)]
    for signal in judge_signal.judge_signals(data, verdicts)[0]:
        signals.add(signal)
    return estimate(data, signals)["judge_ambiguity"]


def test_the_judges_ambiguous_calls_are_measured_against_the_annotators_splits() -> None:
    odd = [k for k in range(40) if k % 2]
    # Every call where the annotators split: as good as a call can be.
    only_splits = _ambiguity_reliability(odd[:12])
    assert (only_splits.basis, only_splits.agreement, only_splits.guessing) == (
        "splits", 1.0, 0.5)
    assert only_splits.value == 1.0
    # Half of them where they agree: no better than calling random items (SmolLM2 calls most
    # items ambiguous whatever they are).
    assert _ambiguity_reliability([*odd[:6], *range(0, 12, 2)]).value == 0.0
    # 10 of 12 on splits, taken one standard error low as the flags are.
    found = _ambiguity_reliability([*odd[:10], 0, 2])
    bound = 10 / 12 - np.sqrt(10 / 12 * 2 / 12 / 12)
    assert found.value == pytest.approx(1 - (1 - bound) / 0.5)
    # Not measured: nine calls, items rated once, a batch where nobody splits.
    assert _ambiguity_reliability(odd[:9]).value is None
    assert _ambiguity_reliability(odd[:12], raters=1).value is None
    assert _ambiguity_reliability(odd[:12], splits=False).value is None


def test_the_judges_ambiguous_calls_are_weighted_apart_from_its_flags() -> None:
    content = {"classifier": Reliability("classifier", 0.4, 0.7, 0.5, 300)}
    flags = {"judge": Reliability("judge", 0.4, 0.8, 0.5, 300)}
    calls = {"judge_ambiguity": Reliability("judge_ambiguity", 0.3, 0.8, 0.6, 300, "splits")}
    factors = weight_factors(content | flags | calls)
    assert (factors["judge"], factors["judge_ambiguity"]) == (1.0, 0.3)
    unmeasured = Reliability("judge_ambiguity", None, None, None, 0, "splits")
    assert weight_factors(content | flags | {"judge_ambiguity": unmeasured})[
        "judge_ambiguity"] == 1.0  # as its flags
    assert "judge_ambiguity" not in weight_factors(content)  # no judge, nothing to scale
    signals = _set(judge_error=[0.1, 0.95, 0.5], judge_ambiguity=[0.2, 0.2, 0.9],
                   label_entropy=[0.1, 0.5, 0.2])
    signals.reliability = content | flags | calls
    effective = combine(signals, DEFAULT_WEIGHTS).effective
    assert effective["error"]["judge_error"] == 2.0
    assert effective["ambiguity"]["judge_ambiguity"] == pytest.approx(1.5 * 0.3)
