"""``llmqa guidelines ...``: inspect guideline files."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import guidelines_arg, print_json, workspace
from llmqa.cli._guidelines_import import import_command

app = typer.Typer(help="Parse and check policy guidelines.", no_args_is_help=True)
app.command("import", short_help="Turn a PDF, Word, HTML or text guideline into clauses.")(
    import_command)
_PATH_HELP = "Deprecated: use -g."


@app.command("check", short_help="Parse guidelines: clause count, version, problems.")
def check(
    path: Path | None = typer.Argument(None, hidden=True, help=_PATH_HELP),
    guidelines_opt: opt.Guidelines = None,
    as_json: opt.Json = False,
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too."),
    config: opt.Config = None,
) -> None:
    """Parse guidelines; print the clause count, the version and any problems.

    Exit 1 when there are errors (duplicate IDs, clauses without a label), or warnings with
    --strict.
    """
    from llmqa.guidelines import check_guidelines, load_guidelines
    from llmqa.guidelines.check import check_report

    folder = Path(workspace(config, guidelines_arg(path, guidelines_opt)).settings.guidelines)
    guidelines = load_guidelines(folder)
    problems = check_guidelines(guidelines)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if as_json:
        print_json(check_report(guidelines, problems, str(folder)))
    else:
        typer.echo(f"{len(guidelines)} clauses in {len(guidelines.sources)} files, "
                   f"version {guidelines.version}")
        typer.echo(f"labels: {', '.join(guidelines.labels)}")
        for problem in problems:
            typer.secho(str(problem), err=True,
                        fg=typer.colors.RED if problem.severity == "error" else typer.colors.YELLOW)
        typer.echo(f"{len(errors)} errors, {len(warnings)} warnings")
    if errors or (strict and warnings):
        raise typer.Exit(1)


@app.command("list", short_help="List clauses: ID, label, title, example counts.")
def list_clauses(
    path: Path | None = typer.Argument(None, hidden=True, help=_PATH_HELP),
    guidelines_opt: opt.Guidelines = None,
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """List clauses: ID, label, title, example counts."""
    from llmqa.guidelines.check import clause_lines

    guidelines = workspace(config, guidelines_arg(path, guidelines_opt)).guidelines
    if as_json:
        print_json([c.model_dump(mode="json") | {"hash": c.content_hash} for c in guidelines])
        return
    for line in clause_lines(guidelines):
        typer.echo(line)


@app.command("diff", short_help="Clauses added, removed or changed between two versions.")
def diff(
    old: Path = typer.Argument(..., help="Older guidelines folder or file."),
    new: Path = typer.Argument(..., help="Newer guidelines folder or file."),
    as_json: opt.Json = False,
) -> None:
    """Which clauses were added, removed or changed between two guideline versions."""
    from llmqa.guidelines import load_guidelines

    before, after = load_guidelines(old), load_guidelines(new)
    changes = before.diff(after)
    if as_json:
        print_json({"from": before.version, "to": after.version} | changes.model_dump())
        return
    typer.echo(f"{before.version} -> {after.version}")
    for name in ("added", "removed", "changed"):
        for clause_id in getattr(changes, name):
            typer.echo(f"{name:<8} {clause_id}")
    if changes.unchanged:
        typer.echo("no clause changed")
