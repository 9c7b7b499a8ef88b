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


def test_a_call_failing_as_it_is_cancelled_leaves_no_unretrieved_exception() -> None:
    # A worker is cancelled (another's 401 aborted the run) while its model call fails: the
    # OpenAI client turns the cancellation into its own error. Run in a task of its own (as
    # asyncio.wait_for does on Python 3.11), that error was never retrieved and asyncio
    # printed it at exit, the API key in its message. The call must fail in the caller's task.
    import gc

    from llmqa.llm.retry import RetryPolicy, call_with_retries
    from llmqa.llm.seam import ChatSeam

    class Model:
        async def ainvoke(self, request: object) -> None:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                raise RuntimeError("401 (key: Bearer sk-secret)") from None

    from pydantic import BaseModel

    from llmqa.llm.fake import FakeChatModel

    seam = ChatSeam(FakeChatModel(), name="fake", timeout=30.0)
    seam._runnable = lambda schema: Model()  # type: ignore[method-assign]

    async def main() -> list[dict]:
        unretrieved: list[dict] = []
        asyncio.get_running_loop().set_exception_handler(lambda _, ctx: unretrieved.append(ctx))
        for call in (lambda: Model().ainvoke(None), lambda: seam.ask([], BaseModel)):
            task = asyncio.ensure_future(call_with_retries(RetryPolicy(), call))
            await asyncio.sleep(0.01)
            task.cancel()
            outcome = (await asyncio.gather(task, return_exceptions=True))[0]
            assert isinstance(outcome, RuntimeError)  # the caller sees the call's failure
            gc.collect()
            await asyncio.sleep(0)
        return unretrieved

    assert asyncio.run(main()) == []
