"""Guidelines as data: clauses with stable IDs, labels and examples, versioned by content."""

from llmqa.guidelines.check import Problem, check_guidelines
from llmqa.guidelines.loader import load_guidelines
from llmqa.guidelines.model import Clause, Example, GuidelineSet, VersionDiff

__all__ = [
    "Clause",
    "Example",
    "GuidelineSet",
    "Problem",
    "VersionDiff",
    "check_guidelines",
    "load_guidelines",
]
