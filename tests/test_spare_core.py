"""The review's embedding leaves a core to the event loop: torch runs on one thread fewer than
the machine has while calls are in flight, and gets its count back after."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import llmqa.index.threads as threads
from llmqa.runner import ReviewOptions, ReviewRunner
from llmqa.store import VerdictStore
from review_helpers import (
    HashEmbedder,
    fake_model,
    make_judge,
    make_retriever,
    sample_guidelines,
    sample_items,
)


@pytest.fixture
def four_cores(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    before = torch.get_num_threads()
    torch.set_num_threads(4)
    yield
    torch.set_num_threads(before)


def test_spare_a_core_lowers_torch_threads_and_restores_them(four_cores: Any) -> None:
    with threads.spare_a_core():
        assert torch.get_num_threads() == 3
    assert torch.get_num_threads() == 4


def test_one_core_is_not_spared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    before = torch.get_num_threads()
    with threads.spare_a_core():
        assert torch.get_num_threads() == before


class ThreadCountingEmbedder(HashEmbedder):
    """Records torch's thread count at each item embedding (the clause index's is not)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[int] = []
        self.loaded = 0

    def warm(self) -> None:
        self.loaded += 1

    def embed(self, texts: list[str]) -> np.ndarray:
        self.seen.append(torch.get_num_threads())
        return super().embed(texts)


def test_sparing_a_core_is_off_by_default() -> None:
    assert ReviewOptions().spare_core is False  # it measured slower on a quiet machine


@pytest.mark.parametrize("spare", [True, False])
def test_the_review_embeds_items_with_a_core_spared(tmp_path: Path, four_cores: Any,
                                                    spare: bool) -> None:
    guidelines = sample_guidelines()
    embedder = ThreadCountingEmbedder()
    retriever = make_retriever(guidelines, embedder)
    embedder.seen.clear()  # the clause index was embedded above
    items = sample_items(40)
    with VerdictStore(tmp_path) as store:
        runner = ReviewRunner(make_judge(fake_model(), guidelines), retriever, store,
                              ReviewOptions(concurrency=4, spare_core=spare))
        summary = asyncio.run(runner.run(items))
    assert summary.reviewed == 40
    # Chunks of 16 then 64: the first small, so calls start early.
    assert len(embedder.seen) == 2
    assert set(embedder.seen) == ({3} if spare else {4})
    assert torch.get_num_threads() == 4
