"""Recognise a labelling tool's export handed to a reader of llmqa items.

A Label Studio task has a ``data`` object and ``annotations``/``predictions`` (a JSON-MIN
export row: the annotation's ``annotator``, ``annotation_id`` and ``lead_time``); an Argilla
record has ``fields`` with ``responses``/``suggestions``. An llmqa item has ``content``, so
neither is mistaken for one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LABEL_STUDIO = "label-studio"
ARGILLA = "argilla"
TOOL_NAMES = {LABEL_STUDIO: "Label Studio", ARGILLA: "Argilla"}
_PEEK_BYTES = 1 << 20


def export_kind(row: Any) -> str | None:
    """``label-studio``, ``argilla`` or None for one parsed row."""
    if not isinstance(row, dict) or "content" in row:
        return None
    if isinstance(row.get("data"), dict) and (
            {"annotations", "predictions", "drafts", "inner_id"} & row.keys()
            or row.keys() <= {"data", "meta", "id"}):  # a task as Label Studio imports it
        return LABEL_STUDIO
    if is_json_min(row):
        return LABEL_STUDIO
    if isinstance(row.get("fields"), dict) and (
            {"responses", "suggestions", "metadata", "vectors"} & row.keys()):
        return ARGILLA
    return None


def is_json_min(row: Any) -> bool:
    """A row of Label Studio's JSON-MIN export: one per annotation, the task's data fields
    flattened beside the annotation's own (``annotator``, ``annotation_id``, ``lead_time``)."""
    return (isinstance(row, dict) and "data" not in row
            and {"annotator", "annotation_id", "lead_time"} <= row.keys())


def misread(path: str | Path, kind: str, expected: str) -> str:
    """What to tell someone who handed a ``kind`` export to the reader of ``expected``."""
    return f"{path} is an export from {TOOL_NAMES[kind]}, not {expected}"


def file_export_kind(path: str | Path) -> str | None:
    """The kind of export ``path`` holds, from its first row (a JSON array's first element or
    the first JSONL line); None when it is not recognisably one, or cannot be read."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_PEEK_BYTES).decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    stripped = head.lstrip()
    decoder = json.JSONDecoder()
    try:
        if stripped.startswith("["):
            first, _ = decoder.raw_decode(stripped[1:].lstrip())
        else:
            first, _ = decoder.raw_decode(stripped)
    except json.JSONDecodeError:
        return None
    return export_kind(first)
