"""Policy CI: what a guideline edit changes, as a gate in front of a guideline merge."""

from llmqa.policy.ci import PolicyCheck, PolicyReport
from llmqa.policy.compare import Flip, KappaChange, flips, kappa_change
from llmqa.policy.markdown import render_markdown

__all__ = ["Flip", "KappaChange", "PolicyCheck", "PolicyReport", "flips", "kappa_change",
           "render_markdown"]
