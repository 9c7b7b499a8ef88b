"""Flat verdict rows for ``llmqa results``: one row per item, ready for a spreadsheet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llmqa.store.verdicts import VerdictStore

COLUMNS = ("item_id", "project", "modality", "human_label", "annotations", "verdict",
           "suggested_label", "confidence", "cited_clause_ids", "rationale", "status", "error",
           "retrieved_clause_ids", "seen", "notes", "model", "guideline_version", "prompt_hash",
           "input_tokens", "output_tokens", "cost_usd", "latency_s", "attempts", "content",
           "created_at")


def verdict_rows(store: VerdictStore, latest: bool = True, project: str | None = None,
                 **filters: Any) -> Iterator[dict[str, Any]]:
    for record in store.verdicts(latest=latest, **filters):
        item = json.loads(record.pop("item_data") or "{}")
        if project is not None and item.get("project") != project:
            continue
        content = item.get("content", {})
        text = "\n".join(str(content[k]) for k in ("title", "text", "transcript", "caption")
                         if content.get(k))
        row = {**record, "project": item.get("project"), "modality": content.get("modality"),
               "annotations": [f"{a['annotator']}:{a['label']}"
                               for a in item.get("annotations", [])],
               "content": text}
        yield {column: row.get(column) for column in COLUMNS}


def export_verdicts(home: str | Path, output: str | Path | None = None, fmt: str | None = None,
                    *, latest: bool = True, project: str | None = None,
                    **filters: Any) -> int:
    """Write ``verdict_rows`` of the store in ``home`` to ``output`` (standard output when
    ``None`` or ``-``) as ``fmt`` (default: from the file name); returns the row count. An
    unknown format is refused before the store is opened."""
    from llmqa.io.writers import check_records_output, write_records

    check_records_output(output, fmt)
    with VerdictStore(Path(home), readonly=True) as store:
        return write_records(verdict_rows(store, latest=latest, project=project, **filters),
                             output, fmt)
