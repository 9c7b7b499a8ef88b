"""The agreement report as plain text for a terminal: a headline with CIs, then one aligned
table per breakdown (project, modality, label, annotator, clause) and the judge vs humans."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llmqa.agreement.bootstrap import MIN_ITEMS
from llmqa.agreement.metrics import Score
from llmqa.agreement.report import AgreementReport
from llmqa.text import table

if TYPE_CHECKING:
    from llmqa.agreement.from_settings import AgreementRun


def gate(value: float | None, threshold: float | None) -> bool | None:
    """``None`` when no gate was asked for; an undefined kappa fails (it cannot be checked)."""
    if threshold is None:
        return None
    return value is not None and value >= threshold


def _cut(hidden: int, more: str) -> str:
    if hidden <= 0:
        return ""
    return f"\n(+{hidden} more" + (f"; {more}" if more else "") + ")"


_HEADLINE_NAMES = {
    "percent_agreement": "percent agreement",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
    "gwet_ac1": "Gwet's AC1",
    "mean_pairwise_cohen_kappa": "mean pairwise Cohen's kappa",
}


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ci(score: Score) -> str:
    if score.ci_low is None or score.ci_high is None:
        return "-"
    return f"[{score.ci_low:.3f}, {score.ci_high:.3f}]"


def render(report: AgreementReport, top: int = 20, more: str = "",
           models: list[str] | None = None) -> str:
    """The readable report: headline with CIs, then one table per breakdown. ``more`` is
    appended to "(+N more" where a table is cut (e.g. how to see every row); ``models`` name
    the judge behind the judge figures."""
    parts = [_summary(report), _headline(report)]
    parts += [_groups("project", report.by_project, top, more=more),
              _groups("modality", report.by_modality, top, more=more)]
    parts += [_labels(report), _annotators(report, top, more)]
    if report.by_clause:
        parts.append(_groups("clause", report.by_clause, top, with_ci=False, more=more))
    if report.judge is not None:
        parts.append(_judge(report, models or []))
    parts.append(_notes(report))
    return "\n\n".join(p for p in parts if p)


def render_run(run: AgreementRun, top: int = 20, more: str = "",
               name: Callable[[str], str] | None = None) -> str:
    """``render`` for a whole run: the report, then the label-set section, everyone against
    gold and the kappa gate when the run has them (``name`` spells the gate's option)."""
    from llmqa.agreement.multilabel import render_multilabel
    from llmqa.errors import Hint

    parts = [render(run.report, top, more, models=run.models)]
    if run.multi_label:
        parts.append("\n" + render_multilabel(run.multi_label))
    if run.against_gold is not None:
        parts.append(render_gold(run.against_gold))
    if run.min_kappa is not None:
        value = run.report.gate_value
        shown = "undefined" if value is None else f"{value:.3f}"
        threshold = Hint("{}", ("min_kappa",)).render(name)
        parts.append(f"\ngate: Fleiss' kappa {shown} vs {threshold} {run.min_kappa:g}: "
                     f"{'pass' if run.passed else 'FAIL'}")
    return "\n".join(parts)


def _summary(report: AgreementReport) -> str:
    c = report.consensus
    return (f"{report.n_items} items: {report.n_pairable} with 2+ ratings, {report.n_single} "
            f"single, {report.n_unrated} unrated; {report.n_ratings} ratings by "
            f"{len(report.raters)} annotators; {len(report.labels)} labels\n"
            f"consensus: {c['method']}, {c['n_ties']} ties ({c['tie_rule']})")


def _headline(report: AgreementReport) -> str:
    rows = []
    for name, score in report.headline.items():
        label = _HEADLINE_NAMES[name]
        if name == "krippendorff_alpha":
            label += f" ({report.level})"
        if name == "fleiss_kappa":
            label += " [gate]"
        rows.append([label, _num(score.value), _ci(score), str(score.n_items)])
    confidence = round(report.bootstrap["confidence"] * 100)
    return table(rows, ["metric", "value", f"{confidence}% CI", "items"])


def _groups(kind: str, groups: list[Any], top: int, with_ci: bool = True, more: str = "") -> str:
    if not groups:
        return ""
    rows = []
    for g in groups[:top]:
        row = [g.group, str(g.n_items), _num(g.percent_agreement.value),
               _num(g.fleiss_kappa.value)]
        if with_ci:
            row.append(_ci(g.fleiss_kappa))
        row += [_num(g.krippendorff_alpha.value), _num(g.gwet_ac1.value)]
        rows.append(row)
    headers = [kind, "items", "agree", "fleiss"] + (["fleiss CI"] if with_ci else [])
    cut = _cut(len(groups) - top, more)
    return f"By {kind}\n" + table(rows, [*headers, "alpha", "ac1"]) + cut


def _labels(report: AgreementReport) -> str:
    used = [row for row in report.by_label if row.n_ratings or row.consensus_items]
    rows = [[row.label, str(row.n_ratings), f"{row.share:.1%}", _num(row.specific_agreement),
             _num(row.kappa_one_vs_rest.value), str(row.consensus_items)] for row in used]
    unused = len(report.by_label) - len(used)
    note = f"\n({unused} labels of the label set unused)" if unused else ""
    return "By label\n" + table(rows, ["label", "ratings", "share", "specific agree",
                                       "kappa 1-vs-rest", "consensus items"]) + note


def _annotators(report: AgreementReport, top: int, more: str = "") -> str:
    ordered = sorted(report.by_annotator, key=lambda a: -a.n_ratings)
    rows = [[a.annotator, str(a.n_ratings), _num(a.agreement_with_consensus.value),
             _num(a.kappa_vs_consensus.value), _num(a.kappa_vs_others_majority.value),
             _num(a.mean_pairwise_kappa), _num(a.reliability)] for a in ordered[:top]]
    cut = _cut(len(ordered) - top, more)
    return "By annotator\n" + table(rows, ["annotator", "ratings", "agree w/ consensus",
                                           "kappa vs consensus", "kappa vs others",
                                           "mean pair kappa", "reliability"]) + cut


def _judge(report: AgreementReport, models: list[str]) -> str:
    j = report.judge
    assert j is not None
    kappa = ("undefined" if j.vs_consensus.value is None
             else f"{_num(j.vs_consensus.value)} {_ci(j.vs_consensus)}")
    lines = [
        f"LLM judge ({', '.join(models) or 'model unknown'}) vs humans",
        f"judge vs consensus: kappa {kappa}, agreement {_num(j.agreement_with_consensus.value)} "
        f"({j.vs_consensus.n_items} items)",
        f"judge vs human majority: kappa {_num(j.vs_human_majority.value)}; humans vs the "
        f"others' majority: {_bounds(j.human_vs_consensus_range)}",
        f"judge vs single annotators: mean kappa {_num(j.mean_kappa_vs_annotators)}; human "
        f"pairs: {_bounds(j.human_pairwise_range)}",
        f"verdict: {j.verdict}",
    ]
    rows = [[p.rater_b, str(p.n_items), _num(p.percent_agreement), _num(p.cohen_kappa)]
            for p in j.vs_annotators]
    if rows:
        lines.append(table(rows, ["annotator", "items", "agree", "kappa"]))
    return "\n".join(lines)


def _bounds(bounds: tuple[float, float] | None) -> str:
    return "n/a" if bounds is None else f"{bounds[0]:.3f} to {bounds[1]:.3f}"


def _notes(report: AgreementReport) -> str:
    lines = [f"warning: {w}" for w in report.warnings]
    shown = report.problems[:10]
    lines += [f"problem: {p}" for p in shown]
    if len(report.problems) > len(shown):
        lines.append(f"... and {len(report.problems) - len(shown)} more problems")
    return "\n".join(lines)


def render_gold(result: Any) -> str:
    """Everyone against the analysts' gold (an ``agreement.gold.GoldAgreement``)."""
    def ci(value: float | None, low: float | None, high: float | None) -> str:
        if value is None:
            return "undefined"
        return f"{value:.3f}" + (f" [{low:.3f}, {high:.3f}]" if low is not None
                                 and high is not None else "")

    rows = [[r.rater, str(r.n_items), ci(r.agreement, r.agreement_low, r.agreement_high),
             ci(r.kappa, r.kappa_low, r.kappa_high)] for r in result.raters]
    lines = [f"\nagainst gold ({result.gold_items} items decided by analysts; 95% CIs: Wilson "
             f"for agreement, bootstrap for kappa from {MIN_ITEMS} items)",
             table(rows, ["rater", "items", "agreement", "kappa"])]
    if result.by_clause:
        rows = [[r.clause_id or "", r.rater, str(r.n_items),
                 ci(r.kappa, r.kappa_low, r.kappa_high)] for r in result.by_clause]
        lines += ["", table(rows, ["clause", "rater", "pairs", "kappa vs gold"])]
    return "\n".join(lines)


def render_trust_gate(result: Any, min_kappa: float, min_items: int) -> str:
    """Per clause, the judge's agreement with gold and whether it is trusted there
    (``agreement.gate.gate_from_store``); without gold every clause is supervised."""
    if not result.gold_items:
        return ("no item has both a judge verdict and a gold decision: every clause is "
                "supervised (record decisions with llmqa decide or llmqa serve)")
    rows = [[c.clause_id, str(c.n_items), _num(c.agreement), _num(c.kappa), _num(c.ci_low),
             c.state, c.why] for c in [*result.clauses, result.overall]]
    return (f"judge {', '.join(result.models) or '(model unknown)'} against "
            f"{result.gold_items} gold items (trusted: lower bound >= {min_kappa:g} on "
            f">= {min_items} items)\n"
            + table(rows, ["clause", "items", "agree", "kappa", "low", "state", "why"]))
