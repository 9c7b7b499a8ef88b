"""Helpers the commands share: the workspace for their flags, and output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from llmqa.errors import Step

if TYPE_CHECKING:  # the workspace loads with the first command that runs, not for --help
    from llmqa.workspace import Workspace


def workspace(config: Path | None = None, guidelines: Path | str | None = None, *,
              model_option: list[str] | None = None, prices: Path | None = None,
              **flags: Any) -> Workspace:
    """The workspace for a command's flags (``None`` = not given: env, then config file)."""
    from llmqa.config import parse_model_options
    from llmqa.workspace import Workspace

    if model_option:
        flags["model_options"] = parse_model_options(model_option)
    if prices is not None:
        flags["prices"] = str(prices)
    return Workspace.from_settings(config_file=config,
                                   guidelines=str(guidelines) if guidelines else None, **flags)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def emit(as_json: bool, payload: Any, text: str) -> None:
    """The payload as JSON with ``--json``, else the text for people."""
    if as_json:
        print_json(payload)
    else:
        typer.echo(text)


def wrote(out: str | Path | None, count: int, what: str) -> None:
    """Say on standard error what went to a file; nothing when it went to standard output."""
    if out not in (None, "-"):
        err(f"wrote {count} {what} to {out}")


EXIT_BUDGET = 3  # stopped at --max-cost: not a failure, and a re-run resumes
COLORS = {"error": "red", "warning": "yellow"}  # for a library message's severity


def err(message: str, color: str | None = None) -> None:
    typer.secho(message, err=True, fg=color)


def flag(option: str | Step) -> str:
    """The CLI spelling of a library option name or step: ``max_cost`` -> ``--max-cost``,
    ``INDEX`` -> `llmqa index`."""
    if isinstance(option, Step):
        return f"`llmqa {option.name}`"
    return "--" + option.replace("_", "-")


def one_stdout(users: dict[str, bool]) -> None:
    """Refuse two outputs bound for standard output (named by their flags)."""
    named = [name for name, used in users.items() if used]
    if len(named) > 1:
        from llmqa.errors import UsageError

        raise UsageError(f"{' and '.join(named)} would all write to standard output; pick one")


def read_valid(ws: Workspace, path: str, fmt: str | None, *, check: Any = None,
               limit: int | None = None, shown: int = 20) -> tuple[list[Any], int]:
    """Valid items and the count of rejected rows; the first ``shown`` rejections are printed.
    No valid item at all is an error."""
    from llmqa.errors import InputError
    from llmqa.io.validate import ItemChecks

    items, report = ws.read_items(path, fmt, check=check, limit=limit)
    # Rows refused for their labels and none passed: the wrong guidelines, said once below.
    mismatch = not items and isinstance(check, ItemChecks) and check.unknown_labels
    shown = 3 if mismatch else shown
    for error in report.errors[:shown]:
        err(str(error), "red")
    if report.rejected > shown:
        err(f"... and {report.rejected - shown} more rejected rows", "red")
    if mismatch:
        raise check.wrong_guidelines(path, ws.guidelines.labels)
    if not items:
        raise InputError(f"{path}: no valid items")
    return items, report.rejected


def guideline_use(given: Path | None, skip: bool) -> bool | None:
    """``-g`` and ``--no-guidelines`` as the library's ``use_guidelines``: ``False`` skipped,
    ``True`` required (named), ``None`` used when guidelines/ exists."""
    return False if skip else (given is not None or None)

