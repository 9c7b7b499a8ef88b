"""Pick the extractor for a file by its suffix; refuse what cannot be read, clearly."""

from __future__ import annotations

import zipfile
from pathlib import Path

from llmqa.errors import InputError
from llmqa.guidelines.importing.blocks import Extracted

SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt")


def extract(path: Path) -> Extracted:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{path}: cannot import {suffix or 'a file without a suffix'}; "
                         f"supported: {', '.join(SUFFIXES)}")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    if suffix == ".pdf":
        from llmqa.guidelines.importing.extract_pdf import extract_pdf

        found = extract_pdf(path)
    elif suffix == ".docx":
        if not zipfile.is_zipfile(path):
            raise InputError(f"{path}: not a Word document (.docx is a zip archive; this is not)")
        with zipfile.ZipFile(path) as archive:
            if "word/document.xml" not in archive.namelist():
                raise InputError(f"{path}: a zip archive but not a Word document "
                                 "(no word/document.xml inside)")
        from llmqa.guidelines.importing.extract_docx import extract_docx

        found = extract_docx(path)
    else:
        text = _read_text(path)
        if suffix in (".html", ".htm"):
            from llmqa.guidelines.importing.extract_html import extract_html

            found = extract_html(text, str(path))
        else:
            from llmqa.guidelines.importing.extract_text import extract_text

            found = extract_text(text, str(path))
    if not any(block.text.strip() for block in found.blocks):
        raise InputError(f"{path}: no text found in the file")
    return found


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 or Windows-1252 text (byte {exc.start})") \
                from exc
    if "\x00" in text:
        raise InputError(f"{path}: a binary file, not text")
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    return text
