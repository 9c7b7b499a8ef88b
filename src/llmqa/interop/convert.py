"""Whole conversions with a labelling tool, each one call: a tool's export into an items file
(with the report of what was left out), and items with the judge's suggestions into a file
the tool imports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from llmqa.errors import IMPORT_STEPS, Hint, UsageError
from llmqa.interop.mapping import ImportReport
from llmqa.interop.users import read_users
from llmqa.io.writers import check_records_output, json_text, write_records, write_text

if TYPE_CHECKING:
    from llmqa.interop.sources import ExportSource
    from llmqa.io.readers import RowError
    from llmqa.items import Item
    from llmqa.store.decisions import Decision

Users = str | Path | Mapping[str, str] | None  # a users file, or its names


def _write_items(records: Iterator[Item | RowError], report: ImportReport, output: str | Path,
                 output_format: str | None, export: str | Path, tool: str) -> ImportReport:
    from llmqa.io.foreign import TOOL_NAMES, file_export_kind, misread

    rows = (item.model_dump(mode="json", exclude_none=True) for item in report.track(records))
    write_records(rows, output, output_format)
    if not report.items and report.errors:
        # Every row refused: most likely the other tool's export, which its own errors
        # (a missing field per row) would not say.
        kind = file_export_kind(export)
        if kind is not None and kind != tool:
            said = Hint.literal(misread(export, kind, TOOL_NAMES[tool]))
            report.other_tool = Hint(said + ": convert it with {}", (IMPORT_STEPS[kind],))
    return report


def items_from_label_studio(export: str | Path, output: str | Path = "-", *,
                            label_config: str | Path | None = None,
                            output_format: str | None = None,
                            gold: str | Path | None = None, users: Users = None,
                            choices: str | None = None,
                            media_root: str | Path | None = None) -> ImportReport:
    """Write one item per Label Studio task, one annotation per annotator, to ``output``
    (``-``: standard output); ``label_config`` tells which data field is which modality,
    ``choices`` which Choices control holds the label (default: the config's first).
    With ``gold``, ground-truth annotations are written there as gold rows (for
    ``llmqa decisions import``) instead of as annotations. ``users`` (a users file or a
    mapping, ``interop.users``) names Label Studio's user ids. Files uploaded to Label Studio
    (``/data/upload/...``) are read from ``media_root``, its media folder (default:
    ``$LABEL_STUDIO_BASE_DATA_DIR/media``; see ``interop.ls_media``)."""
    from llmqa.interop.label_studio import import_file
    from llmqa.interop.ls_media import LabelStudioMedia

    if gold is not None:  # a gold path that cannot be written is said before any work
        if str(gold) == "-" and str(output) == "-":
            raise UsageError("the items and the gold rows would both go to standard output",
                             hint=Hint("name a file with {}", ("output",)))
        check_records_output(gold)
    report = ImportReport()
    decisions: list[Decision] = []
    media = LabelStudioMedia.from_environment(media_root)
    _write_items(media.resolved(import_file(export, label_config, report,
                                            decisions if gold is not None else None,
                                            _names(users), choices)),
                 report, output, output_format, export, "label-studio")
    report.hints += media.hints()
    if gold is not None:
        from llmqa.store.gold import gold_record

        report.gold = (str(gold), write_records(map(gold_record, decisions), gold))
    return report


def items_from_argilla(records: str | Path, output: str | Path = "-", *,
                       question: str = "label", users: Users = None,
                       output_format: str | None = None) -> ImportReport:
    """Write one item per Argilla record, one annotation per submitted response to
    ``question``; ``users`` (a users file or a mapping, ``interop.users``) names Argilla's
    user ids."""
    from llmqa.interop.argilla import import_file

    report = ImportReport()
    return _write_items(import_file(records, question, _names(users), report), report, output,
                        output_format, records, "argilla")


def _names(users: Users) -> Mapping[str, str] | None:
    """Read before any item is written: a bad users file stops the import at once."""
    return read_users(users) if isinstance(users, str | Path) else users


@dataclass
class Exported:
    """What an export wrote: how many tasks or records, and from what."""

    source: ExportSource
    count: int
    labels: list[str]

    @property
    def with_suggestion(self) -> int:
        return sum(1 for item in self.source.items if item.id in self.source.suggestions)

    @property
    def ok(self) -> bool:
        """Nothing rejected on the way in, and something written."""
        return not self.source.read.rejected and self.count > 0

    @property
    def with_annotations(self) -> int:
        return sum(1 for item in self.source.items if item.annotations)

    def summary(self, output: str | Path) -> str:
        where = "" if str(output) == "-" else f" to {output}"
        return (f"{self.count} items written{where}, {self.with_suggestion} with the judge's "
                f"suggestion, {self.with_annotations} with their annotations")


def to_label_studio(source: ExportSource, labels: list[str], output: str | Path = "-", *,
                    config_path: str | Path | None = None, multi_label: bool = False,
                    show_annotations: bool = False) -> Exported:
    """Tasks with the judge's suggestion as a prediction (score = confidence) to ``output``,
    and the matching labelling config to ``config_path`` when given; ``show_annotations``
    shows the items' annotations to whoever labels them."""
    from llmqa.interop.label_studio import export_tasks, labelling_config

    tasks, keys = export_tasks(source.items, source.suggestions, multi_label, show_annotations)
    write_text(json_text(tasks), output)
    if config_path is not None:
        write_text(labelling_config(labels, keys, multi_label), config_path)
    return Exported(source, len(tasks), labels)


def to_argilla(source: ExportSource, labels: list[str], output: str | Path = "-", *,
               question: str = "label", multi_label: bool = False,
               show_annotations: bool = False) -> Exported:
    """Records with the judge's suggestion (label, score, agent), for ``rg.Record.from_dict``;
    ``show_annotations`` adds an ``annotator_labels`` field."""
    from llmqa.interop.argilla import export_records

    records = list(export_records(source.items, source.suggestions, question, multi_label,
                                  show_annotations))
    write_text(json_text(records), output)
    return Exported(source, len(records), labels)
