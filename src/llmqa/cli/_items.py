"""``llmqa validate``: check an item file row by row."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli._common import (
    ConfigOpt,
    InputFormatOpt,
    ItemsArg,
    JsonOpt,
    err,
    print_json,
    workspace,
)

_TOOL_NAMES = {"label-studio": "Label Studio", "argilla": "Argilla"}


def validate(
    items: str = ItemsArg,
    fmt: str | None = InputFormatOpt,
    guidelines: Path | None = typer.Option(
        None, "--guidelines", "-g", help="Also check labels and clause IDs against these "
        "guidelines [default: guidelines/ when it exists]."),
    no_guidelines: bool = typer.Option(False, "--no-guidelines",
                                       help="Skip the label and clause checks."),
    max_errors: int = typer.Option(50, "--max-errors", help="Print at most this many row errors."),
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Validate every row; name file:line and field for each bad row.

    Exit 0 when every row is valid, 1 when any row was rejected or the file holds no items.
    """
    from llmqa.io.foreign import file_export_kind
    from llmqa.io.readers import ReadReport, read_items
    from llmqa.io.validate import ItemChecks
    from llmqa.items import Item

    label_set = clause_ids = None
    if not no_guidelines:
        ws = workspace(config, guidelines)
        loaded = ws.guidelines if guidelines is not None else ws.optional_guidelines
        if loaded is not None:
            label_set, clause_ids = set(loaded.labels), set(loaded.by_id)
    report = ReadReport(max_errors_kept=max_errors)
    modalities: dict[str, int] = {}
    # Streamed, not ws.read_items: a file of any size is checked in constant memory.
    for record in read_items(items, fmt, ItemChecks(label_set, clause_ids)):
        report.add(record)
        if isinstance(record, Item):
            modality = record.content.modality.value
            modalities[modality] = modalities.get(modality, 0) + 1
    foreign = file_export_kind(items) if items != "-" and report.accepted == 0 else None
    hint = f"llmqa import {foreign} {items} -o items.jsonl" if foreign else None
    if as_json:
        payload = {"source": items, "valid": report.accepted, "rejected": report.rejected,
                   "modalities": modalities, "errors": [str(e) for e in report.errors],
                   "problems": [{"line": e.line, "unit": e.unit, "problems": e.problems()}
                                for e in report.errors]}
        print_json(payload | ({"foreign_export": foreign, "hint": hint} if foreign else {}))
    else:
        for error in report.errors:
            err(str(error), "red")
        if hint:
            err(f"{items} is an export from {_TOOL_NAMES[foreign]}, not an llmqa items file; "
                f"convert it with: {hint}", "yellow")
        if report.rejected > len(report.errors):
            err(f"... and {report.rejected - len(report.errors)} more rejected rows")
        summary = f"{report.accepted} valid items, {report.rejected} rejected"
        if modalities:
            summary += " (" + ", ".join(f"{k} {v}" for k, v in sorted(modalities.items())) + ")"
        typer.echo(summary)
        if report.accepted == 0 and report.rejected == 0:
            err(f"{items}: no items found (empty file?)", "red")
    if not report.ok:
        raise typer.Exit(1)
