"""The policy-CI report as markdown, fit for a pull-request comment."""

from __future__ import annotations

from pathlib import Path

import jinja2

from llmqa.policy.ci import PolicyReport

MAX_FLIPS_SHOWN = 50


def _md_cell(value: object) -> str:
    # Item ids and labels come from the batch: keep them from breaking the table or
    # injecting markup into the comment.
    text = " ".join(str(value).split())
    for char in "\\|`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text


def render_markdown(report: PolicyReport, max_flips: int = MAX_FLIPS_SHOWN) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["md"] = _md_cell
    return env.get_template("policy_ci.md.j2").render(r=report, max_flips=max_flips,
                                                      clause_items=report.clause_items)
