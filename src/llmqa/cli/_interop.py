"""``llmqa import`` and ``llmqa export``: Label Studio and Argilla."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import err, workspace

import_app = typer.Typer(help="Turn a labelling tool's export into an items file.",
                         no_args_is_help=True)
export_app = typer.Typer(help="Send items and the judge's suggestions to a labelling tool.",
                         no_args_is_help=True)

ItemsOutput = Annotated[str, typer.Option("--output", "-o", help="Items file to write (.jsonl, "
                                          ".csv, .parquet; default: stdout as JSONL).")]
ItemsFormat = Annotated[str | None, typer.Option("--output-format", help="jsonl, csv or "
                                                 "parquet (default: from -o).")]
JsonOutput = Annotated[str, typer.Option("--output", "-o", help="JSON file to write (default: "
                                         "stdout).")]
ExportItems = Annotated[str | None, typer.Argument(help="Items file to export (default: every "
                                                   "item the store holds a verdict for).")]
MultiLabel = Annotated[bool, typer.Option("--multi-label", help="Let annotators pick several "
                                          "labels per item.")]
Question = Annotated[str, typer.Option("--question", help="The label question's name.")]
NOTES_SHOWN = 20


def _write_items(records: Iterator, report, output: str, output_format: str | None) -> None:
    from llmqa.io.writers import write_records

    rows = (item.model_dump(mode="json", exclude_none=True) for item in report.track(records))
    write_records(rows, output, output_format)
    for error in report.errors:
        err(str(error), "red")
    for note in report.notes[:NOTES_SHOWN]:
        err(note)
    if len(report.notes) > NOTES_SHOWN:
        err(f"... and {len(report.notes) - NOTES_SHOWN} more notes")
    where = "" if output == "-" else f" to {output}"
    err(f"{report.items} items with {report.annotations} annotations written{where}; "
        f"{len(report.errors)} rejected, {len(report.notes)} notes")
    if not report.ok:
        raise typer.Exit(1)


@import_app.command("label-studio")
def import_label_studio(
    export: Path = typer.Argument(..., help="Label Studio JSON export (Export > JSON)."),
    label_config: Path | None = typer.Option(None, "--label-config", help="The project's "
                                             "labelling config XML: tells which data field is "
                                             "text, audio, image or video."),
    output: ItemsOutput = "-",
    output_format: ItemsFormat = None,
) -> None:
    """One item per task, one annotation per annotator; skipped annotations are named."""
    from llmqa.interop.label_studio import import_file
    from llmqa.interop.mapping import ImportReport

    report = ImportReport()
    _write_items(import_file(export, label_config, report), report, output, output_format)


@import_app.command("argilla")
def import_argilla(
    records: Path = typer.Argument(..., help="Argilla records as a JSON array "
                                   "(dataset.records.to_json)."),
    question: Question = "label",
    users: Path | None = typer.Option(None, "--users", help="JSON object mapping Argilla user "
                                      "ids to annotator names."),
    output: ItemsOutput = "-",
    output_format: ItemsFormat = None,
) -> None:
    """One item per record, one annotation per submitted response."""
    from llmqa.interop.argilla import import_file
    from llmqa.interop.mapping import ImportReport
    from llmqa.io.json_file import read_json_file

    names = read_json_file(users, "users file") if users else None
    report = ImportReport()
    _write_items(import_file(records, question, names, report), report, output, output_format)


def _source(items: str | None, fmt: str | None, home: str | None, guidelines: Path | None,
            config: Path | None):
    """The items and suggestions to export, and the labels to offer for them."""
    from llmqa.interop.sources import load_export_source

    ws = workspace(config, guidelines, home=home)
    source = load_export_source(ws.settings.home_path, items, fmt)
    for error in source.read.errors:
        err(str(error), "red")
    if ws.optional_guidelines is None:
        err(f"no guidelines at {ws.settings.guidelines}: offering the labels the items use")
        return source, source.labels(None)
    return source, source.labels(ws.optional_guidelines.labels)


def _write_json(payload: object, output: str) -> None:
    from llmqa.io.writers import json_text, write_text

    write_text(json_text(payload), output)


def _finish(source, count: int, output: str) -> None:
    """Say how much was exported with a suggestion; exit 1 on rejected rows or nothing."""
    with_suggestion = sum(1 for item in source.items if item.id in source.suggestions)
    where = "" if output == "-" else f" to {output}"
    err(f"{count} items written{where}, {with_suggestion} with the judge's suggestion")
    if source.read.rejected or not count:
        raise typer.Exit(1)


@export_app.command("label-studio")
def export_label_studio(
    items: ExportItems = None,
    fmt: opt.InputFormat = None,
    output: JsonOutput = "-",
    label_config: Path | None = typer.Option(None, "--label-config", help="Write the matching "
                                             "labelling config XML here [default: next to -o, "
                                             "as NAME.label_config.xml]."),
    multi_label: MultiLabel = False,
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines whose "
                                           "labels the config offers."),
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Tasks with the judge's suggestion as a prediction (score = confidence), and a config."""
    from llmqa.interop.label_studio import export_tasks, labelling_config

    source, labels = _source(items, fmt, home, guidelines, config)
    tasks, keys = export_tasks(source.items, source.suggestions, multi_label)
    _write_json(tasks, output)
    config_path = label_config or (Path(output).with_suffix(".label_config.xml")
                                   if output != "-" else None)
    if config_path is not None:
        config_path.write_text(labelling_config(labels, keys, multi_label), encoding="utf-8")
        err(f"labelling config written to {config_path}")
    _finish(source, len(tasks), output)


@export_app.command("argilla")
def export_argilla(
    items: ExportItems = None,
    fmt: opt.InputFormat = None,
    output: JsonOutput = "-",
    question: Question = "label",
    multi_label: MultiLabel = False,
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines "
                                           "(their labels are printed for the question)."),
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Records with the judge's suggestion (label, score, agent), for rg.Record.from_dict."""
    from llmqa.interop.argilla import export_records

    source, labels = _source(items, fmt, home, guidelines, config)
    records = list(export_records(source.items, source.suggestions, question, multi_label))
    _write_json(records, output)
    err(f"labels for the {question!r} question: {', '.join(labels)}")
    _finish(source, len(records), output)
