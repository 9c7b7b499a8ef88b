"""JSONL files llmqa wrote and reads back (triage queues, verified candidates): a damaged
line is an error naming file:line, not a row skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmqa.errors import InputError
from llmqa.io.json_file import read_json_lines
from llmqa.revision.pipeline import read_examples
from llmqa.triage.queue_file import read_queue_file


def test_lines_are_numbered_and_blank_lines_skipped(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n\n[2]\n')
    assert list(read_json_lines(path)) == [(1, {"a": 1}), (3, [2])]
    path.write_text('{"a": 1}\n{oops\n')
    with pytest.raises(InputError, match=r"rows.jsonl:2: not JSON"):
        list(read_json_lines(path))


def test_queue_and_candidate_files_name_the_damaged_line(tmp_path: Path) -> None:
    queue = tmp_path / "queue.jsonl"
    queue.write_text('{"item_id": "a", "score": 0.9}\n{"score": 0.1}\n')
    with pytest.raises(InputError, match=r"queue.jsonl:2: a queue row needs an item_id"):
        read_queue_file(queue)
    queue.write_text('{"item_id": "a", "score": 0.9}\nnot json\n')
    with pytest.raises(InputError, match=r"queue.jsonl:2: not JSON"):
        read_queue_file(queue)
    candidates = tmp_path / "candidates.jsonl"
    candidates.write_text('{"clause_id": "R1", "kind": "in_scope", "text": "x"}\n'
                          '{"note": "not a candidate"}\n')
    assert [r["clause_id"] for r in read_examples(candidates)] == ["R1"]
    candidates.write_text('{"clause_id": "R1", "kind": "in_scope"}\n{\n')
    with pytest.raises(InputError, match=r"candidates.jsonl:2: not JSON"):
        read_examples(candidates)


def test_a_file_of_another_kind_is_refused_not_read_as_empty(tmp_path: Path) -> None:
    """Given the wrong JSON file, each reader says so: read as empty, a queue would flag
    nothing, a clause summary would say nothing is troubled."""
    from llmqa.revision.clause_summary import load_clause_summary

    other = tmp_path / "weights.json"
    other.write_text('{"error": {"label_issue": 1.0}}\n')
    with pytest.raises(InputError, match=r"weights.json:1: a queue row needs an item_id"):
        read_queue_file(other)
    numbers = tmp_path / "numbers.json"
    numbers.write_text("[1, 2]\n")
    with pytest.raises(InputError, match=r"numbers.json: none of its 2 entries names a clause"):
        load_clause_summary(numbers)
    with pytest.raises(InputError, match=r"weights.json: none of its 1 records is a candidate"):
        read_examples(other)
    (tmp_path / "queue.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match=r"queue.xlsx: not a triage queue"):
        read_queue_file(tmp_path / "queue.xlsx")


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet"])
def test_table_queues_need_an_item_id_per_row(tmp_path: Path, suffix: str) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = tmp_path / f"queue{suffix}"
    table = pa.table({"item_id": ["a", None], "score": [0.9, 0.1],
                      "clause_ids": ['["R1"]', "[]"]})
    if suffix == ".parquet":
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(
            delimiter="\t" if suffix == ".tsv" else ","))
    # Line 3 of a delimited file (its header is line 1); row 2 of a Parquet file.
    where = "2" if suffix == ".parquet" else "3"
    with pytest.raises(InputError, match=rf"queue{suffix}:{where}: a queue row needs"):
        read_queue_file(path)


def test_a_damaged_parquet_queue_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "queue.parquet"
    path.write_bytes(b"not a table at all \x00\x01")
    with pytest.raises(InputError, match=r"queue\.parquet: not a readable queue file"):
        read_queue_file(path)



def test_a_queue_saved_again_by_a_spreadsheet_reads_back(tmp_path: Path) -> None:
    """Opened in Excel and saved as CSV where the decimal separator is a comma: semicolons
    between cells, 0,87 for a score. The review app, themes and revise still read it; a
    score that is no number is named rather than a traceback."""
    from llmqa.triage.output import write_queue
    from llmqa.triage.queue_file import check_first

    rows = [{"item_id": "a", "kind": "error", "score": 0.87, "error_score": 0.87,
             "clause_ids": ["HATE-1.1"], "reason": "hate → allowed?"},
            {"item_id": "b", "kind": "ambiguous", "score": 0.5, "error_score": 0.25,
             "clause_ids": [], "reason": "split 2-2"}]
    written = tmp_path / "queue.csv"
    write_queue(rows, str(written))
    saved = tmp_path / "queue-excel.csv"
    text = written.read_text(encoding="utf-8-sig")
    saved.write_text("\ufeff" + text.replace(",", ";").replace("0.", "0,"), encoding="utf-8")
    back = read_queue_file(saved)
    assert [(r["item_id"], r["error_score"], r["clause_ids"]) for r in back] == [
        ("a", 0.87, ["HATE-1.1"]), ("b", 0.25, [])]
    assert check_first(back) == {"a": 0.87}
    # An id or reason a spreadsheet would run as a formula is written inert and read back.
    rows[0] |= {"item_id": "@acct-1", "reason": "=likely error"}
    write_queue(rows, str(written))
    assert "'@acct-1" in written.read_text(encoding="utf-8-sig")
    first = read_queue_file(written)[0]
    assert (first["item_id"], first["reason"]) == ("@acct-1", "=likely error")
    with pytest.raises(InputError, match="queue row a: error score 'high' is not a number"):
        check_first([{"item_id": "a", "error_score": "high"}])
