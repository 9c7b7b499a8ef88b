"""Label Studio import (hand-written exports) and export (tasks, predictions, config)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from interop_support import LS_CONFIG, LS_EXPORT, stored_verdicts
from llmqa.cli import app
from llmqa.errors import InputError
from llmqa.interop.label_studio import (
    LabelConfig,
    export_tasks,
    import_file,
    import_tasks,
    labelling_config,
)
from llmqa.interop.mapping import ImportReport, Suggestion
from llmqa.io.readers import read_items
from llmqa.items import Item
from llmqa.store.decisions import Decision
from llmqa.store.gold import gold_record

runner = CliRunner()


def _import(config: str | None = LS_CONFIG) -> tuple[list[Item], ImportReport]:
    report = ImportReport()
    parsed = LabelConfig.parse(config) if config else None
    items = list(report.track(import_tasks(LS_EXPORT, "export.json", parsed, report)))
    return items, report


def test_several_annotators_skipped_and_ground_truth() -> None:
    items, report = _import()
    first = items[0]
    assert first.id == "ls-1"
    assert [(a.annotator, a.label) for a in first.annotations] == [
        ("user-1", "allowed"), ("bo@example.org", "allowed")]
    assert first.annotations[1].note == "ground truth; plain driving song"
    assert any("task 1: annotation by user-3 was skipped" in n for n in report.notes)
    assert report.errors == []


def test_audio_task_and_multi_choice_result() -> None:
    items, _ = _import()
    audio = items[1]
    assert audio.content.modality == "audio"
    assert audio.content.audio_path == "/data/upload/3/block.mp3"
    assert audio.content.title == "Block Talk"
    assert audio.content.text == "they hate where we from"
    multi, single = audio.annotations
    assert multi.labels == ("harassment", "hate") and multi.label == "harassment+hate"
    # the control allows several choices, so a single pick is still a (one-label) set
    assert single.labels == ("harassment",)


def test_task_without_annotations_and_unknown_fields_kept_as_metadata() -> None:
    items, report = _import()
    assert items[2].annotations == []
    assert items[2].content.modality == "text"
    assert items[0].content.metadata == {"artist": "Kid Marlowe", "explicit": False,
                                         "batch": "w48"}
    assert report.items == 3 and report.annotations == 4


def test_without_a_config_llmqa_field_names_decide() -> None:
    rows = [{"id": 9, "data": {"id": "trk-9", "text": "hello", "audio": "https://cdn/x.mp3",
                               "genre": "pop"},
             "annotations": [{"completed_by": 4, "result": [
                 {"type": "choices", "from_name": "x", "to_name": "y",
                  "value": {"choices": ["spam"]}}]}]}]
    (item,) = list(import_tasks(rows, "e.json"))
    assert isinstance(item, Item)
    assert item.id == "trk-9"
    assert item.content.modality == "audio" and item.content.audio_url == "https://cdn/x.mp3"
    assert item.content.metadata == {"genre": "pop"}
    assert item.annotations[0].label == "spam" and item.annotations[0].labels is None


def test_a_bad_task_names_every_problem_and_the_rest_goes_on() -> None:
    rows = [{"id": 1, "data": {"other": 1}}, {"data": "oops"},
            {"id": 3, "data": {"text": "fine"}}]
    results = list(import_tasks(rows, "e.json"))
    assert isinstance(results[2], Item)
    assert str(results[0]).startswith("e.json: task 1: ")
    assert "needs one of: text" in str(results[0])
    assert str(results[1]).startswith("e.json: task 2: data:")


def test_results_that_are_not_choices_are_named() -> None:
    rows = [{"id": 1, "data": {"text": "t"}, "annotations": [{"completed_by": 1, "result": [
        {"type": "rating", "from_name": "stars", "to_name": "text", "value": {"rating": 4}}]}]}]
    report = ImportReport()
    (item,) = list(import_tasks(rows, "e.json", None, report))
    assert isinstance(item, Item)
    assert item.annotations == []
    assert report.notes == [
        "task 1: rating result 'stars' by user-1 is not a label llmqa reads; left out",
        "task 1: annotation by user-1 has no choices result; left out"]


def test_label_studio_media_paths_become_files_here(tmp_home: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # An upload is /data/upload/PROJECT/NAME on Label Studio's server; a local-storage file is
    # /data/local-files/?d=PATH. Neither is a file here until its folder is known.
    monkeypatch.delenv("LABEL_STUDIO_BASE_DATA_DIR", raising=False)
    monkeypatch.delenv("LOCAL_FILES_DOCUMENT_ROOT", raising=False)
    choice = {"type": "choices", "from_name": "label", "to_name": "image",
              "value": {"choices": ["allowed"]}}
    tasks = [{"id": n, "data": {"image": path}, "annotations": [{"completed_by": 1,
                                                                 "result": [choice]}]}
             for n, path in ((1, "/data/upload/3/ab12-cover.png"),
                             (2, "/data/local-files/?d=covers%2Fb%20side.png"),
                             (3, "https://example.org/c.png"))]
    Path("export.json").write_text(json.dumps(tasks))
    bare = runner.invoke(app, ["import", "label-studio", "export.json", "-o", "a.jsonl"])
    assert bare.exit_code == 0, bare.output
    assert ("1 media paths are files uploaded to Label Studio (/data/upload/3/ab12-cover.png), "
            "not files here: give --media-root (Label Studio's media folder") in bare.output
    assert ("1 media paths are Label Studio local-storage files (/data/local-files/?d=covers"
            "%2Fb%20side.png), not files here: set LOCAL_FILES_DOCUMENT_ROOT") in bare.output
    assert "; 0 rejected, 2 notes" in bare.output
    monkeypatch.setenv("LOCAL_FILES_DOCUMENT_ROOT", str(tmp_home / "documents"))
    given = runner.invoke(app, ["import", "label-studio", "export.json", "-o", "b.jsonl",
                                "--media-root", str(tmp_home / "media")])
    assert given.exit_code == 0 and "0 rejected, 0 notes" in given.output, given.output
    items = [item for item in read_items("b.jsonl") if isinstance(item, Item)]
    assert [(i.content.image_path, i.content.image_url) for i in items] == [
        (str(tmp_home / "media" / "upload" / "3" / "ab12-cover.png"), None),
        (str(tmp_home / "documents" / "covers" / "b side.png"), None),
        (None, "https://example.org/c.png")]


def test_config_parse() -> None:
    config = LabelConfig.parse(LS_CONFIG)
    assert config.objects == {"title": "text", "clip": "audio", "lyrics": "text"}
    assert config.choices == {"label": True}


def test_export_tasks_predictions_and_config(tmp_path: Path) -> None:
    items = stored_verdicts(tmp_path)
    suggestion = Suggestion(item_id="t1", label="hate", score=0.75, model="gpt-test",
                            guideline_version="ec8bad42ae05ffff", verdict="likely_error",
                            cited_clause_ids=["HATE-1.1"], rationale="Targets a group.")
    tasks, keys = export_tasks(items, {"t1": suggestion})
    assert keys == "audio,title,text,transcript"
    first = tasks[0]
    assert first["data"]["item_id"] == "t1" and first["data"]["audio"] == "audio/t1.mp3"
    assert first["data"]["artist"] == "Kid Marlowe"
    (pred,) = first["predictions"]
    assert pred["score"] == 0.75
    assert pred["model_version"] == "gpt-test @ guidelines ec8bad42ae05"
    assert pred["result"] == [{"from_name": "label", "to_name": "audio", "type": "choices",
                               "value": {"choices": ["hate"]}}]
    # the annotations travel in the meta (for the import): the Data Manager makes a column of
    # every data key, so in the data they would show to whoever relabels the item
    assert first["meta"] == {"llmqa_annotations": [
                                 {"annotator": "lee", "label": "allowed", "note": "lyrics only"},
                                 {"annotator": "kim", "label": "hate", "clause_id": "HATE-1.1"}],
                             "llmqa_verdict": "likely_error",
                             "llmqa_cited_clause_ids": ["HATE-1.1"],
                             "llmqa_rationale": "Targets a group."}
    assert not any(key.startswith("llmqa_") for task in tasks for key in task["data"])
    assert "annotator_labels" not in first["data"]
    assert "predictions" not in tasks[1]
    # every key the config shows is in every task
    assert tasks[1]["data"]["audio"] == "" and tasks[1]["data"]["text"] == "buy followers now"
    xml = labelling_config(["hate", "allowed"], keys)
    root = ET.fromstring(xml)
    assert [c.get("value") for c in root.iter("Choice")] == ["hate", "allowed"]
    audio, choices = root.find("Audio"), root.find("Choices")
    assert audio is not None and choices is not None
    assert audio.get("value") == "$audio"
    assert choices.get("toName") == "audio"


def test_export_then_import_gives_the_items_back(tmp_path: Path) -> None:
    items = stored_verdicts(tmp_path)
    suggestion = Suggestion(item_id="t1", label="hate", model="m", guideline_version="g",
                            rationale="r")
    tasks, keys = export_tasks(items, {"t1": suggestion})
    config = LabelConfig.parse(labelling_config(["hate"], keys))
    back = list(import_tasks(tasks, "t.json", config))
    assert back == items


def test_cli_export_and_import(tmp_home: Path) -> None:
    stored_verdicts(tmp_home)
    guidelines = Path(__file__).resolve().parent.parent / "guidelines"
    result = runner.invoke(app, ["export", "label-studio", "-o", "ls/tasks.json",
                                 "-g", str(guidelines)])
    assert result.exit_code == 0, result.output
    assert ("2 items written to ls/tasks.json, 1 with the judge's suggestion, 1 with their "
            "annotations") in result.output
    tasks = json.loads((tmp_home / "ls/tasks.json").read_text())
    config = (tmp_home / "ls/tasks.label_config.xml").read_text()
    assert '<Choice value="violent_extremism"/>' in config
    assert tasks[0]["predictions"][0]["result"][0]["value"] == {"choices": ["hate"]}

    tasks[0]["annotations"] = [{"completed_by": 7, "result": [
        {"type": "choices", "from_name": "label", "to_name": "audio",
         "value": {"choices": ["allowed"]}}]}]
    tasks[0]["extra_field_from_a_newer_release"] = {"x": 1}
    Path("export.json").write_text(json.dumps(tasks))
    result = runner.invoke(app, ["import", "label-studio", "export.json", "--label-config",
                                 "ls/tasks.label_config.xml", "-o", "items.jsonl"])
    assert result.exit_code == 0, result.output
    assert "2 items with 3 annotations written to items.jsonl; 0 rejected" in result.output
    first, _ = list(read_items("items.jsonl"))
    assert isinstance(first, Item) and first.id == "t1"
    # the batch's own annotations come back first, then the one made in Label Studio
    assert [(a.annotator, a.label) for a in first.annotations] == [
        ("lee", "allowed"), ("kim", "hate"), ("user-7", "allowed")]
    assert "llmqa_annotations" not in first.content.metadata


# A row as Label Studio's JSON-MIN export writes it (label_studio_sdk's converter): the
# task's data, its id, each control tag's answer, and the annotation's own fields.
_JSON_MIN = [{"text": "a song", "id": 1, "policy": "hate", "annotator": 3, "annotation_id": 9,
              "created_at": "2026-11-30T10:00:00Z", "updated_at": "2026-11-30T10:00:00Z",
              "lead_time": 4.2}]


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("bad.json", '{"data": 1}', "is a JSON array of tasks; this file holds a JSON dict"),
    ("bad.json", "{not json", "not a Label Studio JSON export"),
    ("min.json", json.dumps(_JSON_MIN), "min.json: looks like Label Studio's JSON-MIN export"),
    ("project.csv", "annotation_id,annotator,id,policy,text\n9,3,1,hate,a song\n",
     "project.csv: looks like Label Studio's CSV export")])
def test_cli_import_of_a_file_that_is_no_export(tmp_home: Path, name: str, content: str,
                                                problem: str) -> None:
    Path(name).write_text(content)
    result = runner.invoke(app, ["import", "label-studio", name])
    assert isinstance(result.exception, InputError)
    assert problem in str(result.exception)
    if name != "bad.json":  # a flattened export: which one to take instead
        assert str(result.exception).endswith("export the project as JSON (Export > JSON) "
                                              "instead")


def test_cli_import_of_an_empty_export_fails(tmp_home: Path) -> None:
    Path("empty.json").write_text("[]")
    result = runner.invoke(app, ["import", "label-studio", "empty.json"])
    assert result.exit_code == 1
    assert "0 items with 0 annotations written" in result.output


def test_import_file_reads_json(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(LS_EXPORT))
    config = tmp_path / "config.xml"
    config.write_text(LS_CONFIG)
    assert len([r for r in import_file(path, config) if isinstance(r, Item)]) == 3


def test_show_annotations_puts_them_beside_the_item_and_the_import_reads_them_once(
        tmp_path: Path) -> None:
    items = stored_verdicts(tmp_path)
    tasks, keys = export_tasks(items, {}, show_annotations=True)
    assert keys == "audio,title,text,transcript,annotator_labels"
    assert tasks[0]["data"]["annotator_labels"] == ("lee: allowed (lyrics only); "
                                                   "kim: hate [HATE-1.1]")
    assert tasks[1]["data"]["annotator_labels"] == ""  # Label Studio needs every shown key
    xml = labelling_config(["hate", "allowed"], keys)
    root = ET.fromstring(xml)
    assert [t.get("name") for t in root.iter("Text")][-1] == "annotator_labels"
    assert [h.get("value") for h in root.iter("Header")][-1] == "annotator labels"
    choices = root.find("Choices")
    assert choices is not None
    assert choices.get("toName") == "audio"
    # the shown line is neither content nor metadata when it comes back
    report = ImportReport()
    back = list(report.track(import_tasks(tasks, "t.json", LabelConfig.parse(xml), report)))
    assert back == items and report.notes == []


def test_a_carried_annotation_edited_into_nonsense_is_named_and_the_rest_kept() -> None:
    # In the task data, where exports put them before they moved to the meta: such projects
    # still come back whole.
    task: dict[str, Any] = {"id": 4, "data": {"item_id": "x", "text": "hello",
                                              "llmqa_annotations": [
                                                  {"annotator": "lee", "label": "allowed"},
                                                  {"label": "hate"}, "spam"]}}
    report = ImportReport()
    (item,) = list(report.track(import_tasks([task], "t.json", report=report)))
    assert [(a.annotator, a.label) for a in item.annotations] == [("lee", "allowed")]
    assert report.notes == [
        "task 4: llmqa_annotations entry 2 is not an annotation (annotator: Field required); "
        "left out",
        "task 4: llmqa_annotations entry 3 is not an annotation (a bare label ('spam'): an "
        'annotation is an object naming its annotator, {"annotator": "...", "label": '
        '"spam"}); left out']
    task["data"]["llmqa_annotations"] = "lee: allowed"
    report = ImportReport()
    (item,) = list(report.track(import_tasks([task], "t.json", report=report)))
    assert item.annotations == [] and report.notes == [
        "task 4: llmqa_annotations is not a list of annotations; left out"]


def test_ground_truth_as_gold_rows_instead_of_annotations() -> None:
    gold: list[Decision] = []
    report = ImportReport()
    items = list(report.track(import_tasks(LS_EXPORT, "export.json", LabelConfig.parse(LS_CONFIG),
                                           report, gold)))
    assert [(a.annotator, a.label) for a in items[0].annotations] == [("user-1", "allowed")]
    assert [gold_record(d) for d in gold] == [
        {"id": "ls-1", "label": "allowed", "analyst": "bo@example.org",
         "note": "ground truth; plain driving song", "decision": "confirm", "clause_ids": [],
         "item_hash": items[0].content_hash(), "labels_hash": items[0].labels_hash(),
         "source": "label-studio"}]
    assert len(items[1].annotations) == 2  # no ground truth there: nothing moves
    # a ground truth that overrules the annotators corrects them
    task: dict[str, Any] = {"id": 9, "data": {"text": "x"}, "annotations": [
        {"completed_by": 1, "result": [{"type": "choices", "from_name": "label",
                                        "value": {"choices": ["hate"]}}]},
        {"completed_by": 2, "ground_truth": True, "result": [
            {"type": "choices", "from_name": "label", "value": {"choices": ["allowed"]}}]}]}
    gold.clear()
    list(import_tasks([task], "export.json", gold=gold))
    assert [(g.label, g.decision, g.analyst) for g in gold] == [
        ("allowed", "correct", "user-2")]
    # a ground truth alone on its task settles an item nobody else labelled
    task["annotations"] = task["annotations"][1:]
    gold.clear()
    (item,) = list(import_tasks([task], "export.json", gold=gold))
    assert isinstance(item, Item)
    assert item.annotations == [] and [g.decision for g in gold] == ["correct"]


def test_cli_ground_truth_to_gold_then_decisions_import(tmp_home: Path) -> None:
    Path("export.json").write_text(json.dumps(LS_EXPORT))
    Path("config.xml").write_text(LS_CONFIG)
    result = runner.invoke(app, ["import", "label-studio", "export.json", "--label-config",
                                 "config.xml", "--gold", "gold.csv", "-o", "items.jsonl"])
    assert result.exit_code == 0, result.output
    assert ("1 ground-truth annotations written to gold.csv as analysts' decisions; record "
            "them with `llmqa decisions import gold.csv`") in result.output
    assert "3 items with 3 annotations written to items.jsonl" in result.output
    result = runner.invoke(app, ["decisions", "import", "gold.csv"])
    assert result.exit_code == 0, result.output
    assert "imported 1 decisions, 0 rejected" in result.output
    result = runner.invoke(app, ["decisions", "history", "ls-1", "--json"])
    (decision,) = json.loads(result.output)
    assert (decision["label"], decision["analyst"], decision["decision"]) == (
        "allowed", "bo@example.org", "confirm")  # user-1 said allowed too


@pytest.mark.parametrize(("args", "problem"), [
    (["--gold", "gold.xlsx", "-o", "items.jsonl"], "gold.xlsx: cannot write '.xlsx' files"),
    (["--gold", "-"], "the items and the gold rows would both go to standard output")])
def test_cli_gold_path_refused_before_any_work(tmp_home: Path, args: list[str],
                                               problem: str) -> None:
    Path("export.json").write_text(json.dumps(LS_EXPORT))
    result = runner.invoke(app, ["import", "label-studio", "export.json", *args])
    assert result.exit_code != 0 and problem in str(result.exception)
    assert not Path("items.jsonl").exists()


def test_an_annotator_who_labels_again_replaces_their_carried_label() -> None:
    # A second round: user-7's label came back from the first project, and user-7 labels the
    # task again in the new one. Agreement counts one rating per person (the first), so
    # keeping both would keep the old label.
    task = {"id": 5, "data": {"item_id": "x", "text": "hello", "llmqa_annotations": [
        {"annotator": "lee", "label": "allowed"}, {"annotator": "user-7", "label": "hate"}]},
        "annotations": [{"completed_by": 7, "result": [
            {"type": "choices", "from_name": "label", "to_name": "text",
             "value": {"choices": ["allowed"]}}]}]}
    report = ImportReport()
    (item,) = list(report.track(import_tasks([task], "t.json", report=report)))
    assert [(a.annotator, a.label) for a in item.annotations] == [
        ("lee", "allowed"), ("user-7", "allowed")]
    assert report.notes == ["task 5: user-7 labelled the item again; the new label replaces "
                            "the carried one"]


def test_ground_truth_settles_the_item_as_it_came_back_from_label_studio(tmp_home: Path) -> None:
    # The store holds t1 as it was reviewed (lee, kim); in Label Studio user-7 labels it and a
    # reviewer stars a label. The decision was made on the item with user-7's label, which is
    # what the next review or triage reads: it must settle that item, not the stored one.
    stored_verdicts(tmp_home)
    assert runner.invoke(app, ["export", "label-studio", "-o", "tasks.json"]).exit_code == 0
    tasks = json.loads(Path("tasks.json").read_text())
    choice = {"type": "choices", "from_name": "label", "to_name": "audio",
              "value": {"choices": ["hate"]}}
    tasks[0]["annotations"] = [{"completed_by": 7, "result": [choice]},
                               {"completed_by": 9, "ground_truth": True, "result": [choice]}]
    Path("export.json").write_text(json.dumps(tasks))
    result = runner.invoke(app, ["import", "label-studio", "export.json", "--label-config",
                                 "tasks.label_config.xml", "--gold", "gold.jsonl",
                                 "-o", "items.jsonl"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["decisions", "import", "gold.jsonl"]).exit_code == 0
    from llmqa.store.decisions import current_decisions

    items = [i for i in read_items("items.jsonl") if isinstance(i, Item)]
    assert [(a.annotator, a.label) for a in items[0].annotations][-1] == ("user-7", "hate")
    settled = current_decisions(tmp_home, items)
    assert settled["t1"].label == "hate" and settled["t1"].analyst == "user-9"


def test_the_label_is_one_choices_control_for_every_annotation() -> None:
    """A project asking two questions (policy, then severity): each annotator's results may
    list them in any order, and the label must be the same question's answer for all. It is
    the config's first Choices control, or the one named; the other answers are named."""
    def task(*results: list[tuple[str, str]]) -> dict[str, Any]:
        return {"id": 1, "data": {"text": "t"}, "annotations": [
            {"completed_by": who, "result": [{"type": "choices", "from_name": name,
                                              "to_name": "text", "value": {"choices": [value]}}
                                             for name, value in pair]}
            for who, pair in enumerate(results, start=1)]}

    rows = [task([("severity", "high"), ("policy", "hate")],
                 [("policy", "spam"), ("severity", "low")])]
    config = LabelConfig.parse('<View><Text name="text" value="$text"/>'
                               '<Choices name="policy" toName="text"><Choice value="hate"/>'
                               '</Choices><Choices name="severity" toName="text">'
                               '<Choice value="high"/></Choices></View>')
    report = ImportReport()
    (item,) = list(import_tasks(rows, "e.json", config, report))
    assert isinstance(item, Item) and [a.label for a in item.annotations] == ["hate", "spam"]
    assert "task 1: user-1's answer to the 'severity' choices left out (the label is the " \
           "'policy' answer)" in report.notes
    (item,) = list(import_tasks(rows, "e.json", config, choices="severity"))
    assert isinstance(item, Item) and [a.label for a in item.annotations] == ["high", "low"]
    # Without a config: the first control the export answers, for every annotation.
    (item,) = list(import_tasks(rows, "e.json"))
    assert isinstance(item, Item) and [a.label for a in item.annotations] == ["high", "low"]
    with pytest.raises(InputError, match=r"no Choices control 'topic' \(the export has "
                                         r"'severity', 'policy'\)"):
        list(import_tasks(rows, "e.json", choices="topic"))


def test_cli_import_takes_the_label_from_the_named_choices(tmp_home: Path) -> None:
    rows = [{"id": 1, "data": {"text": "t"}, "annotations": [{"completed_by": 1, "result": [
        {"type": "choices", "from_name": "policy", "to_name": "text",
         "value": {"choices": ["hate"]}},
        {"type": "choices", "from_name": "severity", "to_name": "text",
         "value": {"choices": ["high"]}}]}]}]
    Path("two.json").write_text(json.dumps(rows))
    result = runner.invoke(app, ["import", "label-studio", "two.json", "--choices", "severity",
                                 "-o", "items.jsonl"])
    assert result.exit_code == 0, result.output
    (item,) = [i for i in read_items("items.jsonl") if isinstance(i, Item)]
    assert [a.label for a in item.annotations] == ["high"]
