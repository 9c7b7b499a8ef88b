"""Import a guideline a team already has (PDF, Word, HTML, markdown, text) into llmqa's
markdown clause format.

One module per step: ``extract`` (and ``extract_pdf`` / ``extract_docx`` / ``extract_html`` /
``extract_text``) turns a file into ``blocks``; ``outline`` finds headings and codes;
``body`` reads a section's text, examples and exclusion notes (``quotes``: quotations in
running text); ``tables`` reads definition tables (``columns``: rebuilds PDF tables that have
no ruling lines from word positions); ``structure`` puts these together with front-matter
detection and fallbacks; ``assisted`` lets a model propose the structure, keeping only spans
of the document; ``writer`` writes the markdown. ``import_guideline`` runs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from llmqa.errors import ConfigError, Hint
from llmqa.guidelines.importing.extract import SUFFIXES, extract
from llmqa.guidelines.importing.result import (
    DraftClause,
    DraftExample,
    ImportResult,
    ImportSummary,
)
from llmqa.guidelines.importing.structure import recover
from llmqa.guidelines.importing.writer import to_markdown, valid_prefix

if TYPE_CHECKING:
    from llmqa.llm.seam import ChatSeam

__all__ = [
    "SUFFIXES",
    "DraftClause",
    "DraftExample",
    "ImportResult",
    "ImportSummary",
    "import_guideline",
    "import_to_folder",
    "to_markdown",
    "write_import",
]


def import_guideline(path: str | Path, prefix: str | None = None) -> ImportResult:
    """Recover clauses from a document offline; raises ``InputError`` for unreadable files."""
    result = recover(extract(Path(path)), prefix=prefix)
    if Path(path).suffix.lower() in (".md", ".markdown", ".txt"):
        from llmqa.guidelines.parser import has_clause_headings

        if has_clause_headings(Path(path).read_text(encoding="utf-8", errors="replace")):
            result.summary.notes.append("this file is already in llmqa's clause format; "
                                        "llmqa reads it as it is, without importing")
    return result


def write_import(result: ImportResult, folder: str | Path) -> Path:
    """Write ``<folder>/<source stem>.md``; returns its path."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{Path(result.summary.source).stem}.md"
    target.write_text(to_markdown(result), encoding="utf-8")
    return target


def import_to_folder(path: str | Path, folder: str | Path, *, prefix: str | None = None,
                     seam: ChatSeam | None = None,
                     force: bool = False) -> tuple[ImportResult, Path]:
    """Import ``path`` into ``<folder>/<its stem>.md``, offline or with ``seam``'s model
    proposing the structure (only spans of the document are kept). A malformed ``prefix``
    and an existing file (unless ``force``) are refused before any work."""
    if prefix is not None and not valid_prefix(prefix):
        raise ConfigError(f"clause ID prefix {prefix!r}: use capital letters and digits, "
                          "starting with a letter (e.g. HATE)", hint=Hint("fix {}", ("prefix",)))
    target = Path(folder) / f"{Path(path).stem}.md"
    if target.exists() and not force:
        raise ConfigError(f"{target} exists", hint=Hint("pass {} to overwrite it", ("force",)))
    if seam is None:
        result = import_guideline(path, prefix=prefix)
    else:
        from llmqa.guidelines.importing.assisted import import_with_model

        result = import_with_model(path, seam, prefix=prefix)
    return result, write_import(result, folder)
