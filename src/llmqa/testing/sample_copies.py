"""Many distinct items from a few: for benchmarks, crash trials and tests that need volume."""

from __future__ import annotations

import json
import random
from typing import Any

TEXT_FIELDS = ("text", "transcript", "title", "caption")


def distinct_copies(rows: list[dict[str, Any]], n: int, *, seed: int = 0, prefix: str = "gen",
                    tag: str = "variant") -> list[dict[str, Any]]:
    """``n`` item rows drawn (seeded) from ``rows``, each with a new id ``{prefix}-00042`` and
    ``({tag} 42)`` appended to its first text field, so no two share a content hash (nothing
    is served from a cache meant for repeated content)."""
    rng = random.Random(seed)
    out = []
    for number in range(n):
        row = json.loads(json.dumps(rng.choice(rows)))  # a deep copy
        content = row["content"]
        field = next(f for f in TEXT_FIELDS if content.get(f))
        content[field] = f"{content[field]} ({tag} {number})"
        row["id"] = f"{prefix}-{number:05d}"
        out.append(row)
    return out
