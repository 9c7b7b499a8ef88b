"""Writing a revision to the guideline files, and saying which version it made.

Every file is written to a temporary file next to it first and moved into place only when
all of them are written, so a full disk never leaves half a revision. The guidelines are
then loaded again: the new version, and the clauses that changed, come from the files as
they now are, not from what was intended.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from llmqa.errors import GuidelineError
from llmqa.guidelines import GuidelineSet, VersionDiff, load_guidelines
from llmqa.revision.edit import FileEdit


@dataclass(frozen=True)
class Applied:
    old_version: str
    new_version: str
    diff: VersionDiff
    files: tuple[str, ...]
    guidelines: GuidelineSet


def write_edits(edits: list[FileEdit]) -> None:
    staged: list[tuple[str, Path]] = []
    try:
        for edit in edits:
            if not edit.changed:
                continue
            current = edit.path.read_bytes().decode("utf-8")
            if current != edit.before:
                raise GuidelineError(f"{edit.path} changed since the revision was drafted; "
                                     "draft it again")
            handle, temp = tempfile.mkstemp(dir=edit.path.parent, prefix=f".{edit.path.name}.")
            staged.append((temp, edit.path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(edit.after)
            # mkstemp makes the file private; the guideline keeps its own permissions.
            os.chmod(temp, edit.path.stat().st_mode & 0o7777)
        for temp, path in staged:
            os.replace(temp, path)
        staged.clear()
    finally:
        for temp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def apply_edits(edits: list[FileEdit], guidelines: GuidelineSet,
                folder: str | Path) -> Applied:
    """Write ``edits`` and reload the guidelines from ``folder``."""
    write_edits(edits)
    after = load_guidelines(folder)
    return Applied(guidelines.version, after.version, guidelines.diff(after),
                   tuple(e.display for e in edits if e.changed), after)
