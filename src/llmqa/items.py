"""Records for the items under review and their human annotations.

An item is one piece of catalog content (a track title, an episode description, a transcript
excerpt, a cover image, an audio clip, a video) plus the labels annotators gave it. Media are
referenced by path or URL; what a text-only judge can read about them travels in
``caption``/``transcript``/``metadata``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Modality(StrEnum):
    TEXT = "text"
    TRANSCRIPT = "transcript"
    TITLE = "title"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"


# The field that must be present for each modality: without it there is nothing to review.
_REQUIRED_BY_MODALITY: dict[Modality, tuple[str, ...]] = {
    Modality.TEXT: ("text",),
    Modality.TRANSCRIPT: ("transcript",),
    Modality.TITLE: ("title",),
    Modality.IMAGE: ("image_path", "image_url"),
    Modality.AUDIO: ("audio_path", "audio_url"),
    Modality.VIDEO: ("video_path", "video_url"),
}


# Which modality a row without one is, by the fields it has: the media, when there is one
# (video before audio before image), else the text to read. text and transcript together are
# left for the row to name.
_MEDIA = (Modality.VIDEO, Modality.AUDIO, Modality.IMAGE)


def infer_modality(fields: dict[str, Any]) -> Modality:
    """The modality of content given without one. Raises ``ValueError`` saying what to add
    when the fields do not settle it."""
    present = {name for name, value in fields.items() if value not in (None, "")}
    media = [m for m in _MEDIA if present & set(_REQUIRED_BY_MODALITY[m])]
    if len(media) > 1:
        raise ValueError(f"no modality, and media of {len(media)} kinds "
                         f"({', '.join(media)}): name the one that was labelled")
    if media:
        return media[0]
    readable = [m for m in (Modality.TEXT, Modality.TRANSCRIPT) if m.value in present]
    if len(readable) > 1:
        raise ValueError("no modality, and both text and transcript: name the one that was "
                         "labelled (modality text or transcript)")
    if readable:
        return readable[0]
    if "title" in present:
        return Modality.TITLE
    raise ValueError("no modality and nothing to review: give text, transcript, title or a "
                     "media path or URL")


class Content(BaseModel):
    """What was labelled. One modality; optional text that describes the media. A row without
    ``modality`` gets the one its fields imply (``infer_modality``): a media field decides,
    else text or transcript, else title."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _implied_modality(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("modality") in (None, ""):
            return {**data, "modality": infer_modality(data)}
        return data

    modality: Modality
    text: str | None = None
    transcript: str | None = None
    title: str | None = None
    caption: str | None = None
    image_path: str | None = None
    image_url: str | None = None
    audio_path: str | None = None
    audio_url: str | None = None
    video_path: str | None = None
    video_url: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata_object(cls, value: Any) -> Any:
        return json_in_text(value, dict)

    @model_validator(mode="after")
    def _has_reviewable_content(self) -> Content:
        required = _REQUIRED_BY_MODALITY[self.modality]
        if not any(getattr(self, name) for name in required):
            raise ValueError(f"modality '{self.modality}' needs one of: {', '.join(required)}")
        return self

    def readable_text(self) -> str:
        """All text a text-only reader can see, in a stable order (used for embeddings)."""
        parts = [self.title, self.text, self.transcript, self.caption]
        if self.metadata:
            parts.append(" ".join(f"{k}: {v}" for k, v in sorted(self.metadata.items())))
        return "\n".join(p for p in parts if p)


MULTI_LABEL_SEPARATOR = "+"


class Annotation(BaseModel):
    """One annotator's answer. A multi-label answer lists its labels in ``labels``; its
    ``label`` is then the sorted labels joined by ``+`` (``harassment+hate``), so single-label
    metrics compare whole sets, and per-label metrics read ``labels``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    annotator: str = Field(min_length=1)
    label: str = Field(default="", validate_default=True)
    labels: tuple[str, ...] | None = None
    clause_id: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _not_a_bare_label(cls, data: Any) -> Any:
        # Agreement needs to know who said what: a list of labels alone cannot be read.
        if isinstance(data, str):
            raise ValueError(f"a bare label ({data!r}): an annotation is an object naming its "
                             f'annotator, {{"annotator": "...", "label": {json.dumps(data)}}}')
        return data

    @field_validator("annotator", "label", "labels", mode="before")
    @classmethod
    def _codes_as_strings(cls, value: Any) -> Any:
        # Crowd exports number their workers and classes (annotator 17, label 0): names, as
        # the row's id is. A true or false is left to fail: which label it meant is a guess.
        def named(v: Any) -> Any:
            return str(v) if isinstance(v, int) and not isinstance(v, bool) else v
        return [named(v) for v in value] if isinstance(value, list | tuple) else named(value)

    @field_validator("label")
    @classmethod
    def _normalise_label(cls, value: str) -> str:
        return value.strip()

    @field_validator("labels")
    @classmethod
    def _normalise_labels(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        cleaned = tuple(sorted({v.strip() for v in value if v.strip()}))
        if not cleaned:
            raise ValueError("labels is empty: give at least one label")
        return cleaned

    @model_validator(mode="after")
    def _label_matches_labels(self) -> Annotation:
        if self.labels is None:
            if not self.label:
                raise ValueError("label is required (or labels, for a multi-label answer)")
            return self
        joined = MULTI_LABEL_SEPARATOR.join(self.labels)
        if not self.label:
            object.__setattr__(self, "label", joined)
        elif self.label != joined:
            raise ValueError(f"label {self.label!r} does not match labels {list(self.labels)} "
                             f"(expected {joined!r} or no label)")
        return self

    def label_set(self) -> frozenset[str]:
        """The labels this annotator chose: one for a single-label answer."""
        return frozenset(self.labels) if self.labels is not None else frozenset([self.label])


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    content: Content
    annotations: list[Annotation] = Field(default_factory=list)
    project: str | None = None
    priority: float | None = Field(default=None, ge=0)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_string(cls, value: Any) -> Any:
        # Spreadsheets turn "00123" into 123; an id is an identifier, never a number.
        return str(value) if isinstance(value, int) else value

    @field_validator("annotations", mode="before")
    @classmethod
    def _a_list(cls, value: Any) -> Any:
        # pydantic says only "a valid list"; name the shape the row has and the one it needs.
        if value is None:  # pandas writes null for a missing cell; Parquet's null is dropped
            return []
        value = json_in_text(value, list)
        if isinstance(value, dict) and {"annotator", "label", "labels"} & set(value):
            raise ValueError("one annotation, not a list of them; put it in a list, [{...}]")
        if isinstance(value, dict) and value:
            name, label = next(iter(value.items()))
            shown = json.dumps({"annotator": name, "label": label}, ensure_ascii=False)
            raise ValueError(f"an object (annotator -> label?); write a list, [{shown}, ...]")
        return value

    def content_hash(self) -> str:
        """Hash of what the judge sees; a changed item is re-reviewed, an unchanged one is not."""
        payload = json.dumps(self.content.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def labels_hash(self) -> str:
        """Hash of who labelled the item what: an analyst's decision holds while it is the
        same (a new or changed annotation unsettles the item)."""
        pairs = sorted((a.annotator, a.label) for a in self.annotations)
        return hashlib.sha256(json.dumps(pairs).encode()).hexdigest()[:16]

    def labels(self) -> list[str]:
        return [a.label for a in self.annotations]

    def plurality_label(self) -> str | None:
        """The label most annotators gave (ties: the last in sort order), what an analyst's
        ``confirm`` confirms; None without annotations."""
        counts: dict[str, int] = {}
        for name in self.labels():
            counts[name] = counts.get(name, 0) + 1
        return max(counts, key=lambda name: (counts[name], name)) if counts else None


def media_folder(source: str | Path | None) -> Path:
    """The folder an item's relative media paths (``artwork/x.jpg``) start from: the items
    file's, since a batch travels with its media, wherever the command runs; the current
    folder for standard input."""
    if source is None or str(source) in ("-", "<stdin>") or not Path(source).is_file():
        return Path.cwd()
    return Path(source).resolve().parent


def json_in_text(value: Any, kind: type) -> Any:
    """``value`` parsed when it is text holding JSON of ``kind``: a CSV read by pandas and
    written out as JSON lines keeps its JSON columns as strings. Anything else is left for
    validation to name."""
    if isinstance(value, str) and value.lstrip().startswith(("[", "{")):
        try:
            parsed = json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            return value
        return parsed if isinstance(parsed, kind) else value
    return value


def near_duplicate_labels(labels: Iterable[str]) -> list[str]:
    """A warning per group of labels that differ only in case, spacing, hyphens or
    underscores ("Hate", "hate"; "not_offensive", "not offensive"): they count as different
    labels and lower every agreement figure. Said, not merged unasked: a label set may mean
    the difference."""
    groups: dict[str, list[str]] = {}
    for label in labels:
        groups.setdefault(_folded(label), []).append(label)
    return [f"labels {' and '.join(repr(x) for x in same)} differ only in case or spacing, "
            "and count as different labels: fix the spelling in the file, or give guidelines "
            "(their label set names the odd one in each row)"
            for same in groups.values() if len(same) > 1]


def _folded(label: str) -> str:
    return re.sub(r"[\s_-]+", " ", label.casefold()).strip()


def closest_label(label: str, labels: Iterable[str]) -> str | None:
    """The label of ``labels`` a mistyped ``label`` most likely meant ("Hate", "hate speech"
    for ``hate_speech``), for a "did you mean"; None when none is close."""
    by_form = {_folded(known): known for known in labels}
    if (form := _folded(label)) in by_form:
        return by_form[form]
    near = difflib.get_close_matches(form, by_form, n=1, cutoff=0.7)
    return by_form[near[0]] if near else None
