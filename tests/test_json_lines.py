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
