"""Writers keep every column, including ones that only later records carry."""

import csv
import json

import pyarrow.parquet as pq

from llmqa.io.readers import RowError, read_items
from llmqa.io.writers import write_records


def test_csv_header_is_the_union_of_all_keys(tmp_path):
    out = tmp_path / "rows.csv"
    rows = [{"id": "a", "score": 1}, {"id": "b", "score": 2, "note": "late column"}]
    assert write_records(rows, out) == 2
    with open(out, encoding="utf-8-sig", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert list(read[0]) == ["id", "score", "note"]
    assert read[0]["note"] == "" and read[1]["note"] == "late column"


def test_parquet_keeps_late_columns_and_types_across_batches(tmp_path):
    out = tmp_path / "rows.parquet"
    rows = [{"id": str(i), "value": None, "extra": {"x": i}} for i in range(3)]
    rows.append({"id": "late", "value": 2.5, "extra": {"y": "new field"}, "tag": "t"})
    assert write_records(rows, out) == 4
    table = pq.read_table(out)
    assert set(table.column_names) == {"id", "value", "extra", "tag"}
    assert table.column("value").to_pylist() == [None, None, None, 2.5]
    assert table.column("extra").to_pylist()[-1] == {"x": None, "y": "new field"}


def test_parquet_batches_are_unified(tmp_path, monkeypatch):
    from llmqa.io import writers

    out = tmp_path / "rows.parquet"
    rows = [{"id": "1", "score": None}, {"id": "2", "score": 0.5, "more": 1}]
    original = writers._write_parquet
    monkeypatch.setattr(writers, "_write_parquet", lambda r, p: original(r, p, batch=1))
    assert write_records(rows, out) == 2
    assert pq.read_table(out).to_pylist() == [{"id": "1", "score": None, "more": None},
                                               {"id": "2", "score": 0.5, "more": 1}]


def _item(item_id, label="allowed"):
    return {"id": item_id, "content": {"modality": "text", "text": "hello"},
            "annotations": [{"annotator": "a1", "label": label}]}


def test_json_array_file_is_read_with_element_positions(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([_item("x1"), {"id": "x2"}, "not an object", _item("x3")],
                               indent=2), encoding="utf-8")
    records = list(read_items(path))
    assert [r.id for r in records if not isinstance(r, RowError)] == ["x1", "x3"]
    errors = [r for r in records if isinstance(r, RowError)]
    assert [e.line for e in errors] == [2, 3]
    assert str(errors[0]).startswith(f"{path}: element 2: content")
    assert "expected a JSON object" in str(errors[1])


def test_json_file_with_one_object_per_line_is_still_jsonl(tmp_path):
    path = tmp_path / "lines.json"
    path.write_text("\n".join(json.dumps(_item(f"i{n}")) for n in range(3)) + "\n",
                    encoding="utf-8")
    assert [r.id for r in read_items(path)] == ["i0", "i1", "i2"]


def test_malformed_json_array_is_a_user_error(tmp_path):
    import pytest

    from llmqa.errors import InputError

    path = tmp_path / "broken.json"
    path.write_text('[{"id": "a"},', encoding="utf-8")
    with pytest.raises(InputError, match="malformed JSON array"):
        list(read_items(path))


def test_a_csv_file_opens_in_excel_as_utf8_and_reads_back_everywhere(tmp_path, capsys):
    """A CSV or TSV file starts with a UTF-8 byte-order mark, which Excel needs to read it
    as UTF-8 (a queue's reason has → and …); the readers a user would take skip it. Standard
    output, read by programs, gets none."""
    import pandas as pd
    import pyarrow.csv as pacsv

    from llmqa.io.readers import read_items
    from llmqa.items import Item

    queue = [{"item_id": "é1", "reason": "spam → allowed?…"}]
    items = [{"id": "é1", "content": {"text": "café"},
              "annotations": [{"annotator": "ana", "label": "spam"}]}]
    for suffix, sep in ((".csv", ","), (".tsv", "\t")):
        write_records(queue, tmp_path / f"queue{suffix}")
        assert (tmp_path / f"queue{suffix}").read_bytes().startswith(b"\xef\xbb\xbfitem_id")
        assert pd.read_csv(tmp_path / f"queue{suffix}", sep=sep).columns[0] == "item_id"
        write_records(items, tmp_path / f"items{suffix}")
        assert [(i.id, i.content.text) for i in read_items(tmp_path / f"items{suffix}")
                if isinstance(i, Item)] == [("é1", "café")]
    assert pacsv.read_csv(tmp_path / "queue.csv").column_names == ["item_id", "reason"]
    with open(tmp_path / "queue.csv", encoding="utf-8-sig", newline="") as handle:
        assert next(csv.DictReader(handle))["reason"] == "spam → allowed?…"
    write_records(queue, "-", "csv")
    assert capsys.readouterr().out.startswith("item_id,")
