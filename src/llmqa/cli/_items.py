"""``llmqa validate``: check an item file row by row."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import COLORS, emit, err, flag, workspace


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
    from llmqa.io.validate import validate_file

    loaded = None if no_guidelines else workspace(config, guidelines).chosen_guidelines(
        guidelines is not None)
    # Streamed, not ws.read_items: a file of any size is checked in constant memory.
    result = validate_file(items, fmt, loaded, max_errors)
    if not as_json:
        for line, severity in result.messages(items, flag):
            err(line, COLORS.get(severity))
    emit(as_json, result.to_dict(items, flag), result.summary())
    if not result.report.ok:
        raise typer.Exit(1)
