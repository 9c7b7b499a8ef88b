"""Out-of-fold predicted probabilities from simple models on the item embeddings and texts.

Every labelled item is predicted by a model that never saw it (k folds, stratified by the
label under review): an in-sample model would memorise the labels it is asked to judge. Two
views make different mistakes, so their probabilities are averaged: the embeddings (logistic
regression, ``C=3`` for small unit-vector coordinates, with a vote of the √n nearest items)
and the exact words a sentence embedding blurs (NB-weighted TF-IDF, ``C=10``). Cross-fitting
is repeated over two fold splits against fold luck; items train on their vote shares, and the
guideline's clauses and examples join every training fold. docs/triage.md gives each reason;
evals/README.md has the figures that chose them.

Fallbacks: items without an embedding get no prediction (``NaN`` row); with fewer than
``min_items`` labelled embedded items, or fewer than two labels among the training rows, no
model is fitted and ``None`` is returned with the reason. A label with fewer items than folds
is kept (scikit-learn warns, we do not): a fold that lacks it gives it probability 0, then
every row is floored at ``1e-4`` and renormalised so cleanlab never sees an exact zero.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from llmqa.blas import one_blas_thread
from llmqa.progress import StageProgress

DEFAULT_C = 3.0
LEXICAL_C = 10.0
# The lexical model ranks; it need not converge to 1e-4: 1e-3 takes a third of the iterations
# on tens of thousands of sparse rows.
LEXICAL_TOL = 1e-3
DEFAULT_FOLDS = 5
# Cross-fitting repeated over this many fold splits, averaged (see the module docstring).
DEFAULT_REPEATS = 2
MIN_ITEMS = 10
_FLOOR = 1e-4


@dataclass
class Prediction:
    probabilities: np.ndarray  # items × labels, NaN rows where there is no prediction
    folds: int
    training_rows: int
    extra_rows: int
    repeats: int = 1


def _expand(targets: np.ndarray, rows: np.ndarray,
            weight: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Soft targets as weighted hard rows: (row index, label, weight) for every non-zero."""
    sub = targets[rows]
    r, k = np.nonzero(sub > 0)
    return rows[r], k, sub[r, k] * weight


def out_of_fold_probabilities(vectors: np.ndarray, has_vector: np.ndarray, targets: np.ndarray,
                              given: np.ndarray, *, extra_vectors: np.ndarray | None = None,
                              extra_targets: np.ndarray | None = None, folds: int = DEFAULT_FOLDS,
                              c: float = DEFAULT_C, seed: int = 0, min_items: int = MIN_ITEMS,
                              neighbours: int | None = None, texts: list[str] | None = None,
                              extra_texts: list[str] | None = None,
                              repeats: int = DEFAULT_REPEATS,
                              on_progress: StageProgress | None = None,
                              ) -> tuple[Prediction | None, str | None]:
    """``targets``: items × labels soft targets (rows sum to 1 for labelled items); ``given``:
    the label code under review (stratification; ``-1`` = unlabelled, never trained on).
    ``texts`` (one per item) and ``extra_texts`` (one per extra row) add the lexical view."""
    from sklearn.model_selection import KFold, StratifiedKFold

    n, k = targets.shape
    labelled = np.flatnonzero(has_vector & (given >= 0))
    if len(labelled) < min_items:
        return None, (f"{len(labelled)} labelled items with an embedding; at least {min_items} "
                      "are needed for out-of-fold predictions")
    extra_x = extra_vectors if extra_vectors is not None else np.zeros((0, vectors.shape[1]))
    extra_t = extra_targets if extra_targets is not None else np.zeros((0, k))
    classes_available = set(np.unique(given[labelled])) | set(np.flatnonzero(extra_t.sum(0) > 0))
    if len(classes_available) < 2:
        return None, "every item carries the same label: there is nothing to tell apart"
    n_folds = int(min(folds, len(labelled)))
    counts = np.bincount(given[labelled], minlength=k)
    stratify = counts[counts > 0].min() >= 2 and counts.max() >= n_folds
    if neighbours is None:
        neighbours = int(np.clip(round(np.sqrt(len(labelled) * (n_folds - 1) / n_folds)), 5, 50))
    words = extra_words = None
    if texts is not None:
        if len(texts) != n or len(extra_texts or []) != len(extra_t):
            raise ValueError("texts and extra_texts must have one entry per item / extra row")
        words, extra_words = lexical_features(texts, extra_texts or [])
        if words.shape[1] == 0:
            words = None  # no term occurs twice: the view has nothing to learn from
    training = _Training(vectors, targets, labelled, np.flatnonzero(has_vector & (given < 0)),
                         extra_x, extra_t, words, extra_words, c, neighbours)
    mixed = []
    for repeat in range(max(1, repeats)):
        if stratify:
            splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed + repeat)
            splits = list(_quiet_split(splitter, labelled, given[labelled]))
        else:  # a label with one item cannot be stratified; shuffle plainly
            splits = list(KFold(n_folds, shuffle=True, random_state=seed + repeat)
                          .split(labelled))
        with one_blas_thread():  # many small fits: see llmqa.blas
            views = training.cross_fit(splits, repeat * len(splits),
                                       max(1, repeats) * len(splits), on_progress)
        mixed.append(combine_views(views, default_mix(list(views))))
    probabilities = np.mean(mixed, axis=0)
    done = ~np.isnan(probabilities[:, 0])
    floored = np.maximum(probabilities[done], _FLOOR)
    probabilities[done] = floored / floored.sum(axis=1, keepdims=True)
    return Prediction(probabilities, len(splits), len(labelled), len(extra_t),
                      len(mixed)), None


@dataclass
class _Training:
    """What every fold trains on: the items, the guideline rows added to every fold, and the
    lexical features (``None``: no lexical view)."""

    vectors: np.ndarray
    targets: np.ndarray
    labelled: np.ndarray
    unlabelled: np.ndarray
    extra_x: np.ndarray
    extra_t: np.ndarray
    words: Any
    extra_words: Any
    c: float
    neighbours: int

    def cross_fit(self, splits: list[tuple[np.ndarray, np.ndarray]], done: int = 0, total: int = 0,
                  on_progress: StageProgress | None = None) -> dict[str, np.ndarray]:
        """Each view's out-of-fold probabilities over one set of splits; the unlabelled items
        get the average of every fold's prediction. ``done``/``total`` count folds across
        repeats for ``on_progress``."""
        n, k = self.targets.shape
        extra_rows, extra_labels, extra_weights = _expand(self.extra_t,
                                                          np.arange(len(self.extra_t)))
        views: dict[str, np.ndarray] = {}
        unlabelled_sum: dict[str, np.ndarray] = {}
        unlabelled_folds: dict[str, int] = {}
        for train, test in splits:
            rows, labels, weights = _expand(self.targets, self.labelled[train])
            x = np.vstack([self.vectors[rows], self.extra_x[extra_rows]])
            y = np.concatenate([labels, extra_labels])
            w = np.concatenate([weights, extra_weights])
            test_rows = self.labelled[test]
            query_rows = np.concatenate([test_rows, self.unlabelled])
            fold = {"linear": _linear(x, y, w, self.vectors[query_rows], k, self.c)}
            if self.neighbours > 0 and len(np.unique(y)) > 1:
                pool_x = np.vstack([self.vectors[self.labelled[train]], self.extra_x])
                pool_t = np.vstack([self.targets[self.labelled[train]], self.extra_t])
                fold["neighbours"] = neighbour_vote(self.vectors[query_rows], pool_x, pool_t,
                                                    self.neighbours)
            if self.words is not None:
                fold["lexical"] = _nb_linear(
                    _vstack_sparse(self.words[rows], self.extra_words[extra_rows]), y, w,
                    self.words[query_rows], k, LEXICAL_C, LEXICAL_TOL)
            for name, values in fold.items():
                views.setdefault(name, np.full((n, k), np.nan))[test_rows] = \
                    values[:len(test_rows)]
                unlabelled_sum[name] = unlabelled_sum.get(name, 0.0) + values[len(test_rows):]
                unlabelled_folds[name] = unlabelled_folds.get(name, 0) + 1
            done += 1
            if on_progress:
                on_progress("classifier folds", done, total)
        for name, summed in unlabelled_sum.items():
            views[name][self.unlabelled] = summed / unlabelled_folds[name]
        return views


def default_mix(names: list[str]) -> dict[str, float]:
    """The embedding view (the linear model and the neighbour vote, half each) and the
    lexical view, half each; a view that is absent leaves its share to the others."""
    embedding = [name for name in names if name in ("linear", "neighbours")]
    mix = {name: 1.0 / len(embedding) for name in embedding}
    if "lexical" in names:
        mix = {name: share / 2 for name, share in mix.items()} | {"lexical": 0.5 if mix else 1.0}
    return mix


def combine_views(views: dict[str, np.ndarray], mix: dict[str, float]) -> np.ndarray:
    """Weighted mean of the views' probabilities, per row over the views that predicted it
    (the neighbour vote is missing in a fold that saw one label only)."""
    some = next(iter(views.values()))
    total = np.zeros(some.shape)
    weight = np.zeros((some.shape[0], 1))
    for name, values in views.items():
        ok = ~np.isnan(values[:, :1])
        total += np.where(ok, np.nan_to_num(values), 0.0) * mix[name]
        weight += ok * mix[name]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, total / weight, np.nan)


def _linear(x, y: np.ndarray, w: np.ndarray, queries, k: int, c: float,
            tol: float = 1e-4) -> np.ndarray:
    """A weighted logistic regression's probabilities for ``queries`` (dense or sparse)."""
    from sklearn.linear_model import LogisticRegression

    n_queries = queries.shape[0]
    if len(np.unique(y)) < 2:
        # This fold saw one label only; it can only predict that label.
        return np.tile(np.eye(k)[y[0]], (n_queries, 1))
    model = LogisticRegression(C=c, max_iter=2000, tol=tol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on tiny folds
        model.fit(x, y, sample_weight=w)
    out = np.zeros((n_queries, k))
    if n_queries:
        out[:, model.classes_] = model.predict_proba(queries)
    return out


def nb_scale(x, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Each term's NB weight (after Wang & Manning's NBSVM): its largest log-count ratio over
    the labels, how much more (or less) often it occurs in one label's rows than in the
    others' (presence counts, add-one smoothed, weighted like the rows). A term spread evenly
    over the labels gets about 0, a telling one a large weight. With two labels the two ratios
    are each other's negatives, so scaling by the absolute value is NBSVM exactly (a linear
    model absorbs the sign)."""
    present = x.sign()
    scale = np.zeros(x.shape[1])
    for label in np.unique(y):
        mine = w * (y == label)
        p = 1.0 + present.T @ mine
        q = 1.0 + present.T @ (w - mine)
        scale = np.maximum(scale, np.abs(np.log((p / p.sum()) / (q / q.sum()))))
    return scale


def _nb_linear(x, y: np.ndarray, w: np.ndarray, queries, k: int, c: float,
               tol: float = 1e-4) -> np.ndarray:
    """One multinomial logistic regression on NB-weighted features (``nb_scale``). A model per
    label, one against the rest as in NBSVM, ranked no better on the development runs and
    fitted 12 models instead of one on the sample batch's label set (bench_triage: 159 s
    against 115 s for 20,000 items)."""
    if len(np.unique(y)) < 2:
        return _linear(x, y, w, queries, k, c, tol)
    scale = nb_scale(x, y, w)
    return _linear(x.multiply(scale).tocsr(), y, w, queries.multiply(scale).tocsr(), k, c, tol)


def lexical_features(texts: list[str], extra_texts: list[str]):
    """TF-IDF word 1-2-grams and character 2-5-grams (within word boundaries), sublinear term
    frequency, terms seen in at least two texts; rows for ``texts`` then ``extra_texts``."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    corpus = [t or "" for t in texts] + [t or "" for t in extra_texts]
    blocks = []
    for options in ({"ngram_range": (1, 2)}, {"analyzer": "char_wb", "ngram_range": (2, 5)}):
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, dtype=np.float32, **options)
        try:
            blocks.append(vectorizer.fit_transform(corpus))
        except ValueError:  # no term in two texts (tiny or empty batch): nothing to learn from
            blocks.append(csr_matrix((len(corpus), 0), dtype=np.float32))
    matrix = hstack(blocks, format="csr")
    return matrix[:len(texts)], matrix[len(texts):]


def _vstack_sparse(a, b):
    from scipy.sparse import vstack

    return vstack([a, b], format="csr") if b.shape[0] else a


def neighbour_vote(queries: np.ndarray, pool: np.ndarray, targets: np.ndarray, k: int,
                   block: int = 1024) -> np.ndarray:
    """Similarity-weighted mean of the ``k`` nearest pool rows' soft targets (cosine on unit
    vectors; negative similarities count 0). Computed a block of queries at a time so the
    similarity matrix never exceeds ``block`` × pool rows."""
    k = min(k, len(pool))
    out = np.zeros((len(queries), targets.shape[1]))
    for start in range(0, len(queries), block):
        sims = queries[start:start + block] @ pool.T
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        weight = np.maximum(np.take_along_axis(sims, nearest, axis=1), 0.0)
        vote = np.einsum("qk,qkl->ql", weight, targets[nearest])
        total = weight.sum(axis=1, keepdims=True)
        out[start:start + block] = np.where(total > 0, vote / np.maximum(total, 1e-12),
                                            1.0 / targets.shape[1])
    return out


def _quiet_split(splitter, rows: np.ndarray, labels: np.ndarray):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "least populated class has only N members"
        yield from splitter.split(rows, labels)
