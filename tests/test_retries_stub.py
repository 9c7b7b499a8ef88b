"""The retry layer against a real HTTP server (the stub): each transient fault is retried and
each request is counted where it arrives, so a retry that happens twice (SDK and llmqa) or
not at all shows up in the count."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator

import pytest

from llmqa.guidelines import GuidelineSet
from llmqa.judge.judge import Judge
from llmqa.llm.retry import RetryPolicy
from llmqa.testing import Behaviour, OpenAIStub
from llmqa.verdicts import Verdict, VerdictStatus
from review_helpers import hits_for, make_item, make_judge, sample_guidelines, stub_seam


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


@pytest.fixture(scope="module")
def guidelines() -> GuidelineSet:
    return sample_guidelines()


def _judge(stub: OpenAIStub, guidelines: GuidelineSet, timeout: float = 10.0,
           **retry: float) -> Judge:
    policy = RetryPolicy(**({"max_attempts": 4, "base_wait": 0.01, "max_wait": 0.05,
                             "deadline": 30.0} | retry))  # type: ignore[arg-type]
    return make_judge(stub_seam(stub.url, timeout=timeout), guidelines, retry=policy)


def _review(judge: Judge) -> Verdict:
    item = make_item("r-1", "they are vermin", labels=("hate", "hate", "allowed"))
    return asyncio.run(judge.review(judge.prepare(item, hits_for("HATE-1.1", "HATE-1.2"))))


def _gaps(stub: OpenAIStub) -> list[float]:
    times = [t for item, t in stub.arrivals if item == "r-1"]
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.mark.parametrize("fault", [
    Behaviour(status=408), Behaviour(status=409), Behaviour(drop=True),
    Behaviour(status=502), Behaviour(status=429),
], ids=["408", "409", "dropped-connection", "502", "429"])
def test_a_transient_fault_is_retried_once_per_failure(stub: OpenAIStub,
                                                       guidelines: GuidelineSet,
                                                       fault: Behaviour) -> None:
    stub.add(fault, item="r-1", times=2)
    verdict = _review(_judge(stub, guidelines))
    assert verdict.status is VerdictStatus.OK
    # Two failures and one success, each counted at the server: no hidden SDK retries.
    assert stub.requests_for("r-1") == 3
    assert verdict.attempts == 3


def test_a_read_timeout_is_retried(stub: OpenAIStub, guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(delay=2.0), item="r-1")
    verdict = _review(_judge(stub, guidelines, timeout=0.5))
    assert verdict.status is VerdictStatus.OK
    assert stub.requests_for("r-1") == 2
    # The retry went out when the client gave up, not when the slow answer arrived.
    assert 0.4 <= _gaps(stub)[0] < 1.9


def test_a_dropped_connection_every_time_fails_the_item_after_max_attempts(
        stub: OpenAIStub, guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(drop=True), item="r-1", times=None)
    verdict = _review(_judge(stub, guidelines, max_attempts=3))
    assert verdict.status is VerdictStatus.FAILED
    assert verdict.error is not None
    assert verdict.error.startswith("connection_error")
    assert stub.requests_for("r-1") == 3


def test_a_long_retry_after_is_honoured_up_to_the_cap(stub: OpenAIStub,
                                                      guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(status=429, headers={"Retry-After": "2"}), item="r-1")
    verdict = _review(_judge(stub, guidelines, max_retry_after=3.0))
    assert verdict.status is VerdictStatus.OK
    assert stub.requests_for("r-1") == 2
    assert _gaps(stub)[0] >= 2.0  # far above the 0.05 s backoff: the server's wait counted


def test_a_retry_after_over_the_cap_fails_the_item_at_once(stub: OpenAIStub,
                                                          guidelines: GuidelineSet) -> None:
    stub.add(Behaviour(status=429, headers={"Retry-After": "10"}), item="r-1", times=None)
    started = time.monotonic()
    verdict = _review(_judge(stub, guidelines, max_retry_after=5.0, deadline=60.0))
    assert time.monotonic() - started < 5.0
    assert verdict.status is VerdictStatus.FAILED
    assert verdict.error is not None
    assert verdict.error.startswith("rate_limited")
    assert stub.requests_for("r-1") == 1


def test_the_default_cap_is_the_documented_one() -> None:
    assert RetryPolicy().max_retry_after == 120.0
