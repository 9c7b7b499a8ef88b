"""Index benchmark with the real local embedder (all-MiniLM-L6-v2 on the CPU).

Synthesizes N clauses (default 1,000) by varying the sample guidelines (each clause keeps the
first sentences of a sample clause's text, a context sentence and 2 in- and 2 out-of-scope
examples, so 5 documents per clause), then reports:

* time to index them all (embedding time and Chroma write time apart);
* search latency p50/p95 over the index: the Chroma query path (``ClauseIndex.search``, with
  and without the query embedding) and the in-memory ``Retriever`` (one query at a time and
  a batch);
* re-index time after editing one clause, against the full index time.

Runs in a temporary folder: ``.llmqa/`` is not touched. Embedding dominates: on 2 CPU cores
the default run takes 3-4 minutes; ``--clauses 200`` is a one-minute run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from llmqa.guidelines import Clause, Example, GuidelineSet, load_guidelines
from llmqa.index.chroma_index import ClauseIndex, make_client
from llmqa.index.embedders import Embedder, LocalEmbedder

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTEXTS = ["podcast episodes", "song lyrics", "cover artwork", "live audio rooms",
            "music videos", "audiobooks", "user playlists", "episode descriptions",
            "artist bios", "short-form clips", "radio shows", "album titles",
            "comments read on air",
            "karaoke tracks", "sound effects packs", "DJ mixes", "lecture recordings",
            "children's stories", "meditation tracks", "stand-up specials", "news briefings"]
MARKETS = ["the UK", "Brazil", "India", "Germany", "Japan", "Nigeria", "Mexico", "Indonesia",
           "France", "Canada", "South Africa", "Australia", "Poland", "Turkey", "Kenya",
           "the Philippines", "Argentina", "Egypt", "Vietnam", "Sweden", "Spain"]
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


class TimedEmbedder:
    """Counts the time spent embedding, so index time splits into embedding and Chroma."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.texts = 0

    @property
    def name(self) -> str:
        return self.inner.name

    def embed(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        vectors = self.inner.embed(texts)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        return vectors

    def reset(self) -> None:
        self.seconds, self.texts = 0.0, 0


def _vary(examples: tuple[Example, ...], start: int, count: int,
          context: str) -> tuple[Example, ...]:
    chosen = [examples[(start + i) % len(examples)] for i in range(count)]
    return tuple(Example(text=f"{e.text} (in {context})", modality=e.modality, why=e.why)
                 for e in chosen)


def synthesize(count: int, per_side: int = 2) -> GuidelineSet:
    base = list(load_guidelines(REPO_ROOT / "guidelines"))
    clauses: list[Clause] = []
    for number in range(count):
        source = base[number % len(base)]
        variant = number // len(base)
        context = CONTEXTS[variant % len(CONTEXTS)]
        market = MARKETS[(number * 7 + variant) % len(MARKETS)]
        prefix, _, rest = source.id.partition("-")
        sentences = _SENTENCE.split(source.text.strip())
        text = " ".join(sentences[:2]) + (f" This clause applies to {context} distributed in "
                                          f"{market}, including re-uploads and excerpts.")

        clauses.append(Clause(
            id=f"{prefix}{variant}-{rest}", label=source.label,
            title=f"{source.title} in {context}", text=text,
            in_scope=_vary(source.in_scope, variant, per_side, context),
            out_of_scope=_vary(source.out_of_scope, variant + 1, per_side, context),
            parent_id=source.parent_id, parent_title=source.parent_title, policy=source.policy,
        ))
    return GuidelineSet(clauses=tuple(clauses))


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   (n={len(ms)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clauses", type=int, default=1000)
    parser.add_argument("--examples", type=int, default=2, help="examples per side per clause")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default: torch's choice); on a busy machine 1 "
                        "gives steadier single-query latency")
    args = parser.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    guidelines = synthesize(args.clauses, args.examples)
    sample = load_guidelines(REPO_ROOT / "guidelines")
    queries = [e.text for c in sample for e in c.in_scope]
    queries = (queries * (args.queries // len(queries) + 1))[:args.queries]

    embedder = TimedEmbedder(LocalEmbedder())
    started = time.perf_counter()
    embedder.embed(["warm up the model"])
    load_seconds = time.perf_counter() - started
    embedder.reset()
    print(f"{len(guidelines)} synthetic clauses; model load {load_seconds:.1f}s; "
          f"torch threads {_threads()}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}")

    with tempfile.TemporaryDirectory(prefix="llmqa-bench-") as home:
        index = ClauseIndex(make_client(Path(home)), embedder, "llmqa_bench")

        started = time.perf_counter()
        full = index.sync(guidelines)
        full_seconds = time.perf_counter() - started
        embed_seconds = embedder.seconds
        print(f"\nfull index: {full.documents_embedded} documents in {full_seconds:.1f}s "
              f"({full.documents_embedded / full_seconds:.0f} docs/s): embedding "
              f"{embed_seconds:.1f}s, Chroma and bookkeeping {full_seconds - embed_seconds:.1f}s")

        # -- search latency --------------------------------------------------------------------
        per_query: list[float] = []
        for text in queries[:50]:
            t0 = time.perf_counter()
            index.search(text, k=5, guidelines=guidelines)
            per_query.append(time.perf_counter() - t0)
        vectors = embedder.inner.embed(queries)
        collection = index.client.get_collection("llmqa_bench")
        chroma_only: list[float] = []
        for vector in vectors:
            t0 = time.perf_counter()
            collection.query(query_embeddings=[vector.tolist()], n_results=40,
                             include=["metadatas", "documents", "distances"])
            chroma_only.append(time.perf_counter() - t0)
        embed_one: list[float] = []
        for text in queries[:50]:
            t0 = time.perf_counter()
            embedder.inner.embed([text])
            embed_one.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        retriever = index.retriever(guidelines)
        snapshot_seconds = time.perf_counter() - t0
        in_memory: list[float] = []
        for vector in vectors:
            t0 = time.perf_counter()
            retriever.search_vectors(vector[None, :], k=5)
            in_memory.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        retriever.search_vectors(vectors, k=5)
        batch_seconds = time.perf_counter() - t0

        print(f"\nsearch over {len(retriever)} documents / {len(guidelines)} clauses, k=5:")
        print(f"  ClauseIndex.search (embed + Chroma)  {percentiles(per_query)}")
        print(f"  Chroma query only (pre-embedded)     {percentiles(chroma_only)}")
        print(f"  query embedding only                 {percentiles(embed_one)}")
        print(f"  Retriever, one query (pre-embedded)  {percentiles(in_memory)}")
        print(f"  Retriever, batch of {len(vectors)}: {batch_seconds * 1000:.1f} ms "
              f"({batch_seconds / len(vectors) * 1e6:.0f} µs/query); snapshot load "
              f"{snapshot_seconds:.2f}s")

        # -- incremental re-index --------------------------------------------------------------
        t0 = time.perf_counter()
        noop = index.sync(guidelines)
        noop_seconds = time.perf_counter() - t0
        edited = list(guidelines.clauses)
        target = edited[len(edited) // 2]
        edited[len(edited) // 2] = target.model_copy(
            update={"text": target.text.replace("This clause applies", "This clause also applies")})
        changed = GuidelineSet(clauses=tuple(edited))
        embedder.reset()
        t0 = time.perf_counter()
        one = index.sync(changed)
        one_seconds = time.perf_counter() - t0
        print(f"\nre-index, nothing changed: {noop_seconds:.2f}s, {noop.documents_embedded} "
              "documents embedded")
        print(f"re-index after editing {target.id}: {one_seconds:.2f}s, "
              f"{one.documents_embedded} documents embedded ({one.changed} clause changed) = "
              f"{one_seconds / full_seconds:.1%} of the full index time")
    return 0


def _threads() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    sys.exit(main())
