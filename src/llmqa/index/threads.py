"""How many threads the local embedder's torch may use while other work needs a core."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def spare_a_core() -> Iterator[None]:
    """Run torch (the local embedder) on one thread fewer than the machine's cores, and put
    the count back after. On 2 cores the embedder's two threads otherwise take both while the
    event loop is sending calls and storing answers; torch's count is process-wide, so the
    review sets it only around its own embedding. No torch loaded: nothing to do."""
    torch = sys.modules.get("torch")
    cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else os.cpu_count() or 1)
    if torch is None or cores < 2:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, min(before, cores - 1)))
    try:
        yield
    finally:
        torch.set_num_threads(before)
