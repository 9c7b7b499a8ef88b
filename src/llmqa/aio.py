"""Asyncio helpers shared by the review runner and the example verifier."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any


async def gather_or_cancel(*awaitables: Awaitable[Any]) -> list[Any]:
    """``asyncio.gather``, except that when one fails (a 401 abort, Ctrl-C) the others are
    cancelled and awaited before the error propagates. Plain ``gather`` leaves them running:
    they go on sending requests, and an error they raise later is never retrieved (asyncio
    prints it as a stray traceback when the loop closes)."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
