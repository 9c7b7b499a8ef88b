"""Round trip through a real Label Studio server: llmqa's export with predictions goes in,
two annotators label through the API, Label Studio's own JSON export comes back into llmqa.

Needs ``scripts/setup-labelstudio`` (CI runs it); skipped without it unless
``LLMQA_REQUIRE_LABEL_STUDIO`` is set, as ``.ci/run`` does.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interop_support import stored_verdicts
from label_studio_server import LabelStudioServer, running_label_studio
from llmqa.errors import InputError
from llmqa.interop.label_studio import (
    LabelConfig,
    export_tasks,
    import_file,
    import_tasks,
    labelling_config,
)
from llmqa.interop.mapping import ImportReport, suggestions_from_rows
from llmqa.interop.users import parse_users
from llmqa.items import Item
from llmqa.store import VerdictStore
from llmqa.store.decisions import Decision
from llmqa.store.gold import gold_record

pytestmark = pytest.mark.slow
sdk = pytest.importorskip("label_studio_sdk.client")

# What llmqa's import reads from a Label Studio JSON export; if a release drops or renames one
# of these, the test says which in one line.
TASK_KEYS = ("id", "data", "annotations", "meta")
ANNOTATION_KEYS = ("completed_by", "result", "was_cancelled", "ground_truth")
RESULT_KEYS = ("type", "from_name", "to_name", "value")


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabelStudioServer]:
    with running_label_studio(tmp_path_factory.mktemp("label-studio")) as server:
        yield server


def shape_changes(tasks: list[dict[str, Any]]) -> list[str]:
    changes: list[str] = []
    for task in tasks:
        changes += [f"task lacks {k!r}" for k in TASK_KEYS if k not in task]
        for annotation in task.get("annotations", []):
            changes += [f"annotation lacks {k!r}" for k in ANNOTATION_KEYS if k not in annotation]
            for result in annotation.get("result", []):
                changes += [f"result lacks {k!r}" for k in RESULT_KEYS if k not in result]
                if result.get("type") == "choices" and "choices" not in result.get("value", {}):
                    changes.append("choices result value lacks 'choices'")
    return sorted(set(changes))


def _get(server: LabelStudioServer, path: str) -> Any:
    """JSON from the server's REST API, as `curl -H "Authorization: Token ..."` gets it."""
    request = urllib.request.Request(server.url + path,
                                     headers={"Authorization": f"Token {server.token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_round_trip(label_studio: LabelStudioServer, tmp_path: Path) -> None:
    items = stored_verdicts(tmp_path)
    with VerdictStore(tmp_path, readonly=True) as store:
        suggestions = suggestions_from_rows(store.verdicts())
    tasks, keys = export_tasks(items, suggestions)
    config = labelling_config(["allowed", "hate", "harassment", "spam"], keys)

    client = sdk.LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    version = client.versions.get().release
    project = client.projects.create(title="llmqa round trip", label_config=config)
    imported = client.projects.import_tasks(id=project.id, request=tasks, return_task_ids=True)
    assert imported.task_count == 2 and imported.prediction_count == 1, imported

    # Whoever relabels a task blind must not find the first labels in a Data Manager column
    # (one per data key): they ride in the task's meta, which it does not show.
    columns = _get(label_studio, f"/api/dm/columns?project={project.id}")["columns"]
    shown = [c["id"] for c in columns if c.get("parent") == "data"]
    assert "item_id" in shown and not [c for c in shown if c.startswith("llmqa_")], shown

    lead = client.users.whoami()
    second = client.users.create(username="annotator-two", email="two@example.org",
                                 password="llmqa-test-password-2")
    by_item = {t.data["item_id"]: t for t in client.tasks.list(project=project.id)}
    (prediction,) = client.predictions.list(task=by_item["t1"].id)
    assert prediction.score == 0.75
    assert prediction.model_version == "gpt-test @ guidelines ec8bad42ae05"
    made = [client.annotations.create(id=by_item["t1"].id, completed_by=who, result=[
        {"from_name": "label", "to_name": "audio", "type": "choices",
         "value": {"choices": [label]}}]) for who, label in ((lead.id, "allowed"),
                                                            (second.id, "hate"))]
    # the second annotator's answer is starred as ground truth (a reviewer settling it)
    client.annotations.update(id=made[1].id, ground_truth=True)

    raw = b"".join(client.projects.exports.download_sync(project.id, export_type="JSON",
                                                         download_all_tasks=True))
    exported = json.loads(raw)
    changes = shape_changes(exported)
    assert not changes, f"Label Studio {version} changed its export shape: {'; '.join(changes)}"

    # the verdict's details ride on the task's meta (a prediction keeps none)
    meta = {t["data"]["item_id"]: t["meta"] for t in exported}
    assert meta["t1"]["llmqa_verdict"] == "likely_error"
    assert meta["t1"]["llmqa_cited_clause_ids"] == ["HATE-1.1"]

    report = ImportReport()
    back = list(report.track(import_tasks(exported, "export.json", LabelConfig.parse(config),
                                          report)))
    assert report.errors == [] and report.notes == []
    by_id = {item.id: item for item in back}
    assert sorted(by_id) == ["t1", "t2"]
    # the batch's own annotations rode through Label Studio in the task data
    assert [(a.annotator, a.label) for a in by_id["t1"].annotations] == [
        ("lee", "allowed"), ("kim", "hate"),
        (f"user-{lead.id}", "allowed"), (f"user-{second.id}", "hate")]
    assert by_id["t1"].annotations[:2] == items[0].annotations
    assert by_id["t1"].annotations[3].note == "ground truth"
    # asked for gold rows, the ground truth is an analyst's decision instead
    gold: list[Decision] = []
    back_with_gold: list[Item] = []
    for result in import_tasks(exported, "export.json", LabelConfig.parse(config), gold=gold):
        assert isinstance(result, Item), str(result)
        back_with_gold.append(result)
    decided = {item.id: item for item in back_with_gold}["t1"]
    assert len(decided.annotations) == 3
    assert [gold_record(d) for d in gold] == [
        {"id": "t1", "label": "hate", "analyst": f"user-{second.id}", "note": "ground truth",
         "decision": "correct", "clause_ids": [], "item_hash": decided.content_hash(),
         "labels_hash": decided.labels_hash(), "source": "label-studio"}]
    # Label Studio's own user list, saved as `curl .../api/users/` saves it, names the ids.
    users = parse_users(_get(label_studio, "/api/users/"), "users.json")
    named = list(import_tasks(exported, "export.json", LabelConfig.parse(config), users=users))
    assert [a.annotator for a in next(i for i in named if isinstance(i, Item)
                                      and i.id == "t1").annotations] == [
        "lee", "kim", lead.email or lead.username, "two@example.org"]
    assert by_id["t2"].annotations == []
    # The flattened exports (one row per annotation, no meta) are refused, saying which.
    for export_type, name in (("JSON_MIN", "min.json"), ("CSV", "project.csv")):
        flat = tmp_path / name
        flat.write_bytes(b"".join(client.projects.exports.download_sync(
            project.id, export_type=export_type, download_all_tasks=True)))
        with pytest.raises(InputError, match=f"looks like Label Studio's "
                                             f"{export_type.replace('_', '-')} export"):
            import_file(flat)
    for item in items:
        assert by_id[item.id].content == item.content
        assert by_id[item.id].project == item.project


def test_an_uploaded_image_comes_back_as_a_file_in_the_media_folder(
        label_studio: LabelStudioServer, tmp_path: Path) -> None:
    import httpx

    from llmqa.interop.convert import items_from_label_studio
    from llmqa.io.readers import read_items
    from review_helpers import png_bytes

    if label_studio.data is None:
        pytest.skip("a server started elsewhere: its media folder is not known here")
    config = ('<View><Image name="image" value="$image"/><Choices name="label" toName="image">'
              '<Choice value="allowed"/><Choice value="hate"/></Choices></View>')
    client = sdk.LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    project = client.projects.create(title="llmqa uploads", label_config=config)
    uploaded = httpx.post(f"{label_studio.url}/api/projects/{project.id}/import",
                          headers={"Authorization": f"Token {label_studio.token}"},
                          files={"file": ("cover.png", png_bytes(), "image/png")}, timeout=60)
    assert uploaded.status_code == 201, uploaded.text
    (task,) = client.tasks.list(project=project.id)
    assert str(task.data["image"]).startswith("/data/upload/"), task.data
    client.annotations.create(id=task.id, completed_by=client.users.whoami().id, result=[
        {"from_name": "label", "to_name": "image", "type": "choices",
         "value": {"choices": ["allowed"]}}])
    export = tmp_path / "export.json"
    export.write_bytes(b"".join(client.projects.exports.download_sync(
        project.id, export_type="JSON", download_all_tasks=True)))
    report = items_from_label_studio(export, tmp_path / "items.jsonl",
                                     media_root=label_studio.data / "media")
    assert report.ok and report.hints == [], report.summary("items.jsonl")
    (item,) = read_items(tmp_path / "items.jsonl")
    assert isinstance(item, Item) and item.content.image_path
    assert Path(item.content.image_path).read_bytes() == png_bytes()
