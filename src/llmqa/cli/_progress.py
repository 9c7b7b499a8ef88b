"""A progress bar per stage on standard error, for library steps that report
``(stage, done, total)`` (``llmqa.triage.signals.Progress``).

The bar shows only on a terminal (tqdm's ``disable=None``): piped or captured output, CI logs
and tests see nothing. Each stage's bar is cleared when the next begins, so the table or JSON
that follows starts on a clean screen.
"""

from __future__ import annotations

import sys
from typing import Any


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

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        self._bar = self._stage = None

    def __enter__(self) -> StageBars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
