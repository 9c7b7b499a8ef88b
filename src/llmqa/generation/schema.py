"""What the example generator asks the model for, and the candidate records built from it.

``generation_models`` builds the pydantic models sent as a JSON schema: a list of examples,
each with its kind (in or out of scope), a modality tag from the guideline format, the
content, the words heard or read in media (transcript, caption, visible text), a rationale
and the label the whole policy would give it. The label is an enum of the guideline's labels
so a constrained decoder cannot invent one.

A ``Candidate`` is one generated example in llmqa's own terms. It knows how to become a
guideline ``Example`` (the bullet a policy writer would add) and a synthetic ``Item`` (what
the judge is shown, blind: no annotations, an id that does not name the clause).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from llmqa.guidelines.model import NO_VIOLATION_LABEL, Example, normalise
from llmqa.items import Content, Item

Kind = Literal["in_scope", "out_of_scope"]
KINDS: tuple[str, ...] = ("in_scope", "out_of_scope")
# The modality tags of docs/guideline-format.md, in the order the prompt lists them.
EXAMPLE_MODALITIES: tuple[str, ...] = ("text", "title", "lyrics", "transcript", "description",
                                       "artwork", "image", "audio", "video")
MEDIA_MODALITIES = frozenset({"artwork", "image", "audio", "video"})
# Media are never attached for a generated item: the path names no file, so the judge is told
# it cannot see or hear the media and judges from the description and words, as annotators of
# the sample batch do.
PLACEHOLDER_MEDIA = "generated/no-media-file"


@cache
def generation_models(labels: tuple[str, ...], max_items: int, max_chars: int | None = None,
                      no_violation_label: str = NO_VIOLATION_LABEL,
                      ) -> tuple[type[BaseModel], type[BaseModel]]:
    """(the answer model, the model of one example).

    ``max_chars`` bounds each text field in the schema itself, which keeps a small
    grammar-constrained model from rambling until its token limit; open-ended models get
    no bound (some providers reject length keywords in strict schemas).
    """
    label_type: Any = Literal[labels]  # type: ignore[valid-type]
    modality_type: Any = Literal[EXAMPLE_MODALITIES]  # type: ignore[valid-type]
    kind_type: Any = Literal["in_scope", "out_of_scope"]
    why_chars = min(max_chars, 200) if max_chars else None
    example = create_model(
        "GeneratedExample",
        __config__=ConfigDict(extra="forbid"),
        kind=(kind_type, Field(
            description="in_scope: the clause applies; out_of_scope: a near miss it does not "
            "cover.")),
        modality=(modality_type, Field(description="Which part of a catalog item this is.")),
        content=(str, Field(description="The content itself (title, lyrics, transcript, "
                            "text, description); for artwork, image, audio and video a short "
                            "description of what is seen or heard.", max_length=max_chars)),
        words=(str, Field(description="Audio and video: the transcript excerpt; artwork and "
                          "image: the visible text or caption. Empty for text modalities.",
                          max_length=max_chars)),
        why=(str, Field(description="One sentence: why the clause does or does not apply.",
                        max_length=why_chars)),
        label=(label_type, Field(description="The label the whole policy gives this example: "
                                 "the clause's label for in_scope, another label (usually "
                                 f"{no_violation_label}) for out_of_scope.")),
    )
    answer = create_model(
        "GeneratedExamples",
        __config__=ConfigDict(extra="forbid"),
        examples=(list[example], Field(min_length=1, max_length=max_items)),  # type: ignore[valid-type]
    )
    return answer, example


def bullet(example: Example) -> str:
    """An example as a guideline bullet line: ``- [modality] text (why: reason)``.

    Parentheses in a rationale would end the ``(why: ...)`` early when the file is parsed
    again, so they become brackets.
    """
    parts = ["-"]
    if example.modality:
        parts.append(f"[{example.modality}]")
    parts.append(normalise(example.text))
    if example.why:
        why = normalise(example.why).replace("(", "[").replace(")", "]")
        parts.append(f"(why: {why})")
    return " ".join(parts)


@dataclass(frozen=True)
class Candidate:
    """A proposed example for one clause, from the generator or from a real item."""

    clause_id: str
    kind: str  # "in_scope" | "out_of_scope"
    modality: str
    content: str
    words: str = ""
    why: str = ""
    label: str | None = None
    source: str = "generated"  # "generated" or "item:ID"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_media(self) -> bool:
        return self.modality in MEDIA_MODALITIES

    @property
    def key(self) -> str:
        """Identity of the content alone: the same text for two clauses is one candidate."""
        payload = "\0".join([self.modality, normalise(self.content), normalise(self.words)])
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def example_text(self) -> str:
        """The example as the guideline states it: media get their words after the
        description, which is what the index embeds for existing examples too."""
        text = normalise(self.content)
        words = normalise(self.words)
        if words and self.is_media:
            lead = "Transcript" if self.modality in ("audio", "video") else "Visible text"
            text = f'{text.rstrip(".")}. {lead}: "{words.strip(chr(34))}"'
        return text

    def example(self) -> Example:
        return Example(text=self.example_text(), modality=self.modality,
                       why=normalise(self.why).rstrip(".") or None)

    def item(self) -> Item:
        """The synthetic item the judge classifies blind.

        No annotations (so no consensus label can leak the target), no project, and an id
        derived from the content alone, never from the clause or the kind.
        """
        return Item(id=f"cand-{self.key}", content=self.content_record())

    def content_record(self) -> Content:
        content, words = normalise(self.content), normalise(self.words) or None
        if self.modality == "title":
            return Content(modality="title", title=content)
        if self.modality == "transcript":
            return Content(modality="transcript", transcript=content)
        if self.modality in ("artwork", "image"):
            return Content(modality="image", image_path=PLACEHOLDER_MEDIA, caption=content,
                           text=words)
        if self.modality == "audio":
            return Content(modality="audio", audio_path=PLACEHOLDER_MEDIA, caption=content,
                           transcript=words)
        if self.modality == "video":
            return Content(modality="video", video_path=PLACEHOLDER_MEDIA, caption=content,
                           transcript=words)
        # text, lyrics, description: the format is context the judge needs (lyrics are art),
        # and it says nothing about the clause.
        metadata = {"format": self.modality} if self.modality != "text" else {}
        return Content(modality="text", text=content, metadata=metadata)

    def to_dict(self) -> dict[str, Any]:
        return {"clause_id": self.clause_id, "kind": self.kind, "modality": self.modality,
                "content": self.content, "words": self.words, "why": self.why,
                "label": self.label, "source": self.source}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        return cls(clause_id=str(data["clause_id"]), kind=str(data["kind"]),
                   modality=str(data.get("modality") or "text"),
                   content=str(data.get("content") or ""), words=str(data.get("words") or ""),
                   why=str(data.get("why") or ""), label=data.get("label"),
                   source=str(data.get("source") or "generated"))
