"""Label Studio: read a project's JSON export into items; write tasks with the judge's
predictions and a labelling config that matches them.

An export is a JSON array of tasks: ``data`` (what was labelled, keyed as the labelling
config's object tags name it), ``annotations`` (one per annotator: ``completed_by``,
``result``, ``was_cancelled``, ``ground_truth``), ``predictions`` and ``meta``. An export
puts the judge's verdict, cited clauses and rationale in the task's ``meta`` (``llmqa_*``
keys), since a Label Studio prediction keeps only its result, score and model version. The config
tells which data key is text, audio, image or video; without it the keys' names decide
(llmqa's own field names: ``text``, ``title``, ``transcript``, ``caption``, ``audio``...).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

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
from llmqa.io.foreign import is_json_min
from llmqa.io.readers import RowError
from llmqa.items import MULTI_LABEL_SEPARATOR, Annotation, Item
from llmqa.store.decisions import Decision, for_item

LABEL_CONTROL = "label"
_MEDIA_TAGS = {"audio": "audio", "audioplus": "audio", "image": "image", "video": "video"}
_TEXT_TAGS = {"text", "hypertext", "paragraphs"}


class LSResult(BaseModel):
    """One region/answer of an annotation; only ``choices`` results carry labels for llmqa."""

    model_config = ConfigDict(extra="allow")

    type: str
    from_name: str | None = None
    to_name: str | None = None
    value: dict[str, Any] = Field(default_factory=dict)


class LSAnnotation(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int | str | None = None
    completed_by: int | str | dict[str, Any] | None = None
    result: list[LSResult] = Field(default_factory=list)
    was_cancelled: bool = False
    ground_truth: bool = False

    def annotator(self, names: UserNames | None = None) -> str:
        """Label Studio exports the user's numeric id (older releases: a user object); a
        users file names it."""
        who, names = self.completed_by, names or UserNames()
        if isinstance(who, dict):
            given = str(who.get("email") or who.get("username") or f"user-{who.get('id')}")
            return names.name(given, who.get("id"), who.get("email"))
        return names.name(f"user-{who}" if isinstance(who, int) else str(who or "unknown"), who)


class LSTask(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int | str | None = None
    data: dict[str, Any]
    annotations: list[LSAnnotation] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class LabelConfig:
    """What a labelling config says about the data: object tag per data key, and the
    choices controls (name -> whether several choices may be picked)."""

    objects: dict[str, str] = field(default_factory=dict)  # data key -> tag (lower case)
    choices: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def parse(cls, xml: str, source: str = "labelling config") -> LabelConfig:
        try:
            root = ET.fromstring(xml)
        except ET.ParseError as exc:
            raise InputError(f"{source}: not a labelling config ({exc})") from exc
        objects: dict[str, str] = {}
        choices: dict[str, bool] = {}
        for element in root.iter():
            tag = element.tag.lower()
            value = element.get("value", "")
            if (tag in _MEDIA_TAGS or tag in _TEXT_TAGS) and value.startswith("$"):
                objects[value[1:]] = tag
            elif tag == "choices" and element.get("name"):
                choices[element.get("name", "")] = element.get("choice") == "multiple"
        return cls(objects, choices)

    @classmethod
    def read(cls, path: str | Path) -> LabelConfig:
        try:
            return cls.parse(Path(path).read_text(encoding="utf-8"), str(path))
        except OSError as exc:
            raise InputError(f"{path}: cannot read the labelling config ({exc.strerror})") from exc


def import_file(path: str | Path, config: str | Path | None = None,
                report: ImportReport | None = None, gold: list[Decision] | None = None,
                users: Mapping[str, str] | None = None,
                choices: str | None = None) -> Iterator[Item | RowError]:
    """Items from a Label Studio JSON export file (``config``: the project's labelling config;
    ``gold``, ``users`` and ``choices``: see ``import_tasks``)."""
    parsed = LabelConfig.read(config) if config else None
    if Path(path).suffix.lower() in (".csv", ".tsv"):
        raise _flat_export(path, Path(path).suffix[1:].upper())
    rows = read_json_array(path, "Label Studio JSON export", "tasks")
    if rows and is_json_min(rows[0]):
        raise _flat_export(path, "JSON-MIN")
    return import_tasks(rows, str(path), parsed, report, gold, users, choices)


def _flat_export(path: str | Path, kind: str) -> InputError:
    # Its rows are one per annotation, and it leaves out what a review rests on.
    return InputError(
        f"{path}: looks like Label Studio's {kind} export, one row per annotation without "
        "skipped annotations, ground truth or the task's meta (where an llmqa export keeps "
        "the items' first annotations)", hint=Hint("export the project as JSON (Export > "
                                                   "JSON) instead"))


def import_tasks(rows: Iterable[Any], source: str, config: LabelConfig | None = None,
                 report: ImportReport | None = None, gold: list[Decision] | None = None,
                 users: Mapping[str, str] | None = None,
                 choices: str | None = None) -> Iterator[Item | RowError]:
    """One item per task (or a RowError naming the task's position and every problem).

    The label is the answer to one Choices control, the same for every annotation:
    ``choices`` (its name), else the labelling config's first, else the first one the export
    answers. Answers to other controls are named in ``report.notes`` and left out.

    Annotators are named ``user-ID`` after Label Studio's user ids unless ``users`` maps the
    ids to names (``interop.users``); the ids it leaves out are named in ``report.notes``.

    Skipped (cancelled) annotations are left out and named in ``report.notes``. A
    ground-truth annotation keeps its label with the note ``ground truth``; given a ``gold``
    list, it goes there instead, as the reviewer's decision on the item as imported
    (``store.decisions.for_item``: ``confirm`` when it is the other annotators' plurality
    label, else ``correct``): the label a reviewer settled on is an analyst's decision, not
    one more annotator's vote.
    """
    report = report or ImportReport()
    names = UserNames(users)
    tasks: list[LSTask | ValidationError] = []
    for row in rows:
        try:
            tasks.append(LSTask.model_validate(row))
        except ValidationError as exc:
            tasks.append(exc)
    config = config or LabelConfig()
    known = list(config.choices) or _answered_choices(t for t in tasks if isinstance(t, LSTask))
    if choices is not None and known and choices not in known:
        raise InputError(f"{source}: no Choices control {choices!r} (the "
                         f"{'labelling config' if config.choices else 'export'} has "
                         f"{', '.join(map(repr, known))})")
    control = choices or next(iter(known), None)
    for number, task in enumerate(tasks, start=1):
        if isinstance(task, ValidationError):
            yield row_error(source, number, "task", task)
            continue
        try:
            yield _task_item(task, number, config, report, gold, names, control)
        except (ValidationError, ValueError) as exc:
            yield row_error(source, number, "task", exc)
    report.notes += names.notes()


def _answered_choices(tasks: Iterable[LSTask]) -> list[str]:
    """The Choices controls the tasks' annotations answer, in order of first answer."""
    return list(dict.fromkeys(result.from_name for task in tasks
                              for annotation in task.annotations for result in annotation.result
                              if result.type == "choices" and result.from_name))


def _task_item(task: LSTask, number: int, config: LabelConfig, report: ImportReport,
               gold: list[Decision] | None, names: UserNames, control: str | None) -> Item:
    where = f"task {task.id if task.id is not None else number}"
    item_id = str(task.data.get(ITEM_ID_KEY) or task.data.get("id") or (
        f"ls-{task.id}" if task.id is not None else f"ls-row-{number}"))
    values, modality, used = _content_values(task.data, config)
    # A data ``id`` that becomes the item id is not metadata as well.
    skip = {*used, *RESERVED_KEYS, SHOWN_KEY,
            *(("id",) if ITEM_ID_KEY not in task.data else ())}
    metadata = {k: v for k, v in task.data.items()
                if k not in skip and v not in (None, "") and not k.startswith(DETAIL_PREFIX)}
    metadata.update({k: v for k, v in task.meta.items()
                     if k not in metadata and not k.startswith(DETAIL_PREFIX)})
    content = content_from_fields(values, task.data.get("modality") or modality, metadata)
    annotations: list[Annotation] = []
    settled: list[Annotation] = []
    for annotation in task.annotations:
        who = annotation.annotator(names)
        if annotation.was_cancelled:
            report.notes.append(f"{where}: annotation by {who} was skipped in Label Studio; "
                                "left out")
            continue
        mapped = _annotation(annotation, who, where, config, report, control)
        if mapped is not None and annotation.ground_truth and gold is not None:
            settled.append(mapped)
        elif mapped is not None:
            annotations.append(mapped)
    # Exports carry them in the task's meta; earlier ones put them in the data, and projects
    # made from those still come back whole.
    carried_in = task.meta.get(CARRIED_KEY, task.data.get(CARRIED_KEY))
    annotations = with_new(carried_back(carried_in, where, report), annotations, where, report)
    item = Item(id=item_id, content=content, annotations=annotations,
                project=task.data.get("project"), priority=task.data.get("priority"))
    if gold is not None:
        # On the item as it came back (its hashes with the tool's new labels), not on the one
        # the store may hold from before the export.
        gold += [for_item(item, None, analyst=a.annotator, label=a.label, note=a.note,
                          source="label-studio") for a in settled]
    return item


def _content_values(data: dict[str, Any], config: LabelConfig) -> tuple[dict[str, Any], str | None,
                                                                        set[str]]:
    """Content fields from task data: by the config's object tags when there is one."""
    if not config.objects:
        keys = {k: k for k in (*TEXT_FIELDS, *MEDIA_FIELDS.values()) if k in data}
        return {k: data[k] for k in keys}, None, set(keys)
    values: dict[str, Any] = {}
    modality = None
    for key, tag in config.objects.items():
        value = data.get(key)
        if value in (None, "") or key == SHOWN_KEY:
            continue
        if tag in _MEDIA_TAGS:
            values[_MEDIA_TAGS[tag]] = value
            modality = modality or _MEDIA_TAGS[tag]
        elif key in TEXT_FIELDS:
            values[key] = value
        elif tag == "paragraphs":
            values["transcript"] = _paragraphs(value)
        else:
            values["text" if "text" not in values else "caption"] = str(value)
    return values, modality, set(config.objects)


def _paragraphs(value: Any) -> str:
    """A Paragraphs object (dialogue turns) as transcript lines ``speaker: text``."""
    if not isinstance(value, list):
        return str(value)
    return "\n".join(f"{turn.get('author', '')}: {turn.get('text', '')}".strip(": ")
                     if isinstance(turn, dict) else str(turn) for turn in value)


def _annotation(annotation: LSAnnotation, who: str, where: str, config: LabelConfig,
                report: ImportReport, control: str | None) -> Annotation | None:
    chosen: list[str] = []
    notes: list[str] = ["ground truth"] if annotation.ground_truth else []
    for result in annotation.result:
        if result.type == "choices" and result.from_name == control:
            chosen += [str(c) for c in result.value.get("choices", [])]
        elif result.type == "textarea":
            notes += [str(t) for t in result.value.get("text", [])]
        elif result.type == "choices":
            report.notes.append(f"{where}: {who}'s answer to the {result.from_name!r} choices "
                                f"left out (the label is the {control!r} answer)")
        else:
            report.notes.append(f"{where}: {result.type} result {result.from_name!r} by {who} "
                                "is not a label llmqa reads; left out")
    if not chosen:
        answer = f"answer to the {control!r} choices" if control else "choices result"
        report.notes.append(f"{where}: annotation by {who} has no {answer}; left out")
        return None
    multiple = config.choices.get(control or "", False) or len(chosen) > 1
    note = "; ".join(notes) or None
    if multiple:
        return Annotation(annotator=who, labels=tuple(chosen), note=note)
    return Annotation(annotator=who, label=chosen[0], note=note)


# -- export -----------------------------------------------------------------------------------
def export_tasks(items: Iterable[Item], suggestions: dict[str, Suggestion],
                 multi_label: bool = False,
                 show_annotations: bool = False) -> tuple[list[dict[str, Any]], str]:
    """Tasks (with the judge's suggestion as a prediction where there is one) and a labelling
    config that shows every field the tasks carry. Returns ``(tasks, config_keys)`` where the
    keys are the data keys the config must show, in order.

    The items' annotations ride in the task's meta so an import gets them back; the Data
    Manager makes a column of every data key but shows no meta, so whoever labels the task
    does not see them unless ``show_annotations`` puts them in the data (off by default: a
    re-annotation should not see the first answers)."""
    tasks: list[dict[str, Any]] = []
    for item in items:
        data = item_fields(item)
        meta: dict[str, Any] = {}
        if item.annotations:
            meta[CARRIED_KEY] = carried(item)
            if show_annotations:
                data[SHOWN_KEY] = shown_labels(item)
        task: dict[str, Any] = {"data": data}
        suggestion = suggestions.get(item.id)
        if suggestion is not None:
            task["predictions"] = [prediction(suggestion, _object_for(data), multi_label)]
            # Label Studio predictions have no metadata of their own (1.23 keeps result,
            # score and model_version): the details ride in the task's meta too.
            meta.update(suggestion.details())
        if meta:
            task["meta"] = meta
        tasks.append(task)
    keys = _shown_keys(tasks)
    for task in tasks:
        for key in keys:
            # Label Studio refuses a task that lacks a key the config shows.
            task["data"].setdefault(key, "")
        for pred in task.get("predictions", []):
            for result in pred["result"]:
                result["to_name"] = _object_name(keys)
    return tasks, ",".join(keys)


def prediction(suggestion: Suggestion, to_name: str, multi_label: bool = False) -> dict[str, Any]:
    chosen = (suggestion.label.split(MULTI_LABEL_SEPARATOR) if multi_label
              else [suggestion.label])
    return {
        "model_version": suggestion.agent,
        "score": suggestion.score,
        "result": [{"from_name": LABEL_CONTROL, "to_name": to_name, "type": "choices",
                    "value": {"choices": chosen}}],
    }


def _object_for(data: dict[str, Any]) -> str:
    return next((k for k in (*MEDIA_FIELDS.values(), *TEXT_FIELDS) if data.get(k)), "text")


def _shown_keys(tasks: list[dict[str, Any]]) -> list[str]:
    present = {k for task in tasks for k, v in task["data"].items() if v not in (None, "")}
    content = [k for k in (*MEDIA_FIELDS.values(), *TEXT_FIELDS) if k in present] or ["text"]
    return content + [SHOWN_KEY] * (SHOWN_KEY in present)


def _object_name(keys: list[str]) -> str:
    """The object the label control points at: the media when there is one, else the first
    text field."""
    return keys[0]


_TAG_FOR = {"audio": "Audio", "image": "Image", "video": "Video"}


def labelling_config(labels: Iterable[str], keys: str | Iterable[str] = "text",
                     multi_label: bool = False) -> str:
    """A labelling config with one object per data key and a choices control over the
    guideline's labels (several may be picked when ``multi_label``)."""
    shown = keys.split(",") if isinstance(keys, str) else list(keys)
    lines = ["<View>"]
    for key in shown:
        tag = _TAG_FOR.get(key, "Text")
        if tag == "Text":
            lines.append(f"  <Header value={quoteattr(key.replace('_', ' '))}/>")
        lines.append(f"  <{tag} name={quoteattr(key)} value={quoteattr('$' + key)}/>")
    choice = "multiple" if multi_label else "single"
    lines.append(f'  <Choices name="{LABEL_CONTROL}" toName={quoteattr(_object_name(shown))} '
                 f'choice="{choice}" showInline="true">')
    lines += [f"    <Choice value={quoteattr(label)}/>" for label in labels]
    lines += ["  </Choices>", "</View>"]
    return "\n".join(lines) + "\n"
