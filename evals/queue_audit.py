"""What the top of the likely-error queue is made of, on a batch as it is (no injected errors).

``triage_eval.py`` measures the queue against errors whose truth is known: an answer key or
labels it flips itself. Real batches have no key, and the flips decide what counts as an
error (a ``swap`` flip makes every annotator wrong together, so unanimity says nothing
there). This audit asks a question that needs no key: of the top k items the offline queue
ranks as likely errors, how many carry a label every annotator gave (3 or more ratings, no
dissent), how many are contested (a third or more dissent), and on how many is the label
under review held by a bare majority? Independent annotators who all agree are rarely all
wrong, so a queue whose top is mostly unanimous items rests on the content views (the
classifier, the guideline evidence) overruling the crowd. Same figures for the baseline
(``triage_eval.baseline_scores``) and for the batch as a whole.

    python evals/queue_audit.py ../shared/data/md_agreement_train.jsonl \\
        --guidelines evals/data/offensive_guidelines
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from triage_eval import CONTESTED, CachedEmbedder, Context, load_batch, run_triage

from llmqa.index.embedders import make_embedder
from llmqa.items import Item
from llmqa.triage import TriageConfig


def vote_kind(item: Item) -> str:
    """unanimous (3+ ratings, one label), contested (a third or more dissent), majority
    (some dissent, less than a third), or few (under 3 ratings)."""
    votes = Counter(a.label for a in item.annotations if a.label)
    total = sum(votes.values())
    if total < 3:
        return "few"
    dissent = 1 - max(votes.values()) / total
    return "unanimous" if dissent == 0 else "contested" if dissent >= CONTESTED else "majority"


def shares(kinds: list[str]) -> dict[str, float]:
    counts = Counter(kinds)
    return {k: counts[k] / len(kinds) for k in ("unanimous", "majority", "contested", "few")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("items", help="items file with several annotators per item")
    parser.add_argument("--guidelines", help="guideline folder for the retrieval signal")
    parser.add_argument("--top", default="25,50,100,300")
    parser.add_argument("--sample", type=int, help="a random subset of this size")
    parser.add_argument("--embedder", default="local")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) /
                                               "llmqa-eval-cache"))
    args = parser.parse_args(argv)

    items = load_batch(args.items, args.sample)
    embedder = CachedEmbedder(make_embedder(args.embedder), Path(args.cache))
    retriever = guidelines = None
    with tempfile.TemporaryDirectory() as home:
        if args.guidelines:
            from llmqa.workspace import Workspace

            ws = Workspace.from_settings(home=home, guidelines=args.guidelines)
            ws.__dict__["embedder"] = embedder
            guidelines, retriever = ws.guidelines, ws.retriever()
        run = run_triage(items, Context(embedder, retriever, guidelines, None, TriageConfig()))
    kinds = [vote_kind(item) for item in items]
    reliability = {f: r.value for f, r in run.signals.reliability.items()}
    print(f"{Path(args.items).name}: {len(items)} items; source reliability "
          + ", ".join(f"{f} {v:.2f}" for f, v in reliability.items() if v is not None))
    header = f"{'ranking':<10} {'top k':>6}  {'unanimous':>9}  {'majority':>8}  {'contested':>9}"
    print(header)
    print("-" * len(header))
    whole = shares(kinds)
    print(f"{'batch':<10} {len(items):>6}  {whole['unanimous']:>9.3f}  {whole['majority']:>8.3f}"
          f"  {whole['contested']:>9.3f}")
    for name, scores in (("triage", run.error), ("baseline", run.baseline)):
        order = np.argsort(-np.nan_to_num(scores, nan=-1.0), kind="stable")
        for k in (int(t) for t in args.top.split(",")):
            top = shares([kinds[i] for i in order[:k]])
            print(f"{name:<10} {k:>6}  {top['unanimous']:>9.3f}  {top['majority']:>8.3f}"
                  f"  {top['contested']:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
