"""``llmqa validate``: check an item file row by row."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import err, print_json, workspace


def validate(
    items: opt.Items,
    fmt: opt.InputFormat = None,
    guidelines: Path | None = typer.Option(
        None, "--guidelines", "-g", help="Also check labels and clause IDs against these "
        "guidelines [default: guidelines/ when it exists]."),
    no_guidelines: opt.NoGuidelines = False,
    max_errors: int = typer.Option(50, "--max-errors", help="Print at most this many row errors."),
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Validate every row; name file:line and field for each bad row.

    Exit 0 when every row is valid, 1 when any row was rejected or the file holds no items.
    """
    from llmqa.io.foreign import TOOL_NAMES
    from llmqa.io.validate import validate_file

    loaded = None if no_guidelines else workspace(config, guidelines).chosen_guidelines(
        guidelines is not None)
    # Streamed, not ws.read_items: a file of any size is checked in constant memory.
    result = validate_file(items, fmt, loaded, max_errors)
    report, foreign = result.report, result.foreign
    hint = f"llmqa import {foreign} {items} -o items.jsonl" if foreign else None
    if as_json:
        print_json(result.to_dict(items) | ({"foreign_export": foreign, "hint": hint}
                                            if foreign else {}))
    else:
        for error in report.errors:
            err(str(error), "red")
        if foreign:
            err(f"{items} is an export from {TOOL_NAMES[foreign]}, not an llmqa items file; "
                f"convert it with: {hint}", "yellow")
        if report.rejected > len(report.errors):
            err(f"... and {report.rejected - len(report.errors)} more rejected rows")
        typer.echo(result.summary())
        if report.accepted == 0 and report.rejected == 0:
            err(f"{items}: no items found (empty file?)", "red")
    if not report.ok:
        raise typer.Exit(1)
