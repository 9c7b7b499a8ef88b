"""Progress bars on standard error for the long steps, usable from the CLI or a script.

``StageBars`` serves steps that report ``(stage, done, total)`` (triage, examples); ``ItemBar``
serves the review (``on_plan(n)`` then ``on_progress(1)`` per item). A bar shows only on a terminal
(tqdm's ``disable=None``): piped output, CI logs and tests never get ``\r``-joined text. Each
stage's bar is cleared when the next begins, so the table or JSON that follows starts clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

# A long step reports ``(stage, done, total)``; ``StageBars`` draws it.
StageProgress = Callable[[str, int, int], None]


class StageBars:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._stage: str | None = None
        self._bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self._stage:
            self.close()
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=stage, file=sys.stderr, disable=None,
                             dynamic_ncols=True, leave=False, mininterval=0)  # few, slow steps
            self._stage = stage
        self._bar.total = total
        self._bar.update(done - self._bar.n)  # update(), not n =, keeps the rate estimate

    def write(self, message: str) -> None:
        """A line on standard error above the bar, not through it."""
        if self._bar is not None:
            self._bar.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        self._bar = self._stage = None

    def __enter__(self) -> StageBars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ItemBar:
    """One bar over the items a review sends to the model (those not reused from the store)."""

    def __init__(self, enabled: bool = True, desc: str = "review") -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=0, unit="item", desc=desc, file=sys.stderr, dynamic_ncols=True,
                         disable=None if enabled else True)

    def on_plan(self, total: int) -> None:
        # The review plans chunk by chunk and reports a running total: grow the bar's total,
        # keep what is already done.
        self._bar.total = total
        self._bar.refresh()

    def on_progress(self, done: int) -> None:
        self._bar.update(done)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> ItemBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
