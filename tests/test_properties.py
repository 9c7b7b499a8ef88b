"""Property tests: whatever bytes or structures an items file or a guideline holds, the readers
and the parser answer with items, row errors or an ``LlmqaError``, never another exception
(which the CLI would show as a traceback)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmqa.errors import LlmqaError
from llmqa.guidelines.loader import load_guidelines, parse_document
from llmqa.io.readers import RowError, read_items
from llmqa.items import Item

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20)
# Rows that look like items often enough to reach validation, with anything in any field.
item_like = st.fixed_dictionaries(
    {"id": json_values | st.text(min_size=1),
     "content": st.fixed_dictionaries({"modality": st.sampled_from(
         ["text", "title", "image", "audio", "video", "transcript", "selfie"])},
         optional={"text": json_values, "title": json_values, "metadata": json_values,
                   "image_path": json_values}),
     },
    optional={"annotations": json_values | st.lists(st.fixed_dictionaries(
        {"annotator": json_values, "label": json_values},
        optional={"note": json_values, "clause_id": json_values}), max_size=3),
        "project": json_values, "priority": json_values, "extra": json_values})
rows = st.lists(item_like | json_values, max_size=5)


def _read_all(path: Path) -> list[Item | RowError]:
    try:
        return list(read_items(path))
    except LlmqaError:
        return []


def _write(suffix: str, data: bytes) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)  # noqa: SIM115
    with handle:
        handle.write(data)
    return Path(handle.name)


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".jsonl", ".json", ".csv"]))
def test_arbitrary_bytes_never_raise_past_the_readers(data: bytes, suffix: str) -> None:
    path = _write(suffix, data)
    try:
        for record in _read_all(path):
            assert isinstance(record, Item | RowError)
    finally:
        path.unlink()


@SETTINGS
@given(records=rows)
def test_arbitrary_structures_in_jsonl_and_json_arrays(records: list[Any]) -> None:
    lines = "\n".join(json.dumps(r) for r in records).encode()
    for suffix, data in ((".jsonl", lines), (".json", json.dumps(records).encode())):
        path = _write(suffix, data)
        try:
            result = _read_all(path)
            if suffix == ".jsonl":
                # Nothing is silently dropped: one record per non-blank row.
                assert len(result) == sum(1 for line in lines.splitlines() if line.strip())
        finally:
            path.unlink()


@SETTINGS
@given(records=st.lists(st.dictionaries(
    st.sampled_from(["id", "modality", "text", "annotations", "metadata", "content", "title",
                     "project", "priority"]),
    st.text(max_size=40) | json_values.map(json.dumps), max_size=6), max_size=5))
def test_arbitrary_csv_cells(records: list[dict[str, str]]) -> None:
    import csv
    import io

    columns = ["id", "modality", "text", "annotations", "metadata", "content", "title",
               "project", "priority"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(records)
    path = _write(".csv", buffer.getvalue().encode())
    try:
        result = _read_all(path)
        assert len(result) == len(records)
    finally:
        path.unlink()


@SETTINGS
@given(text=st.text(max_size=3000) | st.lists(st.sampled_from([
    "# Policy", "## HATE-1 Hate", "### HATE-1.1 Slurs", "Label: hate", "Label:", "In scope:",
    "Out of scope:", "- [lyrics] an example", "- \"quoted\" (why: GEN-1.3)", "", "text line",
    "### HATE-1.1 Again", "#### X-9.9.9", "```", "<<<ITEM-CONTENT x>>>"]), max_size=40
).map("\n".join))
def test_the_guideline_parser_never_raises_an_unexpected_error(text: str) -> None:
    try:
        clauses, problems = parse_document(text, "policy.md")
    except LlmqaError:
        return
    assert all(isinstance(p, str) for p in problems)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "policy.md").write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            loaded = load_guidelines(folder)
        except LlmqaError:
            return
        assert len(loaded.clauses) == len(clauses)
