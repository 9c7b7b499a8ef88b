"""``llmqa import`` and ``llmqa export``: Label Studio and Argilla."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import err, flag, workspace

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
Users = Annotated[Path | None, typer.Option(
    "--users", help="Names for the tool's user ids: a JSON object (id -> name) or the tool's "
    "own user list (objects with id and email or username).")]
ShowAnnotations = Annotated[bool, typer.Option(
    "--show-annotations", help="Show the items' annotations (annotator: label) beside each "
    "item; they travel with it either way.")]


def _imported(report, output: str, shown: int = 20) -> None:
    for error in report.errors[:shown]:
        err(str(error), "red")
    if len(report.errors) > shown:
        err(f"... and {len(report.errors) - shown} more rejected rows", "red")
    err("\n".join(report.summary(output, name=flag)))
    if not report.ok:
        raise typer.Exit(1)


@import_app.command("label-studio")
def import_label_studio(
    export: Path = typer.Argument(..., help="Label Studio JSON export (Export > JSON)."),
    label_config: Path | None = typer.Option(
        None, "--label-config", help="The project's labelling config XML: tells which data "
        "field is text, audio, image or video."),
    gold: str | None = typer.Option(
        None, "--gold", help="Write ground-truth annotations here as analysts' decisions (gold "
        "rows for `llmqa decisions import`) instead of as annotations."),
    choices: str | None = typer.Option(
        None, "--choices", help="The Choices control (its name) whose answer is the label "
        "[default: the labelling config's first; without one, the first the export answers]."),
    media_root: Path | None = typer.Option(
        None, "--media-root", help="Label Studio's media folder, where files uploaded to it "
        "(/data/upload/...) are [default: $LABEL_STUDIO_BASE_DATA_DIR/media]."),
    users: Users = None,
    output: ItemsOutput = "-",
    output_format: ItemsFormat = None,
) -> None:
    """One item per task, one annotation per annotator (first those an llmqa export carried);
    skipped annotations are named."""
    from llmqa.interop.convert import items_from_label_studio

    _imported(items_from_label_studio(export, output, label_config=label_config, users=users,
                                      output_format=output_format, gold=gold, choices=choices,
                                      media_root=media_root), output)


@import_app.command("argilla")
def import_argilla(
    records: Path = typer.Argument(..., help="Argilla records as a JSON array "
                                   "(dataset.records.to_json), or a dataset.to_disk folder."),
    question: Question = "label",
    users: Users = None,
    output: ItemsOutput = "-",
    output_format: ItemsFormat = None,
) -> None:
    """One item per record, one annotation per submitted response (first those an llmqa
    export carried)."""
    from llmqa.interop.convert import items_from_argilla

    _imported(items_from_argilla(records, output, question=question, users=users,
                                 output_format=output_format), output)


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
    return source, source.labels(ws.optional_guidelines.labels if ws.optional_guidelines
                                 else None)


def _exported(exported, output: str) -> None:
    err(exported.summary(output))
    if not exported.ok:
        raise typer.Exit(1)


@export_app.command("label-studio")
def export_label_studio(
    items: ExportItems = None,
    fmt: opt.InputFormat = None,
    output: JsonOutput = "-",
    label_config: Path | None = typer.Option(
        None, "--label-config", help="Write the matching labelling config XML here [default: "
        "next to -o, as NAME.label_config.xml]."),
    multi_label: MultiLabel = False,
    show_annotations: ShowAnnotations = False,
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines whose "
                                           "labels the config offers."),
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Tasks with the judge's suggestion as a prediction (score = confidence), and a config.

    Each item's annotations travel in its task, so `llmqa import label-studio` brings them
    back beside the ones made in Label Studio.
    """
    from llmqa.interop.convert import to_label_studio

    source, labels = _source(items, fmt, home, guidelines, config)
    config_path = label_config or (Path(output).with_suffix(".label_config.xml")
                                   if output != "-" else None)
    exported = to_label_studio(source, labels, output, config_path=config_path,
                               multi_label=multi_label, show_annotations=show_annotations)
    if config_path is not None:
        err(f"labelling config written to {config_path}")
    _exported(exported, output)


@export_app.command("argilla")
def export_argilla(
    items: ExportItems = None,
    fmt: opt.InputFormat = None,
    output: JsonOutput = "-",
    question: Question = "label",
    multi_label: MultiLabel = False,
    show_annotations: ShowAnnotations = False,
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines "
                                           "(their labels are printed for the question)."),
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Records with the judge's suggestion (label, score, agent), for rg.Record.from_dict.

    Each item's annotations travel in its record's metadata, so `llmqa import argilla` brings
    them back beside the responses given in Argilla.
    """
    from llmqa.interop.convert import to_argilla

    source, labels = _source(items, fmt, home, guidelines, config)
    exported = to_argilla(source, labels, output, question=question, multi_label=multi_label,
                          show_annotations=show_annotations)
    err(f"labels for the {question!r} question: {', '.join(labels)}")
    _exported(exported, output)
