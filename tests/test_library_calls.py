"""The library calls behind `guidelines check|diff|import`, `import`/`export` and `search
--file`, driven from Python as a script would, without the CLI."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from interop_support import LS_EXPORT, stored_verdicts
from llmqa.errors import ConfigError, fault_message
from llmqa.guidelines import load_guidelines
from llmqa.guidelines.check import check
from llmqa.guidelines.importing import import_to_folder
from llmqa.guidelines.terminal import check_headline, diff_text, import_text
from llmqa.interop.convert import items_from_label_studio, to_argilla, to_label_studio
from llmqa.interop.sources import load_export_source

ROOT = Path(__file__).resolve().parent.parent

GUIDE = """# Spam

## SPAM-1: Bulk promotion
Label: spam

Unsolicited bulk promotion.

In scope:
- "buy followers now"

Out of scope:
- "our shop opens at 9"
"""


def test_check_counts_problems_and_passes_only_without_errors(tmp_path: Path) -> None:
    (tmp_path / "spam.md").write_text(GUIDE + GUIDE.replace("# Spam\n", ""), encoding="utf-8")
    result = check(tmp_path)
    assert [p.clause_id for p in result.errors] == ["SPAM-1"]  # defined twice
    assert result.warnings and not result.passed() and not result.passed(strict=False)
    assert result.to_dict()["clauses"] == 2 and result.to_dict()["path"] == str(tmp_path)
    shipped = check(ROOT / "guidelines")
    assert shipped.passed() and shipped.passed(strict=True) == (not shipped.warnings)
    assert check_headline(shipped).startswith(f"{len(shipped.guidelines)} clauses in ")


def test_diff_text_names_each_changed_clause(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "spam.md").write_text(GUIDE, encoding="utf-8")
    (tmp_path / "b" / "spam.md").write_text(GUIDE.replace("Unsolicited", "Unasked"),
                                            encoding="utf-8")
    before, after = load_guidelines(tmp_path / "a"), load_guidelines(tmp_path / "b")
    assert diff_text(before, after).splitlines()[1:] == ["changed  SPAM-1"]
    assert diff_text(before, before).endswith("no clause changed")


def test_import_to_folder_refuses_a_bad_prefix_and_an_existing_file(tmp_path: Path) -> None:
    source = tmp_path / "policy.txt"
    source.write_text("1. Spam\nBulk promotion is spam, e.g. \"buy followers now\".\n"
                      "2. Scams\nPromises of money for a fee are scams.\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="prefix 'spam'") as bad:
        import_to_folder(source, tmp_path / "out", prefix="spam")
    assert "--" not in str(bad.value)  # the library names settings, not flags
    result, written = import_to_folder(source, tmp_path / "out", prefix="POL")
    assert written == tmp_path / "out" / "policy.md" and written.exists()
    assert import_text(result, written).startswith(f"wrote {written}: ")
    with pytest.raises(ConfigError, match="exists") as again:
        import_to_folder(source, tmp_path / "out")
    assert "`force`" in str(again.value)
    import_to_folder(source, tmp_path / "out", force=True)
    assert load_guidelines(tmp_path / "out").by_id  # the written file parses as clauses


def test_items_from_label_studio_writes_items_and_reports(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps(LS_EXPORT), encoding="utf-8")
    report = items_from_label_studio(export, tmp_path / "items.jsonl")
    rows = (tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == report.items == 3 and report.ok
    assert report.summary(tmp_path / "items.jsonl")[-1].startswith(
        f"3 items with {report.annotations} annotations written to ")
    assert any("skipped" in note for note in report.notes)


def test_exports_write_tasks_config_and_records(tmp_path: Path) -> None:
    stored_verdicts(tmp_path)
    source = load_export_source(tmp_path)
    labels = source.labels(None)
    exported = to_label_studio(source, labels, tmp_path / "tasks.json",
                               config_path=tmp_path / "config.xml")
    assert exported.ok and exported.count == 2 and exported.with_suggestion == 1
    assert exported.with_annotations == 1  # the store keeps each item's annotations
    assert len(json.loads((tmp_path / "tasks.json").read_text())) == 2
    assert [c.get("value") for c in ET.parse(tmp_path / "config.xml").iter("Choice")] == labels
    records = to_argilla(source, labels, tmp_path / "records.json", question="policy")
    assert records.summary("-") == ("2 items written, 1 with the judge's suggestion, 1 with "
                                    "their annotations")
    assert "policy" in json.loads((tmp_path / "records.json").read_text())[0]["suggestions"]


def test_fault_message_names_the_file_or_the_store() -> None:
    missing = FileNotFoundError(2, "No such file or directory", "items.jsonl")
    assert fault_message(missing) == "items.jsonl: No such file or directory"
    assert "may be corrupt" in fault_message(sqlite3.DatabaseError("file is not a database"))
