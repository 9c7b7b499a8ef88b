"""A one-page HTML report of a batch: agreement with intervals, weak clauses and annotators,
the label confusion heatmap, the triage queue's likely errors and ambiguous items with the
clauses where they cluster, and the judge's likely errors with their evidence.

The page is self-contained (inline CSS, SVG bars, no scripts, no external assets) so it can be
mailed or attached to a ticket. Item content is untrusted and always HTML-escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from llmqa.store.verdicts import DB_NAME, VerdictStore
from llmqa.text import one_line

if TYPE_CHECKING:  # the triage stack (numpy, cleanlab) loads only when a report uses it
    from llmqa.triage import TriageResult

TEMPLATE_DIR = Path(__file__).parent / "templates"
LIKELY_ERRORS_SHOWN = 25
WEAK_CLAUSES_SHOWN = 12
TRIAGE_CLAUSES_SHOWN = 12
EXCERPT_CHARS = 300
TOP_CONFUSIONS = 5
ANNOTATORS_SHOWN = 25
# Below about 20 ratings an annotator's kappa swings on one or two labels (4 of 5 agreeing can
# be kappa 0 or 0.6), so ranking them would put noise at the top of the table.
MIN_ANNOTATOR_RATINGS = 20


def _value(score: dict[str, Any] | None) -> float | None:
    return None if not score else score.get("value")


def build_report(agreement: dict[str, Any], home: Path | None, source: str,
                 guideline_version: str | None = None,
                 triage: dict[str, Any] | None = None,
                 triage_error: str | None = None,
                 decisions: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the template shows, from an ``AgreementReport.to_dict()``, the store and,
    when given, a ``triage_section``. Without one the page says why: ``triage_error`` when
    it could not be computed, otherwise that it was turned off."""
    clauses = [c for c in agreement.get("by_clause", []) if c.get("n_items", 0) >= 3]
    clauses.sort(key=lambda c: (_value(c.get("percent_agreement")) or 0.0))
    everyone = agreement.get("by_annotator", [])
    annotators = sorted((a for a in everyone if a.get("n_ratings", 0) >= MIN_ANNOTATOR_RATINGS
                         and _value(a.get("kappa_vs_consensus")) is not None),
                        key=lambda a: (_value(a["kappa_vs_consensus"]), a["annotator"]))
    verdicts: dict[str, int] = {}
    statuses: dict[str, int] = {}
    models: set[str] = set()
    errors: list[dict[str, Any]] = []
    if home is not None and (home / DB_NAME).exists():
        from llmqa.store.export import verdict_rows

        with VerdictStore(home, readonly=True) as store:
            for row in verdict_rows(store):
                statuses[row["status"]] = statuses.get(row["status"], 0) + 1
                if row["status"] == "ok" and row["model"]:
                    models.add(row["model"])
                if row["verdict"]:
                    verdicts[row["verdict"]] = verdicts.get(row["verdict"], 0) + 1
                if row["verdict"] == "likely_error":
                    errors.append(row)
    errors.sort(key=lambda r: -(r["confidence"] or 0.0))
    return {
        "source": source, "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "guideline_version": guideline_version, "agreement": agreement,
        "headline": agreement.get("headline", {}), "by_project": agreement.get("by_project", []),
        "by_modality": agreement.get("by_modality", []), "weak_clauses":
        clauses[:WEAK_CLAUSES_SHOWN], "annotators": annotators[:ANNOTATORS_SHOWN],
        "annotators_more": max(0, len(annotators) - ANNOTATORS_SHOWN),
        "annotators_unranked": len(everyone) - len(annotators),
        "min_annotator_ratings": MIN_ANNOTATOR_RATINGS, "verdicts": verdicts,
        "statuses": statuses, "likely_errors": errors[:LIKELY_ERRORS_SHOWN],
        "likely_error_total": len(errors), "confusion": agreement.get("confusion", {}),
        "heatmap": confusion_heatmap(agreement.get("confusion") or {}), "triage": triage,
        "triage_error": triage_error, "judge_models": sorted(models),
        "decisions": decisions,
    }


def confusion_heatmap(confusion: dict[str, Any]) -> dict[str, Any] | None:
    """The annotators' label against the consensus label, summed over annotators, as heatmap
    cells (None when nothing was rated twice). Labels nobody gave and no consensus chose are
    left out, so a long guideline label set stays readable."""
    labels: list[str] = list(confusion.get("labels") or [])
    matrices = list((confusion.get("annotator_vs_consensus") or {}).values())
    if not labels or not matrices:
        return None
    k = len(labels)
    counts = [[sum(int(m[r][c]) for m in matrices) for c in range(k)] for r in range(k)]
    used = [i for i in range(k) if sum(counts[i]) or sum(row[i] for row in counts)]
    if not used:
        return None
    diagonal = max(counts[i][i] for i in used)
    off = max((counts[r][c] for r in used for c in used if r != c), default=0)
    rows = [{"label": labels[r], "total": sum(counts[r][c] for c in used),
             "cells": [_heat_cell(counts[r][c], r == c, diagonal if r == c else off)
                       for c in used]} for r in used]
    pairs = sorted(((counts[r][c], labels[r], labels[c]) for r in used for c in used
                    if r != c and counts[r][c]), key=lambda p: (-p[0], p[1], p[2]))
    return {
        "labels": [labels[i] for i in used], "rows": rows,
        "column_totals": [sum(counts[r][c] for r in used) for c in used],
        "total": sum(row["total"] for row in rows), "hidden": k - len(used),
        "disagreements": sum(p[0] for p in pairs),
        "top_pairs": [{"given": g, "consensus": c, "count": n}
                      for n, g, c in pairs[:TOP_CONFUSIONS]],
    }


def _heat_cell(count: int, diagonal: bool, scale_max: int) -> dict[str, Any]:
    """One cell, its colour intensity proportional to its count. Agreement (the diagonal) and
    disagreement get separate scales and hues: on one scale the diagonal's large counts would
    wash out the off-diagonal cells an analyst is looking for."""
    if not count or not scale_max:
        return {"count": count, "diagonal": diagonal, "style": ""}
    alpha = 0.1 + 0.85 * count / scale_max
    rgb = "59,125,216" if diagonal else "217,83,79"
    ink = ";color:#fff" if alpha > 0.55 else ""
    return {"count": count, "diagonal": diagonal,
            "style": f"background:rgba({rgb},{alpha:.2f}){ink}"}


def triage_section(result: TriageResult, summary: dict[str, Any], notes: list[str],
                   top: int) -> dict[str, Any]:
    """The triage part of the page: the ``top`` likely errors and ambiguous items, the
    clauses where they cluster (a ``clause_summary``), and which signals fed the scores."""
    from llmqa.triage import QueueOptions, build_queue

    texts = dict(zip(result.data.item_ids, result.data.texts, strict=True))

    def queue(kind: str) -> list[dict[str, Any]]:
        rows = build_queue(result, QueueOptions(kind=kind, top=top, with_evidence=False))
        return [row | {"excerpt": one_line(texts.get(row["item_id"], ""), EXCERPT_CHARS)}
                for row in rows]

    signals = list(result.signals)
    judged = (int(result.signals["judge_error"].available.sum())
              if "judge_error" in result.signals else 0)
    return {
        "n_items": result.data.n_items,
        "errors": queue("error"), "ambiguous": queue("ambiguous"),
        "clauses": summary["clauses"][:TRIAGE_CLAUSES_SHOWN],
        "clause_total": len(summary["clauses"]), "high_threshold": summary["high_threshold"],
        "signals_used": [s.name for s in signals if s.available.any()],
        "signals_missing": [s.name for s in signals if not s.available.any()],
        "judge_items": judged, "notes": notes,
    }


def render_report(context: dict[str, Any]) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template("report.html.j2").render(**context)
