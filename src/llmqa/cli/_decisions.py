"""``llmqa decide``, ``llmqa decisions export|import|history``: analysts' gold labels; and
``llmqa gate``: per clause, whether those labels let the judge flag alone."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.choices import DecisionKind
from llmqa.cli import _options as opt
from llmqa.cli._common import emit, err, workspace, wrote

app = typer.Typer(help="Analysts' decisions (gold labels): export, import, history.",
                  no_args_is_help=True)


def decide(
    item_id: str = typer.Argument(..., help="The item's id."),
    label: str | None = typer.Option(None, "--label", "-l",
                                     help="The gold label (confirm or correct)."),
    analyst: opt.Analyst = None,
    decision: DecisionKind | None = typer.Option(
        None, "--decision", help="confirm, correct, ambiguous or escalate [default: confirm when "
        "--label is the annotators' label, else correct]."),
    clause: list[str] | None = typer.Option(None, "--clause", help="Clause id the decision "
                                            "rests on (repeatable)."),
    note: str | None = typer.Option(None, "--note", help="Why, for the audit trail."),
    guidelines: opt.Guidelines = None,
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Record an analyst's decision on one item (appended; the newest decision wins).

    With guidelines (guidelines/ when it exists), a label outside theirs and the item's own,
    or a clause they do not define, is refused: a typo would be stored as gold."""
    from llmqa.store.decisions import decide as record

    ws = workspace(config, guidelines, home=home)
    chosen = ws.chosen_guidelines(guidelines is not None)
    with ws.open_store() as store:
        made, known = record(store, item_id, analyst=analyst, label=label, decision=decision,
                             labels=chosen.labels if chosen else None,
                             clauses=set(chosen.by_id) if chosen else None,
                             clause_ids=list(clause or []), note=note, source="decide")
    if not known:
        err(f"note: {item_id} is not in the store's items; recorded without its content hash, "
            "so a later edit of the item will not unsettle it" + (
                f", and with no guidelines nothing checked the label {label!r}"
                if label and chosen is None else ""))
    typer.echo(made.summary())


@app.command("export")
def export(
    out: str = typer.Option("-", "--output", "-o", help="Gold file to write (.jsonl, .csv, "
                            ".parquet; - for standard output, as JSONL)."),
    fmt: opt.OutputFormat = None,
    all_decisions: bool = typer.Option(False, "--all", help="Also items whose newest decision "
                                       "is ambiguous or escalate (no gold label)."),
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Write the newest decision per item as gold rows (id, label, decision, analyst, ...)."""
    from llmqa.io.writers import write_records
    from llmqa.store.gold import gold_rows

    with workspace(config, home=home).open_store(readonly=True) as store:
        rows = gold_rows(store, include_undecided=all_decisions)
    wrote(out, write_records(rows, out, fmt), "gold items")


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="Gold file (.jsonl, .csv, .parquet): id, label, and "
                                "optionally decision, analyst, clause_ids, note."),
    analyst: opt.Analyst = None,
    guidelines: opt.Guidelines = None,
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Append gold decisions made elsewhere; bad rows are named (file:line), the rest kept.

    With guidelines (guidelines/ when it exists), a label outside theirs and the item's own,
    or a clause they do not define, is a bad row."""
    done = workspace(config, guidelines, home=home).import_decisions(
        path, analyst, require_guidelines=guidelines is not None)
    for problem in done.rejected:
        err(str(problem), "red")
    typer.echo(f"imported {done.imported} decisions, {len(done.rejected)} rejected")
    if done.rejected:
        raise typer.Exit(1)


@app.command("history")
def history(
    item_id: str = typer.Argument(..., help="The item's id."),
    as_json: opt.Json = False,
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Every decision on one item, oldest first (the newest is the one in force)."""
    from llmqa.store.decisions import DecisionStore, history_table

    with workspace(config, home=home).open_store(readonly=True) as store:
        rows = DecisionStore(store).history(item_id)
    emit(as_json, [r.model_dump(mode="json") for r in rows],
         history_table(rows) if rows else f"{item_id}: no decisions")


def gate(
    min_kappa: float = typer.Option(0.6, "--min-kappa", help="Trusted when the lower bound of "
                                    "the judge's kappa with gold reaches this."),
    min_items: int = typer.Option(20, "--min-items", min=1, help="Trusted only on at least "
                                  "this many gold items."),
    bootstrap: int = typer.Option(1000, "--bootstrap", min=1, help="Bootstrap replicates."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    as_json: opt.Json = False,
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Per clause: the judge's agreement with the analysts' gold labels (kappa and its 95%
    lower bound) and whether its flags there are trusted or supervised."""
    from llmqa.agreement.gate import gate_from_store
    from llmqa.agreement.terminal import render_trust_gate

    with workspace(config, home=home).open_store(readonly=True) as store:
        result = gate_from_store(store, min_kappa=min_kappa, min_items=min_items,
                                 n_boot=bootstrap, seed=seed)
    emit(as_json, result.to_dict(), render_trust_gate(result, min_kappa, min_items))
