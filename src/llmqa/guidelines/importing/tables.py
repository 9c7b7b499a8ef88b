"""Definition tables: a header row naming label / category / subcategory / definition /
examples columns, and one row per category. Each row becomes a clause.

Cells left empty under a category (a merged cell in the original) take the category of the
row above. Examples in one cell are split at quotation marks, else at line breaks or
semicolons.
"""

from __future__ import annotations

import re

from llmqa.guidelines.importing.blocks import Block
from llmqa.guidelines.importing.body import _EXCLUSION
from llmqa.guidelines.importing.result import DraftClause, DraftExample

_ROLES = {
    "code": re.compile(r"^(?:code|id|no\.?|number|#)$", re.IGNORECASE),
    "label": re.compile(r"^(?:label|tag|class|annotation)s?$", re.IGNORECASE),
    "category": re.compile(r"^(?:category|categories|type|types|main category)$", re.IGNORECASE),
    "subcategory": re.compile(r"^(?:sub-?\s?categor(?:y|ies)|sub-?\s?types?|subclass)$",
                              re.IGNORECASE),
    "definition": re.compile(r"^(?:definition|definitions|description|meaning|criteria|"
                             r"explanation|rule)s?$", re.IGNORECASE),
    "examples": re.compile(r"^(?:examples?|exemplars?|e\.g\.?|sample(?:s)?)$", re.IGNORECASE),
    "notes": re.compile(r"^(?:notes?|exclusions?|exceptions?|not included|comments?|"
                        r"distinction|out of scope)$", re.IGNORECASE),
}
_QUOTES = re.compile(r"[“\"‘]([^”\"’]{2,400})[”\"’]")


def names_a_column(cell: str) -> bool:
    name = " ".join(cell.strip(" :*").split())
    return any(pattern.match(name) for pattern in _ROLES.values())


def header_roles(cells: list[str]) -> dict[str, int] | None:
    roles: dict[str, int] = {}
    for column, cell in enumerate(cells):
        name = " ".join(cell.strip(" :*").split())
        for role, pattern in _ROLES.items():
            if role not in roles and pattern.match(name):
                roles[role] = column
                break
    named = {"label", "category", "subcategory"} & roles.keys()
    return roles if named and "definition" in roles else None


def definition_rows(rows: list[Block], start: int) -> tuple[list[DraftClause], list[Block]]:
    """Clauses from the definition tables among ``rows``; the rows that were not read."""
    drafts: list[DraftClause] = []
    left: list[Block] = []
    roles: dict[str, int] | None = None
    carried: dict[str, str] = {}
    for row in rows:
        found = header_roles(row.cells)
        if found:
            roles, carried = found, {}
            continue
        if roles is None:
            left.append(row)
            continue

        def cell(role: str, row: Block = row, roles: dict[str, int] = roles) -> str:
            column = roles.get(role)
            return row.cells[column].strip() if column is not None and column < len(
                row.cells) else ""

        for role in ("category", "label"):
            if cell(role):
                carried[role] = cell(role)
        # Without a subcategory column a row is named by its category, else by its label.
        name = cell("subcategory") or (cell("category") if "subcategory" not in roles else
                                       "") or cell("label") or carried.get("category", "")
        if not name or not cell("definition"):
            left.append(row)
            continue
        label = cell("label") or carried.get("label") or name
        code = cell("code") if re.fullmatch(r"\d+(?:\.\d+)*", cell("code")) else ""
        notes = cell("notes")
        text = cell("definition")
        out: list[DraftExample] = []
        if notes:
            text += f"\nNot: {notes}" if _EXCLUSION.search(notes) else f"\n{notes}"
            if _EXCLUSION.search(notes):
                out = [DraftExample(text=q) for q in _QUOTES.findall(notes)]
        title = name if not carried.get("category") or name == carried["category"] else (
            f"{carried['category']}: {name}")
        drafts.append(DraftClause(code=code or str(start + len(drafts)), title=title,
                                  label=label, text=text, in_scope=split_examples(
                                      cell("examples")), out_of_scope=out,
                                  where=f"{'page' if row.line else 'row'} {row.line}"))
    return drafts, left


def split_examples(cell: str) -> list[DraftExample]:
    if not cell.strip():
        return []
    quoted = _QUOTES.findall(cell)
    parts = quoted or re.split(r"\s*(?:\n|;|•)\s*", cell)
    return [DraftExample(text=p.strip()) for p in parts if p.strip()]
