"""A multi-label judge: the schema asks for a set of labels; the stored verdict reads like a
multi-label human answer; single-label judging (and its store keys) is unchanged."""

from __future__ import annotations

import asyncio

from llmqa.items import Item
from llmqa.judge.judge import JudgeConfig
from llmqa.verdicts import VerdictStatus, answer_model
from review_helpers import fake_model, hits_for, make_judge

LABELS = ("allowed", "harassment", "hate")


def _item() -> Item:
    return Item.model_validate({
        "id": "m-1", "content": {"modality": "text", "text": "[group] go back, we know where "
                                 "you live"},
        "annotations": [{"annotator": "ann1", "labels": ["hate", "harassment"]},
                        {"annotator": "ann2", "labels": ["harassment", "hate"]},
                        {"annotator": "ann3", "label": "hate"}]})


def _answer(labels: list[str], verdict: str = "agree") -> dict:
    return {"rationale": "Targets a group and threatens.", "cited_clause_ids": ["HATE-1.1"],
            "suggested_labels": labels, "verdict": verdict, "confidence": 0.8}


def test_schema_asks_for_a_set_of_labels() -> None:
    schema = answer_model(LABELS, multi_label=True).model_json_schema()
    field = schema["properties"]["suggested_labels"]
    assert field["type"] == "array" and field["minItems"] == 1
    assert "suggested_label" not in schema["properties"]
    assert "suggested_labels" not in answer_model(LABELS).model_json_schema()["properties"]


def test_multi_label_verdict_is_stored_as_the_sorted_set() -> None:
    model = fake_model(_answer(["hate", "harassment"]), responder=None)
    judge = make_judge(model, multi_label=True)
    verdict = asyncio.run(judge.review(judge.prepare(_item(), hits_for("HATE-1.1"))))
    assert verdict.status is VerdictStatus.OK, verdict.error
    assert verdict.suggested_label == "harassment+hate"
    assert verdict.human_label == "harassment+hate"


def test_a_different_set_with_agree_is_inconsistent() -> None:
    odd = _answer(["hate"])
    model = fake_model(odd, odd, responder=None)
    judge = make_judge(model, multi_label=True)
    verdict = asyncio.run(judge.review(judge.prepare(_item(), hits_for("HATE-1.1"))))
    assert verdict.status is VerdictStatus.INCONSISTENT


def test_single_label_store_keys_are_unchanged() -> None:
    assert "M" not in JudgeConfig().fingerprint()
    assert JudgeConfig(multi_label=True).fingerprint().endswith("M")
