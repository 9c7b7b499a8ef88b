"""``llmqa validate``: every problem of a row, and a labelling tool's export recognised."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from interop_support import LS_EXPORT
from llmqa.cli import app
from llmqa.io.foreign import export_kind, file_export_kind
from llmqa.io.readers import RowError, read_items
from llmqa.io.validate import ItemChecks
from llmqa.items import Item

runner = CliRunner()
ARGILLA_ROWS = [{"id": "r1", "fields": {"text": "x"}, "metadata": {}, "responses": {},
                 "suggestions": {}, "vectors": {}, "status": "pending"}]


def test_every_problem_of_a_row_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps({"content": {"modality": "text"}, "colour": "red",
                                "annotations": [{"label": "hate"}]}) + "\n")
    (error,) = list(read_items(path))
    assert isinstance(error, RowError)
    assert error.problems() == [
        "id: Field required",
        "content: modality 'text' needs one of: text",
        "annotations.0.annotator: Field required",
        "colour: unknown field"]
    assert str(error) == f"{path}:1: " + "; ".join(error.problems())


def test_a_misspelt_field_is_named_with_the_one_it_likely_meant(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    rows = [{"id": "a", "txt": "hi", "Anotations": [{"annotator": "x", "label": "y"}]},
            {"id": "b", "content": {"text": "hi", "captoin": "c"},
             "annotations": [{"annotator": "x", "lable": "y"}], "colour": "red"}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    first, second = read_items(path)
    assert isinstance(first, RowError) and isinstance(second, RowError)
    assert first.problems() == [
        "content: missing: give 'content', or its fields beside 'id' (text, transcript, title, "
        "image_url, audio_url, video_url, ...)",
        "txt: unknown field (did you mean 'text'?)",
        "Anotations: unknown field (did you mean 'annotations'?)"]
    assert second.problems() == [
        "content.captoin: unknown field (did you mean 'caption'?)",
        "annotations.0.lable: unknown field (did you mean 'label'?)",
        "colour: unknown field"]


def test_validate_json_lists_all_problems_and_names_the_import(tmp_home: Path) -> None:
    Path("export.json").write_text(json.dumps(LS_EXPORT))
    result = runner.invoke(app, ["validate", "export.json", "--json", "--no-guidelines"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["foreign_export"] == "label-studio"
    assert payload["hint"] == "llmqa import label-studio export.json --output items.jsonl"
    first = payload["problems"][0]
    assert first["unit"] == "element" and first["line"] == 1
    # data, annotations, predictions, meta, ... : every field of the task is named
    assert any(p.startswith("content: missing: give 'content'") for p in first["problems"])
    assert len(first["problems"]) >= 8
    assert "(and" not in " ".join(payload["errors"])


def test_validate_text_names_the_argilla_import(tmp_home: Path) -> None:
    Path("records.json").write_text(json.dumps(ARGILLA_ROWS))
    result = runner.invoke(app, ["validate", "records.json", "--no-guidelines"])
    assert result.exit_code == 1
    assert ("records.json is an export from Argilla, not an llmqa items file; convert it with: "
            "llmqa import argilla records.json --output items.jsonl") in result.output


def test_an_llmqa_file_is_no_foreign_export(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text('{"id": "a", "content": {"modality": "text", "text": "x"}}\n')
    assert file_export_kind(path) is None
    assert export_kind({"data": {"text": "x"}, "annotations": []}) == "label-studio"
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text(json.dumps(ARGILLA_ROWS[0]) + "\n")
    assert file_export_kind(jsonl) == "argilla"


def test_multi_label_annotations_are_checked_label_by_label(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    rows = [{"id": "a", "content": {"modality": "text", "text": "x"},
             "annotations": [{"annotator": "u", "labels": ["hate", "harassment"]}]},
            {"id": "b", "content": {"modality": "text", "text": "x"},
             "annotations": [{"annotator": "u", "labels": ["hate", "rude"]}]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    good, bad = list(read_items(path, check=ItemChecks({"hate", "harassment"})))
    assert isinstance(good, Item)
    assert good.annotations[0].label == "harassment+hate"
    assert str(bad) == (f"{path}:2: annotations.0.labels: item b: label 'rude' from u is not "
                        "in the guideline label set")


def test_importing_with_the_wrong_tool_names_the_right_one(tmp_home: Path) -> None:
    # A bare task as Label Studio imports it ({"data": ...}) is recognised too.
    tasks = [{"data": {"item_id": f"t{n}", "text": "x"}} for n in range(30)]
    Path("tasks.json").write_text(json.dumps(tasks))
    assert file_export_kind("tasks.json") == "label-studio"
    result = runner.invoke(app, ["import", "argilla", "tasks.json", "-o", "items.jsonl"])
    assert result.exit_code == 1
    assert ("tasks.json is an export from Label Studio, not Argilla: convert it with "
            "`llmqa import label-studio`") in result.output
    # Thirty refused rows: twenty are named, then a count.
    assert "... and 10 more rejected rows" in result.output
    Path("records.json").write_text(json.dumps(ARGILLA_ROWS))
    result = runner.invoke(app, ["import", "label-studio", "records.json"])
    assert "records.json is an export from Argilla, not Label Studio" in result.output


def test_a_label_studio_json_min_export_is_recognised(tmp_home: Path) -> None:
    """Its rows have no data object, only the task's fields beside the annotation's; the
    import it points to then says which export to take instead."""
    rows = [{"text": "a song", "id": 1, "policy": "hate", "annotator": 3, "annotation_id": 9,
             "created_at": "2026-11-30T10:00:00Z", "updated_at": "2026-11-30T10:00:00Z",
             "lead_time": 4.2}]
    Path("min.json").write_text(json.dumps(rows))
    result = runner.invoke(app, ["validate", "min.json", "--no-guidelines"])
    assert result.exit_code == 1
    assert "min.json is an export from Label Studio, not an llmqa items file" in result.output
    assert export_kind({"id": "a", "text": "x", "annotator": "ana"}) is None  # a long row
