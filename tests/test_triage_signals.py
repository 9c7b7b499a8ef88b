"""Each triage signal on its own, including the degenerate data every one must survive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import FakeEmbedder
from llmqa.triage import TriageData, compute_signals
from llmqa.triage.annotators import disagreement_signals, note_signal, posterior_signals
from llmqa.triage.classifier import neighbour_vote, out_of_fold_probabilities
from llmqa.triage.cleanlab_signal import cleanlab_signals
from llmqa.triage.judge_signal import judge_signals
from llmqa.triage.retrieval_signal import LabelImplier, guideline_documents, retrieval_signals
from llmqa.triage.signals import Signal, normalised_entropy
from triage_support import batch, clustered, guidelines, item, make_retriever


def _data(items) -> TriageData:
    return TriageData.from_items(items)


def _note(signal: Signal) -> str:
    """The signal's run-wide note, which the case expects to be set."""
    assert signal.note is not None
    return signal.note


def _inputs(signal: Signal, index: int) -> dict[str, Any]:
    """What the signal read for one item, which the case expects to be recorded."""
    inputs = signal.inputs[index]
    assert inputs is not None
    return inputs


def _phrase(signal: Signal, index: int) -> str:
    """The signal's phrase for one item, which the case expects to be written."""
    phrase = signal.phrases[index]
    assert phrase is not None
    return phrase


# --- disagreement ---------------------------------------------------------------------------

def test_entropy_and_minority_share() -> None:
    data = _data([item("a", "x", ["spam", "spam", "spam"]),
                  item("b", "y", ["spam", "spam", "hate"]),
                  item("c", "z", ["spam", "hate", "allowed"]), item("d", "w", ["hate"])])
    entropy, minority = disagreement_signals(data)
    assert entropy.values[0] == 0.0 and minority.values[0] == 0.0
    assert minority.values[1] == pytest.approx(1 / 3)
    assert entropy.values[2] == pytest.approx(1.0)  # 1-1-1 is the most spread 3 votes allow
    assert 0 < entropy.values[1] < 1
    assert np.isnan(entropy.values[3]) and np.isnan(minority.values[3])  # one vote: no spread
    assert entropy.inputs[1] == {"votes": {"spam": 2, "hate": 1}, "n_ratings": 3}
    assert entropy.phrases[1] == "annotators split 2-1 (spam, hate)"


def test_disagreement_with_one_annotator_or_one_label() -> None:
    single = disagreement_signals(_data([item("a", "x", ["spam"]), item("b", "y", ["hate"])]))
    assert all(np.isnan(s.values).all() for s in single)
    assert "no item has two ratings" in _note(single[0])
    same = disagreement_signals(_data([item(str(i), "x", ["spam"] * 3) for i in range(4)]))
    assert (same[0].values == 0).all() and (same[1].values == 0).all()


def test_normalised_entropy_caps_support() -> None:
    p = np.array([[0.5, 0.5, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    assert normalised_entropy(p, support=np.array([2, 4])) == pytest.approx([1.0, 1.0])
    assert normalised_entropy(p)[0] == pytest.approx(0.5)


# --- consensus posterior --------------------------------------------------------------------

def test_posterior_uncertainty_tracks_the_split() -> None:
    data = _data(batch())
    uncertainty, dissent = posterior_signals(data)
    ids = data.item_ids
    assert uncertainty.values[ids.index("split")] > uncertainty.values[ids.index("spam-0-0")]
    assert _inputs(uncertainty, 0)["method"] == "dawid-skene"
    assert np.nanmax(dissent.values) <= 1.0


def test_posterior_fallbacks() -> None:
    single = posterior_signals(_data([item(str(i), "x", [label]) for i, label in
                                      enumerate(["spam", "hate", "spam"])]))
    assert all(np.isnan(s.values).all() for s in single)
    assert "no item has two ratings" in _note(single[0])
    one_label = posterior_signals(_data([item(str(i), "x", ["spam", "spam"]) for i in range(3)]))
    assert all(np.isnan(s.values).all() for s in one_label)
    assert "fewer than two labels" in _note(one_label[0])


def test_posterior_reuses_a_model_consensus() -> None:
    data = TriageData.from_items(batch(), consensus="mace")
    uncertainty, _ = posterior_signals(data)
    assert _inputs(uncertainty, 0)["method"] == "mace"


# --- hedged notes ---------------------------------------------------------------------------

def test_note_hedging_and_clause_mentions() -> None:
    data = _data([item("a", "x", ["spam", "hate"], notes={0: "unsure, see HATE-1.1"}),
                  item("b", "y", ["spam", "spam"], notes={1: "keyword list, clear"}),
                  item("c", "z", ["hate", "hate"])])
    signal, mentioned = note_signal(data)
    assert signal.values.tolist() == [0.5, 0.0, 0.0]
    assert signal.inputs[0] == {"hedged_notes": ["unsure, see HATE-1.1"]}
    assert mentioned[0] == ["HATE-1.1"] and mentioned[1] == []


def test_note_hedging_without_notes_is_missing() -> None:
    signal, _ = note_signal(_data([item("a", "x", ["spam", "hate"])]))
    assert np.isnan(signal.values).all() and signal.note == "no annotation carries a note"


# --- classifier -----------------------------------------------------------------------------

def _targets(given: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[given]


def test_out_of_fold_probabilities_find_a_flipped_label() -> None:
    truth = np.repeat([0, 1, 2], 10)
    vectors = clustered(truth.tolist(), 3)
    given = truth.copy()
    given[4] = 2  # an item of label 0 labelled 2
    prediction, why = out_of_fold_probabilities(vectors, np.ones(30, bool), _targets(given, 3),
                                                given)
    assert prediction is not None
    assert why is None and prediction.probabilities.shape == (30, 3)
    assert prediction.probabilities[4].argmax() == 0
    assert np.allclose(prediction.probabilities.sum(axis=1), 1.0)


def test_folds_fit_with_one_blas_thread_and_restore_the_setting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small fits lose to BLAS threads' wake-ups (llmqa.blas); the caller's own thread
    setting comes back afterwards."""
    from threadpoolctl import threadpool_info, threadpool_limits

    import llmqa.triage.classifier as classifier

    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    seen: list[set[int]] = []
    fit = classifier._linear

    def watched(*args: Any, **kwargs: Any) -> np.ndarray:
        seen.append(blas_threads())
        return fit(*args, **kwargs)

    monkeypatch.setattr(classifier, "_linear", watched)
    truth = np.repeat([0, 1], 15)
    with threadpool_limits(limits=2, user_api="blas"):
        prediction, _ = out_of_fold_probabilities(clustered(truth.tolist(), 2),
                                                  np.ones(30, bool), _targets(truth, 2), truth)
        after = blas_threads()
    assert prediction is not None and seen
    assert all(threads == {1} for threads in seen)
    assert after == {2}


def test_lexical_view_finds_a_flip_the_embeddings_cannot_see() -> None:
    # The vectors carry no information (one shared direction plus noise); the words do.
    rng = np.random.default_rng(3)
    truth = np.repeat([0, 1], 15)
    vectors = np.ones((30, 8)) + rng.normal(0, 0.01, (30, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    words = {0: "buy cheap followers promo code click now", 1: "lovely acoustic folk song live"}
    texts = [f"{words[int(t)]} number {n}" for n, t in enumerate(truth)]
    given = truth.copy()
    given[3] = 1  # a spam-worded item labelled as music
    targets = _targets(given, 2)
    blind, _ = out_of_fold_probabilities(vectors, np.ones(30, bool), targets, given,
                                         neighbours=0)
    seeing, _ = out_of_fold_probabilities(vectors, np.ones(30, bool), targets, given,
                                          neighbours=0, texts=texts)
    assert blind is not None and seeing is not None
    # Blind, the flipped item looks like the rest of its fold (about the label prior);
    # seeing the words, its given label becomes the unlikely one.
    assert blind.probabilities[3, 1] > 0.4
    assert seeing.probabilities[3, 1] < 0.35
    others = np.delete(np.arange(30), 3)
    assert (seeing.probabilities[others, given[others]] > 0.5).all()


def test_lexical_view_finds_a_flip_among_three_labels() -> None:
    rng = np.random.default_rng(5)
    truth = np.repeat([0, 1, 2], 12)
    vectors = np.ones((36, 8)) + rng.normal(0, 0.01, (36, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    words = {0: "buy cheap followers promo code", 1: "lovely acoustic folk song",
             2: "breaking news council vote"}
    texts = [f"{words[int(t)]} item {n}" for n, t in enumerate(truth)]
    given = truth.copy()
    given[20] = 2  # a song labelled as news
    prediction, _ = out_of_fold_probabilities(vectors, np.ones(36, bool), _targets(given, 3),
                                              given, neighbours=0, texts=texts)
    assert prediction is not None
    p = prediction.probabilities
    assert np.allclose(p.sum(axis=1), 1.0)
    assert p[20].argmax() == 1 and p[20, 2] < 0.35


def test_nb_scale_amplifies_telling_terms_and_fades_even_ones() -> None:
    from scipy.sparse import csr_matrix

    from llmqa.triage.classifier import nb_scale

    # columns: a term in every row, a term only in label 1's rows, a term in half of each
    x = csr_matrix(np.array([[1, 0, 1], [1, 0, 0], [1, 1, 1], [1, 1, 0]], dtype=float))
    y = np.array([0, 0, 1, 1])
    scale = nb_scale(x, y, np.ones(4))
    # label 1's smoothed presence share of the telling term is 3/8, the others' 1/6
    assert scale[1] == pytest.approx(np.log((3 / 8) / (1 / 6)))
    assert scale[1] > 2 * max(scale[0], scale[2])
    # rows count by their weight: a zero-weight row changes nothing
    extra = csr_matrix(np.vstack([x.toarray(), [[0, 1, 0]]]))
    assert np.allclose(nb_scale(extra, np.append(y, 0), np.append(np.ones(4), 0.0)), scale)


def test_cross_fitting_is_repeated_over_fold_splits_and_averaged() -> None:
    truth = np.repeat([0, 1, 2], 10)
    vectors = clustered(truth.tolist(), 3)
    given = truth.copy()
    given[4] = 2
    args = (vectors, np.ones(30, bool), _targets(given, 3), given)
    twice, _ = out_of_fold_probabilities(*args)
    assert twice is not None
    assert twice.repeats == 2
    first, _ = out_of_fold_probabilities(*args, repeats=1, seed=0)
    second, _ = out_of_fold_probabilities(*args, repeats=1, seed=1)
    assert first is not None and second is not None
    assert first.repeats == 1
    assert not np.allclose(first.probabilities, second.probabilities)
    assert np.allclose(twice.probabilities, (first.probabilities + second.probabilities) / 2,
                       atol=1e-3)


def test_lexical_view_trains_on_guideline_texts_and_checks_lengths() -> None:
    import pytest

    truth = np.repeat([0, 1], 6)
    vectors = clustered(truth.tolist(), 2)
    texts = ["plain words here"] * 12
    extra_x = clustered([0, 1], 2)
    extra_t = np.eye(2)
    prediction, why = out_of_fold_probabilities(
        vectors, np.ones(12, bool), _targets(truth, 2), truth, extra_vectors=extra_x,
        extra_targets=extra_t, texts=texts, extra_texts=["plain example", "other example"])
    assert prediction is not None
    assert why is None and prediction.extra_rows == 2
    with pytest.raises(ValueError, match="one entry per"):
        out_of_fold_probabilities(vectors, np.ones(12, bool), _targets(truth, 2), truth,
                                  extra_vectors=extra_x, extra_targets=extra_t, texts=texts)


def test_lexical_view_without_shared_terms_is_skipped() -> None:
    truth = np.repeat([0, 1], 6)
    vectors = clustered(truth.tolist(), 2)
    texts = [""] * 12  # nothing to vectorise: the embedding view alone decides
    with_texts, _ = out_of_fold_probabilities(vectors, np.ones(12, bool), _targets(truth, 2),
                                              truth, texts=texts)
    without, _ = out_of_fold_probabilities(vectors, np.ones(12, bool), _targets(truth, 2),
                                           truth)
    assert with_texts is not None and without is not None
    assert np.allclose(with_texts.probabilities, without.probabilities)


def test_classifier_degenerate_inputs() -> None:
    vectors = clustered([0] * 12, 1)
    given = np.zeros(12, dtype=int)
    none, why = out_of_fold_probabilities(vectors, np.ones(12, bool), _targets(given, 1), given)
    assert none is None and why is not None and "same label" in why
    few, why = out_of_fold_probabilities(vectors[:4], np.ones(4, bool),
                                         _targets(given[:4], 1), given[:4])
    assert few is None and why is not None and "at least 10" in why


def test_classifier_label_with_one_item_and_missing_vectors() -> None:
    labels = [0] * 8 + [1] * 8 + [2]  # label 2 has one item: no stratified folds
    vectors = clustered(labels, 3)
    given = np.array(labels)
    has = np.ones(len(labels), bool)
    has[0] = False  # an item without an embedding
    prediction, why = out_of_fold_probabilities(vectors, has, _targets(given, 3), given)
    assert why is None and prediction is not None
    assert np.isnan(prediction.probabilities[0]).all()
    assert not np.isnan(prediction.probabilities[1:]).any()


def test_unlabelled_items_get_predictions_but_are_not_trained_on() -> None:
    labels = [0] * 8 + [1] * 8
    vectors = clustered([*labels, 1], 2)
    given = np.array([*labels, -1])
    targets = np.vstack([_targets(given[:-1], 2), np.zeros((1, 2))])
    prediction, _ = out_of_fold_probabilities(vectors, np.ones(17, bool), targets, given)
    assert prediction is not None
    assert prediction.probabilities[-1].argmax() == 1


def test_neighbour_vote_is_similarity_weighted() -> None:
    pool = np.eye(3)
    targets = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    vote = neighbour_vote(np.array([[1.0, 0.0, 0.0]]), pool, targets, k=3)
    assert vote[0] == pytest.approx([1.0, 0.0])  # the orthogonal neighbours weigh nothing


# --- cleanlab -------------------------------------------------------------------------------

def test_cleanlab_single_and_multi_annotator() -> None:
    data = _data(batch())
    vectors, _ = FakeEmbedder().embed(data.texts), None
    labels = data.labels
    probabilities = np.full((data.n_items, len(labels)), 0.05)
    probabilities[np.arange(data.n_items), data.given] = 0.9
    flip = data.item_ids.index("flip")
    probabilities[flip] = 0.05
    probabilities[flip, labels.index("hate")] = 0.9
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    issue, multi, uncertainty = cleanlab_signals(data, probabilities)
    assert np.nanargmax(issue.values) == flip
    assert np.nanargmax(multi.values) == flip
    assert _inputs(issue, flip)["predicted"] == "hate" and _inputs(issue, flip)["p_given"] < 0.1
    assert "classifier says hate" in _phrase(issue, flip)
    assert vectors.shape[0] == data.n_items and not np.isnan(uncertainty.values).any()


def test_cleanlab_multi_needs_two_annotators() -> None:
    data = _data(batch(annotators=1))
    probabilities = np.full((data.n_items, len(data.labels)), 1 / len(data.labels))
    issue, multi, _ = cleanlab_signals(data, probabilities)
    assert not np.isnan(issue.values).any()
    assert np.isnan(multi.values).all() and "fewer than two annotators" in _note(multi)


# --- retrieval ------------------------------------------------------------------------------

def test_label_implier_reads_out_of_scope_reasons(tmp_path: Path) -> None:
    g = guidelines(tmp_path)
    labels = ["allowed", "hate", "spam"]
    implier = LabelImplier(g, labels)
    assert implier.implied("HATE-1.1", "in", "x").tolist() == [0, 1, 0]
    assert implier.implied("HATE-1.1", "sentence", "x").tolist() == [0, 1, 0]
    # Example texts are matched as the index stores them (quotes included).
    history = '"historians explain how propaganda called group vermin"'
    assert implier.implied("HATE-1.1", "out", history).tolist() == [1, 0, 0]  # (why: GEN-1.1)
    snake = '"my ex is a snake"'
    assert implier.implied("HATE-1.1", "out", snake).tolist() == [1, 0, 0]  # no reason: allowed
    endorsement = '"documentary praising the attack"'
    assert implier.implied("GEN-1.1", "out", endorsement).tolist() == [0, 1, 0]  # HATE-1.1
    # Not "allowed" and no reason given: the other labels, by how often they are used.
    assert implier.implied("GEN-1.1", "out", "unknown text").tolist() == [0, 0.5, 0.5]
    assert implier.implied("NOPE-1", "in", "x").sum() == 0


def test_label_implier_without_a_no_violation_label(tmp_path: Path) -> None:
    # A binary label set without "allowed": "not hate" spreads over the other labels by use.
    implier = LabelImplier(guidelines(tmp_path), ["hate", "spam"], prior=np.array([1.0, 3.0]))
    assert implier.implied("HATE-1.1", "out", '"my ex is a snake"').tolist() == [0.0, 1.0]
    assert implier.implied("GEN-1.1", "in", "x").sum() == 0  # "allowed" is not a data label


def test_retrieval_conflict_flags_content_against_its_label(tmp_path: Path) -> None:
    g = guidelines(tmp_path)
    embedder = FakeEmbedder()
    retriever = make_retriever(g, embedder)
    data = _data(batch())
    vectors = embedder.embed(data.texts)
    implier = LabelImplier(g, data.labels)
    documents = guideline_documents(retriever, implier)
    assert len(documents) > 0 and documents.training_rows()[0].shape[1] == vectors.shape[1]
    (conflict, split), nearest = retrieval_signals(data, vectors, np.ones(data.n_items, bool),
                                                   retriever, documents)
    flip = data.item_ids.index("flip")
    assert _inputs(conflict, flip)["implied_label"] == "hate"
    assert conflict.values[flip] > np.nanmedian(conflict.values)
    assert "nearest guideline: HATE-1.1" in _phrase(conflict, flip)
    assert nearest[flip][0].clause_id == "HATE-1.1"
    assert ((split.values >= 0) & (split.values <= 1)).all()


# --- judge ----------------------------------------------------------------------------------

def _verdict(item_id: str, verdict: str, confidence: float | None, suggested: str,
             **extra) -> dict:
    return {"item_id": item_id, "status": "ok", "verdict": verdict, "confidence": confidence,
            "suggested_label": suggested, "cited_clause_ids": ["HATE-1.1"], "samples": 1,
            "notes": [], **extra}


def test_judge_signals() -> None:
    data = _data(batch())
    hashes = dict(zip(data.item_ids, data.content_hashes, strict=True))
    rows = [_verdict("flip", "likely_error", 0.9, "hate", item_hash=hashes["flip"]),
            _verdict("split", "ambiguous", 0.6, "spam", samples=5,
                     notes=["self-consistency: 3/5 samples say ambiguous"]),
            _verdict("spam-0-0", "agree", 0.8, "spam"),
            _verdict("hate-0-0", "agree", 0.9, "hate", item_hash="stale"),
            {"item_id": "spam-0-1", "status": "failed", "verdict": None},
            _verdict("not-in-batch", "agree", 0.9, "spam")]
    (error, ambiguity, spread), cited = judge_signals(data, rows)
    ids = data.item_ids
    assert error.values[ids.index("flip")] == pytest.approx(0.9)
    assert error.values[ids.index("spam-0-0")] == pytest.approx(0.2)
    assert error.values[ids.index("split")] == 0.5
    assert ambiguity.values[ids.index("split")] == pytest.approx(0.8)
    assert spread.values[ids.index("split")] == pytest.approx(0.4)
    assert np.isnan(error.values[ids.index("hate-0-0")])  # judged other content
    assert np.isnan(error.values[ids.index("spam-0-1")])
    assert "1 verdicts judged older content" in _note(error)
    assert cited[ids.index("flip")] == ["HATE-1.1"]
    assert error.phrases[ids.index("flip")] == "judge: hate (0.90) citing HATE-1.1"


def test_judge_agreeing_with_another_label_counts_as_disagreeing() -> None:
    data = _data([item("a", "x", ["spam", "spam", "hate"])])
    (error, _, _), _ = judge_signals(data, [_verdict("a", "agree", 0.7, "hate")])
    assert error.values[0] == pytest.approx(0.7)


def test_judge_without_verdicts_is_missing() -> None:
    (error, _, _), _ = judge_signals(_data(batch()), [])
    assert np.isnan(error.values).all() and "no usable verdict" in _note(error)


# --- the whole set, degenerate batches --------------------------------------------------------

@pytest.mark.parametrize("annotators", [1, 3])
def test_compute_signals_on_degenerate_batches(tmp_path: Path, annotators: int) -> None:
    g = guidelines(tmp_path)
    embedder = FakeEmbedder()
    items = [*batch(annotators=annotators), item("image", None, ["allowed"] * annotators,
                                                  image_only=True),
             item("unrated", "a song about rain", [])]
    data = _data(items)
    signals = compute_signals(data, embedder=embedder, retriever=make_retriever(g, embedder),
                              guidelines=g)
    image = data.item_ids.index("image")
    assert np.isnan(signals["label_issue"].values[image])  # no readable text, no embedding
    assert np.isnan(signals["guideline_conflict"].values[image])
    assert np.isnan(signals["label_issue"].values[data.item_ids.index("unrated")])
    assert not np.isnan(signals["model_uncertainty"].values[data.item_ids.index("unrated")])
    assert any("no readable text" in note for note in signals.notes)
    assert np.isnan(signals["judge_error"].values).all()
    if annotators == 1:
        assert np.isnan(signals["label_entropy"].values).all()
        assert np.isnan(signals["label_issue_multi"].values).all()
    flip = data.item_ids.index("flip")
    assert "HATE-1.1" in signals.clauses[flip]
    assert signals.reliability["classifier"].value is not None


def test_compute_signals_with_all_one_label_and_no_embedder() -> None:
    items = [item(str(i), f"text {i}", ["spam", "spam"]) for i in range(12)]
    signals = compute_signals(_data(items))
    assert np.isnan(signals["label_issue"].values).all()
    assert "no item embeddings" in _note(signals["label_issue"])
    assert np.isnan(signals["guideline_conflict"].values).all()
    assert (signals["label_entropy"].values == 0).all()
    signals = compute_signals(_data(items), embedder=FakeEmbedder())
    assert "same label" in _note(signals["label_issue"])


def test_vectors_given_directly_with_missing_rows() -> None:
    labels = ["spam"] * 8 + ["hate"] * 8
    items = [item(str(i), f"t{i}", [label, label]) for i, label in enumerate(labels)]
    vectors = clustered([0 if label == "spam" else 1 for label in labels], 2)
    vectors[3] = np.nan
    signals = compute_signals(_data(items), vectors=vectors)
    assert np.isnan(signals["label_issue"].values[3])
    assert not np.isnan(np.delete(signals["label_issue"].values, 3)).any()
    with pytest.raises(ValueError, match="16 rows"):
        compute_signals(_data(items), vectors=vectors[:5])


def test_single_label_conflict_says_why_it_is_missing_truthfully() -> None:
    """Items with no rating beside items with two: none is rated once, which is not the same
    as "every item has two or more ratings"."""
    from llmqa.items import Annotation, Content, Item
    from llmqa.triage.data import TriageData
    from llmqa.triage.signals import SignalSet
    from llmqa.triage.single_label import single_label_conflict

    two = [Annotation(annotator="a", label="x"), Annotation(annotator="b", label="y")]
    data = TriageData.from_items([
        Item(id="rated", content=Content(modality="text", text="t"), annotations=two),
        Item(id="unrated", content=Content(modality="text", text="u"), annotations=[])])
    signal = single_label_conflict(data, SignalSet(data.n_items))
    assert signal.note == "no item is rated exactly once"
