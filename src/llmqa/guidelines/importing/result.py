"""What an import produces: draft clauses and a summary a person reads before trusting it."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict, Field

from llmqa.guidelines.model import reads_as_no_violation


class DraftExample(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    why: str | None = None


class DraftClause(BaseModel):
    """A clause or a section (``label is None`` and children below it) as recovered."""

    code: str  # the document's own code ("3.1", "2.c") or one given in reading order
    title: str
    label: str | None = None
    text: str = ""
    in_scope: list[DraftExample] = Field(default_factory=list)
    out_of_scope: list[DraftExample] = Field(default_factory=list)
    is_section: bool = False
    general: bool = False  # guidance for every label, not a category: written without a label
    where: str = ""  # "page 3" or "line 12" in the source


class ImportSummary(BaseModel):
    source: str
    method: str = "offline"  # "offline", or "model:NAME" when a model proposed the structure
    clauses: int = 0
    sections: int = 0
    labels: dict[str, int] = Field(default_factory=dict)
    general: list[str] = Field(default_factory=list, description="sections read as general "
                               "rules (no label), as 'code title'")
    in_scope_examples: int = 0
    out_of_scope_examples: int = 0
    front_matter: list[str] = Field(default_factory=list, description="parts left out")
    not_understood: list[str] = Field(default_factory=list)
    furniture_removed: int = 0
    rejected_spans: list[str] = Field(default_factory=list, description="model output that "
                                      "is not a span of the document, dropped")
    notes: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, source: str, drafts: list[DraftClause], **extra: object) -> ImportSummary:
        clauses = [d for d in drafts if not d.is_section]
        labels = Counter(d.label or "" for d in clauses if not d.general)
        return cls(source=source, clauses=len(clauses), sections=len(drafts) - len(clauses),
                   labels=dict(sorted(labels.items())),
                   general=[f"{d.code} {d.title}" for d in clauses if d.general],
                   in_scope_examples=sum(len(d.in_scope) for d in clauses),
                   out_of_scope_examples=sum(len(d.out_of_scope) for d in clauses),
                   **extra)  # type: ignore[arg-type]


class ImportResult(BaseModel):
    title: str
    prefix: str
    drafts: list[DraftClause]
    summary: ImportSummary

    @property
    def no_violation_label(self) -> str | None:
        """The one recovered label that reads as "no violation" (``not_hateful``, ``none``),
        proposed for the declaration; ``None`` when there is none, or several to choose from."""
        found = {d.label for d in self.drafts
                 if not d.is_section and d.label and reads_as_no_violation(d.label)}
        return found.pop() if len(found) == 1 else None
