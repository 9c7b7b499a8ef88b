"""``llmqa triage``: the review queue of likely errors and ambiguous items, with reasons."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from llmqa.cli._common import (
    ChromaUrlOpt,
    ConfigOpt,
    ConsensusMethod,
    EmbedderOpt,
    FormatOpt,
    HomeOpt,
    ItemsArg,
    JsonOpt,
    ProgressOpt,
    err,
    print_json,
    settings,
    table,
)
from llmqa.cli._progress import StageBars
from llmqa.errors import InputError
from llmqa.text import trim

if TYPE_CHECKING:  # numpy, cleanlab and friends load only when the command runs
    from llmqa.triage import TriageResult


class Kind(StrEnum):
    ALL = "all"
    ERROR = "error"
    AMBIGUOUS = "ambiguous"


def _priority_map(values: list[str] | None) -> dict[str, float] | None:
    if not values:
        return None
    mapping: dict[str, float] = {}
    for value in values:
        project, sep, weight = value.rpartition("=")
        try:
            number = float(weight)
        except ValueError:
            number = -1.0
        if not sep or not project or number < 0:
            raise typer.BadParameter(f"'{value}': use PROJECT=WEIGHT with a weight >= 0",
                                     param_hint="--project-priority")
        mapping[project] = number
    return mapping


def triage(
    items: str = ItemsArg,
    fmt: str | None = FormatOpt,
    guidelines: Path | None = typer.Option(
        None, "--guidelines", "-g", help="Guidelines for the retrieval evidence (indexed "
        "first when changed) [default: guidelines/ when it exists]."),
    no_guidelines: bool = typer.Option(False, "--no-guidelines", help="Skip the retrieval "
                                       "evidence (no index needed)."),
    offline: bool = typer.Option(False, "--offline", help="Ignore the judge's verdicts even "
                                 "when the store has them."),
    kind: Kind = typer.Option(Kind.ALL, "--kind", help="Rank by the likely-error score, the "
                              "ambiguity score, or the larger of the two."),
    project: list[str] | None = typer.Option(None, "--project", help="Only these projects "
                                             "(repeatable)."),
    min_score: float | None = typer.Option(None, "--min-score", min=0.0, max=1.0,
                                           help="Leave out rows whose score is below this."),
    top: int | None = typer.Option(None, "--top", min=1, help="Keep the N most urgent rows."),
    out: str | None = typer.Option(None, "--out", "-o", help="Write the queue (.csv, .jsonl, "
                                   ".parquet; - for stdout), every signal and its inputs "
                                   "included."),
    out_format: str | None = typer.Option(None, "--out-format", help="Format of --out "
                                          "(default: from the file name)."),
    clause_summary: str | None = typer.Option(
        None, "--clause-summary", help="Write where errors and ambiguity cluster, per clause, "
        "as JSON (- for stdout); shape in docs/triage.md."),
    project_priority: list[str] | None = typer.Option(
        None, "--project-priority", help="PROJECT=WEIGHT, repeatable: the priority of that "
        "project's items (overrides the items' own priority; default 1)."),
    consensus: ConsensusMethod = typer.Option(
        ConsensusMethod.MAJORITY, "--consensus",
        help="How the label under review is chosen from the annotations."),
    weights: Path | None = typer.Option(None, "--weights", help="Score weights (JSON, e.g. "
                                        "from --save-weights)."),
    calibrate: Path | None = typer.Option(
        None, "--calibrate", help="Answer key (JSONL: id + kind seeded_error/ambiguous/clean, "
        "or is_error/is_ambiguous): fit the weights on it, report their cross-validated "
        "quality, and use them."),
    save_weights: Path | None = typer.Option(None, "--save-weights", help="Save the weights "
                                             "used (with --calibrate: the fitted ones)."),
    include_decided: bool = typer.Option(False, "--include-decided", help="Keep items an "
                                         "analyst already decided (on their current content "
                                         "and labels) in the queue, marked."),
    show: int = typer.Option(20, "--show", min=0, help="Rows shown in the terminal table."),
    seed: int = typer.Option(0, "--seed", help="Seed for the folds and MACE."),
    progress: bool = ProgressOpt,
    as_json: bool = JsonOpt,
    home: str | None = HomeOpt,
    embedder: str | None = EmbedderOpt,
    chroma_url: str | None = ChromaUrlOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Rank items by how likely their label is wrong and how ambiguous they are.

    Signals, each kept with its inputs: annotator disagreement and consensus uncertainty,
    confident learning (cleanlab) on an out-of-fold classifier over the item embeddings,
    the label the nearest guideline clauses and examples imply, and the LLM judge's stored
    verdict (unless --offline). The queue is ordered by score × priority; every row says
    why in one line. See docs/triage.md.
    """
    from llmqa.io.readers import read_items
    from llmqa.items import Item
    from llmqa.store.decisions import current_decisions
    from llmqa.triage import DEFAULT_WEIGHTS, QueueOptions, TriageData, Weights, build_queue, score
    from llmqa.triage import calibrate as fit
    from llmqa.triage.clauses import clause_summary as summarise
    from llmqa.triage.from_settings import triage_signals

    stdout_users = [name for name, value in (("--json", as_json), ("--out -", out == "-"),
                                             ("--clause-summary -", clause_summary == "-"))
                    if value]
    if len(stdout_users) > 1:
        raise InputError(f"{' and '.join(stdout_users)} would all write to standard output; "
                         "pick one")
    priorities = _priority_map(project_priority)
    resolved = settings(config, home=home, embedder=embedder, chroma_url=chroma_url,
                        guidelines=str(guidelines) if guidelines else None)
    records = list(read_items(items, fmt))
    data = TriageData.from_items(records, consensus=consensus.value, seed=seed)
    if data.n_items == 0:
        rejected = f" ({len(data.problems)} rows rejected)" if data.problems else ""
        raise InputError(f"{items}: no valid items found{rejected}")
    with StageBars(progress and not as_json) as bars:
        computed = triage_signals(data, resolved, use_guidelines=not no_guidelines,
                                  guidelines_named=guidelines is not None, offline=offline,
                                  seed=seed, on_progress=bars)
    signals, guideline_set, notes = computed.signals, computed.guidelines, computed.notes
    chosen = Weights.load(weights) if weights else DEFAULT_WEIGHTS
    calibration = None
    if calibrate is not None:
        from llmqa.triage import load_key

        chosen, calibration = fit(signals, data.item_ids, load_key(calibrate), seed=seed)
    if save_weights is not None:
        chosen.save(save_weights)
        err(f"wrote weights to {save_weights}")
    result = score(data, signals, chosen)
    decided = current_decisions(resolved.home_path, [r for r in records if isinstance(r, Item)])
    options = QueueOptions(kind=kind.value, projects=tuple(project) if project else None,
                           min_score=min_score, top=top, project_priority=priorities,
                           exclude=frozenset() if include_decided else frozenset(decided))
    rows = build_queue(result, options)
    for row in rows:
        if row["item_id"] in decided:
            made = decided[row["item_id"]]
            row["decision"] = f"{made.decision.value} {made.label or ''}".strip()
    notes.insert(0, f"{data.n_items - len(decided)} undecided of {data.n_items} items"
                 + (f"; {len(decided)} decided by analysts left out (--include-decided keeps "
                    "them)" if decided and not include_decided else ""))
    if out is not None:
        written = _write(rows, out, out_format)
        if out != "-":
            err(f"wrote {written} queue rows to {out}")
    if clause_summary is not None:
        summary = summarise(result, guidelines=guideline_set)
        if clause_summary == "-":
            print_json(summary)
        else:
            Path(clause_summary).parent.mkdir(parents=True, exist_ok=True)
            Path(clause_summary).write_text(json.dumps(summary, indent=2, ensure_ascii=False)
                                            + "\n", encoding="utf-8")
            err(f"wrote {len(summary['clauses'])} clause rows to {clause_summary}")
    notes += signals.all_notes() + data.problems[:10]
    if as_json:
        print_json(_payload(items, result, rows, notes, calibration))
        return
    to_stderr = bool(stdout_users)
    typer.echo(render(result, rows[:show], len(rows), notes, calibration), err=to_stderr)


def _write(rows: list[dict[str, Any]], path: str, fmt: str | None) -> int:
    from llmqa.io.writers import output_format, write_records

    if output_format(path, fmt) == "parquet":
        # Evidence differs in shape from row to row; Parquet wants one schema, so it goes as
        # a JSON string there (CSV cells already hold JSON, JSONL keeps it nested).
        rows = [row | {"evidence": json.dumps(row["evidence"], ensure_ascii=False)}
                for row in rows]
    return write_records(rows, path, fmt)


def _reliability(result: TriageResult) -> dict[str, Any]:
    return {family: r.to_dict() for family, r in result.signals.reliability.items()}


def _payload(source: str, result: TriageResult, rows: list[dict[str, Any]], notes: list[str],
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
           calibration: dict[str, Any] | None = None) -> str:
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
            lines.append(f"(+{total - len(rows)} more; --out FILE for all)")
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)
