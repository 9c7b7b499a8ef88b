"""``llmqa guidelines import``: a PDF, Word, HTML or text guideline into llmqa's format."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import print_json, workspace
from llmqa.errors import ConfigError


def import_command(
    file: Path = typer.Argument(..., help="The guideline document: .pdf, .docx, .html, .md or "
                                ".txt."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write <name>.md into."),
    prefix: str | None = typer.Option(None, "--prefix", help="Clause ID prefix, e.g. HATE "
                                      "[default: from the file name]."),
    model: str | None = typer.Option(None, "--model", "-m", help="Let this model propose the "
                                     "structure (only spans of the document are kept); offline "
                                     "without it."),
    base_url: opt.BaseUrl = None,
    method: opt.StructuredMethod = None,
    force: bool = typer.Option(False, "--force", help="Overwrite an existing output file."),
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Import a guideline document; print what was found and what was left out.

    Exit 0 when written; 1 when the file cannot be read (encrypted or image-only PDF, empty
    file, a .docx that is not a Word document); 2 for a bad prefix or an existing output
    without --force.
    """
    from llmqa.guidelines.importing import import_guideline, write_import
    from llmqa.guidelines.importing.writer import valid_prefix

    if prefix is not None and not valid_prefix(prefix):
        raise ConfigError(f"--prefix {prefix!r}: use capital letters and digits, starting with "
                          "a letter (e.g. HATE)")
    target = output / f"{file.stem}.md"
    if target.exists() and not force:
        raise ConfigError(f"{target} exists; pass --force to overwrite it")
    if model:
        from llmqa.guidelines.importing.assisted import import_with_model
        ws = workspace(config, model=model, base_url=base_url, structured_method=method)
        # A whole document's structure is a long answer, and a slow one.
        spec = replace(ws.backend(), timeout=max(ws.settings.timeout, 180), max_tokens=8000)
        result = import_with_model(file, ws.seam(spec), prefix=prefix)
    else:
        result = import_guideline(file, prefix=prefix)
    written = write_import(result, output)
    summary = result.summary
    if as_json:
        print_json({"output": str(written), "prefix": result.prefix} | summary.model_dump())
        return
    typer.echo(f"wrote {written}: {summary.clauses} clauses in {summary.sections} sections, "
               f"{summary.in_scope_examples} in-scope and {summary.out_of_scope_examples} "
               f"out-of-scope examples ({summary.method})")
    typer.echo("labels: " + ", ".join(f"{k} ({v})" for k, v in summary.labels.items()))
    for title, lines in (("left out as front matter", summary.front_matter),
                         ("not understood", summary.not_understood),
                         ("rejected (not in the document)", summary.rejected_spans),
                         ("notes", summary.notes)):
        if lines:
            typer.echo(f"{title}:")
            for line in lines:
                typer.echo(f"  - {line}")
    if summary.furniture_removed:
        typer.echo(f"page headers/footers removed: {summary.furniture_removed} distinct lines")
    typer.echo(f"next: review {written}, then `llmqa guidelines check {output}`")
