"""Triage eval: does the likely-error ranking find wrong labels, and the ambiguity score real
disagreement, better than the plain baseline?

Input: any multi-annotator dataset in the items format (optionally an answer key with
``kind: seeded_error`` for its known errors). The eval reports, per setting:

* **likely error**: precision and recall of the top k of the likely-error ranking, with k =
  the number of wrong labels (so precision = recall when k is exactly that number);
* **ambiguity**: AUROC of the ambiguity score against real annotator disagreement, computed
  from all the annotations: an item is *contested* when at least a third of its annotators
  dissent from the top label (any split of 3 votes, a 3-2 split of 5);
* each for the triage offline (no LLM), the triage with the LLM judge's stored verdicts
  (``--store HOME`` with a reviewed store; otherwise ``n/a``), and the **baseline** a data
  scientist writes first: item embeddings → out-of-fold ``LogisticRegression()`` (5 folds,
  scikit-learn defaults) → ``cleanlab.rank.get_label_quality_scores`` on the majority label;
  1 − quality is its only score, used for both rankings. Same embeddings, same folds.

Settings:

* ``answer key``: the data as given; wrong labels = the key's ``seeded_error`` items.
* ``flips``: labels of ``--flip-rate`` of the items are flipped to another label drawn at
  random (seeded), on items the key calls clean (all labelled items without a key); wrong
  labels = the flips plus the key's errors. How a flip edits an item's annotations
  (``--flip-mode``):
  ``swap``: every annotation of the old consensus label becomes the new label and vice versa
  (all annotators wrong together; disagreement is unchanged, so only content evidence can
  find it); ``majority``: the fewest annotations change so the new label wins (a wrong
  majority with the right label in the minority); ``mixed`` (default): each flip is one or
  the other with even odds, as the sample batch's seeded errors are (16 all wrong, 16 two of
  three wrong).
* ``one annotator``: every item keeps one of its annotations (drawn at random, seeded) and
  the flips are applied on top: the single-label setting. The ambiguity target is still the
  disagreement among all the original annotators, which the triage no longer sees.

Results are averaged over ``--seeds`` (mean ± sd). Nothing is tuned here: the triage runs
with its default weights; ``--calibrate`` adds a row with weights fitted by 5-fold
cross-validation on the answer key (held-out scores only).

    python evals/triage_eval.py examples/sample_batch/items.jsonl \\
        --answer-key examples/sample_batch/answer_key.jsonl --guidelines guidelines
    python evals/triage_eval.py ../shared/data/md_agreement_train.jsonl --sample 3000 \\
        --guidelines evals/data/offensive_guidelines

Embeddings are cached per text under ``--cache`` (default: the system temp folder), so a
second run costs seconds. The index lives in a temporary home; ``.llmqa/`` is never touched.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from llmqa.index.embedders import Embedder, make_embedder
from llmqa.io.readers import read_items
from llmqa.items import Item
from llmqa.triage import (
    DEFAULT_WEIGHTS,
    TriageConfig,
    TriageData,
    add_judge_signals,
    auroc,
    calibrate,
    compute_signals,
    precision_at_k,
    score,
)
from llmqa.triage.calibrate import Key

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTESTED = 1 / 3 - 1e-9  # minority share at or above which an item counts as contested


# --- embeddings, cached per text ------------------------------------------------------------

class CachedEmbedder:
    """Remembers vectors on disk by (embedder, text) so repeated evals do not re-embed."""

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self.inner = inner
        self.path = folder / f"{hashlib.sha256(inner.name.encode()).hexdigest()[:12]}.npz"
        self._cache: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as stored:
                self._cache = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    @property
    def name(self) -> str:
        return self.inner.name

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True)
                                     if k not in self._cache))
        if missing:
            print(f"  embedding {len(missing)} texts ...", file=sys.stderr)
            vectors = self.inner.embed(missing)
            self._cache.update(zip((self._key(t) for t in missing), vectors, strict=True))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self.path, keys=np.array(list(self._cache)),
                     vectors=np.stack(list(self._cache.values())))
        if not texts:
            return self.inner.embed([])
        return np.stack([self._cache[k] for k in keys]).astype(np.float32)


# --- label edits ----------------------------------------------------------------------------

def _consensus_codes(items: list[Item]) -> tuple[np.ndarray, list[str]]:
    data = TriageData.from_items(items)
    return data.given, data.labels


def _relabel(item: Item, mapping: dict[str, str], keep: set[int] | None = None) -> Item:
    # A changed vote loses its clause citation: the clause cited for the old label would
    # otherwise betray the flip (a "spam" vote citing a hate clause).
    annotations = [a.model_copy(update={"label": mapping[a.label], "clause_id": None})
                   if a.label in mapping and (keep is None or n in keep) else a
                   for n, a in enumerate(item.annotations)]
    return item.model_copy(update={"annotations": annotations})


def flip(items: list[Item], candidates: np.ndarray, rate: float, mode: str,
         rng: np.random.Generator) -> tuple[list[Item], np.ndarray]:
    """Items with ``rate`` × len(items) flipped labels, and the flipped mask."""
    given, labels = _consensus_codes(items)
    n_flips = min(round(rate * len(items)), len(candidates))
    chosen = rng.choice(candidates, n_flips, replace=False) if n_flips else np.array([], int)
    flipped = np.zeros(len(items), dtype=bool)
    out = list(items)
    for i in chosen:
        old = labels[given[i]]
        new = labels[rng.choice([k for k in range(len(labels)) if k != given[i]])]
        how = mode if mode != "mixed" else ("swap" if rng.random() < 0.5 else "majority")
        if how == "swap":
            out[i] = _relabel(items[i], {old: new, new: old})
        else:
            votes = [a.label for a in items[i].annotations]
            holders = [n for n, label in enumerate(votes) if label == old]
            rng.shuffle(holders)
            changed: set[int] = set()
            for n in holders:  # one old-label vote at a time, until `new` leads alone
                if _leads(votes, new):
                    break
                votes[n] = new
                changed.add(n)
            out[i] = _relabel(items[i], {old: new}, keep=changed)
        flipped[i] = True
    return out, flipped


def _leads(votes: list[str], label: str) -> bool:
    counts = Counter(votes)
    top = max(counts.values())
    return counts[label] == top and list(counts.values()).count(top) == 1


def one_annotator(items: list[Item], rng: np.random.Generator) -> list[Item]:
    out = []
    for item in items:
        if len(item.annotations) > 1:
            keep = item.annotations[int(rng.integers(len(item.annotations)))]
            item = item.model_copy(update={"annotations": [keep]})
        out.append(item)
    return out


def contested(items: list[Item]) -> np.ndarray:
    """Real disagreement among all the original annotators (the ambiguity target)."""
    flags = []
    for item in items:
        votes = item.labels()
        if len(votes) < 2:
            flags.append(False)
            continue
        top = max(votes.count(v) for v in set(votes))
        flags.append(1 - top / len(votes) >= CONTESTED)
    return np.array(flags, dtype=bool)


# --- the baseline ---------------------------------------------------------------------------

def baseline_scores(vectors: np.ndarray, given: np.ndarray, n_labels: int,
                    seed: int = 0) -> np.ndarray:
    """Embeddings → out-of-fold LogisticRegression() → cleanlab label quality; 1 − quality."""
    import warnings

    from cleanlab.rank import get_label_quality_scores
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    rows = np.flatnonzero((given >= 0) & (np.abs(vectors).sum(axis=1) > 0))
    probabilities: np.ndarray = np.zeros((len(rows), n_labels))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        splits = StratifiedKFold(5, shuffle=True, random_state=seed).split(rows, given[rows])
        for train, test in splits:
            model = LogisticRegression(max_iter=1000)
            model.fit(vectors[rows[train]], given[rows[train]])
            probabilities[np.ix_(test, model.classes_)] = model.predict_proba(vectors[rows[test]])
        probabilities = np.maximum(probabilities, 1e-6)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        quality = get_label_quality_scores(given[rows], probabilities)
    out = np.full(len(given), np.nan)
    out[rows] = 1.0 - quality
    return out


# --- one run --------------------------------------------------------------------------------

@dataclass
class Context:
    embedder: Embedder
    retriever: Any
    guidelines: Any
    verdicts: list[dict[str, Any]] | None
    config: TriageConfig


@dataclass
class RunScores:
    error: np.ndarray
    ambiguity: np.ndarray
    error_llm: np.ndarray | None
    ambiguity_llm: np.ndarray | None
    baseline: np.ndarray
    signals: Any = None
    item_ids: list[str] = field(default_factory=list)


def run_triage(items: list[Item], ctx: Context) -> RunScores:
    data = TriageData.from_items(items, seed=ctx.config.seed)
    vectors = ctx.embedder.embed(data.texts)
    empty = np.array([not t.strip() for t in data.texts])
    vectors[empty] = np.nan
    signals = compute_signals(data, vectors=vectors, retriever=ctx.retriever,
                              guidelines=ctx.guidelines, verdicts=None, config=ctx.config)
    offline = score(data, signals, DEFAULT_WEIGHTS).scores
    error_llm = ambiguity_llm = None
    if ctx.verdicts is not None:
        add_judge_signals(data, signals, ctx.verdicts)
        online = score(data, signals, DEFAULT_WEIGHTS).scores
        error_llm, ambiguity_llm = online.error, online.ambiguity
    base = baseline_scores(np.nan_to_num(vectors), data.given, len(data.labels),
                           ctx.config.seed)
    return RunScores(offline.error, offline.ambiguity, error_llm, ambiguity_llm, base, signals,
                     data.item_ids)


# --- reporting ------------------------------------------------------------------------------

@dataclass
class Metric:
    values: list[float | None] = field(default_factory=list)

    def add(self, value: float | None) -> None:
        self.values.append(value)

    def summary(self) -> dict[str, float | None]:
        ok = [v for v in self.values if v is not None]
        if not ok:
            return {"mean": None, "sd": None}
        return {"mean": round(float(np.mean(ok)), 4),
                "sd": round(float(np.std(ok)), 4) if len(ok) > 1 else None}


def _error_metrics(run: RunScores, truth: np.ndarray, out: dict[str, Metric]) -> None:
    k = int(truth.sum())
    for name, values in (("triage", run.error), ("triage+llm", run.error_llm),
                         ("baseline", run.baseline)):
        if values is None:
            continue
        p = precision_at_k(values, truth, k)
        out.setdefault(f"{name} P@k", Metric()).add(p)
        # recall at k = found / total wrong labels; equal to precision when k = total
        out.setdefault(f"{name} R@k", Metric()).add(p * k / truth.sum() if p is not None
                                                    else None)
        out.setdefault(f"{name} AUROC", Metric()).add(auroc(values, truth))


def _ambiguity_metrics(run: RunScores, target: np.ndarray, out: dict[str, Metric],
                       prefix: str = "") -> None:
    for name, values in (("triage", run.ambiguity), ("triage+llm", run.ambiguity_llm),
                         ("baseline", run.baseline)):
        if values is not None:
            out.setdefault(f"{prefix}{name} ambiguity AUROC", Metric()).add(auroc(values, target))


def evaluate(items: list[Item], key: dict[str, dict[str, Any]] | None, ctx: Context,
             seeds: list[int], rate: float, modes: list[str],
             do_calibrate: bool) -> dict[str, Any]:
    ids = [item.id for item in items]
    key_error = (np.array([key.get(i, {}).get("kind") == "seeded_error" for i in ids])
                 if key else np.zeros(len(items), dtype=bool))
    key_clean = (np.array([key.get(i, {}).get("kind") == "clean" for i in ids]) if key
                 else np.array([bool(item.annotations) for item in items]))
    target = contested(items)
    settings: dict[str, dict[str, Any]] = {}

    started = time.perf_counter()
    plain = run_triage(items, ctx)
    metrics: dict[str, Metric] = {}
    if key:
        _error_metrics(plain, key_error, metrics)
        key_ambiguous = np.array([key.get(i, {}).get("kind") == "ambiguous" for i in ids])
        _ambiguity_metrics(plain, key_ambiguous, metrics, prefix="key-ambiguous: ")
    _ambiguity_metrics(plain, target, metrics)
    if key and do_calibrate:
        keyed = Key({i: bool(e) for i, e in zip(ids, key_error, strict=True)},
                    {i: key.get(i, {}).get("kind") == "ambiguous" for i in ids})
        _, report = calibrate(plain.signals, plain.item_ids, keyed, seed=0)
        metrics.setdefault("triage calibrated (5-fold CV) P@k", Metric()).add(
            report["error"]["cv_precision_at_k"])
        metrics.setdefault("triage calibrated (5-fold CV) AUROC", Metric()).add(
            report["error"]["cv_auroc"])
        metrics.setdefault("key-ambiguous: triage calibrated (5-fold CV) ambiguity AUROC",
                           Metric()).add(report["ambiguity"]["cv_auroc"])
    settings["answer key, all annotators" if key else "as given, all annotators"] = {
        "wrong labels": int(key_error.sum()), "metrics": metrics}

    candidates = np.flatnonzero(key_clean)
    for mode in modes:
        metrics = {}
        n_wrong = []
        for seed in seeds:
            rng = np.random.default_rng(seed)
            flipped_items, flipped = flip(items, candidates, rate, mode, rng)
            truth = flipped | key_error
            n_wrong.append(int(truth.sum()))
            _error_metrics(run_triage(flipped_items, ctx), truth, metrics)
        settings[f"flips {rate:.0%} ({mode}), all annotators"] = {
            "wrong labels": int(np.mean(n_wrong)), "metrics": metrics}

    metrics = {}
    n_wrong = []
    true_label = ({i: key[i].get("true_label") for i in ids if i in key} if key else {})
    for seed in seeds:
        rng = np.random.default_rng(1000 + seed)
        single = one_annotator(items, rng)
        flipped_items, flipped = flip(single, candidates, rate, "swap", rng)
        truth = flipped.copy()
        if key:  # the kept annotation may itself be wrong (or right on a seeded error)
            truth |= np.array([bool(it.annotations) and it.annotations[0].label
                               != true_label.get(it.id, it.annotations[0].label)
                               for it in flipped_items])
        n_wrong.append(int(truth.sum()))
        run = run_triage(flipped_items, ctx)
        _error_metrics(run, truth, metrics)
        ambiguity_run = run_triage(single, ctx)
        _ambiguity_metrics(ambiguity_run, target, metrics)
    settings[f"one annotator per item, flips {rate:.0%}"] = {
        "wrong labels": int(np.mean(n_wrong)), "metrics": metrics}
    return {"items": len(items), "contested": int(target.sum()),
            "seconds": round(time.perf_counter() - started, 1),
            "settings": {name: {"wrong labels": s["wrong labels"],
                                "metrics": {k: m.summary() for k, m in s["metrics"].items()}}
                         for name, s in settings.items()}}


# --- main -----------------------------------------------------------------------------------

def load_batch(path: str, sample: int | None = None) -> list[Item]:
    """The valid items of ``path``, or a seeded random ``sample`` of them in file order."""
    items = [r for r in read_items(path) if isinstance(r, Item)]
    if sample and sample < len(items):
        keep = np.sort(np.random.default_rng(0).choice(len(items), sample, replace=False))
        items = [items[i] for i in keep]
    return items


def read_key(path: str) -> dict[str, dict[str, Any]]:
    """An answer key: id → its row (kind, true_label, ...)."""
    key = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            key[str(row["id"])] = row
    return key


def _fmt(summary: dict[str, float | None]) -> str:
    if summary["mean"] is None:
        return "n/a"
    sd = f" ± {summary['sd']:.3f}" if summary["sd"] is not None else ""
    return f"{summary['mean']:.3f}{sd}"


def render(name: str, result: dict[str, Any]) -> str:
    lines = [f"## {name}: {result['items']} items, {result['contested']} contested "
             f"({result['seconds']} s)"]
    for setting, body in result["settings"].items():
        lines.append(f"\n{setting} (wrong labels: {body['wrong labels']})")
        metrics = body["metrics"]
        for metric, summary in metrics.items():
            lines.append(f"  {metric:58s} {_fmt(summary)}")
        for measure in ("P@k",):
            t, b = metrics.get(f"triage {measure}"), metrics.get(f"baseline {measure}")
            if t and b and t["mean"] is not None and b["mean"] is not None:
                lines.append(f"  {'triage − baseline ' + measure:58s} "
                             f"{t['mean'] - b['mean']:+.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("items", help="items file (JSONL/CSV/Parquet) with several annotators")
    parser.add_argument("--answer-key", help="JSONL with id and kind (seeded_error, ambiguous, "
                        "clean) and true_label")
    parser.add_argument("--guidelines", help="guideline folder for the retrieval signal")
    parser.add_argument("--store", help="a reviewed llmqa home: adds the triage+llm rows")
    parser.add_argument("--sample", type=int, help="evaluate a random subset of this size")
    parser.add_argument("--flip-rate", type=float, default=0.10)
    parser.add_argument("--flip-mode", default="mixed,swap",
                        help="comma-separated: mixed, swap, majority")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--calibrate", action="store_true",
                        help="add 5-fold cross-validated calibrated rows (needs an answer key)")
    parser.add_argument("--embedder", default="local")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) /
                                               "llmqa-eval-cache"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    items = load_batch(args.items, args.sample)
    key = read_key(args.answer_key) if args.answer_key else None
    embedder = CachedEmbedder(make_embedder(args.embedder), Path(args.cache))
    retriever = guidelines = None
    with tempfile.TemporaryDirectory() as home:
        if args.guidelines:
            from llmqa.workspace import Workspace

            ws = Workspace.from_settings(home=home, guidelines=args.guidelines)
            ws.__dict__["embedder"] = embedder  # the cached one, for the index and examples
            guidelines = ws.guidelines
            retriever = ws.retriever()
        verdicts = None
        if args.store:
            from llmqa.store.verdicts import VerdictStore

            with VerdictStore(args.store, readonly=True) as store:
                verdicts = list(store.verdicts(latest=True, status="ok"))
        ctx = Context(embedder, retriever, guidelines, verdicts, TriageConfig())
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        modes = [m.strip() for m in args.flip_mode.split(",") if m.strip()]
        result = evaluate(items, key, ctx, seeds, args.flip_rate, modes,
                          args.calibrate and key is not None)
    result |= {"source": args.items, "sample": args.sample, "guidelines": args.guidelines,
               "llm": bool(args.store), "flip_rate": args.flip_rate, "seeds": seeds}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(render(Path(args.items).name, result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
