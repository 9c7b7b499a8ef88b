"""Guideline import eval: the dev guidelines against a hand-written expected structure, and
retrieval of each guideline's own exemplars against their clause.

For each PDF in ``../shared/guidelines_dev`` (two published annotation guidelines, not the
documents import is judged on) the offline importer runs, and the result is compared with
``evals/data/guideline_import_expected.json``: for each expected category, whether a clause
with its code exists, whether its label matches, and its in-/out-of-scope example counts
against the document's. Front matter expected to be left out is checked too. Then the
imported clauses are indexed and each in-scope example is searched with itself left out of
the index (``leave-one-out``) and with every example left out (``clause-text``), as
``retrieval_eval.py`` does::

    python evals/guideline_import_eval.py                  # local embedder
    python evals/guideline_import_eval.py --embedder fake  # no model, seconds
    python evals/guideline_import_eval.py --json

Exit 1 when the dev guidelines are absent or an expected category has no clause.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from retrieval_eval import CachingEmbedder, evaluate

from llmqa.guidelines import load_guidelines
from llmqa.guidelines.importing import import_guideline, write_import
from llmqa.index.chroma_index import ClauseIndex, make_client
from llmqa.index.embedders import make_embedder
from llmqa.testing import FakeEmbedder

REPO_ROOT = Path(__file__).resolve().parent.parent
EXPECTED = Path(__file__).resolve().parent / "data" / "guideline_import_expected.json"
# ../shared/guidelines_dev from the checkout; a git worktree under wt/NAME is one level deeper.
DEV_CANDIDATES = (REPO_ROOT.parent / "shared" / "guidelines_dev",
                  REPO_ROOT.parent.parent / "shared" / "guidelines_dev")


def compare(name: str, expected: dict[str, Any], folder: Path) -> dict[str, Any]:
    result = import_guideline(folder / name, prefix=expected["prefix"])
    report = _rows(result, expected)
    with _without_pdfplumber():
        fallback = _rows(import_guideline(folder / name, prefix=expected["prefix"]), expected)
    report["pypdf_fallback"] = {"found": sum(r["found"] for r in fallback["rows"]),
                                "labels_right": sum(r["label_ok"] for r in fallback["rows"]),
                                "exact": sum(_exact(r) for r in fallback["rows"]),
                                "of": len(fallback["rows"])}
    return {"file": name, "result": result, **report}


@contextmanager
def _without_pdfplumber() -> Iterator[None]:
    """Import as on a machine without pdfplumber: the importer falls back to pypdf."""
    saved = sys.modules.get("pdfplumber")
    sys.modules["pdfplumber"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        yield
    finally:
        if saved is None:
            del sys.modules["pdfplumber"]
        else:
            sys.modules["pdfplumber"] = saved


def _exact(row: dict[str, Any]) -> bool:
    return row["in_found"] == row["in_expected"] and row["out_found"] == row["out_expected"]


def _rows(result: Any, expected: dict[str, Any]) -> dict[str, Any]:
    found = {d.code: d for d in result.drafts if not d.is_section}
    rows = []
    for code, want in expected["clauses"].items():
        got = found.get(code)
        rows.append({"code": code, "label": want["label"], "found": got is not None,
                     "label_ok": got is not None and got.label == want["label"],
                     "in_expected": want["in_scope"], "out_expected": want["out_of_scope"],
                     "in_found": len(got.in_scope) if got else 0,
                     "out_found": len(got.out_of_scope) if got else 0,
                     "text_chars": len(got.text) if got else 0})
    front = " | ".join(result.summary.front_matter)
    leaked = [code for code, d in found.items() if any(f.lower() in d.title.lower()
                                                       for f in expected["front_matter"])]
    extra = sorted(set(found) - set(expected["clauses"]))
    return {"rows": rows,
            "front_left_out": [f for f in expected["front_matter"] if f in front],
            "front_kept": leaked,
            # Guidance, not categories: written as general rules (no label), or as clauses
            # labelled with their own name (the importer's behaviour before general rules).
            "guidance_general": [c for c in extra if c in expected["other_sections"]
                                 and found[c].general],
            "guidance_labelled": [c for c in extra if c in expected["other_sections"]
                                  and not found[c].general],
            "unexpected_clauses": [c for c in extra if c not in expected["other_sections"]],
            "not_understood": result.summary.not_understood}


def retrieval(result: Any, embedder: CachingEmbedder, k: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="llmqa-import-eval-") as home:
        folder = Path(home) / "guidelines"
        write_import(result, folder)
        guidelines = load_guidelines(folder)
        index = ClauseIndex(make_client(Path(home) / "chroma"), embedder, "llmqa_import_eval")
        index.sync(guidelines)
        modes = evaluate(index, guidelines, k)
    return {m.mode: m.to_dict(k) for m in modes if m.mode != "as-indexed"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default="local",
                        help="'local', 'openai:MODEL' or 'fake' (bag of words, no model)")
    parser.add_argument("-k", type=int, default=3, help="a hit is the clause in the top k")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    folder = next((p for p in DEV_CANDIDATES if p.is_dir()), None)
    if folder is None:
        print("../shared/guidelines_dev is not present; nothing to evaluate", file=sys.stderr)
        return 1
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    embedder = CachingEmbedder(FakeEmbedder() if args.embedder == "fake"
                               else make_embedder(args.embedder))
    reports = []
    for name, want in expected.items():
        if name.startswith("_"):
            continue
        report = compare(name, want, folder)
        report["retrieval"] = retrieval(report.pop("result"), embedder, args.k)
        reports.append(report)
    if args.json:
        print(json.dumps({"embedder": embedder.name, "k": args.k, "guidelines": reports},
                         indent=2, ensure_ascii=False))
    else:
        for report in reports:
            _print(report, args.k)
    missing = [r for report in reports for r in report["rows"] if not r["found"]]
    return 1 if missing else 0


def _print(report: dict[str, Any], k: int) -> None:
    rows = report["rows"]
    print(f"\n== {report['file']}")
    print(f"{'code':<7} {'label':<30} {'clause':<7} {'label ok':<9} {'in found/exp':>13} "
          f"{'out found/exp':>14}  counts")
    for r in rows:
        print(f"{r['code']:<7} {r['label']:<30} {'yes' if r['found'] else 'MISSING':<7} "
              f"{'yes' if r['label_ok'] else 'no':<9} {r['in_found']:>6}/{r['in_expected']:<6} "
              f"{r['out_found']:>7}/{r['out_expected']:<6}  {'exact' if _exact(r) else 'MISSED'}")
    exact = sum(_exact(r) for r in rows)
    print(f"categories found {sum(r['found'] for r in rows)}/{len(rows)}, labels right "
          f"{sum(r['label_ok'] for r in rows)}/{len(rows)}, example counts exact {exact}/"
          f"{len(rows)}")
    print(f"front matter left out: {', '.join(report['front_left_out']) or '-'}; kept as a "
          f"clause: {', '.join(report['front_kept']) or '-'}")
    print(f"guidance sections as general rules: {', '.join(report['guidance_general']) or '-'};"
          f" as labelled clauses: {', '.join(report['guidance_labelled']) or '-'}; unexpected "
          f"clauses: "
          f"{', '.join(report['unexpected_clauses']) or '-'}")
    fallback = report["pypdf_fallback"]
    print(f"without pdfplumber (pypdf layout text): categories found {fallback['found']}/"
          f"{fallback['of']}, labels right {fallback['labels_right']}/{fallback['of']}, "
          f"example counts exact {fallback['exact']}/{fallback['of']}")
    for line in report["not_understood"]:
        print(f"not understood: {line}")
    for mode, figures in report["retrieval"].items():
        print(f"retrieval {mode:<14} {figures['queries']:>3} exemplars: top-1 "
              f"{figures['top1']:.1%}, top-{k} {figures[f'top{k}']:.1%}")


if __name__ == "__main__":
    sys.exit(main())
