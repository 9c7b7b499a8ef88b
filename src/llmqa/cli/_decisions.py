"""``llmqa decide`` and ``llmqa decisions export|import|history``: analysts' gold labels."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from llmqa.cli._common import ConfigOpt, HomeOpt, JsonOpt, err, print_json, table, workspace
from llmqa.errors import InputError

app = typer.Typer(help="Analysts' decisions (gold labels): export, import, history.",
                  no_args_is_help=True)


class Kind(StrEnum):
    CONFIRM = "confirm"
    CORRECT = "correct"
    AMBIGUOUS = "ambiguous"
    ESCALATE = "escalate"


AnalystOpt = typer.Option(None, "--analyst", envvar="LLMQA_ANALYST",
                          help="Who decides (required) [env LLMQA_ANALYST].")


def decide(
    item_id: str = typer.Argument(..., help="The item's id."),
    label: str | None = typer.Option(None, "--label", "-l", help="The gold label (confirm or "
                                     "correct)."),
    analyst: str | None = AnalystOpt,
    decision: Kind | None = typer.Option(None, "--decision", help="confirm, correct, ambiguous "
                                         "or escalate [default: confirm when --label is the "
                                         "annotators' label, else correct]."),
    clause: list[str] | None = typer.Option(None, "--clause", help="Clause id the decision "
                                            "rests on (repeatable)."),
    note: str | None = typer.Option(None, "--note", help="Why, for the audit trail."),
    home: str | None = HomeOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Record an analyst's decision on one item (appended; the newest decision wins)."""
    from llmqa.store.decisions import (
        Decision,
        DecisionStore,
        for_item,
        stored_item,
        verdict_reference,
    )
    from llmqa.store.verdicts import VerdictStore

    if not analyst:
        raise InputError("a decision needs the analyst's name: pass --analyst NAME")
    if decision is None and label is None:
        raise InputError("pass --label LABEL, or --decision ambiguous|escalate")
    resolved = workspace(config, home=home).settings
    with VerdictStore(resolved.home_path) as store:
        item = stored_item(store, item_id)
        extra = {"clause_ids": list(clause or []), "note": note, "source": "decide",
                 **verdict_reference(store, item_id)}
        try:
            if item is None:
                err(f"note: {item_id} is not in the store's items; recorded without its "
                    "content hash (it settles nothing until reviewed)")
                kind = decision.value if decision else "correct"
                made = Decision(item_id=item_id, decision=kind, label=label, analyst=analyst,
                                **extra)
            else:
                plurality = for_item(item, "confirm", analyst=analyst).label
                kind = decision.value if decision else (
                    "confirm" if label == plurality else "correct")
                made = for_item(item, kind, analyst=analyst, label=label, **extra)
        except ValueError as exc:
            raise InputError(f"{item_id}: {exc}") from exc
        DecisionStore(store).record(made)
    typer.echo(f"{item_id}: {made.decision.value}"
               + (f" → {made.label}" if made.label else "") + f" by {made.analyst}")


@app.command("export")
def export(
    out: str = typer.Option("-", "--output", "-o", help="Gold file to write (.jsonl; - for "
                            "standard output)."),
    all_decisions: bool = typer.Option(False, "--all", help="Also items whose newest decision "
                                       "is ambiguous or escalate (no gold label)."),
    home: str | None = HomeOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Write the newest decision per item as gold JSONL (id, label, decision, analyst, ...)."""
    from llmqa.io.writers import write_records
    from llmqa.store.decisions import DecisionStore
    from llmqa.store.gold import gold_record
    from llmqa.store.verdicts import VerdictStore

    resolved = workspace(config, home=home).settings
    with VerdictStore(resolved.home_path, readonly=True) as store:
        latest = DecisionStore(store).latest()
    rows = [gold_record(d) for d in latest.values() if all_decisions or d.is_gold]
    written = write_records(rows, None if out == "-" else out, "jsonl")
    if out != "-":
        err(f"wrote {written} gold items to {out}")


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="Gold JSONL: id, label, and optionally decision, "
                                "analyst, clause_ids, note."),
    analyst: str | None = AnalystOpt,
    home: str | None = HomeOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Append gold decisions made elsewhere; bad lines are named (file:line), the rest kept."""
    from llmqa.io.readers import RowError
    from llmqa.store.decisions import DecisionStore, labels_hash, stored_item
    from llmqa.store.gold import read_gold
    from llmqa.store.verdicts import VerdictStore

    resolved = workspace(config, home=home).settings
    good, bad = [], []
    for record in read_gold(path, analyst=analyst):
        (bad if isinstance(record, RowError) else good).append(record)
    with VerdictStore(resolved.home_path) as store:
        stamped = []
        for decision in good:
            item = stored_item(store, decision.item_id)
            if item is not None and decision.item_hash is None:
                # Gold from elsewhere was made on the item as the store knows it now.
                decision = decision.model_copy(update={"item_hash": item.content_hash(),
                                                       "labels_hash": labels_hash(item)})
            stamped.append(decision)
        DecisionStore(store).record(stamped)
    for problem in bad:
        err(str(problem), "red")
    typer.echo(f"imported {len(good)} decisions, {len(bad)} rejected")
    if bad:
        raise typer.Exit(1)


@app.command("history")
def history(
    item_id: str = typer.Argument(..., help="The item's id."),
    as_json: bool = JsonOpt,
    home: str | None = HomeOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Every decision on one item, oldest first (the newest is the one in force)."""
    from llmqa.store.decisions import DecisionStore
    from llmqa.store.verdicts import VerdictStore

    resolved = workspace(config, home=home).settings
    with VerdictStore(resolved.home_path, readonly=True) as store:
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
