"""Time and memory to compute every non-LLM triage signal for 20,000 items.

Run: ``python benchmarks/bench_triage.py [--items N] [--annotators R] [--repeats K]
[--fake-embedder] [--compare-blas]`` (``--repeats``: fold splits the classifier averages,
``TriageConfig``; ``--compare-blas``: the signal phase again with a BLAS thread per core).

The items are the sample batch's texts, repeated with a numbered suffix so that every text is
distinct (the embedder cannot reuse a vector), each with ``R`` simulated annotators (85% give
the item's first sample-batch label, the rest one of its other annotators' labels or a random
one) and a project. The guideline evidence uses the shipped ``guidelines/`` through an
in-memory ``Retriever`` (the index is built once per guideline version; its time is printed
separately and not counted per batch).

Printed: seconds to embed the items; seconds for all the signals from the vectors
(disagreement, Dawid-Skene posteriors, notes, the out-of-fold classifier, cleanlab single-
and multi-annotator scores, retrieval evidence, reliability) plus scoring, queue and
per-clause summary, timed without ``tracemalloc``; the total with and without the embeddings;
and peak memory: the peak of Python/numpy allocations during a second, traced run of the same
work (``tracemalloc``) and the process's peak resident set (which includes the embedding model and
torch).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent


def make_items(n: int, annotators: int, seed: int) -> list:
    from llmqa.io.readers import read_items
    from llmqa.items import Item

    rng = np.random.default_rng(seed)
    base = [i for i in read_items(REPO_ROOT / "examples" / "sample_batch" / "items.jsonl")
            if isinstance(i, Item)]
    labels = sorted({a.label for i in base for a in i.annotations})
    items = []
    for number in range(n):
        source = base[number % len(base)]
        text = f"{source.content.readable_text()} (#{number})"
        true = source.annotations[0].label
        votes = []
        for rater in rng.choice(40, annotators, replace=False):
            draw = rng.random()
            if draw < 0.85:
                label = true
            elif draw < 0.95:
                label = source.annotations[int(rng.integers(len(source.annotations)))].label
            else:
                label = labels[int(rng.integers(len(labels)))]
            votes.append({"annotator": f"a{rater:02d}", "label": label})
        items.append(Item.model_validate({
            "id": f"b-{number}", "project": source.project, "priority": source.priority,
            "content": {"modality": "text", "text": text}, "annotations": votes}))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=None,
                        help="fold splits the classifier averages (default: TriageConfig's)")
    parser.add_argument("--fake-embedder", action="store_true",
                        help="random unit vectors instead of all-MiniLM-L6-v2 (a quick check "
                        "of the signal phase only)")
    parser.add_argument("--compare-blas", action="store_true",
                        help="then the signals again with a BLAS thread per core, as "
                        "scikit-learn fits by default (llmqa fits its folds with one)")
    args = parser.parse_args()

    from llmqa.guidelines import load_guidelines
    from llmqa.index.retriever import Retriever
    from llmqa.triage import TriageConfig, TriageData, compute_signals, score
    from llmqa.triage.embeddings import embed_texts

    class RandomEmbedder:
        name = "random/384"

        def embed(self, texts: list[str]) -> np.ndarray:
            rng = np.random.default_rng(len(texts))
            v = rng.standard_normal((len(texts), 384)).astype(np.float32)
            return v / np.linalg.norm(v, axis=1, keepdims=True)

    if args.fake_embedder:
        embedder: Any = RandomEmbedder()
    else:
        from llmqa.index.embedders import LocalEmbedder

        embedder = LocalEmbedder()
        embedder.embed(["warm up"])  # model load is not per-batch work

    started = time.perf_counter()
    items = make_items(args.items, args.annotators, args.seed)
    print(f"data: {len(items):,} items × {args.annotators} annotators (built in "
          f"{time.perf_counter() - started:.1f}s); embedder: {embedder.name}")

    guidelines = load_guidelines(REPO_ROOT / "guidelines")
    started = time.perf_counter()
    retriever = Retriever.from_guidelines(guidelines, embedder)
    print(f"index: {len(retriever)} guideline documents embedded in "
          f"{time.perf_counter() - started:.1f}s (once per guideline version, not counted)")

    data = TriageData.from_items(items)
    started = time.perf_counter()
    vectors, _ = embed_texts(data.texts, embedder)
    embed_s = time.perf_counter() - started
    print(f"embeddings: {embed_s:.1f}s ({len(items) / embed_s:,.0f} items/s)")

    config = TriageConfig() if args.repeats is None else TriageConfig(repeats=args.repeats)

    def signal_phase() -> Any:
        return compute_signals(data, vectors=vectors, retriever=retriever,
                               guidelines=guidelines, config=config)

    def whole() -> tuple[Any, float, list[Any], dict[str, Any]]:
        """Signals (and their seconds), scores, queue and clause summary."""
        started = time.perf_counter()
        signals = signal_phase()
        signals_s = time.perf_counter() - started
        result = score(data, signals)
        return (signals, signals_s, result.queue(top=100),
                result.clause_summary(guidelines=guidelines))

    # Timed without tracemalloc, which slows every allocation (it doubled the signal phase of
    # 320 items); the memory peak comes from a second, traced run of the same work.
    started = time.perf_counter()
    signals, signals_s, rows, summary = whole()
    total_s = time.perf_counter() - started
    tracemalloc.start()
    whole()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mb = rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024

    print(f"classifier: {config.folds} folds × {config.repeats} fold splits")
    print(f"signals from vectors: {signals_s:.1f}s; + scores, queue, clause summary: "
          f"{total_s:.1f}s ({len(rows)} rows shown, {len(summary['clauses'])} clauses)")
    print(f"all non-LLM signals for {len(items):,} items: {total_s:.1f}s without embeddings, "
          f"{total_s + embed_s:.1f}s with embeddings")
    print(f"peak memory: {peak / 2**20:,.0f} MiB of Python/numpy allocations during the "
          f"signals, scores and queue; process peak RSS {rss_mb:,.0f} MiB (model and torch "
          "included)")
    missing = [s.name for s in signals if not s.available.any()]
    print(f"signals computed: {len(signals.signals) - len(missing)} "
          f"(missing by design offline: {', '.join(missing)})")
    if args.compare_blas:
        compare_blas(signal_phase)


def compare_blas(again: Any) -> None:
    """The signal phase twice more, as shipped and with the classifier's one-thread limit
    lifted (scikit-learn's default of a BLAS thread per core). Both runs come after the timed
    and the traced one, so neither pays for first imports and warm-up."""
    from contextlib import nullcontext
    from unittest import mock

    started = time.perf_counter()
    shipped = again()
    shipped_s = time.perf_counter() - started
    with mock.patch("llmqa.triage.classifier.one_blas_thread", nullcontext):
        started = time.perf_counter()
        threaded = again()
        threaded_s = time.perf_counter() - started
    differences = [float(np.nanmax(np.abs(a.values - b.values)))
                   for a, b in zip(shipped, threaded, strict=True) if a.available.any()]
    print(f"signals from vectors, run again with a BLAS thread per core in the classifier "
          f"(scikit-learn's default): {threaded_s:.1f}s against {shipped_s:.1f}s with one, as "
          f"shipped (run again just before it) "
          f"({threaded_s / shipped_s:.1f}x); largest difference in any signal value "
          f"{max(differences):.1e}")


if __name__ == "__main__":
    main()
