"""The revision as a patch: a markdown preamble with the evidence, then a unified diff.

``git apply`` and ``patch -p1`` both skip text before the first file header, so the
preamble can carry the evidence beside the change while the file stays one applicable
patch. Lines of the preamble that either tool could mistake for diff syntax (``--- ``,
``+++ ``, ``@@``, ``diff ``, ``Index:``, ``*** ``, a normal-diff command such as ``12c12``)
are quoted with ``> `` so the preamble never changes what is applied. Paths are
``a/<path>`` and ``b/<path>`` relative to the patch root (by default the folder the command
runs in), as ``git diff`` writes them.
"""

from __future__ import annotations

import difflib
import re

from llmqa.revision.edit import FileEdit

NO_NEWLINE = "\\ No newline at end of file\n"
_RISKY = re.compile(r"^\s*(?:---|\+\+\+|@@|\*\*\*|diff |Index:|Prereq:|index |new file|"
                    r"deleted file|similarity|rename |old mode|new mode|Binary files|GIT binary|"
                    r"={5,}|\d+(?:,\d+)?[acd]\d+)")


def safe_preamble(text: str) -> str:
    lines = []
    for line in text.splitlines():
        lines.append(f"> {line}" if _RISKY.match(line) else line)
    return "\n".join(lines).rstrip() + "\n"


def file_diff(edit: FileEdit, context: int = 3) -> str:
    """A git-style unified diff of one file; a missing final newline is marked as git does."""
    before = edit.before.splitlines(keepends=True)
    after = edit.after.splitlines(keepends=True)
    body = []
    for line in difflib.unified_diff(before, after, f"a/{edit.display}", f"b/{edit.display}",
                                     n=context):
        if line.startswith(("---", "+++")):
            body.append(line.rstrip("\n") + "\n")
        elif line.endswith("\n"):
            body.append(line)
        else:
            body.append(line + "\n" + NO_NEWLINE)
    if not body:
        return ""
    return f"diff --git a/{edit.display} b/{edit.display}\n" + "".join(body)


def unified_diff(edits: list[FileEdit], context: int = 3) -> str:
    return "".join(file_diff(edit, context) for edit in edits if edit.changed)


def render_patch(edits: list[FileEdit], preamble: str = "", context: int = 3) -> str:
    diff = unified_diff(edits, context)
    head = safe_preamble(preamble) + "\n" if preamble.strip() else ""
    return head + diff
