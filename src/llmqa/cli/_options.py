"""Options several commands share, declared once: ``home: opt.Home = None``.

Typer reads each option from the ``Annotated`` type and its default from the parameter, so a
command lists what it takes in one line per option. The types are plain (str, Path, bool,
float): no model module loads for ``llmqa --help``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Items = Annotated[str, typer.Argument(help="Items file (.jsonl, .json, .csv, .parquet) or - "
                                      "for stdin.")]
AnnotatedItems = Annotated[str, typer.Argument(help="Items file (.jsonl, .csv, .parquet) with "
                                               "annotations.")]
Guidelines = Annotated[Path | None, typer.Option(
    "--guidelines", "-g", help="Guidelines folder or file [env LLMQA_GUIDELINES; default "
    "guidelines/].")]
NoGuidelines = Annotated[bool, typer.Option("--no-guidelines", help="Skip the label and clause "
                                            "checks.")]
Home = Annotated[str | None, typer.Option("--home", help="State folder for the store and local "
                                          "index [env LLMQA_HOME; default .llmqa/].")]
Config = Annotated[Path | None, typer.Option("--config", help="Config file [env LLMQA_CONFIG; "
                                             "default llmqa.toml].")]
ChromaUrl = Annotated[str | None, typer.Option(
    "--chroma-url", help="Use a shared Chroma server (http://host:8000) instead of the local "
    "index [env LLMQA_CHROMA_URL].")]
Embedder = Annotated[str | None, typer.Option(
    "--embedder", help="'local' (all-MiniLM-L6-v2, offline), 'local-onnx' (the same, int8 ONNX "
    "Runtime), 'local-static' (model2vec, distilled from it) or 'openai:MODEL' "
    "[env LLMQA_EMBEDDER].")]
InputFormat = Annotated[str | None, typer.Option("--input-format", help="jsonl, csv or parquet "
                                                 "(default: from the file name).")]
OutputFormat = Annotated[str | None, typer.Option("--output-format", help="jsonl, csv or "
                                                  "parquet (default: from the -o file name).")]
Json = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
Progress = Annotated[bool, typer.Option(
    "--progress/--no-progress", help="Progress bars on standard error for the long steps (shown "
    "on a terminal only).")]
Seed = Annotated[int, typer.Option("--seed", help="Seed for the bootstrap and MACE.")]
Projects = Annotated[list[str] | None, typer.Option("--project", help="Only these projects "
                                                    "(repeatable).")]

# The model: judge, writer, probe.
Model = Annotated[str | None, typer.Option(
    "--model", "-m", help="'local' (embedded, default), a model name for an OpenAI-compatible "
    "endpoint, or class:module:ChatClass for any LangChain chat model [env LLMQA_MODEL].")]
ModelOption = Annotated[list[str] | None, typer.Option(
    "--model-option", help="key=value passed to the model class, e.g. "
    "model=claude-3-5-haiku-latest (repeatable; adds to the [model] table of llmqa.toml).")]
BaseUrl = Annotated[str | None, typer.Option(
    "--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 [env "
    "OPENAI_BASE_URL].")]
StructuredMethod = Annotated[str | None, typer.Option(
    "--structured-method", help="json_schema (default), function_calling or json_mode; "
    "`llmqa doctor` tells which works.")]
Concurrency = Annotated[int | None, typer.Option(
    "--concurrency", "-c", min=1, max=256, help="Requests in flight [env LLMQA_CONCURRENCY; 8].")]
Prices = Annotated[Path | None, typer.Option("--prices", help="Price table (TOML/JSON) "
                                            "[env LLMQA_PRICES].")]
TopK = Annotated[int | None, typer.Option("--top-k", min=1, max=20, help="Clauses retrieved per "
                                          "item [5; 3 for the embedded model].")]

# What counts as the truth: the judge's verdicts, analysts' decisions, a triage queue.
NoJudge = Annotated[bool, typer.Option("--no-judge", help="Ignore the judge's verdicts in the "
                                       "store.")]
Queue = Annotated[Path | None, typer.Option(
    "--queue", help="Triage queue (llmqa triage -o queue.jsonl): items it ranks as likely "
    "errors are listed under 'check first', not used, until an analyst decides them.")]
CheckFirst = Annotated[float, typer.Option(
    "--check-first", min=0.0, max=1.0, help="Likely-error score from which a queued item waits "
    "for a person.")]
Analyst = Annotated[str | None, typer.Option(
    "--analyst", envvar="LLMQA_ANALYST", help="Who decides (required).")]
