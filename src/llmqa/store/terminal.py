"""What the store holds, as text for a terminal: recent runs, costs, cached item vectors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from llmqa.text import table

if TYPE_CHECKING:
    from llmqa.store.reparse import ReparseReport


def _money(value: float | None, unpriced: int = 0) -> str:
    if value is None:
        return "?"
    return f"{value:.4f}" + (f" (+{unpriced} unpriced)" if unpriced else "")


def runs_table(runs: list[dict[str, Any]]) -> str:
    """``VerdictStore.runs`` rows: status, items reviewed and reused, cost."""
    rows = [[str(r["id"]), r["started_at"][:19], r["status"], r["model"], str(r["items"]),
             str(r["reviewed"]), str(r["reused"]), str(r["failed"]), _money(r["cost_usd"])]
            for r in runs]
    return table(rows, ["run", "started", "status", "model", "items", "reviewed", "reused",
                        "no verdict", "cost $"]) + _cascades(runs)


def _cascades(runs: list[dict[str, Any]]) -> str:
    """One line per cascade among ``runs`` (rows with ``settings``): its two runs, what was
    escalated, and what the strong model alone would have cost."""
    lines, seen = [], set()
    for run in runs:
        note = run.get("cascade")
        if note is None and run.get("settings"):
            try:
                note = json.loads(run["settings"]).get("cascade")
            except (TypeError, ValueError, AttributeError):
                continue
        if not isinstance(note, dict):
            continue
        pair = (note.get("cheap_run"), note.get("strong_run"))
        if pair in seen:
            continue
        seen.add(pair)
        runs_named = " and ".join(f"run {r}" for r in pair if r is not None)
        lines.append(f"cascade ({runs_named}): {note.get('escalated')} of {note.get('items')} "
                     f"items escalated from {note.get('cheap_model')} to "
                     f"{note.get('strong_model')}; cost ${_money(note.get('cost_usd'))}, "
                     f"{note.get('strong_model')} alone about "
                     f"${_money(note.get('strong_only_estimated_usd'))} (estimated)")
    return "".join(f"\n{line}" for line in lines)


def cost_totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``VerdictStore.cost_breakdown`` rows summed per model (unpriced answers counted)."""
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(row["model"], {"model": row["model"], "answers": 0,
                                                 "input_tokens": 0, "output_tokens": 0,
                                                 "cost_usd": 0.0, "unpriced": 0})
        for name in ("answers", "input_tokens", "output_tokens", "unpriced"):
            total[name] += row[name]
        total["cost_usd"] += row["cost_usd"] or 0.0
    return list(totals.values())


def costs_text(rows: list[dict[str, Any]]) -> str:
    """Per run and model (Batch API runs marked), then the totals per model."""
    per_run = table([[str(r["run_id"]), (r["started_at"] or "")[:19], r["model"],
                      "batch" if r["batch"] else "live", str(r["answers"]),
                      str(r["input_tokens"]), str(r["output_tokens"]),
                      _money(r["cost_usd"], r["unpriced"])] for r in rows],
                    ["run", "started", "model", "api", "answers", "tokens in", "tokens out",
                     "cost $"])
    per_model = table([[t["model"], str(t["answers"]), str(t["input_tokens"]),
                        str(t["output_tokens"]), _money(t["cost_usd"], t["unpriced"])]
                       for t in cost_totals(rows)],
                      ["model", "answers", "tokens in", "tokens out", "cost $"])
    return f"{per_run}\n\n{per_model}{_cascades(rows)}"


def vectors_table(counts: dict[str, tuple[int, int]], keep: str | None) -> str:
    """Cached item vectors per embedder, and which a prune keeps (``keep``; None: none)."""
    if not counts:
        return "no cached item vectors"
    rows = [[name, str(n), f"{size / 2**20:.1f}", "keep" if name == keep else "drop"]
            for name, (n, size) in counts.items()]
    return table(rows, ["embedder", "vectors", "MiB", "prune"])


def reparse_text(report: ReparseReport) -> str:
    """How many stored answers a reparse re-read and fixed, and what still fails."""
    lines = [f"{report.examined} stored answers re-read, {report.fixed} now valid verdicts"]
    lines += [f"still {status}: {count}" for status, count in sorted(report.still_failing.items())]
    return "\n".join(lines)
