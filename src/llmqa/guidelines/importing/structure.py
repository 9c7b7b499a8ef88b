"""Blocks → draft clauses: outline, front matter, bodies, definition tables, fallbacks.

Front matter is a section whose title says it is about the annotation job rather than the
policy (content warnings, wellbeing, the tool, contacts, workload, FAQ, references); it and
everything under it are left out and listed. A leaf section becomes a clause; a section with
subsections (or a definition table) stays a section, its own text kept as section text.
A clause's label is the one the document gives (``Label: X``, a table's label column, a
parent's label), else the clause's own name. When the categories sit under a top-level
section, the top-level sections beside it with no subsections and no label of their own
(general annotation rules, notes, definitions) are general rules: no label, read with every
item. That is a structural guess, listed in the summary for a person to confirm. When
nothing can be structured, every block of text becomes a clause, so an import never comes
back empty.
"""

from __future__ import annotations

import re

from llmqa.guidelines.importing.blocks import Block, Extracted
from llmqa.guidelines.importing.body import read_body
from llmqa.guidelines.importing.outline import Section, outline, walk
from llmqa.guidelines.importing.result import DraftClause, ImportResult, ImportSummary
from llmqa.guidelines.importing.tables import definition_rows
from llmqa.guidelines.plain import gist, id_prefix

FRONT_MATTER = re.compile(
    r"\b(?:content\s+warning|trigger\s+warning|warning|well-?being|self-?care|support\s+for\s+"
    r"annotators|introduction|about\s+(?:this|the)\b|overview|how\s+to\s+use|annotation\s+tool|"
    r"the\s+tool|interface|tutorial|relevant\s+resources|resources|contacts?|communication|"
    r"workload|payment|schedule|timeline|faq|(?:additional\s+)?questions|disclaimer|"
    r"acknowledg\w*|references|bibliography|table\s+of\s+contents|contents|version\s+history|"
    r"change\s*log|annotation\s+phases)\b", re.IGNORECASE)
_LABEL_WORDS = 4


def recover(doc: Extracted, prefix: str | None = None) -> ImportResult:
    title, preamble, sections = outline(doc)
    summary_front: list[str] = []
    not_understood: list[str] = []
    notes: list[str] = []
    if preamble:
        summary_front.append(f"text before the first heading ({len(preamble)} blocks): "
                             f"{_excerpt(preamble)}")
    for section in walk(sections):
        if not section.front and FRONT_MATTER.search(section.title):
            for part in walk([section]):
                part.front = True
            summary_front.append(f"{section.code} {section.title} ({section.where})")
    kept = [s for s in sections if not s.front]
    if sections and not kept:
        notes.append("every section looked like front matter; all are kept as clauses")
        kept = sections
    drafts: list[DraftClause] = []
    nested = any(any(not c.front for c in s.children) for s in kept)
    for section in kept:
        _emit(section, None, drafts, not_understood, general=nested)
    if not any(not d.is_section for d in drafts):
        drafts = [d for d in drafts if not d.is_section]
        drafts.extend(_by_block(preamble + [b for s in walk(sections) for b in s.blocks], doc))
        not_understood.append("no usable headings: one clause per block of text; give them "
                              "titles and labels by hand")
    summary = ImportSummary.of(doc.source, drafts, front_matter=summary_front,
                               not_understood=not_understood, notes=notes,
                               furniture_removed=len(doc.furniture))
    return ImportResult(title=title or _stem_title(doc.source),
                        prefix=prefix or id_prefix(doc.source), drafts=drafts, summary=summary)


def _emit(section: Section, parent_label: str | None, drafts: list[DraftClause],
          not_understood: list[str], general: bool = False) -> None:
    body = read_body(section.blocks)
    start = len(section.children) + 1
    table_drafts, left_rows = definition_rows(body.rows, start)
    if left_rows:
        body.text.extend(row.text for row in left_rows)
        not_understood.append(f"{section.code} {section.title}: {len(left_rows)} table rows "
                              "kept as text, not read as definitions")
    for heading, count in body.noted.items():
        not_understood.append(f"{section.code} {section.title}: {count} quotations under "
                              f"the note \"{heading}\" kept as text, not as examples")
    named = section.label or body.label
    label = named.lower() if named else parent_label
    text = "\n".join(body.text).strip()
    if section.children or table_drafts:
        drafts.append(DraftClause(code=section.code, title=section.title, label=None, text=text,
                                  is_section=True, where=section.where))
        for child in section.children:
            if not child.front:
                _emit(child, label, drafts, not_understood)
        for table_draft in table_drafts:
            code = table_draft.code
            code = code if "." in code else f"{section.code}.{code}"
            drafts.append(table_draft.model_copy(update={
                "code": code, "label": slug_label(table_draft.label or table_draft.title)}))
        if body.in_scope or body.out_of_scope:
            not_understood.append(f"{section.code} {section.title}: "
                                  f"{len(body.in_scope) + len(body.out_of_scope)} examples in "
                                  "a section's introduction, not attached to a clause")
        return
    if not text and not body.in_scope:
        not_understood.append(f"{section.code} {section.title} ({section.where}): a heading "
                              "with no text under it")
    general = general and label is None
    drafts.append(DraftClause(code=section.code, title=section.title, general=general,
                              label=None if general else label or slug_label(section.title),
                              text=text,
                              in_scope=body.in_scope, out_of_scope=body.out_of_scope,
                              where=section.where))


def _by_block(blocks: list[Block], doc: Extracted) -> list[DraftClause]:
    label = slug_label(doc.title or _stem_title(doc.source))
    texts = [b.text for b in blocks if b.text.strip() and b.kind != "heading"]
    if not texts:
        texts = [b.text for b in blocks if b.text.strip()]
    return [DraftClause(code=str(number), title=gist(text), label=label, text=text,
                        where=f"block {number}")
            for number, text in enumerate(texts, start=1)]


def slug_label(title: str) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", title.lower()) if w and not w.isdigit()]
    return "_".join(words[:_LABEL_WORDS]) or "clause"


def _excerpt(blocks: list[Block]) -> str:
    text = " ".join(b.text for b in blocks[:2])
    return text[:80] + ("…" if len(text) > 80 else "")


def _stem_title(source: str) -> str:
    from pathlib import Path

    return Path(source).stem.replace("-", " ").replace("_", " ").strip().capitalize()
