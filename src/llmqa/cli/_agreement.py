"""``llmqa agreement``: inter-annotator agreement, consensus labels and judge vs humans."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from llmqa.cli._common import (
    ConfigOpt,
    ConsensusMethod,
    FormatOpt,
    HomeOpt,
    ItemsArg,
    JsonOpt,
    err,
    print_json,
    settings,
    table,
)
from llmqa.cli._gold import against_gold_of, render_gold
from llmqa.config import Settings
from llmqa.errors import InputError

if TYPE_CHECKING:  # the agreement package pulls in numpy; import it only when the command runs
    from llmqa.agreement import AgreementReport, Score


class Ties(StrEnum):
    PRIOR = "prior"
    FIRST = "first"
    NONE = "none"


class Level(StrEnum):
    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    INTERVAL = "interval"
    RATIO = "ratio"


def _load_judge(settings: Settings) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """Item id → the judge's suggested label and cited clauses, from the newest usable
    verdict per item in the store; ``(None, None)`` when nothing has been reviewed."""
    from llmqa.store.verdicts import DB_NAME, VerdictStore

    if not (settings.home_path / DB_NAME).exists():
        return None, None
    labels: dict[str, str] = {}
    clauses: dict[str, list[str]] = {}
    with VerdictStore(settings.home_path, readonly=True) as store:
        for row in store.verdicts(latest=True, status="ok"):
            labels[row["item_id"]] = row["suggested_label"]
            clauses[row["item_id"]] = row["cited_clause_ids"]
    return (labels, clauses) if labels else (None, None)


def _judge_models(settings: Settings) -> list[str]:
    """The models behind the store's newest usable verdicts (named with every judge figure)."""
    from llmqa.store.verdicts import DB_NAME, VerdictStore

    if not (settings.home_path / DB_NAME).exists():
        return []
    with VerdictStore(settings.home_path, readonly=True) as store:
        return sorted({row["model"] for row in store.verdicts(latest=True, status="ok")})


def agreement(
    items: str = ItemsArg,
    fmt: str | None = FormatOpt,
    guidelines: Path | None = typer.Option(
        None, "--guidelines", "-g", help="Take the label set from these guidelines; ratings "
        "with other labels are reported and left out [default: guidelines/ when it exists]."),
    no_guidelines: bool = typer.Option(False, "--no-guidelines",
                                       help="Use the labels found in the file as the label set."),
    method: ConsensusMethod = typer.Option(ConsensusMethod.MAJORITY, "--method", "-m",
                                  help="How the consensus label is chosen."),
    ties: Ties = typer.Option(Ties.PRIOR, "--ties", help="Majority ties: 'prior' = most used "
                              "label overall, 'first' = label-set order, 'none' = no label. "
                              "Ties are flagged either way."),
    level: Level = typer.Option(Level.NOMINAL, "--level", help="Level of measurement for "
                                "Krippendorff's alpha (ordinal/interval use the label order)."),
    consensus_out: str | None = typer.Option(
        None, "--consensus-out", "-o", help="Write one consensus row per item (.csv, .jsonl, "
        ".parquet; - for stdout)."),
    out_format: str | None = typer.Option(None, "--out-format",
                                          help="Format of -o (default: from the file name)."),
    bootstrap: int = typer.Option(1000, "--bootstrap", min=0, help="Bootstrap replicates for "
                                  "the 95% CIs (0: no intervals)."),
    seed: int = typer.Option(0, "--seed", help="Seed for the bootstrap and MACE."),
    min_kappa: float | None = typer.Option(
        None, "--min-kappa", help="Exit 1 when the headline Fleiss' kappa is below this (or "
        "undefined)."),
    top: int = typer.Option(20, "--top", min=1, help="Rows shown per breakdown table."),
    as_json: bool = JsonOpt,
    home: str | None = HomeOpt,
    gold: Path | None = typer.Option(None, "--gold", help="Gold labels (JSONL: id, label, as "
                                     "`llmqa decisions export` writes) [default: the store's "
                                     "decisions]."),
    no_judge: bool = typer.Option(False, "--no-judge", help="Ignore the judge's verdicts in "
                                  "the store (human-human agreement only)."),
    config: Path | None = ConfigOpt,
) -> None:
    """Agreement between annotators, a consensus label per item, and the LLM judge vs humans.

    Headline figures (on items with 2+ ratings): percent agreement, Fleiss' kappa,
    Krippendorff's alpha, Gwet's AC1 (with bootstrap 95% CIs) and mean pairwise Cohen's
    kappa; then per project, modality, label, annotator and clause. Exit 1 when --min-kappa
    is given and Fleiss' kappa is below it or undefined.
    """
    from llmqa.agreement import Ratings, agreement_report, compute_consensus
    from llmqa.io.readers import read_items

    to_stdout = consensus_out == "-"
    if to_stdout and as_json:
        raise InputError("--json and -o - would both write to standard output; pick one")
    resolved = settings(config, home=home)
    labels = _label_set(guidelines, no_guidelines, resolved)
    judge_labels, judge_clauses = (None, None) if no_judge else _load_judge(resolved)
    models = [] if no_judge or judge_labels is None else _judge_models(resolved)
    records = list(read_items(items, fmt))
    ratings = Ratings.from_items(records, judge_labels=judge_labels,
                                 labels=labels, judge_clauses=judge_clauses)
    if ratings.n_items == 0:
        rejected = f" ({len(ratings.problems)} rows rejected)" if ratings.problems else ""
        raise InputError(f"{items}: no valid items found{rejected}")
    consensus = compute_consensus(ratings, method.value, ties.value, seed)
    report = agreement_report(ratings, consensus=consensus, n_boot=bootstrap, seed=seed,
                              level=level.value)
    if consensus_out is not None:
        written = _write_consensus(consensus.records(ratings), consensus_out, out_format)
        if not to_stdout:
            err(f"wrote {written} consensus rows to {consensus_out}")
    passed = _gate(report.gate_value, min_kappa)
    against_gold, gold_problems = against_gold_of(records, resolved, gold, not no_judge,
                                                  bootstrap, seed)
    for problem in gold_problems[:10]:
        err(problem, "red")
    if as_json:
        payload = {"source": items, **report.to_dict(), "judge_models": models}
        payload["against_gold"] = against_gold.to_dict() if against_gold else None
        payload["gate"] |= {"min_kappa": min_kappa, "passed": passed}
        print_json(payload)
    else:
        # With -o - the consensus rows own standard output, so the report goes to stderr.
        typer.echo(render(report, top, models), err=to_stdout)
        if against_gold is not None:
            typer.echo(render_gold(against_gold), err=to_stdout)
        if min_kappa is not None:
            value = report.gate_value
            shown = "undefined" if value is None else f"{value:.3f}"
            verdict = "pass" if passed else "FAIL"
            typer.echo(f"\ngate: Fleiss' kappa {shown} vs --min-kappa {min_kappa:g}: {verdict}",
                       err=to_stdout)
    if passed is False:
        raise typer.Exit(1)


def _label_set(guidelines: Path | None, no_guidelines: bool,
               resolved: Settings) -> list[str] | None:
    if no_guidelines:
        return None
    folder = guidelines or Path(resolved.guidelines)
    if guidelines is None and not folder.exists():
        return None
    from llmqa.guidelines import load_guidelines

    return list(load_guidelines(folder).labels)


def _write_consensus(records: Any, path: str, fmt: str | None) -> int:
    from llmqa.io.writers import write_records

    return write_records(records, path, fmt)


def _gate(value: float | None, threshold: float | None) -> bool | None:
    """``None`` when no gate was asked for; an undefined kappa fails (it cannot be checked)."""
    if threshold is None:
        return None
    return value is not None and value >= threshold


# --- terminal rendering ---------------------------------------------------------------------

_HEADLINE_NAMES = {
    "percent_agreement": "percent agreement",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
    "gwet_ac1": "Gwet's AC1",
    "mean_pairwise_cohen_kappa": "mean pairwise Cohen's kappa",
}


def _num(value: float | None, digits: int = 3) -> str:
    return "undef" if value is None else f"{value:.{digits}f}"


def _ci(score: Score) -> str:
    if score.ci_low is None or score.ci_high is None:
        return "-"
    return f"[{score.ci_low:.3f}, {score.ci_high:.3f}]"


def render(report: AgreementReport, top: int = 20, models: list[str] | None = None) -> str:
    """The readable report: headline with CIs, then one table per breakdown."""
    parts = [_summary(report), _headline(report)]
    parts += [_groups("project", report.by_project, top), _groups("modality", report.by_modality,
                                                                  top)]
    parts += [_labels(report), _annotators(report, top)]
    if report.by_clause:
        parts.append(_groups("clause", report.by_clause, top, with_ci=False))
    if report.judge is not None:
        parts.append(_judge(report, models or []))
    parts.append(_notes(report))
    return "\n\n".join(p for p in parts if p)


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


def _groups(kind: str, groups: list[Any], top: int, with_ci: bool = True) -> str:
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
    more = f"\n(+{len(groups) - top} more; --json for all)" if len(groups) > top else ""
    return f"By {kind}\n" + table(rows, [*headers, "alpha", "ac1"]) + more


def _labels(report: AgreementReport) -> str:
    used = [row for row in report.by_label if row.n_ratings or row.consensus_items]
    rows = [[row.label, str(row.n_ratings), f"{row.share:.1%}", _num(row.specific_agreement),
             _num(row.kappa_one_vs_rest.value), str(row.consensus_items)] for row in used]
    unused = len(report.by_label) - len(used)
    note = f"\n({unused} labels of the label set unused)" if unused else ""
    return "By label\n" + table(rows, ["label", "ratings", "share", "specific agree",
                                       "kappa 1-vs-rest", "consensus items"]) + note


def _annotators(report: AgreementReport, top: int) -> str:
    ordered = sorted(report.by_annotator, key=lambda a: -a.n_ratings)
    rows = [[a.annotator, str(a.n_ratings), _num(a.agreement_with_consensus.value),
             _num(a.kappa_vs_consensus.value), _num(a.kappa_vs_others_majority.value),
             _num(a.mean_pairwise_kappa), _num(a.reliability)] for a in ordered[:top]]
    more = f"\n(+{len(ordered) - top} more; --json for all)" if len(ordered) > top else ""
    return "By annotator\n" + table(rows, ["annotator", "ratings", "agree w/ consensus",
                                           "kappa vs consensus", "kappa vs others",
                                           "mean pair kappa", "reliability"]) + more


def _judge(report: AgreementReport, models: list[str]) -> str:
    j = report.judge
    assert j is not None
    lines = [
        f"LLM judge ({', '.join(models) or 'model unknown'}) vs humans",
        f"judge vs consensus: kappa {_num(j.vs_consensus.value)} {_ci(j.vs_consensus)}, "
        f"agreement {_num(j.agreement_with_consensus.value)} "
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
        lines.append(f"... and {len(report.problems) - len(shown)} more problems (--json)")
    return "\n".join(lines)
