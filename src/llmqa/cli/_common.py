"""Options and output helpers shared by the commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from llmqa.text import table  # noqa: F401 - re-exported for the command modules

if TYPE_CHECKING:  # the workspace loads with the first command that runs, not for --help
    from llmqa.workspace import Workspace

GuidelinesOpt = typer.Option(None, "--guidelines", "-g", help="Guidelines folder or file "
                             "[env LLMQA_GUIDELINES; default guidelines/].")
HomeOpt = typer.Option(None, "--home", help="State folder for the store and local index "
                       "[env LLMQA_HOME; default .llmqa/].")
ChromaUrlOpt = typer.Option(None, "--chroma-url", help="Use a shared Chroma server "
                            "(http://host:8000) instead of the local index [env LLMQA_CHROMA_URL].")
EmbedderOpt = typer.Option(None, "--embedder", help="'local' (all-MiniLM-L6-v2, offline), "
                           "'local-onnx' (the same, int8 ONNX Runtime), 'local-static' "
                           "(model2vec, distilled from it) or 'openai:MODEL' "
                           "[env LLMQA_EMBEDDER].")
ItemsArg = typer.Argument(..., help="Items file (.jsonl, .json, .csv, .parquet) or - for stdin.")
InputFormatOpt = typer.Option(None, "--input-format", help="jsonl, csv or parquet (default: "
                              "from the file name).")
OutputFormatOpt = typer.Option(None, "--output-format", help="jsonl, csv or parquet (default: "
                               "from the -o file name).")
JsonOpt = typer.Option(False, "--json", help="Print machine-readable JSON.")
ProgressOpt = typer.Option(True, "--progress/--no-progress", help="Progress bars on standard "
                           "error for the long steps (shown on a terminal only).")
ConfigOpt = typer.Option(None, "--config", help="Config file [env LLMQA_CONFIG; default "
                         "llmqa.toml].", exists=False)
ModelOpt = typer.Option(None, "--model", "-m", help="'local' (embedded, default), a model name "
                        "for an OpenAI-compatible endpoint, or class:module:ChatClass for any "
                        "LangChain chat model [env LLMQA_MODEL].")
ModelOptionOpt = typer.Option(None, "--model-option", help="key=value passed to the model "
                              "class, e.g. model=claude-3-5-haiku-latest (repeatable; adds to "
                              "the [model] table of llmqa.toml).")
BaseUrlOpt = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint, e.g. "
                          "http://localhost:8000/v1 [env OPENAI_BASE_URL].")
MethodOpt = typer.Option(None, "--structured-method", help="json_schema (default), "
                         "function_calling or json_mode; `llmqa doctor` tells which works.")
NoJudgeOpt = typer.Option(False, "--no-judge", help="Ignore the judge's verdicts in the store.")


def workspace(config: Path | None = None, guidelines: Path | str | None = None,
              **flags: Any) -> Workspace:
    """The workspace for a command's flags (``None`` = not given: env, then config file)."""
    from llmqa.workspace import Workspace

    return Workspace.from_settings(config_file=config,
                                   guidelines=str(guidelines) if guidelines else None, **flags)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def err(message: str, color: str | None = None) -> None:
    typer.secho(message, err=True, fg=color)


def flag(option: str) -> str:
    """The CLI spelling of a library option name: ``max_cost`` -> ``--max-cost``."""
    return "--" + option.replace("_", "-")


def read_valid(ws: Workspace, path: str, fmt: str | None, *, check: Any = None,
               limit: int | None = None, shown: int = 20) -> tuple[list[Any], int]:
    """Valid items and the count of rejected rows; the first ``shown`` rejections are printed.
    No valid item at all is an error."""
    from llmqa.errors import InputError

    items, report = ws.read_items(path, fmt, check=check, limit=limit)
    for error in report.errors[:shown]:
        err(str(error), "red")
    if report.rejected > shown:
        err(f"... and {report.rejected - shown} more rejected rows", "red")
    if not items:
        raise InputError(f"{path}: no valid items")
    return items, report.rejected


def guidelines_arg(positional: Path | None, option: Path | None) -> Path | None:
    """Guidelines named the old way (a positional argument) still work, with a warning."""
    if positional is not None:
        err(f"warning: a positional guidelines path is deprecated; use -g {positional}",
            "yellow")
    return option or positional


QueueOpt = typer.Option(None, "--queue", help="Triage queue (llmqa triage -o queue.jsonl): "
                        "items it ranks as likely errors are listed under 'check first', not "
                        "used, until an analyst decides them.")
CheckFirstOpt = typer.Option(0.75, "--check-first", min=0.0, max=1.0, help="Likely-error "
                             "score from which a queued item waits for a person.")
