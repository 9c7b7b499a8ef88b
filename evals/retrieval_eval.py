"""Retrieval eval: does an in-scope example find its own clause?

Every in-scope example of the guidelines is used as a query against the clause index, and a
query is a hit when its own clause is among the top k (default 3). Two settings:

* ``leave-one-out``: the full index (clause texts and all examples) minus the query's own
  document, so an example never matches itself;
* ``clause-text``: clause texts only, every example excluded (how well the written clause
  alone describes its examples);
* ``as-indexed``: the index as deployed, the query's own document included (an example can
  find itself, so this is an upper bound that shows the index is complete, not a quality
  measure).

The index lives in a temporary home, so ``.llmqa/`` is never touched::

    python evals/retrieval_eval.py                       # sample guidelines, local embedder
    python evals/retrieval_eval.py --guidelines policy/ --json
    python evals/retrieval_eval.py --min-top3 0.9        # exit 1 below the target (CI)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from llmqa.guidelines import GuidelineSet, load_guidelines
from llmqa.index.chroma_index import ClauseIndex, clause_documents, make_client
from llmqa.index.embedders import Embedder, make_embedder
from llmqa.testing import FakeEmbedder

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Failure:
    clause_id: str
    example: str
    got: list[str]
    rank: int | None  # 1-based rank of the right clause in the top k, None when absent


class CachingEmbedder:
    """Remembers vectors: the queries are example texts the index sync already embedded."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self._cache: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return self.inner.name

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            self._cache.update(zip(missing, self.inner.embed(missing), strict=True))
        return np.stack([self._cache[t] for t in texts]) if texts else self.inner.embed([])


@dataclass
class ModeResult:
    mode: str
    queries: int = 0
    top1: int = 0
    topk: int = 0
    top5: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    by_label: dict[str, list[int]] = field(default_factory=dict)  # label -> [queries, hits]

    def rate(self, hits: int) -> float:
        return hits / self.queries if self.queries else 0.0

    def to_dict(self, k: int) -> dict[str, Any]:
        return {"mode": self.mode, "queries": self.queries, "top1": round(self.rate(self.top1), 4),
                f"top{k}": round(self.rate(self.topk), 4), "top5": round(self.rate(self.top5), 4),
                "seconds": round(self.seconds, 2),
                "by_label": {label: {"queries": q, f"top{k}": round(h / q, 4)}
                             for label, (q, h) in sorted(self.by_label.items())},
                "failures": [asdict(f) for f in self.failures]}


def evaluate(index: ClauseIndex, guidelines: GuidelineSet, k: int = 3) -> list[ModeResult]:
    clauses = list(guidelines.by_id.values())
    example_doc_ids = [doc_id for clause in clauses for doc_id, _, meta in clause_documents(clause)
                       if meta["kind"] != "clause"]
    results: list[ModeResult] = []
    for mode in ("leave-one-out", "clause-text", "as-indexed"):
        result = ModeResult(mode)
        started = time.perf_counter()
        for clause in clauses:
            for doc_id, text, meta in clause_documents(clause):
                if meta["kind"] != "in":
                    continue
                exclude = {"leave-one-out": [doc_id], "clause-text": example_doc_ids,
                           "as-indexed": []}[mode]
                hits = index.search(text, k=max(k, 5), guidelines=guidelines,
                                    exclude_ids=exclude)
                ranked = [h.clause_id for h in hits]
                found = ranked.index(clause.id) + 1 if clause.id in ranked else None
                rank = found if found is not None and found <= k else None
                got = ranked[:k]
                result.queries += 1
                result.top1 += rank == 1
                result.topk += rank is not None
                result.top5 += found is not None and found <= 5
                counts = result.by_label.setdefault(clause.label or "-", [0, 0])
                counts[0] += 1
                counts[1] += rank is not None
                if rank != 1:
                    result.failures.append(Failure(clause.id, text, got, rank))
        result.seconds = time.perf_counter() - started
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guidelines", default=str(REPO_ROOT / "guidelines"),
                        help="guidelines folder or file (default: the sample guidelines)")
    parser.add_argument("--embedder", default="local",
                        help="'local', 'openai:MODEL' or 'fake' (bag of words, no model)")
    parser.add_argument("--base-url", default=None, help="for openai:MODEL embedders")
    parser.add_argument("--models", default=".llmqa/models", help="where local-onnx and "
                        "local-static keep what they build from the shipped MiniLM")
    parser.add_argument("-k", type=int, default=3, help="a hit is the clause in the top k")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--show", type=int, default=15,
                        help="failures to print per mode (text output)")
    parser.add_argument("--min-top3", type=float, default=None,
                        help="exit 1 when the leave-one-out top-k rate is below this")
    args = parser.parse_args(argv)

    guidelines = load_guidelines(args.guidelines)
    embedder = CachingEmbedder(FakeEmbedder() if args.embedder == "fake"
                               else make_embedder(args.embedder, base_url=args.base_url,
                                             cache_dir=args.models))
    with tempfile.TemporaryDirectory(prefix="llmqa-eval-") as home:
        index = ClauseIndex(make_client(Path(home)), embedder, "llmqa_eval")
        started = time.perf_counter()
        report = index.sync(guidelines)
        index_seconds = time.perf_counter() - started
        results = evaluate(index, guidelines, args.k)

    k = args.k
    summary = {"guidelines": str(args.guidelines), "version": guidelines.version,
               "embedder": embedder.name, "clauses": report.clauses,
               "documents": report.documents_embedded, "index_seconds": round(index_seconds, 2),
               "k": k, "modes": [r.to_dict(k) for r in results]}
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(f"guidelines {args.guidelines} (version {guidelines.version}): {report.clauses} "
              f"clauses, {report.documents_embedded} documents, embedder {embedder.name}, "
              f"indexed in {index_seconds:.1f}s")
        print(f"\n{'mode':<15} {'queries':>7} {'top-1':>7} {f'top-{k}':>7} {'top-5':>7} "
              f"{'time':>7}")
        for r in results:
            print(f"{r.mode:<15} {r.queries:>7} {r.rate(r.top1):>7.1%} {r.rate(r.topk):>7.1%} "
                  f"{r.rate(r.top5):>7.1%} {r.seconds:>6.1f}s")
        for r in results:
            misses = [f for f in r.failures if f.rank is None]
            print(f"\n{r.mode}: {len(misses)} not in top-{k}, "
                  f"{len(r.failures) - len(misses)} in top-{k} but not first")
            weak = sorted(((label, q, h) for label, (q, h) in r.by_label.items() if h < q),
                          key=lambda row: row[2] / row[1])
            if weak:
                print("  by label: " + ", ".join(f"{label} {h}/{q}" for label, q, h in weak))
            for failure in misses[:args.show]:
                example = failure.example if len(failure.example) <= 70 else (
                    failure.example[:67] + "...")
                print(f"  {failure.clause_id:<10} got {', '.join(failure.got):<30} {example}")
            if len(misses) > args.show:
                print(f"  ... and {len(misses) - args.show} more")
    target = results[0].rate(results[0].topk)
    if args.min_top3 is not None and target < args.min_top3:
        print(f"leave-one-out top-{k} {target:.1%} is below the target {args.min_top3:.0%}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
