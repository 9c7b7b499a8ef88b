"""CSV rows named by the physical line they start on, large cells, a missing annotations
column, a folder given as the items file, and a rejected API key as a configuration error."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from llmqa.errors import InputError, UnannotatedWarning
from llmqa.io.readers import RowError, read_items
from llmqa.items import Item
from llmqa.testing import Behaviour, OpenAIStub
from review_helpers import clean_env, review_args, run_main, sample_items, write_items

ANNOTATED = '"[{""annotator"": ""a"", ""label"": ""allowed""}]"'


def test_row_errors_name_the_line_the_row_starts_on(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    lines = [
        "id,modality,text,annotations",     # 1
        f'1,text,"a lyric\nover\nthree lines",{ANNOTATED}',  # 2-4
        f"2,selfie,x,{ANNOTATED}",          # 5: bad modality
        "",                                 # 6: blank
        f'3,selfie,"two\nlines",{ANNOTATED}',  # 7-8: bad, spans two lines
        f"4,text,ok,{ANNOTATED}",           # 9
        '5,text,x,"[{""annotator"": ""a"""',  # 10: bad JSON
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = list(read_items(path))
    assert [r.id for r in records if isinstance(r, Item)] == ["1", "4"]
    errors = {e.line: e for e in records if isinstance(e, RowError)}
    assert sorted(errors) == [5, 7, 10]
    assert errors[7].field == "content.modality"
    assert str(errors[10]).startswith(f"{path}:10: annotations:")


def test_a_large_cell_is_read_and_cut_in_the_prompt_with_a_note(tmp_path: Path) -> None:
    from llmqa.judge.render import PromptBuilder
    from review_helpers import sample_guidelines

    path = tmp_path / "big.csv"
    big = "word " * 60_000  # 300,000 characters, over the csv module's 131,072 default
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "modality", "transcript", "annotations"])
        writer.writerow(["big-1", "transcript", big,
                         json.dumps([{"annotator": "a", "label": "allowed"}])])
        writer.writerow(["small-2", "transcript", "hello", ""])
    (item, small) = list(read_items(path))
    assert isinstance(item, Item) and isinstance(small, Item)
    assert item.content.transcript == big
    rendered = PromptBuilder(sample_guidelines().labels).build(item, [])
    assert any(note.startswith("content truncated from 300000") for note in rendered.notes)


def test_a_csv_without_an_annotations_column_warns(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("id,modality,text\n1,text,hello\n", encoding="utf-8")
    with pytest.warns(UnannotatedWarning, match="no 'annotations' column"):
        (item,) = list(read_items(path))
    assert isinstance(item, Item) and item.annotations == []


def test_a_labels_column_under_another_name_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "renamed.csv"
    path.write_text("id,modality,text,label\n1,text,hello,hate\n", encoding="utf-8")
    with pytest.raises(InputError, match="'label' is not read as annotations"):
        list(read_items(path))


def test_columns_that_are_not_item_fields_refuse_the_file_once(tmp_path: Path) -> None:
    # Not read into metadata: the judge reads metadata, and a spreadsheet's final_label
    # column would hand it the answer.
    path = tmp_path / "export.csv"
    path.write_text("id,txt,annotations,final_label\n1,hi,[],hate\n2,ho,[],spam\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as refused:
        list(read_items(path))
    assert str(refused.value).startswith(
        f"{path}: columns that are not item fields: 'txt' (did you mean 'text'?), "
        "'final_label'. Remove them, or carry them in a 'metadata' column")
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = tmp_path / "export.parquet"
    pq.write_table(pa.table({"id": ["1"], "text": ["hi"], "annotations": ["[]"],
                             "vendor": ["acme"]}), parquet)
    with pytest.raises(InputError, match="not item fields: 'vendor'"):
        list(read_items(parquet))
    # One row per annotation: its annotation columns are fields of the file.
    long = tmp_path / "long.csv"
    long.write_text("id,text,annotator,label,note\n1,hi,a,hate,sure\n", encoding="utf-8")
    (item,) = list(read_items(long))
    assert isinstance(item, Item) and item.annotations[0].note == "sure"


def test_the_cli_prints_the_missing_column_warning_as_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "plain.csv"
    path.write_text("id,modality,text\n1,text,hello\n", encoding="utf-8")
    code, _, err = run_main(["validate", str(path)], capsys)
    assert code == 0
    assert err.startswith("warning: ") and "no 'annotations' column" in err
    assert "Warning" not in err and "readers.py" not in err


def test_a_folder_as_the_items_file_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "batch.jsonl"
    folder.mkdir()
    for name in (folder, tmp_path):
        with pytest.raises(InputError, match="is a folder"):
            list(read_items(name))
    clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["validate", str(tmp_path)], capsys)
    assert code == 1 and err.startswith("error: ") and "is a folder" in err
    assert err.count("\n") == 1


def test_a_rejected_api_key_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    items = write_items(tmp_path / "items.jsonl", sample_items(3))
    with OpenAIStub() as stub:
        stub.add(Behaviour(status=401, error={"message": "Incorrect API key provided",
                                              "code": "invalid_api_key"}), times=None)
        code, _, err = run_main(review_args(items, tmp_path / "home", stub.url), capsys)
    assert code == 2
    assert err.startswith("error: stopped: ") and err.count("\n") == 1
