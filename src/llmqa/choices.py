"""The named choices shared by the library and the CLI, declared once.

Each is a ``StrEnum``: a member compares equal to its string, so library functions accept
either ``ConsensusMethod.MACE`` or ``"mace"``, and the CLI turns the same enum into a
``--flag`` with its values listed in ``--help``. This module imports nothing heavy: the CLI
reads it while building ``--help``.
"""

from __future__ import annotations

from enum import StrEnum


class ConsensusMethod(StrEnum):
    """How a consensus label is formed from the annotations (``agreement.compute_consensus``)."""

    MAJORITY = "majority"
    DAWID_SKENE = "dawid-skene"
    MACE = "mace"


class Ties(StrEnum):
    """Majority ties: the label used most overall, the first in label-set order, or none."""

    PRIOR = "prior"
    FIRST = "first"
    NONE = "none"


class Level(StrEnum):
    """Level of measurement for Krippendorff's alpha (ordinal/interval use the label order)."""

    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    INTERVAL = "interval"
    RATIO = "ratio"


class Kind(StrEnum):
    """What a triage queue ranks by: likely errors, ambiguity, or the larger of the two."""

    ALL = "all"
    ERROR = "error"
    AMBIGUOUS = "ambiguous"


class Purpose(StrEnum):
    """What a chat model is asked for: a verdict (short, schema-bound) or writing (examples,
    revised clause wording: longer answers)."""

    JUDGE = "judge"
    WRITING = "writing"


def values(choice: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in choice)


class EscalateWhen(StrEnum):
    """When a cheap judge's verdict goes to the strong model in a cascade review."""

    NOT_AGREE = "not-agree"  # the cheap judge flags the label (likely_error or ambiguous)
    LOW_CONFIDENCE = "low-confidence"  # below the rule's confidence threshold
    SAMPLES_DISAGREE = "samples-disagree"  # self-consistency samples split
    NO_VERDICT = "no-verdict"  # the cheap judge gave no usable verdict
    SUPERVISED = "supervised"  # cites a clause the trust gate supervises, or none


class DecisionKind(StrEnum):
    """What an analyst decided on an item (``llmqa decide``, the review app)."""

    CONFIRM = "confirm"      # the human label is right
    CORRECT = "correct"      # the right label is another one
    AMBIGUOUS = "ambiguous"  # the guideline does not settle it: a guideline question
    ESCALATE = "escalate"    # someone else decides
