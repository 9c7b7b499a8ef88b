"""``llmqa search --file`` against a loop of single searches, on the sample batch.

Run: ``python benchmarks/bench_search_file.py [--items N] [--embedder local|fake]``.
Indexes the sample guidelines in a temporary home, then finds the top 5 clauses for each
sample item two ways and prints the wall time of each and whether they agree:

* batch: ``index.batch_search.search_items`` over one snapshot of the index (what
  ``llmqa search --file`` does);
* loop: ``ClauseIndex.search`` once per item (what a notebook user, or a shell loop over
  ``llmqa search TEXT``, would otherwise do; the shell loop also pays a process start and a
  model load per item, not counted here).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from itertools import islice
from pathlib import Path

from llmqa.guidelines import load_guidelines
from llmqa.index.batch_search import search_items
from llmqa.index.chroma_index import ClauseIndex, make_client
from llmqa.index.embedders import make_embedder
from llmqa.io.readers import read_items
from llmqa.items import Item
from llmqa.testing import FakeEmbedder

REPO_ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=320)
    parser.add_argument("--embedder", default="local")
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    guidelines = load_guidelines(REPO_ROOT / "guidelines")
    items = [row for row in islice(read_items(REPO_ROOT / "examples/sample_batch/items.jsonl"),
                                   args.items) if isinstance(row, Item)]
    embedder = FakeEmbedder() if args.embedder == "fake" else make_embedder(args.embedder)
    embedder.embed(["warm up"])
    with tempfile.TemporaryDirectory(prefix="llmqa-bench-") as home:
        index = ClauseIndex(make_client(Path(home)), embedder, "llmqa_bench")
        index.sync(guidelines)
        started = time.perf_counter()
        batch = list(search_items(index.retriever(guidelines), items, k=args.k,
                                  guidelines=guidelines))
        batch_s = time.perf_counter() - started
        started = time.perf_counter()
        loop = [index.search(item.content.readable_text(), k=args.k, guidelines=guidelines)
                for item in items]
        loop_s = time.perf_counter() - started
    same = sum([c.id for c in b.clauses] == [h.clause_id for h in hits]
               for b, hits in zip(batch, loop, strict=True))
    print(f"{len(items)} items, {len(guidelines)} clauses, embedder {embedder.name}, k={args.k}")
    print(f"batch (search --file): {batch_s:7.2f} s  ({1000 * batch_s / len(items):6.1f} ms/item)")
    print(f"loop of single search: {loop_s:7.2f} s  ({1000 * loop_s / len(items):6.1f} ms/item)")
    print(f"same top-{args.k} clauses in the same order: {same}/{len(items)}")


if __name__ == "__main__":
    main()
