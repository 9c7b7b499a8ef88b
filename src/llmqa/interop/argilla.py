"""Argilla: records with the judge's suggestion for a feedback dataset, and responses back
into items.

Records are dicts in the form ``argilla``'s ``rg.Record.from_dict`` reads and
``Record.to_dict`` / ``dataset.records.to_json`` writes: ``id``, ``fields``, ``metadata``,
``suggestions`` (question name -> value, score, agent) and ``responses`` (question name -> a
list of ``value``, ``user_id`` and, when the export kept it, ``status``). The SDK itself is not
needed to write or read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llmqa.errors import Hint, InputError
from llmqa.interop.mapping import (
    CARRIED_KEY,
    DETAIL_PREFIX,
    ITEM_ID_KEY,
    MEDIA_FIELDS,
    RESERVED_KEYS,
    SHOWN_KEY,
    TEXT_FIELDS,
    ImportReport,
    Suggestion,
    carried,
    carried_back,
    content_from_fields,
    item_fields,
    read_json_array,
    row_error,
    shown_labels,
    with_new,
)
from llmqa.interop.users import UserNames
from llmqa.io.foreign import export_kind
from llmqa.io.readers import RowError
from llmqa.items import MULTI_LABEL_SEPARATOR, Annotation, Item

LABEL_QUESTION = "label"


class ArgillaResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    value: Any
    user_id: str | None = None
    status: str | None = None


class ArgillaRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str | int | None = None
    fields: dict[str, Any]
    metadata: dict[str, Any] = Field(default_factory=dict)
    responses: dict[str, list[ArgillaResponse]] = Field(default_factory=dict)
    suggestions: dict[str, Any] = Field(default_factory=dict)


def export_records(items: Iterable[Item], suggestions: dict[str, Suggestion],
                   question: str = LABEL_QUESTION, multi_label: bool = False,
                   show_annotations: bool = False) -> Iterator[dict[str, Any]]:
    """One record per item. The item's annotations ride in its metadata so an import gets
    them back; ``show_annotations`` also gives every record a ``annotator_labels`` field (the
    dataset's settings must then have that field)."""
    for item in items:
        data = item_fields(item)
        fields = {k: str(data[k]) for k in (*TEXT_FIELDS, *MEDIA_FIELDS.values()) if k in data}
        metadata = {k: v for k, v in data.items() if k not in fields and k != ITEM_ID_KEY}
        if item.annotations:
            metadata[CARRIED_KEY] = carried(item)
        if show_annotations:
            # Every record of a dataset has the same fields, and Argilla refuses an empty one.
            fields[SHOWN_KEY] = shown_labels(item) or "(no annotations)"
        record: dict[str, Any] = {"id": item.id, "fields": fields, "metadata": metadata,
                                  "suggestions": {}, "responses": {}, "vectors": {},
                                  "status": "pending"}
        suggestion = suggestions.get(item.id)
        if suggestion is not None:
            value: Any = (suggestion.label.split(MULTI_LABEL_SEPARATOR) if multi_label
                          else suggestion.label)
            record["suggestions"][question] = {"value": value, "score": suggestion.score,
                                               "agent": suggestion.agent}
            metadata.update(suggestion.details())
        yield record


def import_file(path: str | Path, question: str = LABEL_QUESTION,
                users: Mapping[str, str] | None = None,
                report: ImportReport | None = None) -> Iterator[Item | RowError]:
    """Items from a JSON array of records (``dataset.records.to_json`` writes one), or from
    the folder ``dataset.to_disk`` writes (its ``records.json``)."""
    if Path(path).is_dir():
        if not (Path(path) / "records.json").is_file():
            raise InputError(f"{path}: a folder, without the records.json that Argilla's "
                             "dataset.to_disk writes")
        path = Path(path) / "records.json"
    rows = read_json_array(path, "Argilla records export", "records")
    if rows and isinstance(rows[0], dict) and "fields" not in rows[0] and (
            export_kind(rows[0]) is None):  # another tool's export is named as such later
        # records.to_list(flatten=True) and to_datasets() merge fields and answers in one dict
        raise InputError(f"{path}: records without 'fields': flattened records (to_list("
                         "flatten=True), to_datasets()) mix content with answers",
                         hint=Hint("save them with dataset.records.to_json(path) or "
                                   "dataset.to_disk(folder)"))
    return import_records(rows, str(path), question, users, report)


def import_records(rows: Iterable[Any], source: str, question: str = LABEL_QUESTION,
                   users: Mapping[str, str] | None = None,
                   report: ImportReport | None = None) -> Iterator[Item | RowError]:
    """One item per record; one annotation per submitted response to ``question``.

    Argilla names users by id; ``users`` maps ids to names (``interop.users``), and the ids it
    leaves out are named in ``report.notes``, as are discarded and draft responses (left out).
    """
    report = report or ImportReport()
    names = UserNames(users)
    for number, row in enumerate(rows, start=1):
        try:
            record = ArgillaRecord.model_validate(row)
            yield _record_item(record, number, question, names, report)
        except (ValidationError, ValueError) as exc:
            yield row_error(source, number, "record", exc)
    report.notes += names.notes()


def _record_item(record: ArgillaRecord, number: int, question: str, names: UserNames,
                 report: ImportReport) -> Item:
    where = f"record {record.id if record.id is not None else number}"
    metadata = {k: v for k, v in record.metadata.items()
                if k not in RESERVED_KEYS and not k.startswith(DETAIL_PREFIX)}
    extra = {k: v for k, v in record.fields.items()
             if k not in (*TEXT_FIELDS, *MEDIA_FIELDS.values(), SHOWN_KEY)}
    metadata.update(extra)
    content = content_from_fields(record.fields, record.metadata.get("modality"), metadata)
    annotations: list[Annotation] = []
    for name, responses in record.responses.items():
        if name != question:
            report.notes.append(f"{where}: responses to question {name!r} are not labels "
                                f"(llmqa reads {question!r}); left out")
            continue
        for response in responses:
            who = names.name(str(response.user_id or "unknown"), response.user_id)
            if response.status not in (None, "submitted"):
                report.notes.append(f"{where}: {response.status} response by {who}; left out")
                continue
            if isinstance(response.value, list):
                annotations.append(Annotation(annotator=who, labels=tuple(map(str,
                                                                               response.value))))
            else:
                annotations.append(Annotation(annotator=who, label=str(response.value)))
    annotations = with_new(carried_back(record.metadata.get(CARRIED_KEY), where, report),
                           annotations, where, report)
    item_id = record.metadata.get(ITEM_ID_KEY) or record.id or f"argilla-row-{number}"
    return Item(id=str(item_id), content=content, annotations=annotations,
                project=record.metadata.get("project"), priority=record.metadata.get("priority"))


def dataset_settings(labels: Iterable[str], fields: Iterable[str] = ("text",),
                     question: str = LABEL_QUESTION, multi_label: bool = False) -> Any:
    """``rg.Settings`` for these records: a text field per field name and a label question
    over the guideline's labels (needs the ``argilla`` SDK)."""
    import argilla as rg  # optional dependency: the `argilla` extra

    ask = rg.MultiLabelQuestion if multi_label else rg.LabelQuestion
    return rg.Settings(fields=[rg.TextField(name=name) for name in fields],
                       questions=[ask(name=question, labels=list(labels))])
