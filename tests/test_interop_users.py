"""Users files: names for Label Studio's and Argilla's user ids, in either shape, on import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from interop_support import LS_EXPORT
from llmqa.cli import app
from llmqa.errors import InputError
from llmqa.interop.argilla import import_records
from llmqa.interop.label_studio import import_tasks
from llmqa.interop.mapping import ImportReport
from llmqa.interop.users import parse_users, read_users
from llmqa.io.readers import read_items
from llmqa.items import Item

runner = CliRunner()
# As Label Studio's /api/users/ lists them (fields trimmed).
LS_USERS = [{"id": 1, "first_name": "Ana", "last_name": "Ruiz", "username": "ana_r",
             "email": "ana@example.org"},
            {"id": 2, "first_name": "", "last_name": "", "username": "bo", "email": ""}]


def _annotators(users: Any) -> tuple[list[list[str]], list[str]]:
    report = ImportReport()
    items = list(report.track(import_tasks(LS_EXPORT, "export.json", report=report,
                                           users=users)))
    return [[a.annotator for a in item.annotations] for item in items], report.notes


def test_without_a_users_file_label_studio_ids_stay_ids() -> None:
    names, notes = _annotators(None)
    assert names == [["user-1", "bo@example.org"], ["user-1", "user-2"], []]
    assert not any("users file" in note for note in notes)


def test_a_mapping_names_every_annotator_and_says_which_it_left_out() -> None:
    names, notes = _annotators({"1": "ana", "2": "bo"})
    # The older export's user object (id 2, an email) is named by its id too.
    assert names == [["ana", "bo"], ["ana", "bo"], []]
    # user 3 only skipped an annotation, but the note about it still names the id it kept.
    assert "task 1: annotation by user-3 was skipped in Label Studio; left out" in notes
    assert notes[-1] == ("the users file does not name every annotator; these keep the "
                         "tool's id (annotations): user-3 (1)")


def test_the_tool_s_own_user_list_names_by_email_then_username() -> None:
    assert parse_users(LS_USERS) == {"1": "ana@example.org", "2": "bo"}
    names, _ = _annotators(parse_users(LS_USERS))
    assert names[1] == ["ana@example.org", "bo"]


def test_an_older_export_s_email_can_be_the_key() -> None:
    names, _ = _annotators({"bo@example.org": "Bo", "1": "Ana", "3": "Cy"})
    assert names[0] == ["Ana", "Bo"]


def test_argilla_user_list_wrapped_in_items_and_unnamed_ids_noted() -> None:
    users = parse_users({"items": [{"id": "u1", "username": "ana"}]})
    rows = [{"id": "r1", "fields": {"text": "hi"}, "responses": {"label": [
        {"value": "hate", "user_id": "u1", "status": "submitted"},
        {"value": "allowed", "user_id": "u2", "status": "submitted"}]}}]
    report = ImportReport()
    (item,) = list(report.track(import_records(rows, "r.json", users=users, report=report)))
    assert isinstance(item, Item)
    assert [(a.annotator, a.label) for a in item.annotations] == [("ana", "hate"),
                                                                   ("u2", "allowed")]
    assert report.notes == ["the users file does not name every annotator; these keep the "
                            "tool's id (annotations): u2 (1)"]


@pytest.mark.parametrize(("data", "problem"), [
    ({"3": 5}, "user '3': the name must be a non-empty string"),
    ({"3": " "}, "user '3': the name must be a non-empty string"),
    ([{"id": 3}], 'entry 1: expected a user object with an "id" and an "email" or "username"'),
    ([{"email": "a@b.c"}], "entry 1: expected a user object"),
    ("ana", 'expected a JSON object of user id -> name ({"3": "ana"})'),
])
def test_a_users_file_of_another_shape_is_refused(data: Any, problem: str) -> None:
    with pytest.raises(InputError, match="users.json: " + problem.replace("(", r"\(")
                       .replace(")", r"\)").replace("{", r"\{").replace("}", r"\}")):
        parse_users(data, "users.json")


def test_read_users_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such users file"):
        read_users(tmp_path / "missing.json")
    (tmp_path / "u.json").write_text(json.dumps(LS_USERS))
    assert read_users(tmp_path / "u.json")["1"] == "ana@example.org"


def test_cli_label_studio_import_with_users(tmp_home: Path) -> None:
    Path("export.json").write_text(json.dumps(LS_EXPORT))
    Path("users.json").write_text(json.dumps(LS_USERS))
    result = runner.invoke(app, ["import", "label-studio", "export.json", "--users",
                                 "users.json", "-o", "items.jsonl"])
    assert result.exit_code == 0, result.output
    assert "user-3 (1)" in result.output
    first = next(iter(read_items("items.jsonl")))
    assert isinstance(first, Item)
    assert [a.annotator for a in first.annotations] == ["ana@example.org", "bo"]
    Path("users.json").write_text("[1, 2]")
    bad = runner.invoke(app, ["import", "label-studio", "export.json", "--users",
                              "users.json", "-o", "other.jsonl"])
    assert bad.exit_code == 1 and isinstance(bad.exception, InputError)
    assert not Path("other.jsonl").exists()  # refused before any item was written
