"""Label Studio's own media references as files llmqa can read.

A file uploaded to Label Studio appears in the export as ``/data/upload/PROJECT/NAME``, a
path on Label Studio's server, kept in its media folder (``$LABEL_STUDIO_BASE_DATA_DIR/media``,
``~/.local/share/label-studio/media`` by default). A file of a local-storage connection appears
as ``/data/local-files/?d=PATH``, ``PATH`` under ``$LOCAL_FILES_DOCUMENT_ROOT``, the same
variable Label Studio reads. Left as they are, neither names a file here: a vision model
would judge those images from their text alone. Each is resolved to a path in its folder when
the folder is known, else counted, so the import says which folder to give.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from llmqa.errors import Hint
from llmqa.io.readers import RowError
from llmqa.items import Item

UPLOAD = "/data/upload/"
LOCAL_FILES = "/data/local-files/"
_MEDIA_PATHS = ("image_path", "audio_path", "video_path")


@dataclass
class LabelStudioMedia:
    media_root: Path | None = None  # /data/upload/P/F is media_root/upload/P/F
    document_root: Path | None = None  # /data/local-files/?d=P is document_root/P
    unresolved: dict[str, list[str]] = field(default_factory=dict)  # prefix -> values

    @classmethod
    def from_environment(cls, media_root: str | Path | None = None) -> LabelStudioMedia:
        """``media_root`` if given, else Label Studio's own environment variables."""
        base = os.environ.get("LABEL_STUDIO_BASE_DATA_DIR")
        documents = os.environ.get("LOCAL_FILES_DOCUMENT_ROOT")
        return cls(Path(media_root) if media_root else Path(base) / "media" if base else None,
                   Path(documents) if documents else None)

    def path(self, value: str) -> str:
        """``value`` as a file here when it is a Label Studio reference that can be resolved."""
        if value.startswith(UPLOAD) and self.media_root is not None:
            return str(self.media_root / value.removeprefix("/data/"))
        if value.startswith(LOCAL_FILES) and self.document_root is not None:
            wanted = parse_qs(urlsplit(value).query).get("d")
            if wanted:
                return str(self.document_root / wanted[0])
        for prefix in (UPLOAD, LOCAL_FILES):
            if value.startswith(prefix):
                self.unresolved.setdefault(prefix, []).append(value)
        return value

    def resolved(self, records: Iterable[Item | RowError]) -> Iterator[Item | RowError]:
        """``records`` with each item's Label Studio media references resolved."""
        for record in records:
            if isinstance(record, Item):
                content = record.content
                paths = {k: self.path(v) for k in _MEDIA_PATHS if (v := getattr(content, k))}
                if any(paths[k] != getattr(content, k) for k in paths):
                    record = record.model_copy(update={
                        "content": content.model_copy(update=paths)})
            yield record

    def hints(self) -> list[Hint]:
        """What could not be resolved, and the setting that would resolve it."""
        hints = []
        if uploads := self.unresolved.get(UPLOAD):
            hints.append(Hint(Hint.literal(
                f"{len(uploads)} media paths are files uploaded to Label Studio "
                f"({uploads[0]}), not files here: ") + "give {} (Label Studio's media "
                "folder, $LABEL_STUDIO_BASE_DATA_DIR/media; by default "
                "~/.local/share/label-studio/media)", ("media_root",)))
        if local := self.unresolved.get(LOCAL_FILES):
            hints.append(Hint(Hint.literal(
                f"{len(local)} media paths are Label Studio local-storage files ({local[0]}), "
                "not files here: set LOCAL_FILES_DOCUMENT_ROOT as for Label Studio")))
        return hints
