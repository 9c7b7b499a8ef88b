"""The single retry layer for model calls (the SDKs' own retries are switched off).

Built on tenacity's ``AsyncRetrying``: only transient failures are retried (429, 5xx,
timeouts, dropped connections, as ``classify_exception`` decides); a ``Retry-After`` from the
server is honoured as a lower bound on the wait, up to ``RetryPolicy.max_retry_after`` (120 s);
a longer one fails the item at once. Each call has a cap on attempts and each item a deadline
that bounds every attempt and wait, so a server that never answers cannot hold a run forever:
an attempt still running at the deadline is cancelled, and a wait that would end past it is
not started (the last failure is raised instead).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from llmqa.llm.failures import Failure, classify_exception

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


def _failure(state: RetryCallState) -> Failure | None:
    exc = state.outcome.exception() if state.outcome is not None else None
    return classify_exception(exc) if exc is not None else None


class _WaitHonouringRetryAfter(wait_base):
    """Jittered exponential backoff, or the server's ``Retry-After`` when it says more."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: RetryCallState) -> float:
        return self.policy.backoff(retry_state.attempt_number, _failure(retry_state))


class _StopAtDeadline(stop_base):
    """Stop when the coming wait would end at or past the item's deadline (tenacity computes
    the wait before it asks the stop condition)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        now = asyncio.get_running_loop().time()
        return now + (retry_state.upcoming_sleep or 0.0) >= self.deadline


def _transient(exc: BaseException) -> bool:
    return classify_exception(exc).transient


def _over_cap(exc: BaseException, policy: RetryPolicy) -> bool:
    """The server asks for a longer wait than ``policy.max_retry_after``: not worth holding
    a worker for, so the failure is raised at once."""
    retry_after = classify_exception(exc).retry_after
    return retry_after is not None and retry_after > policy.max_retry_after


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
    if deadline - loop.time() <= 0:
        raise TimeoutError("the per-item deadline passed before the call")
    retrying = AsyncRetrying(
        retry=retry_if_exception(lambda exc: _transient(exc) and not _over_cap(exc, policy)),
        wait=_WaitHonouringRetryAfter(policy),
        stop=stop_after_attempt(max(1, policy.max_attempts)) | _StopAtDeadline(deadline),
        sleep=asyncio.sleep, reraise=True)
    async for attempt in retrying:
        with attempt:
            if on_attempt:
                on_attempt(attempt.retry_state.attempt_number)
            # Not wait_for: on Python 3.11 it runs the call in a task of its own, and when the
            # caller is cancelled (another worker's 401 aborts the run) just as the call fails,
            # that task's exception is never retrieved and asyncio prints it, API key and all.
            async with asyncio.timeout_at(deadline):
                return await call()
    raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover
