"""The triage on the sample batch with the real embedder (slow: loads all-MiniLM-L6-v2)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import REPO_ROOT, SAMPLE_GUIDELINES
from llmqa.guidelines import load_guidelines
from llmqa.io.readers import read_items
from llmqa.triage import auroc, precision_at_k, triage
from triage_support import make_retriever

SAMPLE = REPO_ROOT / "examples" / "sample_batch"


def _known(value: float | None) -> float:
    """A metric the batch has enough items to compute."""
    assert value is not None
    return value


@pytest.mark.slow
def test_sample_batch_errors_and_ambiguity_rank_high(local_embedder) -> None:
    guidelines = load_guidelines(SAMPLE_GUIDELINES)
    items = list(read_items(SAMPLE / "items.jsonl"))
    key = {row["id"]: row for row in map(json.loads, (SAMPLE / "answer_key.jsonl").open())}
    result = triage(items, embedder=local_embedder,
                    retriever=make_retriever(guidelines, local_embedder), guidelines=guidelines)
    ids = result.data.item_ids
    errors = np.array([key[i]["kind"] == "seeded_error" for i in ids])
    ambiguous = np.array([key[i]["kind"] == "ambiguous" for i in ids])
    # Loose floors (the eval reports the real figures): well above chance on both scores.
    assert _known(auroc(result.scores.error, errors)) > 0.7
    assert _known(precision_at_k(result.scores.error, errors)) > 0.25
    assert _known(auroc(result.scores.ambiguity, ambiguous)) > 0.85
    top = result.queue(kind="error", top=5)
    assert all(row["reason"].startswith("likely error") for row in top)
    summary = result.clause_summary(guidelines=guidelines)
    assert summary["clauses"][0]["high_error_items"] + \
        summary["clauses"][0]["high_ambiguity_items"] > 0
