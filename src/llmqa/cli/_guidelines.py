"""``llmqa guidelines check|list|diff|import``: inspect guideline files, import foreign ones."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import COLORS, emit, err, print_json, workspace
from llmqa.cli._deprecated import DeprecatingGroup

app = typer.Typer(help="Parse and check policy guidelines.", no_args_is_help=True,
                  cls=DeprecatingGroup)


@app.command("check", short_help="Parse guidelines: clause count, version, problems.")
def check(
    guidelines: opt.Guidelines = None,
    as_json: opt.Json = False,
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too."),
    config: opt.Config = None,
) -> None:
    """Parse guidelines; print the clause count, the version and any problems.

    Exit 1 when there are errors (duplicate IDs, clauses without a label), or warnings with
    --strict.
    """
    from llmqa.guidelines.check import check as run_check
    from llmqa.guidelines.terminal import check_headline

    result = run_check(workspace(config, guidelines).settings.guidelines, from_setting=True)
    if not as_json:
        for problem in result.problems:
            err(str(problem), COLORS[problem.severity])
    emit(as_json, result.to_dict(), check_headline(result))
    if not result.passed(strict):
        raise typer.Exit(1)


@app.command("list", short_help="List clauses: ID, label, title, example counts.")
def list_clauses(
    guidelines: opt.Guidelines = None,
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """List clauses: ID, label, title, example counts."""
    from llmqa.guidelines.terminal import clause_lines

    loaded = workspace(config, guidelines).guidelines
    emit(as_json, [c.model_dump(mode="json") | {"hash": c.content_hash} for c in loaded],
         "\n".join(clause_lines(loaded)))


@app.command("diff", short_help="Clauses added, removed or changed between two versions.")
def diff(
    old: Path = typer.Argument(..., help="Older guidelines folder or file."),
    new: Path = typer.Argument(..., help="Newer guidelines folder or file."),
    as_json: opt.Json = False,
) -> None:
    """Which clauses were added, removed or changed between two guideline versions."""
    from llmqa.guidelines import load_guidelines
    from llmqa.guidelines.terminal import diff_text

    before, after = load_guidelines(old), load_guidelines(new)
    emit(as_json, {"from": before.version, "to": after.version} | before.diff(after).model_dump(),
         diff_text(before, after))


@app.command("import", short_help="Turn a PDF, Word, HTML or text guideline into clauses.")
def import_command(
    file: Path = typer.Argument(..., help="The guideline document: .pdf, .docx, .html, .md or "
                                ".txt."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write <name>.md into."),
    prefix: str | None = typer.Option(None, "--prefix", help="Clause ID prefix, e.g. HATE "
                                      "[default: from the file name]."),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Let this model propose the structure (only spans of the "
        "document are kept); offline without it."),
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
    from llmqa.guidelines.importing import import_to_folder
    from llmqa.guidelines.terminal import import_text

    seam = None
    if model:
        ws = workspace(config, model=model, base_url=base_url, structured_method=method)
        # A whole document's structure is a long answer, and a slow one.
        seam = ws.seam(replace(ws.backend(), timeout=max(ws.settings.timeout, 180),
                               max_tokens=8000))
    result, written = import_to_folder(file, output, prefix=prefix, seam=seam, force=force)
    if as_json:
        print_json({"output": str(written), "prefix": result.prefix, "no_violation_label":
                    result.no_violation_label} | result.summary.model_dump())
        return
    typer.echo(import_text(result, written))
    typer.echo(f"next: review {written}, then `llmqa guidelines check -g {output}`")
