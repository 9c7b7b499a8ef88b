"""Peak memory of ``llmqa validate`` streaming 10k, 50k and 100k-row JSONL files.

Each size runs in a fresh interpreter (the CLI's ``main`` with argv), and reports the RSS
high-water mark (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) next to a baseline process
that only imports the CLI. The reader holds one row at a time; what grows with the file is
the set of seen item IDs used for the duplicate check (about a hundred bytes per item); the
"reader alone" column streams the same file through ``read_items`` without that set.

    python benchmarks/bench_validate_memory.py               # 10k, 50k, 100k
    python benchmarks/bench_validate_memory.py --sizes 1000 200000
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, resource, sys, time
argv = json.loads(sys.argv[1])
started = time.perf_counter()
code = 0
if argv and argv[0] == "--reader-only":  # the reader alone: no duplicate-ID set
    import llmqa.cli  # same imports as the baseline, so the columns compare
    from llmqa.io import read_items
    for record in read_items(argv[1]):
        pass
elif argv:
    sys.argv = ["llmqa", *argv]
    from llmqa.cli import main
    try:
        main()
    except SystemExit as exc:
        code = exc.code or 0
else:
    import llmqa.cli  # the baseline: what the command costs before reading anything
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
sys.stderr.write("\\nRESULT " + json.dumps({"code": code, "peak_kib": peak_kib,
                 "seconds": time.perf_counter() - started}))
"""

MODALITIES = [
    ("text", "text"), ("transcript", "transcript"), ("title", "title"),
    ("image", "image_url"), ("audio", "audio_path"), ("video", "video_url"),
]
LABELS = ["hate", "harassment", "spam", "allowed", "dangerous", "self_harm", "sexual"]
WORDS = ["the", "a", "song", "podcast", "episode", "about", "night", "city", "love", "money",
         "crowd", "beat", "verse", "chorus", "story", "host", "guest", "listeners", "track",
         "album", "cover", "live", "remix", "interview"]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(rows):
            modality, field = MODALITIES[number % len(MODALITIES)]
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
            value = words if not field.endswith(("url", "path")) else f"media/{number}.bin"
            content = {"modality": modality, field: value,
                       "metadata": {"market": rng.choice(["GB", "BR", "IN", "DE"]),
                                    "duration_s": rng.randint(10, 600)}}
            if field.endswith(("url", "path")):
                content["caption"] = words
            annotations = [{"annotator": f"a{rng.randint(1, 40)}", "label": rng.choice(LABELS)}
                           for _ in range(rng.randint(1, 3))]
            handle.write(json.dumps({"id": f"item-{number:07d}", "content": content,
                                     "annotations": annotations, "project": "bench"}) + "\n")


def measure(argv: list[str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(argv)], capture_output=True,
                          text=True, check=False, cwd=REPO_ROOT)
    lines = [line for line in done.stderr.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"child failed:\n{done.stderr[-2000:]}")
    return json.loads(lines[-1].removeprefix("RESULT "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--guidelines", default=str(REPO_ROOT / "guidelines"),
                        help="guidelines for the label checks ('' to skip them)")
    args = parser.parse_args(argv)

    baseline = measure([])
    print(f"baseline (import llmqa.cli only): peak RSS {baseline['peak_kib'] / 1024:.1f} MiB")
    base = baseline["peak_kib"] / 1024
    print(f"\n{'rows':>8} {'file MiB':>9} {'peak RSS MiB':>13} {'over baseline':>14} "
          f"{'seconds':>8} {'rows/s':>8} {'reader alone':>13}")
    with tempfile.TemporaryDirectory(prefix="llmqa-bench-") as folder:
        for size in args.sizes:
            path = Path(folder) / f"items-{size}.jsonl"
            generate(path, size)
            command = ["validate", str(path), "--json"]
            command += ["--guidelines", args.guidelines] if args.guidelines else [
                "--no-guidelines"]
            result = measure(command)
            if result["code"] != 0:
                raise RuntimeError(f"validate exited {result['code']} on {path}")
            reader = measure(["--reader-only", str(path)])
            peak = result["peak_kib"] / 1024
            print(f"{size:>8} {path.stat().st_size / 2**20:>9.1f} {peak:>13.1f} "
                  f"{peak - base:>+14.1f} {result['seconds']:>8.1f} "
                  f"{size / result['seconds']:>8.0f} {reader['peak_kib'] / 1024 - base:>+13.1f}")
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
