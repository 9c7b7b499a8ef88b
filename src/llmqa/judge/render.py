"""Turning an item and its retrieved clauses into chat messages.

The system message is static for a guideline label set, so providers that cache prompt
prefixes reuse it across the whole batch; the per-item part follows. Item content is fenced
by markers carrying a per-item key, and any marker-like text inside the content is defused,
so content cannot close its own fence.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmqa.guidelines.model import MAX_CLAUSE_CHARS, NO_VIOLATION_LABEL, Clause
from llmqa.items import MULTI_LABEL_SEPARATOR, Content, Item
from llmqa.judge.sanitize import MAX_ID_CHARS, MAX_NOTE_CHARS, defuse, escape_lines, inert
from llmqa.llm.messages import ImagePart, Message, system, user
from llmqa.prompts import render, template_hash

TEMPLATES = ["judge_system.j2", "judge_item.j2", "clauses.j2", "item_content.j2", "reask.j2"]
_TEXT_FIELDS = ("text", "transcript", "caption", "title")
MAX_IMAGE_BYTES = 8 * 1024 * 1024
# What the OpenAI-protocol vision endpoints take, by the file's first bytes.
_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg",
                b"GIF87a": "image/gif", b"GIF89a": "image/gif"}
# Metadata is context (artist, genre, flags), not content: a few hundred characters a field.
MAX_METADATA_VALUE_CHARS = 300
MAX_METADATA_CHARS = 2000


OUTSIDE_LABEL_SET = "a label outside the allowed labels (see the annotations)"


@dataclass(frozen=True)
class Consensus:
    label: str | None
    votes: int
    total: int
    tie: bool


def consensus_label(item: Item) -> Consensus:
    """Plurality of the annotations; a tie is reported as such, never broken silently."""
    counts: dict[str, int] = {}
    for label in item.labels():
        counts[label] = counts.get(label, 0) + 1
    if not counts:
        return Consensus(None, 0, 0, False)
    best = max(counts.values())
    leaders = sorted(label for label, n in counts.items() if n == best)
    label = leaders[0] if len(leaders) == 1 else " / ".join(leaders)
    return Consensus(label, best, sum(counts.values()), len(leaders) > 1)


@dataclass
class RenderedItem:
    messages: list[Message]
    seen: list[str]
    notes: list[str] = field(default_factory=list)
    prompt_chars: int = 0
    # Hash of everything the model is shown (content, annotations, consensus, clauses,
    # image): part of the store key, so a relabelled item is judged again.
    input_hash: str = ""


def _truncate(content: Content, budget: int) -> tuple[dict[str, Any], dict[str, int] | None]:
    fields = {name: getattr(content, name) for name in _TEXT_FIELDS if getattr(content, name)}
    total = sum(len(v) for v in fields.values())
    if total <= budget:
        return fields, None
    # Shrink the longest fields first; keep head and tail, where titles and sign-offs live.
    remaining = budget
    result = dict(fields)
    for name, value in sorted(fields.items(), key=lambda kv: len(kv[1])):
        share = remaining // max(1, len([n for n in result if len(result[n]) >= len(value)]))
        if len(value) > share:
            head = share * 2 // 3
            tail = max(0, share - head - 40)
            omitted = len(value) - head - tail
            result[name] = f"{value[:head]} [... {omitted} characters omitted ...] " + (
                value[-tail:] if tail else "")
        remaining -= min(len(value), share)
    return result, {"original": total, "kept": sum(len(v) for v in result.values())}


def _metadata(metadata: dict[str, Any], per_value: int = MAX_METADATA_VALUE_CHARS,
              total: int = MAX_METADATA_CHARS) -> tuple[dict[str, str], str | None]:
    """Metadata as short strings: each value cut to ``per_value`` characters, and keys beyond
    ``total`` characters left out (an export can carry a lyrics blob or a JSON dump in a
    metadata field, which would crowd the content out of the prompt)."""
    kept: dict[str, str] = {}
    used = cut = dropped = 0
    for key, value in sorted(metadata.items(), key=lambda kv: str(kv[0])):
        text = str(value)
        shortened = len(text) > per_value
        if shortened:
            text = text[:per_value] + f" [... {len(text) - per_value} characters omitted]"
        if used + len(str(key)) + len(text) > total:
            dropped += 1
            continue
        cut += shortened
        kept[str(key)] = text
        used += len(str(key)) + len(text)
    parts = ([f"{cut} value{'s' if cut > 1 else ''} shortened"] if cut else []) + (
        [f"{dropped} field{'s' if dropped > 1 else ''} left out"] if dropped else [])
    return kept, ("metadata: " + ", ".join(parts)) if parts else None


def _bounded(clauses: list[Clause]) -> tuple[list[Clause], list[str]]:
    """Clauses with their text cut to ``MAX_CLAUSE_CHARS``, and a note for each cut."""
    kept, notes = [], []
    for clause in clauses:
        if len(clause.text) > MAX_CLAUSE_CHARS:
            notes.append(f"clause {clause.id} text cut from {len(clause.text)} to "
                         f"{MAX_CLAUSE_CHARS} characters")
            clause = clause.model_copy(update={"text": clause.text[:MAX_CLAUSE_CHARS] + (
                f" [... {len(clause.text) - MAX_CLAUSE_CHARS} characters of this clause "
                "omitted]")})
        kept.append(clause)
    return kept, notes


def image_problem(content: Content, media_root: Path | None = None) -> str | None:
    """Why an image item's picture cannot be sent (its file missing, too large or not an
    image, its URL one a provider cannot fetch), or None. A relative ``image_path`` starts
    from ``media_root`` (the items file's folder)."""
    if content.modality != "image":
        return None
    if content.image_url:  # a storage URL (s3://, gs://) is not one a model provider fetches
        fetchable = content.image_url.startswith(("http://", "https://", "data:image/"))
        return None if fetchable else f"{content.image_url}: not an http(s) URL"
    if not content.image_path:
        return None
    path = (media_root or Path.cwd()) / content.image_path
    if not path.is_file():
        return f"{path}: no such file"
    if path.stat().st_size > MAX_IMAGE_BYTES:
        return f"{path}: larger than {MAX_IMAGE_BYTES // 2**20} MiB"
    if _image_type(path) is None:
        return f"{path}: not a PNG, JPEG, GIF or WebP image"
    return None


def _image_type(path: Path) -> str | None:
    """The image type the file's first bytes say. Item content is untrusted: a path naming
    any other file (a key, a config) must never be read into a request to a provider."""
    with open(path, "rb") as handle:
        head = handle.read(12)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _IMAGE_MAGIC.items() if head.startswith(magic)), None)


def _image_part(content: Content, media_root: Path | None) -> ImagePart | None:
    if image_problem(content, media_root) is not None:
        return None
    if content.image_url:
        return ImagePart(content.image_url)
    if content.image_path:
        path = (media_root or Path.cwd()) / content.image_path
        data = base64.b64encode(path.read_bytes()).decode()
        return ImagePart(f"data:{_image_type(path)};base64,{data}")
    return None


class PromptBuilder:
    def __init__(self, labels: tuple[str, ...], max_examples: int = 2, max_item_chars: int = 16000,
                 send_images: bool = False, folder: Path | None = None,
                 no_violation_label: str = NO_VIOLATION_LABEL,
                 general: tuple[Clause, ...] = (), media_root: Path | None = None) -> None:
        self.labels = labels
        self.media_root = media_root
        self.max_examples = max_examples
        self.max_item_chars = max_item_chars
        self.send_images = send_images
        self.folder = folder
        # General rules go in the system message: the same for every item, so they are part
        # of the prefix a provider caches, not paid again per item.
        self.general, self.general_notes = _bounded(list(general))
        self.system = render("judge_system.j2", folder, labels=labels,
                             no_violation_label=no_violation_label, general=self.general,
                             max_examples=max_examples)
        self.hash = template_hash(TEMPLATES, folder)

    def build(self, item: Item, clauses: list[Clause]) -> RenderedItem:
        content = item.content
        image = (_image_part(content, self.media_root)
                 if self.send_images and content.modality == "image" else None)
        shown = ["image"] if image else []
        fields, truncated = _truncate(content, self.max_item_chars)
        metadata, metadata_note = _metadata(content.metadata)
        safe = content.model_copy(update={k: inert(v) if k == "title" else
                                          defuse(escape_lines(v)) for k, v in fields.items()}
                                  | {"metadata": {inert(k): inert(v)
                                                  for k, v in metadata.items()}})
        # Every string the item carries sits inside the fence and is one inert line, so a
        # note cannot start a line of its own (a forged consensus line or instruction).
        annotations = [{"annotator": inert(a.annotator), "label": inert(a.label),
                        "clause_id": inert(a.clause_id) if a.clause_id else None,
                        "note": inert(a.note, MAX_NOTE_CHARS) if a.note else None}
                       for a in item.annotations]
        clauses, clause_notes = _bounded(clauses)
        key = hashlib.sha256(f"{item.id}:{item.content_hash()}".encode()).hexdigest()[:10]
        text = render("judge_item.j2", self.folder, clauses=clauses, max_examples=self.max_examples,
                      item_id=inert(item.id, MAX_ID_CHARS),
                      project=inert(item.project or "", MAX_ID_CHARS), key=key,
                      content=safe, shown=shown, truncated=truncated, annotations=annotations,
                      consensus=self._consensus(item))
        seen = ["text"] if content.modality in ("text", "transcript", "title") else []
        if content.modality in ("image", "audio", "video"):
            seen.append(content.modality if content.modality in shown
                        else f"{content.modality}-as-text")
        notes = []
        if truncated:
            notes.append(f"content truncated from {truncated['original']} to "
                         f"{truncated['kept']} characters")
        if metadata_note:
            notes.append(metadata_note)
        notes.extend(self.general_notes + clause_notes)
        human = user(text, image) if image else user(text)
        shown_hash = hashlib.sha256("\0".join(
            [self.system, text, image.url if image else ""]).encode())
        return RenderedItem([system(self.system), human], seen, notes,
                            len(self.system) + len(text), shown_hash.hexdigest()[:16])

    def _consensus(self, item: Item) -> Consensus:
        """The consensus line is llmqa's own text: it names only labels of the guideline's
        label set, so an annotator's label cannot carry text into it. A tie (``a / b``) and a
        multi-label answer (``a+b``) pass when each of their labels is in the set."""
        consensus = consensus_label(item)
        if consensus.label is None or all(
                label in self.labels for part in consensus.label.split(" / ")
                for label in part.split(MULTI_LABEL_SEPARATOR)):
            return consensus
        return Consensus(OUTSIDE_LABEL_SET, consensus.votes, consensus.total, consensus.tie)

    def reask(self, error: str, clause_ids: list[str]) -> Message:
        return user(render("reask.j2", self.folder, error=error, labels=self.labels,
                           clause_ids=clause_ids))
