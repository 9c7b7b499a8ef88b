"""LLM-assisted structuring: a model proposes the clauses, the document decides what stays.

The model sees the extracted text and returns ``ProposedStructure``. Every clause text
passage, title and example must be a span of the document after whitespace normalisation, so
nothing is invented: a passage that is not is dropped and listed in the summary's
``rejected_spans``, and a clause left with no text and no examples is dropped. When the model
fails or nothing survives, the offline structure is returned, with a note saying why.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from llmqa.guidelines.importing.extract import extract
from llmqa.guidelines.importing.result import DraftClause, DraftExample, ImportResult, ImportSummary
from llmqa.guidelines.importing.structure import recover, slug_label
from llmqa.prompts import render

if TYPE_CHECKING:
    from llmqa.llm.seam import ChatSeam

MAX_DOCUMENT_CHARS = 60_000
_CODE = re.compile(r"^\d+(?:\.(?:\d+|[a-z]))*$")
_QUOTES = "\"“”‘’'«»"


class ProposedClause(BaseModel):
    code: str = ""
    title: str
    label: str = ""
    general: bool = False  # a rule for every category, not a category: no label
    section: str = ""
    text: str = ""
    in_scope: list[str] = Field(default_factory=list)
    out_of_scope: list[str] = Field(default_factory=list)


class ProposedStructure(BaseModel):
    title: str = ""
    clauses: list[ProposedClause]
    front_matter: list[str] = Field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


class SpanChecker:
    """Is a passage a span of the document, whitespace (and case) normalised?"""

    def __init__(self, document: str) -> None:
        self.document = _norm(document)
        self.rejected: list[str] = []

    def contains(self, passage: str) -> bool:
        wanted = _norm(passage).strip(_QUOTES + " ")
        return bool(wanted) and wanted in self.document

    def passages(self, text: str, where: str) -> list[str]:
        """The longest runs of consecutive lines of ``text`` that are spans; the rest is
        rejected line by line."""
        kept: list[str] = []
        current = ""
        for line in (line.strip() for line in text.splitlines()):
            if not line:
                continue
            joined = f"{current} {line}" if current else line
            if self.contains(joined):
                current = joined
                continue
            if current:
                kept.append(current)
            current = line if self(line, where) else ""
        if current:
            kept.append(current)
        return kept

    def __call__(self, passage: str, where: str) -> bool:
        wanted = " ".join(passage.split()).strip(_QUOTES + " ")
        if self.contains(passage):
            return True
        if wanted:
            short = wanted if len(wanted) <= 80 else wanted[:77] + "..."
            self.rejected.append(f"{where}: {short!r}")
        return False


def ask_model(seam: ChatSeam, text: str, source: str) -> ProposedStructure | str:
    """The one model call: a proposal, or the reason there is none. Transient transport
    failures are retried by ``ask_until_valid``; a malformed answer is not re-asked (the
    offline structure is the fallback)."""
    from llmqa.llm.ask import ask_until_valid
    from llmqa.llm.messages import system, user

    shown = text[:MAX_DOCUMENT_CHARS]
    prompt = render("guideline_import_document.j2", source=Path(source).name, text=shown,
                    truncated=len(text) > len(shown), chars=MAX_DOCUMENT_CHARS)
    messages = [system(render("guideline_import_system.j2")), user(prompt)]
    asked = asyncio.run(ask_until_valid(seam, messages, ProposedStructure, reasks=0))
    if not asked.ok or asked.reply is None or asked.reply.parsed is None:
        why = asked.problem or asked.failure
        return f"{why.status}: {why.message}" if why else "no usable answer"
    return asked.reply.parsed  # type: ignore[return-value]


def import_with_model(path: str | Path, seam: ChatSeam, prefix: str | None = None) -> ImportResult:
    doc = extract(Path(path))
    offline = recover(doc, prefix=prefix)
    text = "\n".join(block.text for block in doc.blocks)
    proposal = ask_model(seam, text, doc.source)
    if isinstance(proposal, str):
        return _fallback(offline, f"the model gave no usable structure ({proposal})")
    check = SpanChecker(text)
    drafts = checked_drafts(proposal, check)
    if not any(not d.is_section for d in drafts):
        return _fallback(offline, "no clause the model proposed is a span of the document",
                         check.rejected)
    summary = ImportSummary.of(doc.source, drafts, method=f"model:{seam.name}",
                               front_matter=list(proposal.front_matter),
                               rejected_spans=check.rejected,
                               furniture_removed=len(doc.furniture),
                               notes=[f"offline structure for comparison: "
                                      f"{offline.summary.clauses} clauses"]
                               + ([f"only the first {MAX_DOCUMENT_CHARS} characters were "
                                   "sent to the model"] if len(text) > MAX_DOCUMENT_CHARS else []))
    title = proposal.title if proposal.title and check(proposal.title, "title") else offline.title
    return ImportResult(title=title, prefix=offline.prefix, drafts=drafts, summary=summary)


def checked_drafts(proposal: ProposedStructure, check: SpanChecker) -> list[DraftClause]:
    drafts: list[DraftClause] = []
    used: set[str] = set()
    sections: dict[str, str] = {}
    for number, clause in enumerate(proposal.clauses, start=1):
        name = clause.code or clause.title or f"clause {number}"
        if not check(clause.title, f"{name} title"):
            continue
        text = "\n".join(check.passages(clause.text, f"{name} text"))
        in_scope = [DraftExample(text=e.strip(_QUOTES + " ")) for e in clause.in_scope
                    if check(e, f"{name} in-scope example")]
        out = [DraftExample(text=e.strip(_QUOTES + " ")) for e in clause.out_of_scope
               if check(e, f"{name} out-of-scope example")]
        if not text and not in_scope:
            continue
        code = clause.code.strip().rstrip(".") if _CODE.match(clause.code.strip().rstrip(".")) \
            else ""
        if not code or code in used:
            free = number
            while str(free) in used:
                free += 1
            code = str(free)
        used.add(code)
        if "." in code and clause.section:
            sections.setdefault(code.rsplit(".", 1)[0], clause.section)
        label = clause.label.strip() if clause.label.strip() and _norm(clause.label) in \
            check.document else slug_label(clause.title)
        drafts.append(DraftClause(code=code, title=clause.title.strip(), general=clause.general,
                                  label=None if clause.general else label.lower().replace(" ", "_"),
                                  text=text,
                                  in_scope=in_scope, out_of_scope=out, where="model"))
    for parent, title in sections.items():
        if parent not in used:
            heading = title if check(title, f"{parent} section title") else f"Section {parent}"
            drafts.append(DraftClause(code=parent, title=heading, is_section=True, where="model"))
    return sorted(drafts, key=lambda d: _sort_key(d.code))


def _sort_key(code: str) -> list[tuple[int, str]]:
    return [(int(p), "") if p.isdigit() else (0, p) for p in code.split(".")]


def _fallback(offline: ImportResult, why: str, rejected: list[str] | None = None) -> ImportResult:
    summary = offline.summary.model_copy(update={
        "notes": [*offline.summary.notes, f"{why}; the offline structure is used"],
        "rejected_spans": rejected or []})
    return offline.model_copy(update={"summary": summary})
