"""Inter-annotator agreement, consensus labels and LLM-vs-human comparison.

Build a ``Ratings`` matrix from items, then ask for single coefficients (``metrics`` pooled
over raters, ``pairwise`` between two), a consensus (``compute_consensus``) or the full
``agreement_report`` (``report``, built from ``breakdowns`` and ``judge_vs_humans``). See
docs/agreement.md for the formulas and the conventions for undefined cases.
"""

from llmqa.agreement.bootstrap import (
    Interval,
    bootstrap_interval,
    bootstrap_intervals,
    bootstrap_joint,
)
from llmqa.agreement.consensus import (
    METHODS,
    TIE_BREAKS,
    Consensus,
    compute_consensus,
    majority_vote,
)
from llmqa.agreement.metrics import (
    LEVELS,
    PooledTerms,
    Score,
    coincidence_matrix,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    label_counts,
    percent_agreement,
)
from llmqa.agreement.pairwise import (
    PairScore,
    cohen_kappa,
    confusion_matrix,
    mean_pairwise_kappa,
    pairwise_cohen,
)
from llmqa.agreement.ratings import MISSING, RatingProblem, Ratings
from llmqa.agreement.report import AgreementReport, agreement_report

__all__ = [
    "LEVELS",
    "METHODS",
    "MISSING",
    "TIE_BREAKS",
    "AgreementReport",
    "Consensus",
    "Interval",
    "PairScore",
    "PooledTerms",
    "RatingProblem",
    "Ratings",
    "Score",
    "agreement_report",
    "bootstrap_interval",
    "bootstrap_intervals",
    "bootstrap_joint",
    "cohen_kappa",
    "coincidence_matrix",
    "compute_consensus",
    "confusion_matrix",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "label_counts",
    "majority_vote",
    "mean_pairwise_kappa",
    "pairwise_cohen",
    "percent_agreement",
]
