"""A whole ``llmqa triage`` refresh, as shipped and with a BLAS thread per core in the fits.

Run: ``python benchmarks/bench_triage_refresh.py [ITEMS] [--guidelines DIR | --no-guidelines]
[--runs N]`` (default: the sample batch with ``guidelines/``).

What an analyst waits for after recording a decision: the triage recomputed while the clause
index and the item vectors are already cached. The script indexes the guidelines into a
temporary home and runs ``llmqa triage`` once to fill the vector cache; then, ``--runs`` times
each, alternating, it deletes the cached triage run (``cache/triage``) and times the whole
command (process start included) two ways: as shipped (the classifier's fold fits under
``llmqa.blas.one_blas_thread``) and with that limit lifted, which is scikit-learn's default of
a BLAS thread per core. Prints each time, the medians and the CPU time of each.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The same command with the classifier's one-thread limit replaced by a no-op context.
THREADED = ("import sys; from contextlib import nullcontext; from unittest import mock\n"
            "with mock.patch('llmqa.triage.classifier.one_blas_thread', nullcontext):\n"
            "    from llmqa.cli import main; sys.argv[0] = 'llmqa'; main()")


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one command, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=os.environ | {"HF_HUB_OFFLINE": "1"})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("items", nargs="?", default=str(ROOT / "examples/sample_batch/items.jsonl"))
    parser.add_argument("--guidelines", default=str(ROOT / "guidelines"))
    parser.add_argument("--no-guidelines", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="bench_triage_refresh_"))
    where = ["--no-guidelines"] if args.no_guidelines else ["-g", args.guidelines]
    command = ["triage", args.items, *where, "--home", str(home), "--no-progress",
               "-o", str(home / "queue.csv")]
    shipped = [sys.executable, "-m", "llmqa", *command]
    threaded = [sys.executable, "-c", THREADED, *command]
    try:
        if not args.no_guidelines:
            timed([sys.executable, "-m", "llmqa", "index", "-g", args.guidelines,
                   "--home", str(home)])
        timed(shipped)  # fills the item-vector cache; not counted
        times: dict[str, list[tuple[float, float]]] = {"shipped": [], "threaded": []}
        for run in range(args.runs):
            for name, argv in (("shipped", shipped), ("threaded", threaded)):
                shutil.rmtree(home / "cache" / "triage", ignore_errors=True)
                times[name].append(timed(argv))
                print(f"run {run + 1} {name:<9} {times[name][-1][0]:6.2f} s wall", flush=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    wall = {name: statistics.median(w for w, _ in values) for name, values in times.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in times.items()}
    print(f"llmqa triage refresh, {Path(args.items).name}, median of {args.runs}: "
          f"{wall['shipped']:.1f} s as shipped (one BLAS thread in the fold fits, CPU "
          f"{cpu['shipped']:.1f} s) against {wall['threaded']:.1f} s with a BLAS thread per "
          f"core (CPU {cpu['threaded']:.1f} s): {wall['threaded'] / wall['shipped']:.1f}x")


if __name__ == "__main__":
    main()
