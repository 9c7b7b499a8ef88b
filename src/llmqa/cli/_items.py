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
from llmqa.io.readers import ReadReport, read_items
from llmqa.io.validate import ItemChecks
from llmqa.items import Item


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
    if as_json:
        print_json({"source": items, "valid": report.accepted, "rejected": report.rejected,
                    "modalities": modalities, "errors": [str(e) for e in report.errors]})
    else:
        for error in report.errors:
            err(str(error), "red")
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
