"""Decisions as gold: history and latest-wins, settling by content, gold files, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmqa.cli import app
from llmqa.errors import InputError, UsageError
from llmqa.guidelines import load_guidelines
from llmqa.io.readers import RowError
from llmqa.items import Annotation, Content, Item
from llmqa.store.decisions import Decision, DecisionStore, for_item
from llmqa.store.gold import read_gold
from llmqa.store.verdicts import VerdictStore

runner = CliRunner()
GUIDELINES = Path(__file__).resolve().parents[1] / "guidelines"


def _item(item_id: str = "i1", text: str = "buy now cheap pills", labels: tuple[str, ...] = (
        "spam", "spam", "allowed")) -> Item:
    return Item(id=item_id, content=Content(modality="text", text=text),
                annotations=[Annotation(annotator=f"a{n}", label=label)
                             for n, label in enumerate(labels)])


def test_history_is_kept_and_the_newest_decision_wins(tmp_path: Path) -> None:
    with VerdictStore(tmp_path) as store:
        decisions = DecisionStore(store)
        item = _item()
        decisions.record(for_item(item, "confirm", analyst="ana"))
        decisions.record(for_item(item, "correct", analyst="bob", label="allowed",
                                  clause_ids=["GEN-1.1"], note="a news report"))
        history = decisions.history("i1")
        assert [(d.analyst, d.decision.value, d.label) for d in history] == [
            ("ana", "confirm", "spam"), ("bob", "correct", "allowed")]
        latest = decisions.latest()["i1"]
        assert latest.label == "allowed" and latest.clause_ids == ["GEN-1.1"]
        assert decisions.gold()["i1"].label == "allowed"
        decisions.record(for_item(item, "escalate", analyst="cy"))
        assert "i1" not in decisions.gold()  # the newest decision carries no gold label
        assert decisions.count() == 3


def test_a_decision_settles_only_the_content_and_labels_it_was_made_on(tmp_path: Path) -> None:
    with VerdictStore(tmp_path) as store:
        decisions = DecisionStore(store)
        decisions.record(for_item(_item(), "confirm", analyst="ana"))
        assert set(decisions.current([_item()])) == {"i1"}
        assert decisions.current([_item(text="buy now cheap pills!!")]) == {}
        assert decisions.current([_item(labels=("spam", "allowed", "allowed"))]) == {}


def test_decision_validation() -> None:
    with pytest.raises(ValueError, match="gold label"):
        Decision(item_id="i1", decision="correct", analyst="ana")
    with pytest.raises(ValueError):
        Decision(item_id="i1", decision="confirm", label="spam", analyst="  ")
    assert Decision(item_id=7, decision="escalate", analyst="ana").item_id == "7"


def test_read_gold_names_bad_lines_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a", "label": "spam"}\nnot json\n{"id": "b", "decision": '
                    '"correct"}\n{"id": "c", "decision": "ambiguous", "analyst": "x"}\n')
    records = list(read_gold(path, analyst="ana"))
    assert isinstance(records[0], Decision) and records[0].decision == "correct"
    assert str(records[1]).startswith(f"{path}:2: not JSON")
    assert str(records[2]).startswith(f"{path}:3:")
    assert isinstance(records[3], Decision) and records[3].analyst == "x"


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_triage_queue_is_not_read_as_gold(tmp_path: Path, suffix: str) -> None:
    """A queue has item_id and label columns, but its label is the one under review: read
    as gold, every annotator would be scored against the consensus."""
    from llmqa.store.gold import gold_labels

    row = {"rank": 1, "item_id": "a", "kind": "error", "score": 0.9, "urgency": 0.9,
           "error_score": 0.9, "ambiguity_score": 0.2, "label": "hate"}
    path = tmp_path / f"queue{suffix}"
    path.write_text(json.dumps(row) + "\n" if suffix == ".jsonl"
                    else ",".join(row) + "\n" + ",".join(map(str, row.values())) + "\n")
    with pytest.raises(InputError, match=rf"queue{suffix}: a triage queue, not a gold file"):
        gold_labels(path)
    with pytest.raises(InputError, match="a triage queue"):
        list(read_gold(path))


def test_a_gold_line_with_several_problems_names_each(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a", "decision": "maybe", "note": 3, "analyst": "ana"}\n')
    [record] = read_gold(path)
    # Every problem on the line, the enum's with the value given, so one fix fixes the line.
    assert str(record).startswith(f"{path}:1: decision: unknown value 'maybe'")
    assert "note: Input should be a valid string" in str(record)


def test_gold_decisions_from_csv_and_parquet(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_path = tmp_path / "gold.csv"
    csv_path.write_text("id,gold_label,decision,clause_ids,analyst,note\n"
                        "a,spam,,SPAM-1;SPAM-2,ana,\n"
                        "b,,escalate,,ana,ask legal\n"
                        "c,,,,ana,\n")
    a, b, c = read_gold(csv_path)
    # A spreadsheet's empty cells are fields not given; gold_label is the label.
    assert isinstance(a, Decision) and isinstance(b, Decision)
    assert a.decision == "correct" and a.label == "spam" and a.clause_ids == ["SPAM-1", "SPAM-2"]
    assert b.decision == "escalate" and b.note == "ask legal" and b.label is None
    assert str(c).startswith(f"{csv_path}:4: label: missing (a gold row needs a label")
    parquet_path = tmp_path / "gold.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "d", "label": "hate", "clause_ids": ["HATE-1"],
                                          "analyst": None}]), parquet_path)
    [d] = read_gold(parquet_path, analyst="vendor")
    assert isinstance(d, Decision)
    assert (d.item_id, d.label, d.clause_ids, d.analyst) == ("d", "hate", ["HATE-1"], "vendor")
    with pytest.raises(InputError, match="no such gold file"):
        list(read_gold(tmp_path / "missing.jsonl"))


def test_gold_csv_from_a_spreadsheet(tmp_path: Path) -> None:
    # A byte-order mark, semicolons, and one row saved in Latin-1: that row is named and the
    # others kept, where the BOM once hid the id column and the Latin-1 byte raised.
    path = tmp_path / "gold.csv"
    path.write_bytes(b"\xef\xbb\xbfid;label;note\r\na;spam;ok\r\nb;hate;caf\xe9\r\n"
                     b"c;spam;\r\n;spam;no id\r\n")
    a, b, c, missing = read_gold(path, analyst="ana")
    assert isinstance(a, Decision) and (a.item_id, a.label) == ("a", "spam")
    assert str(b) == (f"{path}:3: not valid UTF-8 (byte 10 of line 3); re-save the file as "
                      "UTF-8 (in Excel: CSV UTF-8)")
    assert isinstance(c, Decision) and c.item_id == "c"
    assert str(missing).startswith(f"{path}:5: id: missing")
    jsonl = tmp_path / "gold.jsonl"
    jsonl.write_bytes(b'{"id": "a", "label": "caf\xe9"}\n{"id": "b", "label": "spam"}\n')
    bad, good = read_gold(jsonl, analyst="ana")
    assert str(bad) == f"{jsonl}:1: not valid UTF-8 (byte 25)"
    assert isinstance(good, Decision)


def test_a_gold_csv_holding_json_lines_is_refused_for_the_file(tmp_path: Path) -> None:
    # Gold files have no --input-format: the way out is the file's name.
    path = tmp_path / "gold.csv"
    path.write_text('{"id": "a", "label": "spam"}\n')
    with pytest.raises(InputError, match="not a CSV header row") as raised:
        list(read_gold(path, analyst="ana"))
    assert raised.value.describe() == (f"{path}: the first line is JSON, not a CSV header row; "
                                       "name the file .jsonl")


def test_other_columns_are_refused_on_import_and_ignored_when_reading_labels(
        tmp_path: Path) -> None:
    from llmqa.store.gold import gold_labels

    path = tmp_path / "gold.csv"
    path.write_text("id,label,text,clause_id\na,spam,buy now,SPAM-1\nb,,calm piano,\n")
    # An import stores decisions: a misspelt clause_ids column must not vanish unnoticed.
    a, b = read_gold(path, analyst="ana")
    assert isinstance(a, RowError) and "clause_id" in str(a) and "text" in str(a)
    # Agreement and policy-ci read only the labels; the sheet's text column is context.
    assert gold_labels(path) == ({"a": "spam"}, [b])
    assert isinstance(b, RowError) and b.line == 3 and b.field == "label"


def test_cli_decide_export_import_round_trip(tmp_home: Path) -> None:
    with VerdictStore(tmp_home) as store:
        store.save_items([_item("i1"), _item("i2", text="calm piano")])
    result = runner.invoke(app, ["decide", "i1", "--label", "spam", "--analyst", "ana"])
    assert result.exit_code == 0, result.output
    assert "i1: confirm → spam by ana" in result.output
    result = runner.invoke(app, ["decide", "i2", "--label", "allowed", "--analyst", "ana",
                                 "--clause", "GEN-1.1", "--note", "music"])
    assert "i2: correct → allowed" in result.output
    result = runner.invoke(app, ["decide", "i2", "--label", "allowed"])
    assert isinstance(result.exception, InputError) and "analyst" in str(result.exception)
    result = runner.invoke(app, ["decisions", "export", "-o", "gold.jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (tmp_home / "gold.jsonl").read_text().splitlines()]
    assert [(r["id"], r["label"], r["decision"]) for r in lines] == [
        ("i1", "spam", "confirm"), ("i2", "allowed", "correct")]
    assert lines[1]["clause_ids"] == ["GEN-1.1"] and lines[1]["item_hash"]
    # policy-ci reads the same export for its gold labels, through the same reader.
    from llmqa.store.gold import gold_labels

    assert gold_labels(tmp_home / "gold.jsonl") == ({"i1": "spam", "i2": "allowed"}, [])

    # Gold read back into another store: the same labels, one bad line named, exit 1.
    other = tmp_home / "other"
    (tmp_home / "gold.jsonl").write_text((tmp_home / "gold.jsonl").read_text() + "{oops\n")
    result = runner.invoke(app, ["decisions", "import", "gold.jsonl", "--home", str(other)])
    assert result.exit_code == 1
    assert "imported 2 decisions, 1 rejected" in result.output and "gold.jsonl:3" in result.output
    with VerdictStore(other) as store:
        gold = DecisionStore(store).gold()
    assert {k: d.label for k, d in gold.items()} == {"i1": "spam", "i2": "allowed"}
    result = runner.invoke(app, ["decisions", "history", "i2"])
    assert "correct" in result.output and "music" in result.output


def test_gold_labels_outside_the_guidelines_are_refused(tmp_home: Path) -> None:
    labels = ",".join(load_guidelines(GUIDELINES).labels)
    typo = runner.invoke(app, ["decide", "x1", "--label", "spma", "--analyst", "ana", "-g",
                               str(GUIDELINES)])
    assert isinstance(typo.exception, InputError)
    assert "unknown label 'spma' (did you mean 'spam'?)" in str(typo.exception)
    assert labels.split(",")[0] in str(typo.exception)
    done = runner.invoke(app, ["decide", "x1", "--label", "spam", "--analyst", "ana", "-g",
                               str(GUIDELINES)])
    assert done.exit_code == 0, done.output
    gold = tmp_home / "gold.jsonl"
    gold.write_text('{"id": "x2", "label": "spam"}\n{"id": "x3", "label": "hateful"}\n')
    imported = runner.invoke(app, ["decisions", "import", str(gold), "--analyst", "ana", "-g",
                                   str(GUIDELINES)])
    assert imported.exit_code == 1
    assert f"{gold}:2: label: unknown label 'hateful' (did you mean 'hate'?)" in imported.output
    assert "imported 1 decisions, 1 rejected" in imported.output
    # A clause ID the guidelines do not define is refused too, named with the one it meant.
    clause = runner.invoke(app, ["decide", "x1", "--label", "spam", "--clause", "spam-1.1",
                                 "--analyst", "ana", "-g", str(GUIDELINES)])
    assert isinstance(clause.exception, InputError)
    assert "unknown clause 'spam-1.1' (did you mean 'SPAM-1.1'?)" in str(clause.exception)
    gold.write_text('{"id": "x4", "label": "spam", "clause_ids": ["SPAM-9"]}\n')
    imported = runner.invoke(app, ["decisions", "import", str(gold), "--analyst", "ana", "-g",
                                   str(GUIDELINES)])
    assert imported.exit_code == 1
    assert f"{gold}:1: clause_ids: unknown clause 'SPAM-9'" in imported.output
    # Neither guidelines nor the item to check a label against: recorded, and said so.
    unchecked = runner.invoke(app, ["decide", "x9", "--label", "spma", "--analyst", "ana"])
    assert unchecked.exit_code == 0, unchecked.output
    assert "with no guidelines nothing checked the label 'spma'" in unchecked.output


def test_gold_export_round_trips_through_csv(tmp_home: Path) -> None:
    runner.invoke(app, ["decide", "x1", "--label", "spam", "--analyst", "ana", "--clause",
                        "SPAM-1.1", "--clause", "SPAM-2.1"])
    exported = runner.invoke(app, ["decisions", "export", "-o", "gold.csv"])
    assert exported.exit_code == 0, exported.output
    [back] = read_gold(tmp_home / "gold.csv")
    assert isinstance(back, Decision)
    assert (back.item_id, back.label, back.clause_ids) == ("x1", "spam", ["SPAM-1.1", "SPAM-2.1"])
    refused = runner.invoke(app, ["decisions", "export", "-o", "gold.xlsx"])
    assert isinstance(refused.exception, UsageError)
    assert "cannot write '.xlsx'" in str(refused.exception)
