"""The policy-CI report as markdown, fit for a pull-request comment."""

from __future__ import annotations

from pathlib import Path

import jinja2

from llmqa.policy.ci import PolicyReport
from llmqa.text import md_inline

MAX_FLIPS_SHOWN = 50


def render_markdown(report: PolicyReport, max_flips: int = MAX_FLIPS_SHOWN) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["md"] = md_inline
    return env.get_template("policy_ci.md.j2").render(r=report, max_flips=max_flips,
                                                      clause_items=report.clause_items)
