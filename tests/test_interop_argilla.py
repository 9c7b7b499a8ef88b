"""Argilla export and import, through the real ``argilla`` SDK objects (no server: Argilla's
needs Elasticsearch). The SDK's client checks its server when created; the tests skip only
that handshake, every record and dataset object is the SDK's own."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interop_support import stored_verdicts
from llmqa.cli import app
from llmqa.interop.argilla import dataset_settings, export_records, import_records
from llmqa.interop.mapping import ImportReport, suggestions_from_rows
from llmqa.items import Item
from llmqa.store import VerdictStore

rg = pytest.importorskip("argilla")
runner = CliRunner()


@pytest.fixture
def offline_client(monkeypatch: pytest.MonkeyPatch):
    from argilla._api._client import APIClient

    monkeypatch.setattr(APIClient, "_validate_connection", lambda self: None)
    return rg.Argilla(api_url="http://127.0.0.1:9", api_key="offline")


def _exported(home: Path) -> tuple[list[Item], list[dict]]:
    items = stored_verdicts(home)
    with VerdictStore(home, readonly=True) as store:
        suggestions = suggestions_from_rows(store.verdicts())
    return items, list(export_records(items, suggestions))


def test_records_build_sdk_objects_and_come_back(tmp_path: Path, offline_client) -> None:
    items, records = _exported(tmp_path)
    settings = dataset_settings(["hate", "allowed", "spam"], ["title", "text", "transcript",
                                                              "audio"])
    dataset = rg.Dataset(name="llmqa-review", settings=settings, client=offline_client)
    built = [rg.Record.from_dict(r, dataset=dataset) for r in records]
    first = built[0]
    assert first.id == "t1"
    assert first.fields["audio"] == "audio/t1.mp3" and first.fields["title"] == "Block Talk"
    suggestion = first.suggestions["label"]
    assert (suggestion.value, suggestion.score) == ("hate", 0.75)
    assert suggestion.agent == "gpt-test @ guidelines ec8bad42ae05"
    assert first.metadata["llmqa_cited_clause_ids"] == ["HATE-1.1"]
    assert first.metadata["llmqa_rationale"] == "Targets a group by origin."
    assert list(built[1].suggestions) == []  # the failed call gives no suggestion

    ana, bo = uuid.uuid4(), uuid.uuid4()
    first.responses.add(rg.Response("label", "allowed", user_id=ana, status="submitted"))
    first.responses.add(rg.Response("label", "hate", user_id=bo, status="submitted"))
    back_rows = [json.loads(json.dumps(r.to_dict(), default=str)) for r in built]
    report = ImportReport()
    back = list(report.track(import_records(back_rows, "records.json",
                                            users={str(ana): "ana", str(bo): "bo"},
                                            report=report)))
    assert report.errors == []
    # the batch's own annotations came along in the metadata, then Argilla's responses
    assert [(a.annotator, a.label) for a in back[0].annotations] == [
        ("lee", "allowed"), ("kim", "hate"), ("ana", "allowed"), ("bo", "hate")]
    assert back[0].annotations[:2] == items[0].annotations
    assert back[0].content == items[0].content and back[0].project == "music"
    assert back[1] == items[1]


def test_multi_label_question_and_statuses() -> None:
    rows = [{"id": "r1", "fields": {"text": "they hate us", "note_field": "x"},
             "metadata": {"project": "p", "genre": "rap"},
             "responses": {"labels": [
                 {"value": ["hate", "harassment"], "user_id": "u1", "status": "submitted"},
                 {"value": ["hate"], "user_id": "u2", "status": "discarded"},
                 {"value": ["spam"], "user_id": "u3", "status": "draft"}],
                 "comment": [{"value": "hm", "user_id": "u1"}]},
             "some_future_key": 1}]
    report = ImportReport()
    (item,) = list(report.track(import_records(rows, "r.json", question="labels",
                                               report=report)))
    (annotation,) = item.annotations
    assert annotation.annotator == "u1" and annotation.labels == ("harassment", "hate")
    assert item.content.metadata == {"genre": "rap", "note_field": "x"}
    assert report.notes == [
        "record r1: discarded response by u2; left out",
        "record r1: draft response by u3; left out",
        "record r1: responses to question 'comment' are not labels (llmqa reads 'labels'); "
        "left out"]


def test_a_record_without_fields_is_named() -> None:
    (error,) = list(import_records([{"id": "x", "metadata": {}}], "r.json"))
    assert str(error) == "r.json: record 1: fields: Field required"


def test_cli_export_and_import_argilla(tmp_home: Path) -> None:
    stored_verdicts(tmp_home)
    result = runner.invoke(app, ["export", "argilla", "-o", "records.json", "-g", "missing"])
    assert result.exit_code == 0, result.output
    assert "no guidelines at missing: offering the labels the items use" in result.output
    assert "labels for the 'label' question: allowed, hate" in result.output
    records = json.loads(Path("records.json").read_text())
    records[1]["responses"] = {"label": [{"value": "spam", "user_id": "u9"}]}
    Path("records.json").write_text(json.dumps(records))
    Path("users.json").write_text('{"u9": "cleo"}')
    result = runner.invoke(app, ["import", "argilla", "records.json", "--users", "users.json",
                                 "-o", "items.csv"])
    assert result.exit_code == 0, result.output
    assert "2 items with 3 annotations written to items.csv" in result.output
    assert "cleo" in Path("items.csv").read_text()


def test_show_annotations_as_a_field(tmp_path: Path, offline_client) -> None:
    items = stored_verdicts(tmp_path)
    records = list(export_records(items, {}, show_annotations=True))
    assert [r["fields"]["annotator_labels"] for r in records] == [
        "lee: allowed (lyrics only); kim: hate [HATE-1.1]", "(no annotations)"]
    settings = dataset_settings(["hate", "allowed"], ["title", "text", "transcript", "audio",
                                                      "annotator_labels"])
    dataset = rg.Dataset(name="llmqa-review", settings=settings, client=offline_client)
    built = [rg.Record.from_dict(r, dataset=dataset) for r in records]
    assert built[0].fields["annotator_labels"].startswith("lee: allowed")
    back_rows = [json.loads(json.dumps(r.to_dict(), default=str)) for r in built]
    report = ImportReport()
    back = list(report.track(import_records(back_rows, "records.json", report=report)))
    assert back == items and report.notes == []


def test_an_annotator_who_labels_again_replaces_their_carried_label() -> None:
    rows = [{"id": "r1", "fields": {"text": "hello"},
             "metadata": {"item_id": "x", "llmqa_annotations": [
                 {"annotator": "ana", "label": "hate"}, {"annotator": "bo", "label": "spam"}]},
             "responses": {"label": [{"value": "allowed", "user_id": "u1",
                                      "status": "submitted"}]}}]
    report = ImportReport()
    (item,) = list(report.track(import_records(rows, "r.json", users={"u1": "ana"},
                                               report=report)))
    assert [(a.annotator, a.label) for a in item.annotations] == [
        ("bo", "spam"), ("ana", "allowed")]
    assert report.notes == ["record r1: ana labelled the item again; the new label replaces "
                            "the carried one"]


def test_a_to_disk_folder_is_read_and_flattened_records_are_refused(
        tmp_path: Path, offline_client) -> None:
    """What the SDK writes, as it writes it: ``dataset.to_disk`` (a folder; the records in
    its records.json, by ``records.to_json``) imports; ``records.to_list(flatten=True)``
    mixes fields with answers and is refused with the calls to use instead."""
    from argilla.records._io import GenericIO
    from argilla.records._io._json import JsonIO

    from llmqa.errors import InputError
    from llmqa.interop.argilla import import_file

    _, records = _exported(tmp_path)
    dataset = rg.Dataset(name="llmqa-review", client=offline_client, settings=dataset_settings(
        ["hate", "allowed", "spam"], ["title", "text", "transcript", "audio"]))
    built = [rg.Record.from_dict(r, dataset=dataset) for r in records]
    built[0].responses.add(rg.Response("label", "spam", user_id=uuid.uuid4(),
                                       status="submitted"))
    folder = tmp_path / "saved"
    folder.mkdir()
    JsonIO.to_json(built, folder / "records.json")
    back = [r for r in import_file(folder) if isinstance(r, Item)]
    assert [i.id for i in back] == ["t1", "t2"] and back[0].annotations[-1].label == "spam"

    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps(GenericIO.to_list(built, flatten=True), default=str))
    with pytest.raises(InputError, match="records without 'fields': flattened records"):
        list(import_file(flat))
    with pytest.raises(InputError, match=r"without the records\.json"):
        list(import_file(tmp_path))
