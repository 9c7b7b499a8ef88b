"""gather_or_cancel: one failure cancels and awaits the rest, so nothing runs on unseen."""

import asyncio

import pytest

from llmqa.aio import gather_or_cancel


def test_results_in_order_when_all_succeed() -> None:
    async def value(n: int) -> int:
        await asyncio.sleep(0.01 * (3 - n))
        return n

    assert asyncio.run(gather_or_cancel(*(value(n) for n in range(3)))) == [0, 1, 2]


def test_a_failure_cancels_the_others_and_leaves_no_stray_exception(
        capsys: pytest.CaptureFixture) -> None:
    finished: list[str] = []
    cancelled: list[str] = []

    async def fails() -> None:
        await asyncio.sleep(0.01)
        raise PermissionError("401: invalid key")

    async def fails_later() -> None:
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            cancelled.append("late failure")
            raise
        raise PermissionError("never seen")

    async def slow() -> None:
        try:
            await asyncio.sleep(1.0)
            finished.append("slow")
        except asyncio.CancelledError:
            cancelled.append("slow")
            raise

    async def main() -> None:
        with pytest.raises(PermissionError, match="401"):
            await gather_or_cancel(fails(), fails_later(), slow())
        await asyncio.sleep(0.1)  # anything left running would finish or fail here

    asyncio.run(main())
    assert finished == [] and sorted(cancelled) == ["late failure", "slow"]
    assert "never retrieved" not in capsys.readouterr().err
