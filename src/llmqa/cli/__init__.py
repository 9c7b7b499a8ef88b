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
    _decisions,
    _examples,
    _guidelines,
    _index,
    _interop,
    _items,
    _policy_ci,
    _report,
    _review,
    _revise,
    _serve,
    _store,
    _themes,
    _triage,
)
from llmqa.cli._common import flag
from llmqa.cli._deprecated import DeprecatingGroup
from llmqa.errors import InputWarning, LlmqaError, fault_message

app = typer.Typer(
    name="llmqa",
    cls=DeprecatingGroup,
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
app.add_typer(_guidelines.app, name="guidelines",
              short_help="Parse, list and compare policy guidelines.")
# One short line each for `llmqa --help`; click would otherwise cut the docstrings mid-sentence.
COMMANDS = {
    "index": (_index.index, "Build or refresh the clause index."),
    "search": (_index.search, "Top clauses for a text."),
    "validate": (_items.validate, "Check an item file row by row."),
    "review": (_review.review, "Judge a batch with the LLM and store the verdicts."),
    "results": (_review.results, "Export stored verdicts with items and human labels."),
    "doctor": (_review.doctor, "Check which structured-output method a model supports."),
    "agreement": (_agreement.agreement, "Agreement, consensus labels, judge vs humans."),
    "triage": (_triage.triage, "Rank likely label errors and ambiguous items."),
    "examples": (_examples.examples, "Generate verified examples for clauses."),
    "revise": (_revise.revise, "Draft clause revisions as a patch."),
    "themes": (_themes.themes, "Recurring annotation error themes, as markdown."),
    "report": (_report.report, "Write a one-page HTML report for a batch."),
    "runs": (_store.runs, "Recent review runs: items, tokens, cost."),
    "reparse": (_store.reparse, "Re-validate stored answers that failed to parse."),
    "prune-vectors": (_store.prune_vectors, "Drop cached item vectors that no longer serve."),
    "policy-ci": (_policy_ci.policy_ci, "Judge a batch under old and new guidelines; gate."),
    "decide": (_decisions.decide, "Record an analyst's decision (gold) on an item."),
    "gate": (_decisions.gate, "Per clause: may the judge flag alone? (trust gate)"),
    "serve": (_serve.serve, "Run the review app where analysts record decisions."),
}
for _name, (_command, _short) in COMMANDS.items():
    app.command(_name, short_help=_short)(_command)  # type: ignore[type-var]
app.add_typer(_interop.import_app, name="import",
              short_help="Items from a Label Studio or Argilla export.")
app.add_typer(_decisions.app, name="decisions",
              short_help="Export, import and show analysts' decisions (gold).")
app.add_typer(_interop.export_app, name="export",
              short_help="Judge suggestions for Label Studio or Argilla.")


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
    if issubclass(category, InputWarning):
        typer.secho(f"warning: {message}", err=True, fg=typer.colors.YELLOW)
    else:
        _default_showwarning(message, category, *args, **kwargs)  # type: ignore[arg-type]


_default_showwarning = warnings.showwarning


def main() -> None:
    warnings.showwarning = _show_warning
    try:
        app()
    except LlmqaError as exc:
        # The library names settings in its hints; the user knows them as flags.
        typer.secho(f"error: {exc.describe(flag)}", err=True, fg=typer.colors.RED)
        sys.exit(exc.exit_code)
    except (OSError, sqlite3.DatabaseError) as exc:
        # The last net for faults of the machine rather than of llmqa (a disk filling up, a
        # file vanishing, a store corrupted under us) that no library check named first.
        typer.secho(f"error: {fault_message(exc)}", err=True, fg=typer.colors.RED)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.secho("interrupted", err=True)
        sys.exit(130)
