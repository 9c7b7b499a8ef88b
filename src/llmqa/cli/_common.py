"""Options and output helpers shared by the commands."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from llmqa.config import Settings, load_settings

GuidelinesOpt = typer.Option(None, "--guidelines", "-g", envvar=None,
                             help="Guidelines folder or file [env LLMQA_GUIDELINES; default "
                             "guidelines/].")
HomeOpt = typer.Option(None, "--home", help="State folder for the store and local index "
                       "[env LLMQA_HOME; default .llmqa/].")
ChromaUrlOpt = typer.Option(None, "--chroma-url", help="Use a shared Chroma server "
                            "(http://host:8000) instead of the local index [env LLMQA_CHROMA_URL].")
EmbedderOpt = typer.Option(None, "--embedder", help="'local' (all-MiniLM-L6-v2, offline), "
                           "'local-onnx' (the same, int8 ONNX Runtime), 'local-static' "
                           "(model2vec, distilled from it) or 'openai:MODEL' "
                           "[env LLMQA_EMBEDDER].")
ItemsArg = typer.Argument(..., help="Items file (.jsonl, .json, .csv, .parquet) or - for stdin.")
FormatOpt = typer.Option(None, "--format", "-f", help="jsonl, csv or parquet (default: from the "
                         "file name).")
JsonOpt = typer.Option(False, "--json", help="Print machine-readable JSON.")
ProgressOpt = typer.Option(True, "--progress/--no-progress", help="Progress bars on standard "
                           "error for the long steps (shown on a terminal only).")
ConfigOpt = typer.Option(None, "--config", help="Config file [env LLMQA_CONFIG; default "
                         "llmqa.toml].", exists=False)


class ConsensusMethod(StrEnum):
    """How a consensus label is formed (agreement.compute_consensus)."""

    MAJORITY = "majority"
    DAWID_SKENE = "dawid-skene"
    MACE = "mace"


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


def judge_config(spec, samples: int, top_k: int | None, send_images: bool | None,
                 timeout: float, attempts: int):
    """Judge settings for a backend, with the CLI's retry budget."""
    from llmqa.judge import JudgeConfig
    from llmqa.llm.retry import RetryPolicy

    retry = RetryPolicy(max_attempts=attempts, deadline=max(timeout * attempts * 2, 60.0))
    return JudgeConfig.for_backend(spec, samples=samples, top_k=top_k, retry=retry,
                                   send_images=None if spec.is_local else send_images)


def settings(config: Path | None = None, **flags: Any) -> Settings:
    return load_settings(config_file=config, **flags)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def err(message: str, color: str | None = None) -> None:
    typer.secho(message, err=True, fg=color)


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain aligned table: readable in a terminal, pasteable into a ticket."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
