"""``llmqa decide`` and ``llmqa decisions export|import|history``: analysts' gold labels."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.choices import DecisionKind
from llmqa.cli import _options as opt
from llmqa.cli._common import err, print_json, table, workspace

app = typer.Typer(help="Analysts' decisions (gold labels): export, import, history.",
                  no_args_is_help=True)


def decide(
    item_id: str = typer.Argument(..., help="The item's id."),
    label: str | None = typer.Option(None, "--label", "-l", help="The gold label (confirm or "
                                     "correct)."),
    analyst: opt.Analyst = None,
    decision: DecisionKind | None = typer.Option(None, "--decision", help="confirm, correct, "
                                                 "ambiguous or escalate [default: confirm "
                                                 "when --label is the annotators' label, else "
                                                 "correct]."),
    clause: list[str] | None = typer.Option(None, "--clause", help="Clause id the decision "
                                            "rests on (repeatable)."),
    note: str | None = typer.Option(None, "--note", help="Why, for the audit trail."),
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Record an analyst's decision on one item (appended; the newest decision wins)."""
    from llmqa.errors import InputError
    from llmqa.store.decisions import decide as record

    if not analyst:
        raise InputError("a decision needs the analyst's name: pass --analyst NAME")
    if decision is None and label is None:
        raise InputError("pass --label LABEL, or --decision ambiguous|escalate")
    with workspace(config, home=home).open_store() as store:
        made, known = record(store, item_id, analyst=analyst, label=label, kind=decision,
                             clause_ids=list(clause or []), note=note, source="decide")
    if not known:
        err(f"note: {item_id} is not in the store's items; recorded without its content hash "
            "(it settles nothing until reviewed)")
    typer.echo(f"{item_id}: {made.decision.value}"
               + (f" → {made.label}" if made.label else "") + f" by {made.analyst}")


@app.command("export")
def export(
    out: str = typer.Option("-", "--output", "-o", help="Gold file to write (.jsonl; - for "
                            "standard output)."),
    all_decisions: bool = typer.Option(False, "--all", help="Also items whose newest decision "
                                       "is ambiguous or escalate (no gold label)."),
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Write the newest decision per item as gold JSONL (id, label, decision, analyst, ...)."""
    from llmqa.io.writers import write_records
    from llmqa.store.decisions import DecisionStore
    from llmqa.store.gold import gold_record

    with workspace(config, home=home).open_store(readonly=True) as store:
        latest = DecisionStore(store).latest()
    rows = [gold_record(d) for d in latest.values() if all_decisions or d.is_gold]
    written = write_records(rows, None if out == "-" else out, "jsonl")
    if out != "-":
        err(f"wrote {written} gold items to {out}")


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="Gold JSONL: id, label, and optionally decision, "
                                "analyst, clause_ids, note."),
    analyst: opt.Analyst = None,
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Append gold decisions made elsewhere; bad lines are named (file:line), the rest kept."""
    from llmqa.io.readers import RowError
    from llmqa.store.decisions import record_imported
    from llmqa.store.gold import read_gold

    ws = workspace(config, home=home)
    good, bad = [], []
    for record in read_gold(path, analyst=analyst):
        (bad if isinstance(record, RowError) else good).append(record)
    with ws.open_store() as store:
        record_imported(store, good)
    for problem in bad:
        err(str(problem), "red")
    typer.echo(f"imported {len(good)} decisions, {len(bad)} rejected")
    if bad:
        raise typer.Exit(1)


@app.command("history")
def history(
    item_id: str = typer.Argument(..., help="The item's id."),
    as_json: opt.Json = False,
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Every decision on one item, oldest first (the newest is the one in force)."""
    from llmqa.store.decisions import DecisionStore

    with workspace(config, home=home).open_store(readonly=True) as store:
        rows = DecisionStore(store).history(item_id)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    if not rows:
        typer.echo(f"{item_id}: no decisions")
        return
    typer.echo(table([[r.created_at or "", r.analyst, r.decision.value, r.label or "",
                       ",".join(r.clause_ids), r.note or ""] for r in rows],
                     ["when", "analyst", "decision", "label", "clauses", "note"]))
