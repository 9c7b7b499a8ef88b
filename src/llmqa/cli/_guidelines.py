"""``llmqa guidelines ...``: inspect guideline files."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli._common import ConfigOpt, JsonOpt, print_json, settings
from llmqa.cli._guidelines_import import import_command
from llmqa.guidelines import check_guidelines, load_guidelines

app = typer.Typer(help="Parse and check policy guidelines.", no_args_is_help=True)
app.command("import")(import_command)


@app.command("check")
def check(
    path: Path | None = typer.Argument(None, help="Guidelines folder or file [default: "
                                       "guidelines/ or LLMQA_GUIDELINES]."),
    as_json: bool = JsonOpt,
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too."),
    config: Path | None = ConfigOpt,
) -> None:
    """Parse guidelines; print the clause count, the version and any problems.

    Exit 1 when there are errors (duplicate IDs, clauses without a label), or warnings with
    --strict.
    """
    folder = path or Path(settings(config).guidelines)
    guidelines = load_guidelines(folder)
    problems = check_guidelines(guidelines)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if as_json:
        print_json({
            "path": str(folder), "version": guidelines.version, "clauses": len(guidelines),
            "files": len(guidelines.sources), "labels": list(guidelines.labels),
            "examples": {"in_scope": sum(len(c.in_scope) for c in guidelines),
                         "out_of_scope": sum(len(c.out_of_scope) for c in guidelines)},
            "problems": [p.to_dict() for p in problems],
            "clause_hashes": guidelines.clause_hashes(),
        })
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


@app.command("list")
def list_clauses(
    path: Path | None = typer.Argument(None, help="Guidelines folder or file."),
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """List clauses: ID, label, title, example counts."""
    guidelines = load_guidelines(path or Path(settings(config).guidelines))
    if as_json:
        print_json([c.model_dump(mode="json") | {"hash": c.content_hash} for c in guidelines])
        return
    for clause in guidelines:
        typer.echo(f"{clause.id:<12} {clause.label or '-':<18} {clause.title}  "
                   f"[{len(clause.in_scope)} in / {len(clause.out_of_scope)} out]")


@app.command("diff")
def diff(
    old: Path = typer.Argument(..., help="Older guidelines folder or file."),
    new: Path = typer.Argument(..., help="Newer guidelines folder or file."),
    as_json: bool = JsonOpt,
) -> None:
    """Which clauses were added, removed or changed between two guideline versions."""
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
