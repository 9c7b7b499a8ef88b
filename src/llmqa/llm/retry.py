"""The single retry layer for model calls (the SDKs' own retries are switched off).

Only transient failures are retried (429, 5xx, timeouts, dropped connections); a
``Retry-After`` from the server is honoured as a lower bound on the wait, up to
``RetryPolicy.max_retry_after`` (120 s); a longer one fails the item at once. Each call has a cap
on attempts and each item a deadline that bounds every attempt and wait, so a server that
never answers cannot hold a run forever: an attempt still running at the deadline is
cancelled, and a wait that would end past it is not started.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from llmqa.llm.seam import Failure, classify_exception

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_wait: float = 1.0
    max_wait: float = 60.0
    deadline: float = 300.0  # seconds per item, all attempts and waits included
    # The longest Retry-After honoured: a server asking for more (an hour, "come back
    # tomorrow") fails the item at once instead of holding a worker until the deadline.
    max_retry_after: float = 120.0

    def backoff(self, attempt: int, failure: Failure | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        backoff = min(self.max_wait, self.base_wait * 2 ** (attempt - 1))
        backoff *= 0.5 + random.random() / 2  # jitter so a burst of 429s does not re-sync
        if failure is not None and failure.retry_after is not None:
            return max(failure.retry_after, backoff if failure.retry_after == 0 else 0.0)
        return backoff

    def start(self) -> float:
        """The absolute deadline (event-loop time) for an item starting now."""
        return asyncio.get_running_loop().time() + self.deadline


async def call_with_retries(policy: RetryPolicy, call: Callable[[], Awaitable[T]],
                            on_attempt: Callable[[int], None] | None = None,
                            deadline: float | None = None) -> T:
    """Run ``call`` under ``policy``; the last exception is re-raised when retries end.

    ``deadline`` is an absolute event-loop time shared by several calls for one item
    (``policy.start()``); without it the call gets ``policy.deadline`` seconds of its own.
    """
    loop = asyncio.get_running_loop()
    if deadline is None:
        deadline = policy.start()
    attempt = 0
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError("the per-item deadline passed before the call")
        attempt += 1
        if on_attempt:
            on_attempt(attempt)
        try:
            return await asyncio.wait_for(call(), timeout=remaining)
        except Exception as exc:
            failure = classify_exception(exc)
            if not failure.transient or attempt >= max(1, policy.max_attempts):
                raise
            if failure.retry_after is not None and failure.retry_after > policy.max_retry_after:
                raise
            wait = policy.backoff(attempt, failure)
            if loop.time() + wait >= deadline:
                raise
            await asyncio.sleep(wait)
