"""``llmqa`` command line: a thin shell over the library (see ``llmqa.workspace``).

Exit codes: 0 success; 1 a user-facing failure (bad rows, failed gate, unusable input);
2 a usage or configuration error; 130 interrupted.
"""

from __future__ import annotations

import sqlite3
import sys
import warnings

import typer

from llmqa.cli import (
    _agreement,
    _examples,
    _guidelines,
    _index,
    _items,
    _report,
    _review,
    _store,
    _triage,
)
from llmqa.errors import LlmqaError, UnannotatedWarning

app = typer.Typer(
    name="llmqa",
    help="Annotation QA for policy labelling: guidelines as data, an LLM judge, agreement, "
    "triage.\n\nSettings come from flags, then LLMQA_* environment variables, then llmqa.toml.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Help texts say "[env LLMQA_MODEL]" and "[default: ...]": plain text, not rich markup
    # (which would silently drop them as unknown tags).
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(_guidelines.app, name="guidelines")
app.command("index")(_index.index)
app.command("search")(_index.search)
app.command("validate")(_items.validate)
app.command("review")(_review.review)
app.command("results")(_review.results)
app.command("doctor")(_review.doctor)
app.command("agreement")(_agreement.agreement)
app.command("triage")(_triage.triage)
app.command("examples")(_examples.examples)
app.command("revise")(_examples.revise)
app.command("themes")(_examples.themes)
app.command("report")(_report.report)
app.command("runs")(_store.runs)
app.command("reparse")(_store.reparse)
app.command("prune-vectors")(_store.prune_vectors)


def _version(value: bool) -> None:
    if value:
        from llmqa import __version__

        typer.echo(f"llmqa {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """llmqa: pre-review annotated content against written policy guidelines."""


def _show_warning(message: Warning | str, category: type[Warning], *args: object,
                  **kwargs: object) -> None:
    # llmqa's own warnings are messages for the user: one line, no source location.
    if issubclass(category, UnannotatedWarning):
        typer.secho(f"warning: {message}", err=True, fg=typer.colors.YELLOW)
    else:
        _default_showwarning(message, category, *args, **kwargs)  # type: ignore[arg-type]


_default_showwarning = warnings.showwarning


def _fault(exc: OSError | sqlite3.DatabaseError) -> str:
    if isinstance(exc, sqlite3.DatabaseError):
        return f"the store cannot be read ({exc}); it may be corrupt: move it aside to start anew"
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def main() -> None:
    warnings.showwarning = _show_warning
    try:
        app()
    except LlmqaError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(exc.exit_code)
    except (OSError, sqlite3.DatabaseError) as exc:
        # The last net for faults of the machine rather than of llmqa (a disk filling up, a
        # file vanishing, a store corrupted under us) that no library check named first.
        typer.secho(f"error: {_fault(exc)}", err=True, fg=typer.colors.RED)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.secho("interrupted", err=True)
        sys.exit(130)
