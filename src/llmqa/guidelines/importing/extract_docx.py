"""Word (.docx) to blocks: heading styles, bold paragraphs, list paragraphs and tables, in
document order."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from llmqa.errors import InputError
from llmqa.guidelines.importing.blocks import Block, Extracted
from llmqa.guidelines.importing.lines import BULLET_MARK, NUMBER_MARK

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def extract_docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a Word document (.docx) that can be read; "
                         "save it again from Word or export it as PDF") from exc
    blocks: list[Block] = []
    title = ""
    for position, child in enumerate(document.element.body.iterchildren(), start=1):
        if child.tag.endswith("}p"):
            paragraph = Paragraph(child, document)
            text = " ".join(paragraph.text.split())
            if not text:
                continue
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            heading = _HEADING_STYLE.match(style)
            if style.lower() == "title":
                title = title or text
                blocks.append(Block("heading", text, position, level=1))
            elif heading:
                blocks.append(Block("heading", text, position, level=int(heading.group(1)) + 1))
            elif _is_list(paragraph, style):
                marked = BULLET_MARK.match(text) or NUMBER_MARK.match(text)
                body = marked.groups()[-1] if marked else text
                blocks.append(Block("item", body, position, indent=_list_level(paragraph),
                                    marker=marked.group(1) if marked else "•"))
            else:
                blocks.append(Block("paragraph", text, position, bold=_all_bold(paragraph)))
        elif child.tag.endswith("}tbl"):
            for row in Table(child, document).rows:
                cells = _unique_cells([" ".join(c.text.split()) for c in row.cells])
                if any(cells):
                    blocks.append(Block("row", " | ".join(cells), position, cells=cells))
    if not blocks:
        raise InputError(f"{path}: the Word document has no text")
    return Extracted(blocks=blocks, source=str(path), title=title)


def _is_list(paragraph: object, style: str) -> bool:
    if "list" in style.lower():
        return True
    ppr = paragraph._p.pPr  # type: ignore[attr-defined]
    return ppr is not None and ppr.numPr is not None


def _list_level(paragraph: object) -> int:
    ppr = paragraph._p.pPr  # type: ignore[attr-defined]
    if ppr is not None and ppr.numPr is not None and ppr.numPr.ilvl is not None:
        return int(ppr.numPr.ilvl.val)
    return 0


def _all_bold(paragraph: object) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]  # type: ignore[attr-defined]
    return bool(runs) and all(r.bold or (r.style is not None and r.style.font.bold)
                              for r in runs)


def _unique_cells(cells: list[str]) -> list[str]:
    # A merged cell is returned once per grid column it spans.
    kept: list[str] = []
    for cell in cells:
        if not kept or cell != kept[-1] or not cell:
            kept.append(cell)
    return kept
