"""The triage queue written out: rows to a file, the JSON payload, the terminal text."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from llmqa.text import table, trim

if TYPE_CHECKING:
    from llmqa.triage.pipeline import TriageResult


def write_queue(rows: list[dict[str, Any]], path: str | None, fmt: str | None = None) -> int:
    """Write queue rows (stdout for ``None`` or ``-``); the format follows the file name."""
    from llmqa.io.writers import output_format, write_records

    if output_format(path, fmt) == "parquet":
        # Evidence differs in shape from row to row; Parquet wants one schema, so it goes as
        # a JSON string there (CSV cells already hold JSON, JSONL keeps it nested).
        rows = [row | {"evidence": json.dumps(row["evidence"], ensure_ascii=False)}
                for row in rows]
    return write_records(rows, path, fmt)


def _reliability(result: TriageResult) -> dict[str, Any]:
    return {family: r.to_dict() for family, r in result.signals.reliability.items()}


def payload(source: str, result: TriageResult, rows: list[dict[str, Any]], notes: list[str],
             calibration: dict[str, Any] | None) -> dict[str, Any]:
    signals = result.signals
    return {
        "source": source,
        "items": result.data.n_items,
        "rows": len(rows),
        "signals": {s.name: {"description": s.description, "items": int(s.available.sum()),
                             "note": s.note} for s in signals},
        "reliability": _reliability(result),
        "weights": {"source": result.scores.weights.source,
                    "effective": result.scores.effective},
        "calibration": calibration,
        "notes": notes,
        "queue": rows,
    }


def render(result: TriageResult, rows: list[dict[str, Any]], total: int, notes: list[str],
           calibration: dict[str, Any] | None = None, more: str = "") -> str:
    """The queue as text: signals used, source reliability, calibration, the top ``rows`` of
    ``total``; ``more`` follows "(+N more" (e.g. how to get every row)."""
    signals = result.signals
    used = [s.name for s in signals if s.available.any()]
    missing = [s.name for s in signals if not s.available.any()]
    reliability = ", ".join(f"{family} {r.value:.2f}" for family, r in
                            signals.reliability.items() if r.value is not None)
    lines = [f"{result.data.n_items} items, {total} in the queue; signals: {', '.join(used)}"]
    if missing:
        lines.append(f"not available: {', '.join(missing)}")
    if reliability:
        lines.append(f"source reliability on this batch: {reliability}")
    if calibration:
        for name, report in calibration.items():
            auroc = report["cv_auroc"]
            precision = report["cv_precision_at_k"]
            lines.append(f"calibrated {name}: {report['positives']}/{report['items']} keyed, "
                         f"5-fold CV AUROC {auroc:.3f}, precision at k {precision:.3f}"
                         if auroc is not None and precision is not None
                         else f"calibrated {name}: not enough keyed items to assess")
    if rows:
        body = [[str(r["rank"]), r["item_id"], r["project"] or "", r["kind"],
                 f"{r['score']:.2f}", f"{r['priority']:g}", r["label"] or "",
                 trim(r["reason"], 110)] for r in rows]
        lines += ["", table(body, ["#", "item", "project", "kind", "score", "prio", "label",
                                   "reason"])]
        if total > len(rows):
            lines.append(f"(+{total - len(rows)} more" + (f"; {more})" if more else ")"))
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)
