"""A one-page HTML report of a batch: agreement with intervals, weak clauses and annotators,
and the judge's likely errors with their evidence.

The page is self-contained (inline CSS, SVG bars, no scripts, no external assets) so it can be
mailed or attached to a ticket. Item content is untrusted and always HTML-escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from llmqa.store.verdicts import DB_NAME, VerdictStore

TEMPLATE_DIR = Path(__file__).parent / "templates"
LIKELY_ERRORS_SHOWN = 25
WEAK_CLAUSES_SHOWN = 12


def _value(score: dict[str, Any] | None) -> float | None:
    return None if not score else score.get("value")


def build_report(agreement: dict[str, Any], home: Path | None, source: str,
                 guideline_version: str | None = None) -> dict[str, Any]:
    """Everything the template shows, from an ``AgreementReport.to_dict()`` and the store."""
    clauses = [c for c in agreement.get("by_clause", []) if c.get("n_items", 0) >= 3]
    clauses.sort(key=lambda c: (_value(c.get("percent_agreement")) or 0.0))
    annotators = sorted(agreement.get("by_annotator", []),
                        key=lambda a: (_value(a.get("kappa_vs_consensus")) or -1.0))
    verdicts: dict[str, int] = {}
    statuses: dict[str, int] = {}
    errors: list[dict[str, Any]] = []
    if home is not None and (home / DB_NAME).exists():
        from llmqa.store.export import verdict_rows

        with VerdictStore(home, readonly=True) as store:
            for row in verdict_rows(store):
                statuses[row["status"]] = statuses.get(row["status"], 0) + 1
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
        clauses[:WEAK_CLAUSES_SHOWN], "annotators": annotators, "verdicts": verdicts,
        "statuses": statuses, "likely_errors": errors[:LIKELY_ERRORS_SHOWN],
        "likely_error_total": len(errors), "confusion": agreement.get("confusion", {}),
    }


def render_report(context: dict[str, Any]) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template("report.html.j2").render(**context)
