"""The single retry layer for model calls (the SDKs' own retries are switched off).

Only transient failures are retried (429, 5xx, timeouts, dropped connections); a
``Retry-After`` from the server is honoured as a lower bound on the wait. Each item has a
cap on attempts and a deadline, so a server that never answers cannot hold a run forever.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_after_delay

from llmqa.llm.seam import classify_exception

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_wait: float = 1.0
    max_wait: float = 60.0
    deadline: float = 300.0  # seconds per item, all attempts and waits included

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        backoff = min(self.max_wait, self.base_wait * 2 ** (state.attempt_number - 1))
        backoff *= 0.5 + random.random() / 2  # jitter so a burst of 429s does not re-sync
        failure = classify_exception(exc) if exc else None
        if failure and failure.retry_after is not None:
            return max(failure.retry_after, backoff if failure.retry_after == 0 else 0.0)
        return backoff


async def call_with_retries(policy: RetryPolicy, call: Callable[[], Awaitable[T]],
                            on_attempt: Callable[[int], None] | None = None) -> T:
    """Run ``call`` under ``policy``; the last exception is re-raised when retries end."""
    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.max_attempts) | stop_after_delay(policy.deadline),
        wait=policy.wait,
        retry=retry_if_exception(lambda exc: classify_exception(exc).transient),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            if on_attempt:
                on_attempt(attempt.retry_state.attempt_number)
            return await call()
    raise AssertionError("unreachable")  # pragma: no cover
