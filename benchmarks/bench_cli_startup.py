"""How long `llmqa --help` takes, beside a bare interpreter start.

Run: ``python benchmarks/bench_cli_startup.py [--repeat N]``. Prints the best wall time and
the CPU time of N runs of each, so a loaded machine's figure can be read against its own
baseline (the CPU time is what the import work itself costs).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time


def measure(argv: list[str], repeat: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = [("python -c pass (interpreter only)", [sys.executable, "-c", "pass"]),
            ("python -m llmqa --help", [sys.executable, "-m", "llmqa", "--help"])]
    print(f"{'command':<36} {'best wall s':>11} {'best cpu s':>10}")
    for name, argv in rows:
        wall, cpu = measure(argv, args.repeat)
        print(f"{name:<36} {wall:>11.3f} {cpu:>10.3f}")


if __name__ == "__main__":
    main()
