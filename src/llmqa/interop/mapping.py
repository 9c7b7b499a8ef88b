"""What Label Studio and Argilla exchanges share: item content as flat data fields, the
judge's suggestion for an item, and the report of an import.

Both tools show an item as named data fields (``text``, ``audio``...) and take a model's
answer as a suggestion with a score. The field names here are llmqa's own content fields, so
an export imported back lands in the same place.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llmqa.errors import Hint, InputError, first_error
from llmqa.io.readers import RowError
from llmqa.items import Annotation, Content, Item, Modality

TEXT_FIELDS = ("title", "text", "transcript", "caption")
MEDIA_FIELDS = {Modality.IMAGE: "image", Modality.AUDIO: "audio", Modality.VIDEO: "video"}
# Data keys an export writes that are not content; an import reads them back as such.
ITEM_ID_KEY = "item_id"
RESERVED_KEYS = (ITEM_ID_KEY, "modality", "project", "priority")
# The judge's details (verdict, cited clauses, rationale) travel as metadata under these
# names; an import drops them again: they describe the verdict, not the item.
DETAIL_PREFIX = "llmqa_"
# The item's own annotations travel with it under this key, and an import reads them back
# beside the tool's new ones: a tool keeps no annotator it did not create, so without them a
# round trip would lose every label the batch came with.
CARRIED_KEY = DETAIL_PREFIX + "annotations"
# With ``show_annotations`` the same labels as one line of text a reviewer reads beside the
# item ("ana: hate; bo: allowed"); an import drops it, as it does the verdict's details.
SHOWN_KEY = "annotator_labels"
_URL_SCHEMES = ("http://", "https://", "s3://", "gs://", "azure-blob://")


class Suggestion(BaseModel):
    """The judge's answer for one item, as a labelling tool shows it beside the item."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    label: str
    score: float | None = None
    model: str
    guideline_version: str
    verdict: str | None = None
    cited_clause_ids: list[str] = Field(default_factory=list)
    rationale: str | None = None

    @property
    def agent(self) -> str:
        """Which model and which guideline version answered (Label Studio ``model_version``,
        Argilla ``agent``); the version is shortened as ``llmqa guidelines check`` shows it."""
        return f"{self.model} @ guidelines {self.guideline_version[:12]}"

    def details(self) -> dict[str, Any]:
        """The verdict, cited clauses and rationale as metadata (empty ones left out)."""
        values = {"verdict": self.verdict, "cited_clause_ids": self.cited_clause_ids,
                  "rationale": self.rationale}
        return {DETAIL_PREFIX + k: v for k, v in values.items() if v}


def carried(item: Item) -> list[dict[str, Any]]:
    """The item's annotations as plain JSON, for ``CARRIED_KEY``."""
    return [a.model_dump(mode="json", exclude_none=True) for a in item.annotations]


def shown_labels(item: Item) -> str:
    """Who said what, one line: ``ana: hate [HATE-1.1]; bo: allowed (lyrics only)``."""
    return "; ".join(f"{a.annotator}: {a.label}" + (f" [{a.clause_id}]" if a.clause_id else "")
                     + (f" ({a.note})" if a.note else "") for a in item.annotations)


def carried_back(value: Any, where: str, report: ImportReport) -> list[Annotation]:
    """The annotations an export carried (``CARRIED_KEY``); one that no longer validates (the
    value was edited in the tool) is left out and named, the rest are kept."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list):
        report.notes.append(f"{where}: {CARRIED_KEY} is not a list of annotations; left out")
        return []
    kept: list[Annotation] = []
    for position, entry in enumerate(value, start=1):
        try:
            kept.append(Annotation.model_validate(entry))
        except ValidationError as exc:
            report.notes.append(f"{where}: {CARRIED_KEY} entry {position} is not an annotation "
                                f"({first_error(exc)}); left out")
    return kept


def with_new(earlier: list[Annotation], new: list[Annotation], where: str,
             report: ImportReport) -> list[Annotation]:
    """The carried annotations (``earlier``) and the tool's ``new`` ones. A new one by someone
    among the earlier annotators replaces theirs: it is that person's later word on the item,
    and agreement counts one rating per person and item (the first), so keeping both would
    keep the old one."""
    again = {a.annotator for a in new} & {a.annotator for a in earlier}
    if again:
        report.notes.append(f"{where}: {', '.join(sorted(again))} labelled the item again; "
                            "the new label replaces the carried one")
    return [a for a in earlier if a.annotator not in again] + new


def suggestions_from_rows(rows: Iterable[dict[str, Any]]) -> dict[str, Suggestion]:
    """Suggestions from stored verdict rows (``VerdictStore.verdicts``); a row without a usable
    verdict (failed, unparsable) has no suggestion to give."""
    found: dict[str, Suggestion] = {}
    for row in rows:
        if row.get("status") != "ok" or not row.get("suggested_label"):
            continue
        found[row["item_id"]] = Suggestion(
            item_id=row["item_id"], label=row["suggested_label"], score=row.get("confidence"),
            model=row["model"], guideline_version=row["guideline_version"],
            verdict=row.get("verdict"), cited_clause_ids=row.get("cited_clause_ids") or [],
            rationale=row.get("rationale"))
    return found


def media_value(content: Content) -> str | None:
    """The path or URL of an item's media (None for text modalities)."""
    key = MEDIA_FIELDS.get(content.modality)
    if key is None:
        return None
    return getattr(content, f"{key}_path") or getattr(content, f"{key}_url")


def item_fields(item: Item) -> dict[str, Any]:
    """An item as the flat data fields a labelling tool shows (and an import reads back)."""
    content = item.content
    fields: dict[str, Any] = {ITEM_ID_KEY: item.id, "modality": content.modality.value}
    for name in TEXT_FIELDS:
        if getattr(content, name):
            fields[name] = getattr(content, name)
    media = media_value(content)
    if media:
        fields[MEDIA_FIELDS[content.modality]] = media
    if item.project:
        fields["project"] = item.project
    if item.priority is not None:
        fields["priority"] = item.priority
    for key, value in content.metadata.items():
        fields.setdefault(key, value)
    return fields


def content_from_fields(values: dict[str, Any], modality: str | None = None,
                        metadata: dict[str, Any] | None = None) -> Content:
    """Content from named fields: ``title``/``text``/``transcript``/``caption`` as text,
    ``image``/``audio``/``video`` as a path or URL. Without a ``modality`` the media present
    decides, else the text fields in the order title < transcript < text. Raises ValueError
    (pydantic's, naming the field) when there is nothing to review."""
    data: dict[str, Any] = {name: str(values[name]) for name in TEXT_FIELDS if values.get(name)}
    chosen = Modality(modality) if modality and modality in Modality.__members__.values() \
        else None
    for kind, key in MEDIA_FIELDS.items():
        value = values.get(key)
        if not value:
            continue
        where = "url" if str(value).startswith(_URL_SCHEMES) else "path"
        data[f"{key}_{where}"] = str(value)
        chosen = chosen or kind
    if chosen is None:
        chosen = (Modality.TEXT if "text" in data else Modality.TRANSCRIPT if "transcript" in data
                  else Modality.TITLE if "title" in data else Modality.TEXT)
    return Content(modality=chosen, **data, metadata=metadata or {})


@dataclass
class ImportReport:
    """What an import did besides producing items: rows it could not use and annotations it
    left out on purpose (skipped in the tool, results that are not labels), each named."""

    items: int = 0
    annotations: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Set when every row was refused and the file is the other tool's export.
    other_tool: Hint | None = None
    # Where ground-truth annotations went as gold rows, and how many (Label Studio).
    gold: tuple[str, int] | None = None
    # Notes that name a setting (spelt by the caller: a flag in the CLI).
    hints: list[Hint] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.items > 0

    def track(self, records: Iterable[Item | RowError]) -> Iterator[Item]:
        """Pass items through, counting them and keeping the errors."""
        for record in records:
            if isinstance(record, RowError):
                self.errors.append(record)
            else:
                self.items += 1
                self.annotations += len(record.annotations)
                yield record

    def summary(self, output: str | Path, notes_shown: int = 20,
                name: Callable[[Any], str] | None = None) -> list[str]:
        """The first ``notes_shown`` notes, the right converter for the other tool's export,
        and a closing count line (errors are the caller's to show: they come first, in red;
        ``name`` spells the step the converter is)."""
        lines = self.notes[:notes_shown]
        if len(self.notes) > notes_shown:
            lines.append(f"... and {len(self.notes) - notes_shown} more notes")
        lines += [hint.render(name) for hint in self.hints]
        if self.other_tool is not None:
            lines.append(self.other_tool.render(name))
        if self.gold is not None:
            path, count = self.gold
            lines.append(f"{count} ground-truth annotations written to {path} as analysts' "
                         "decisions" + (f"; record them with `llmqa decisions import {path}`"
                                        if count else ""))
        where = "" if str(output) == "-" else f" to {output}"
        return [*lines, f"{self.items} items with {self.annotations} annotations written"
                f"{where}; {len(self.errors)} rejected, {len(self.notes) + len(self.hints)} notes"]


def row_error(source: str, number: int, unit: str, exc: ValidationError | ValueError) -> RowError:
    """A RowError naming every problem pydantic found, not only the first."""
    if not isinstance(exc, ValidationError):
        return RowError(source, number, None, str(exc), unit)
    return RowError.invalid(source, number, exc, unit)


def read_json_array(path: str | Path, kind: str, rows: str) -> list[Any]:
    """The rows of an exported JSON array (``kind`` names the export in messages)."""
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a {kind} ({exc})") from exc
    if not isinstance(data, list):
        raise InputError(f"{path}: a {kind} is a JSON array of {rows}; this file holds a JSON "
                         f"{type(data).__name__}")
    return data
