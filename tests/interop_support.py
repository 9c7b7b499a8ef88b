"""Hand-written Label Studio / Argilla exports and a store with verdicts, for the interop
tests. The exports copy the shape Label Studio 1.x writes for Export > JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmqa.items import Annotation, Content, Item
from llmqa.store import VerdictStore
from llmqa.verdicts import Verdict, VerdictStatus

LS_CONFIG = """<View>
  <Header value="Title"/>
  <Text name="title" value="$title"/>
  <Audio name="clip" value="$clip"/>
  <Text name="lyrics" value="$lyrics"/>
  <Choices name="label" toName="lyrics" choice="multiple">
    <Choice value="hate"/><Choice value="harassment"/><Choice value="allowed"/>
  </Choices>
  <TextArea name="why" toName="lyrics"/>
</View>
"""


def _choices(*labels: str, name: str = "label") -> dict[str, Any]:
    return {"id": "r1", "type": "choices", "from_name": name, "to_name": "lyrics",
            "origin": "manual", "value": {"choices": list(labels)}}


def _annotation(user: int | dict, *results: dict, cancelled: bool = False,
                ground_truth: bool = False) -> dict[str, Any]:
    return {"id": 100, "completed_by": user, "result": list(results), "was_cancelled": cancelled,
            "ground_truth": ground_truth, "created_at": "2026-11-30T10:00:00Z",
            "lead_time": 12.5, "prediction": {}, "result_count": 0, "task": 1, "project": 3}


LS_EXPORT: list[dict[str, Any]] = [
    {   # several annotators, one of them skipped, one ground truth with a note
        "id": 1, "data": {"title": "Night Drive", "lyrics": "we ride tonight", "clip": "",
                          "artist": "Kid Marlowe", "explicit": False},
        "annotations": [
            _annotation(1, _choices("allowed")),
            _annotation({"id": 2, "email": "bo@example.org"}, _choices("allowed"),
                        {"type": "textarea", "from_name": "why", "to_name": "lyrics",
                         "value": {"text": ["plain driving song"]}}, ground_truth=True),
            _annotation(3, cancelled=True),
        ],
        "predictions": [], "meta": {"batch": "w48"}, "drafts": [], "inner_id": 1,
        "total_annotations": 2, "cancelled_annotations": 1, "project": 3,
    },
    {   # an audio task with a multi-choice result
        "id": 2, "data": {"title": "Block Talk", "clip": "/data/upload/3/block.mp3",
                          "lyrics": "they hate where we from"},
        "annotations": [_annotation(1, _choices("hate", "harassment")),
                        _annotation(2, _choices("harassment"))],
        "meta": {}, "inner_id": 2, "project": 3,
    },
    {   # no annotations yet
        "id": 3, "data": {"title": "Quiet", "lyrics": "nothing here", "clip": ""},
        "annotations": [], "inner_id": 3, "project": 3,
    },
]


def stored_verdicts(home: Path) -> list[Item]:
    """Two items in a store, one with two annotations and an ok verdict, one with no
    annotation whose call failed."""
    items = [
        Item(id="t1", project="music", content=Content(
            modality="audio", audio_path="audio/t1.mp3", title="Block Talk",
            transcript="they hate where we from", metadata={"artist": "Kid Marlowe"}),
            annotations=[Annotation(annotator="lee", label="allowed", note="lyrics only"),
                         Annotation(annotator="kim", label="hate", clause_id="HATE-1.1")]),
        Item(id="t2", content=Content(modality="text", text="buy followers now")),
    ]
    with VerdictStore(home) as store:
        store.save_items(items)
        store.save_verdict(Verdict(
            key="k1", item_id="t1", item_hash=items[0].content_hash(),
            guideline_version="ec8bad42ae05ffff",
            context_hash="c", prompt_hash="p", model="gpt-test", status=VerdictStatus.OK,
            verdict="likely_error", suggested_label="hate", confidence=0.75,
            cited_clause_ids=["HATE-1.1"], rationale="Targets a group by origin."), None)
        store.save_verdict(Verdict(
            key="k2", item_id="t2", item_hash=items[1].content_hash(),
            guideline_version="ec8bad42ae05ffff",
            context_hash="c", prompt_hash="p", model="gpt-test", status=VerdictStatus.FAILED,
            error="timeout"), None)
    return items
