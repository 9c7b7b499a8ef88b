"""``llmqa`` command line: a thin shell over the library (see ``llmqa.workspace``).

Exit codes: 0 success; 1 a user-facing failure (bad rows, failed gate, unusable input);
2 a usage or configuration error; 130 interrupted.
"""

from __future__ import annotations

import sys

import typer

from llmqa.cli import (
    _agreement,
    _decisions,
    _examples,
    _gate,
    _guidelines,
    _index,
    _items,
    _report,
    _review,
    _serve,
    _store,
    _triage,
)
from llmqa.errors import LlmqaError

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
app.command("decide")(_decisions.decide)
app.add_typer(_decisions.app, name="decisions")
app.command("gate")(_gate.gate)
app.command("serve")(_serve.serve)


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


def main() -> None:
    try:
        app()
    except LlmqaError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.secho("interrupted", err=True)
        sys.exit(130)
