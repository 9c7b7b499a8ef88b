"""What the judge answers, the checks an answer must pass, and the verdict record stored.

The base layer both the judge (which makes verdicts) and the store (which keeps and re-reads
them) build on; it imports nothing else from llmqa.

``answer_model(labels)`` builds the pydantic model sent to the LLM as a JSON schema; its
``suggested_label`` is an enum of the guideline's labels so a constrained decoder cannot
invent one and any other model's invented label fails validation. The rationale comes first
so models that decode in order reason before they commit to a verdict.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from llmqa.items import MULTI_LABEL_SEPARATOR


class VerdictLabel(StrEnum):
    AGREE = "agree"
    LIKELY_ERROR = "likely_error"
    AMBIGUOUS = "ambiguous"


# The note on an unusable answer stored before its re-ask: a later run re-asks it (one call)
# instead of treating the stored status as final.
REASK_PENDING = "re-ask pending"


class VerdictStatus(StrEnum):
    OK = "ok"
    # The model answered, but not with a usable verdict:
    PARSE_ERROR = "parse_error"
    INVALID_CITATION = "invalid_citation"
    INCONSISTENT = "inconsistent"
    TRUNCATED = "truncated"
    REFUSED = "refused"
    CONTENT_FILTER = "content_filter"
    EMPTY = "empty"
    # The request failed:
    FAILED = "failed"
    TOO_LONG = "too_long"

    @property
    def has_verdict(self) -> bool:
        return self is VerdictStatus.OK


class _MultiLabelAnswer(BaseModel):
    """A multi-label answer still offers ``suggested_label``: its labels, sorted, joined by
    ``+``, which is how a multi-label human answer reads in single-label comparisons."""

    model_config = ConfigDict(extra="forbid")

    @property
    def suggested_label(self) -> str:
        chosen = sorted(set(self.suggested_labels))  # type: ignore[attr-defined]
        return MULTI_LABEL_SEPARATOR.join(chosen)


@cache
def answer_model(labels: tuple[str, ...], rationale_chars: int | None = None,
                 clause_ids: tuple[str, ...] | None = None,
                 multi_label: bool = False) -> type[BaseModel]:
    """``rationale_chars`` bounds the rationale in the schema itself, which keeps a small
    grammar-constrained model from looping until its token limit. ``clause_ids`` turns the
    citations into an enum of the clauses shown, for constrained decoders that would
    otherwise invent IDs; open-ended models keep free strings and get checked afterwards. With
    ``clause_ids`` the confidence is also a short enum, because grammar-constrained decoders
    enforce enums but not numeric bounds. ``multi_label`` asks for ``suggested_labels``, a
    list of one or more labels, instead of one ``suggested_label``."""
    label_type: Any = Literal[labels]  # type: ignore[valid-type]
    clause_type: Any = Literal[clause_ids] if clause_ids else str  # type: ignore[valid-type]
    confidence_type: Any = Literal[0.0, 0.25, 0.5, 0.75, 1.0] if clause_ids else float
    verdict_type: Any = Literal["agree", "likely_error", "ambiguous"]
    bounds: dict[str, Any] = {} if clause_ids else {"ge": 0.0, "le": 1.0}
    if multi_label:
        suggestion: dict[str, Any] = {"suggested_labels": (list[label_type], Field(
            description="Every label the policy requires: one or more of the allowed labels.",
            min_length=1, max_length=len(labels)))}
        base: dict[str, Any] = {"__base__": _MultiLabelAnswer}
    else:
        suggestion = {"suggested_label": (label_type, Field(
            description="The label the policy requires."))}
        base = {"__config__": ConfigDict(extra="forbid")}
    return create_model(
        "JudgeVerdict",
        **base,
        rationale=(str, Field(description="Two or three sentences: the decisive words of the "
                              "content and of the clause.", max_length=rationale_chars)),
        cited_clause_ids=(list[clause_type], Field(
            description="IDs of the clauses the decision rests on, from the list given.",
            max_length=6)),
        **suggestion,
        verdict=(verdict_type,
                 Field(description="agree, likely_error or ambiguous, about the consensus "
                       "human label.")),
        confidence=(confidence_type, Field(description="0 to 1.", **bounds)),
    )


class Verdict(BaseModel):
    """One stored judgement of one item (or the reason there is none)."""

    model_config = ConfigDict(frozen=True)

    key: str
    item_id: str
    item_hash: str
    guideline_version: str
    context_hash: str
    prompt_hash: str
    model: str
    status: VerdictStatus
    verdict: VerdictLabel | None = None
    suggested_label: str | None = None
    cited_clause_ids: list[str] = Field(default_factory=list)
    rationale: str | None = None
    confidence: float | None = None
    human_label: str | None = None
    retrieved_clause_ids: list[str] = Field(default_factory=list)
    seen: list[str] = Field(default_factory=list, description="what the judge saw: text, "
                            "image, audio, or *-as-text when media went as text")
    notes: list[str] = Field(default_factory=list)
    samples: int = 1
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float | None = None
    latency_s: float = 0.0
    attempts: int = 1
    error: str | None = None
    raw_answer: str | None = None


def answer_problem(answer: Any, shown: list[str],
                   consensus: str | None) -> tuple[VerdictStatus, str] | None:
    """Why a schema-valid answer is still not a verdict (``None`` when it is one).

    ``consensus`` is the consensus human label, or ``None`` when there is none or a tie.
    """
    unknown = [c for c in answer.cited_clause_ids if c not in shown]
    if unknown:
        return (VerdictStatus.INVALID_CITATION,
                f"cited clause(s) {', '.join(unknown)} not among those given "
                f"({', '.join(sorted(shown))})")
    if answer.verdict == VerdictLabel.AGREE and consensus and answer.suggested_label != consensus:
        return (VerdictStatus.INCONSISTENT,
                f"verdict 'agree' but suggested label '{answer.suggested_label}' differs "
                f"from the consensus label '{consensus}'")
    if (answer.verdict == VerdictLabel.LIKELY_ERROR and consensus
            and answer.suggested_label == consensus):
        return (VerdictStatus.INCONSISTENT,
                f"verdict 'likely_error' but the suggested label is the consensus label "
                f"'{consensus}'; suggest the label the policy requires")
    return None
