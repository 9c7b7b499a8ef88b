"""How the triage weighs a judge it cannot check: simulated judges on an answer-keyed batch.

The judge's prompt shows the annotators' labels, so a judge can agree with the labels without
reading the content. The triage's judge-reliability factor (``triage/reliability.py``) must
not mistake that for skill. No capable model is reachable here, so this eval writes verdicts
that behave like three kinds of judge and runs the triage with each:

* ``echo``: the embedded SmolLM2's measured behaviour on the sample batch (evals/README):
  28% of items without a usable verdict, of the rest 30% ``agree`` with the majority label,
  63% ``ambiguous`` and 7% ``likely_error`` with a random other label, whatever the item;
  confidence uniform in [0.6, 0.95];
* ``capable``: finds 75% of the key's wrong labels (``likely_error`` with the key's true
  label), calls 60% of the key's ambiguous items ambiguous, and on clean items flags 3%
  (a random other label) and calls 5% ambiguous; agrees otherwise;
* ``weak``: the same with half the recall (40% of wrong labels, 30% of ambiguous items) and
  twice the false alarms.

Reported per judge (mean over ``--seeds`` simulations): the judge's reliability estimate and
weight factor, those of its ``ambiguous`` calls, then likely-error P@k and AUROC on the key's
wrong labels and ambiguity AUROC on the key's ambiguous items and on annotator disagreement,
for the triage with the judge next to the offline triage. The simulated judges use the
answer key; the triage never sees it.

Without an answer key (a dataset with several annotators and no known errors), ``--flip-rate``
of the items get a wrong label as ``triage_eval.py``'s mixed flips do (seed 0): those are the
wrong labels, their original label the true one, and the items the original annotators
contest are the ambiguous ones.

    python evals/judge_simulation.py examples/sample_batch/items.jsonl \\
        --answer-key examples/sample_batch/answer_key.jsonl --guidelines guidelines
    python evals/judge_simulation.py ../shared/data/md_agreement_train.jsonl --sample 3000 \\
        --guidelines evals/data/offensive_guidelines
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from triage_eval import CachedEmbedder, Context, contested, flip, load_batch, read_key

from llmqa.index.embedders import make_embedder
from llmqa.items import Item
from llmqa.judge.render import consensus_label
from llmqa.triage import (
    DEFAULT_WEIGHTS,
    TriageConfig,
    TriageData,
    add_judge_signals,
    auroc,
    compute_signals,
    precision_at_k,
    score,
)
from llmqa.triage.reliability import weight_factors

JUDGES = {
    # kind: (share without a verdict, recall on wrong labels, on ambiguous items,
    #        false flags on clean items, ambiguous calls on clean items)
    "capable": (0.0, 0.75, 0.60, 0.03, 0.05),
    "weak": (0.0, 0.40, 0.30, 0.06, 0.10),
}


def _other(label: str | None, labels: list[str], rng: np.random.Generator) -> str:
    return str(rng.choice([x for x in labels if x != label]))


def verdicts(kind: str, items: list[Item], key: dict[str, dict[str, Any]], labels: list[str],
             rng: np.random.Generator) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for item in items:
        given = consensus_label(item).label
        truth = key.get(item.id, {})
        if kind == "echo":
            if rng.random() < 0.28:
                continue
            draw = rng.random()
            verdict = "agree" if draw < 0.30 else "ambiguous" if draw < 0.93 else "likely_error"
            suggested = _other(given, labels, rng) if verdict == "likely_error" else given
            confidence = rng.uniform(0.6, 0.95)
        else:
            _, recall, amb_recall, false_flag, false_amb = JUDGES[kind]
            verdict, suggested = "agree", given
            draw = rng.random()
            if truth.get("kind") == "seeded_error" and draw < recall:
                verdict, suggested = "likely_error", truth["true_label"]
            elif truth.get("kind") == "ambiguous" and draw < amb_recall:
                verdict = "ambiguous"
            elif truth.get("kind") == "clean" and draw < false_flag:
                verdict, suggested = "likely_error", _other(given, labels, rng)
            elif truth.get("kind") == "clean" and draw < false_flag + false_amb:
                verdict = "ambiguous"
            confidence = rng.uniform(0.8, 0.95) if verdict != "agree" else rng.uniform(0.7, 0.95)
        rows.append({"item_id": item.id, "status": "ok", "verdict": verdict,
                     "suggested_label": suggested, "confidence": float(confidence),
                     "cited_clause_ids": [], "model": f"simulated-{kind}"})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("items")
    parser.add_argument("--answer-key", help="JSONL: id, kind, true_label (else: flips)")
    parser.add_argument("--sample", type=int, help="a random subset of this size")
    parser.add_argument("--flip-rate", type=float, default=0.10)
    parser.add_argument("--guidelines")
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--embedder", default="local")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) /
                                               "llmqa-eval-cache"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    items = load_batch(args.items, args.sample)
    key = read_key(args.answer_key) if args.answer_key else {}
    if not key:
        original = [consensus_label(item).label for item in items]
        disputed_before = contested(items)
        labelled = np.flatnonzero(np.array([bool(item.annotations) for item in items]))
        items, flipped = flip(items, labelled, args.flip_rate, "mixed",
                              np.random.default_rng(0))
        for n, item in enumerate(items):
            kind = ("seeded_error" if flipped[n] else
                    "ambiguous" if disputed_before[n] else "clean")
            key[item.id] = {"kind": kind, "true_label": original[n]}
    ids = [item.id for item in items]
    wrong = np.array([key.get(i, {}).get("kind") == "seeded_error" for i in ids])
    ambiguous = np.array([key.get(i, {}).get("kind") == "ambiguous" for i in ids])
    disputed = contested(items)
    k = int(wrong.sum())
    embedder = CachedEmbedder(make_embedder(args.embedder), Path(args.cache))
    with tempfile.TemporaryDirectory() as home:
        retriever = guidelines = None
        if args.guidelines:
            from llmqa.workspace import Workspace

            ws = Workspace.from_settings(home=home, guidelines=args.guidelines)
            ws.__dict__["embedder"] = embedder
            guidelines, retriever = ws.guidelines, ws.retriever()
        ctx = Context(embedder, retriever, guidelines, None, TriageConfig())
        data = TriageData.from_items(items, seed=ctx.config.seed)
        vectors = embedder.embed(data.texts)
        base = compute_signals(data, vectors=vectors, retriever=retriever,
                               guidelines=guidelines, verdicts=None, config=ctx.config)

        def measure(signals: Any) -> dict[str, float | None]:
            scores = score(data, signals, DEFAULT_WEIGHTS).scores
            return {"P@k": precision_at_k(scores.error, wrong, k),
                    "AUROC": auroc(scores.error, wrong),
                    "key-ambiguous AUROC": auroc(scores.ambiguity, ambiguous),
                    "contested AUROC": auroc(scores.ambiguity, disputed)}

        results: dict[str, Any] = {"offline": measure(base)}
        for kind in ("echo", "weak", "capable"):
            runs = []
            for seed in (int(s) for s in args.seeds.split(",")):
                signals = copy.deepcopy(base)  # the offline signals, computed once
                rows = verdicts(kind, items, key, list(data.labels),
                                np.random.default_rng(seed))
                add_judge_signals(data, signals, rows)
                judge = signals.reliability.get("judge")
                calls = signals.reliability.get("judge_ambiguity")
                factors = weight_factors(signals.reliability)
                runs.append(measure(signals) | {
                    "reliability": judge.value if judge else None,
                    "factor": factors.get("judge"),
                    "ambiguous calls": calls.value if calls else None,
                    "their factor": factors.get("judge_ambiguity")})
            results[kind] = {name: float(np.mean([r[name] for r in runs
                                                  if r[name] is not None]))
                             for name in runs[0]}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    names = ["reliability", "factor", "ambiguous calls", "their factor", "P@k", "AUROC",
             "key-ambiguous AUROC", "contested AUROC"]
    print(f"{'judge':10s}" + "".join(f"{n:>20s}" for n in names))
    for kind, row in results.items():
        print(f"{kind:10s}" + "".join(f"{row[n]:20.3f}" if row.get(n) is not None
                                      else f"{'-':>20s}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
