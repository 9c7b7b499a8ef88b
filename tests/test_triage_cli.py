"""``llmqa triage`` through typer's test runner, on small files made in tmp_path."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conftest import FakeEmbedder, modules_loaded_by, write_files
from llmqa.cli._triage import triage
from llmqa.store.verdicts import VerdictStore
from llmqa.verdicts import Verdict, VerdictStatus
from triage_support import GUIDELINE, batch

runner = CliRunner()


def make_app() -> typer.Typer:
    app = typer.Typer()
    app.command()(triage)

    @app.callback()
    def _root() -> None:
        """Test shell: keeps ``triage`` a sub-command, as in the real CLI."""

    return app


def _run(*args: str):
    return runner.invoke(make_app(), ["triage", *args])


@pytest.fixture
def items_file(tmp_home: Path) -> Path:
    path = tmp_home / "items.jsonl"
    path.write_text("".join(item.model_dump_json(exclude_none=True) + "\n" for item in batch()))
    return path


@pytest.fixture
def guideline_dir(tmp_home: Path) -> Path:
    return write_files(tmp_home / "guidelines", {"policy.md": GUIDELINE})


def test_triage_prints_the_queue_and_writes_every_format(
        items_file: Path, guideline_dir: Path, tmp_home: Path,
        cli_fake_embedder: FakeEmbedder) -> None:
    result = _run(str(items_file), "-g", str(guideline_dir), "--offline", "--show", "5",
                  "-o", str(tmp_home / "queue.csv"), "--clause-summary",
                  str(tmp_home / "clauses.json"))
    assert result.exit_code == 0, result.output
    assert "signals: label_entropy" in result.output and "guideline_conflict" in result.output
    assert "offline: judge verdicts not used" in result.output
    assert "source reliability on this batch" in result.output
    with open(tmp_home / "queue.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(batch())
    assert json.loads(rows[0]["signals"])  # nested cells are JSON
    summary = json.loads((tmp_home / "clauses.json").read_text())
    assert summary["version"] == 1 and summary["clauses"]
    assert summary["guideline_version"] is not None

    parquet = tmp_home / "queue.parquet"
    assert _run(str(items_file), "-g", str(guideline_dir), "--offline", "-o", str(parquet),
                "--kind", "error", "--top", "4").exit_code == 0
    import pyarrow.parquet as pq

    table = pq.read_table(parquet)
    assert table.num_rows == 4 and set(table.column("kind").to_pylist()) == {"error"}
    assert isinstance(json.loads(table.column("evidence")[0].as_py()), dict)


def test_json_output_with_filters(items_file: Path, cli_fake_embedder: FakeEmbedder) -> None:
    result = _run(str(items_file), "--no-guidelines", "--json", "--kind", "ambiguous",
                  "--project", "podcasts", "--min-score", "0.1",
                  "--project-priority", "podcasts=2")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["items"] == len(batch()) and payload["queue"]
    assert {row["project"] for row in payload["queue"]} == {"podcasts"}
    assert all(row["priority"] == 2.0 and row["kind"] == "ambiguous" for row in payload["queue"])
    assert payload["queue"][0]["item_id"] == "split"
    assert "retrieval evidence skipped (guidelines not used)" in payload["notes"]
    assert payload["signals"]["guideline_conflict"]["items"] == 0
    assert set(payload["weights"]["effective"]) == {"error", "ambiguity"}


def test_jsonl_to_stdout(items_file: Path, cli_fake_embedder: FakeEmbedder) -> None:
    result = _run(str(items_file), "--no-guidelines", "-o", "-", "--top", "3")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [row["rank"] for row in lines] == [1, 2, 3]


def test_usage_errors(items_file: Path, tmp_home: Path, cli_fake_embedder: FakeEmbedder) -> None:
    bad = _run(str(items_file), "--no-guidelines", "--project-priority", "music")
    assert bad.exit_code == 2 and "PROJECT=WEIGHT" in bad.output
    both = _run(str(items_file), "--no-guidelines", "--json", "-o", "-")
    assert both.exit_code != 0 and "pick one" in str(both.exception)
    empty = tmp_home / "empty.jsonl"
    empty.write_text("")
    nothing = _run(str(empty), "--no-guidelines")
    assert nothing.exit_code != 0 and "no valid items" in str(nothing.exception)


def _store_verdict(home: Path, items_file: Path, item_id: str, **fields) -> None:
    from llmqa.items import Item

    item = next(Item.model_validate_json(line) for line in items_file.read_text().splitlines()
                if json.loads(line)["id"] == item_id)
    with VerdictStore(home) as store:
        store.save_items([item])
        store.save_verdict(Verdict(key=f"k-{item_id}", item_id=item_id,
                                   item_hash=item.content_hash(), guideline_version="v",
                                   context_hash="c", prompt_hash="p", model="fake",
                                   status=VerdictStatus.OK, **fields), run_id=None)


def test_judge_verdicts_are_used_unless_offline(items_file: Path, tmp_home: Path,
                                                cli_fake_embedder: FakeEmbedder) -> None:
    _store_verdict(tmp_home, items_file, "spam-0-0", verdict="likely_error", confidence=0.99,
                   suggested_label="allowed", cited_clause_ids=["GEN-1.1"])
    online = json.loads(_run(str(items_file), "--no-guidelines", "--json").output)
    row = next(r for r in online["queue"] if r["item_id"] == "spam-0-0")
    assert row["signals"]["judge_error"] == pytest.approx(0.99)
    assert "judge: allowed (0.99) citing GEN-1.1" in row["reason"]
    assert "judge: 1 verdicts" in online["notes"]
    offline = json.loads(_run(str(items_file), "--no-guidelines", "--json", "--offline").output)
    row = next(r for r in offline["queue"] if r["item_id"] == "spam-0-0")
    assert row["signals"]["judge_error"] is None


def test_calibrate_and_reuse_weights(items_file: Path, tmp_home: Path,
                                     cli_fake_embedder: FakeEmbedder) -> None:
    key = tmp_home / "key.jsonl"
    rows = []
    for item in batch():
        kind = "clean"
        if item.id in ("flip", "hate-0-1", "spam-1-2", "allowed-0-3", "hate-1-0"):
            kind = "seeded_error"
        if item.id in ("split", "spam-0-0", "allowed-1-1", "hate-0-2", "spam-1-1"):
            kind = "ambiguous"
        rows.append(json.dumps({"id": item.id, "kind": kind}))
    key.write_text("\n".join(rows) + "\n")
    weights = tmp_home / "weights.json"
    fitted = _run(str(items_file), "--no-guidelines", "--calibrate", str(key), "--save-weights",
                  str(weights), "--show", "0")
    assert fitted.exit_code == 0, fitted.output
    assert "calibrated error: 5/" in fitted.output and "5-fold CV AUROC" in fitted.output
    saved = json.loads(weights.read_text())
    assert saved["source"] == "calibrated" and saved["intercept"] is not None
    reused = json.loads(_run(str(items_file), "--no-guidelines", "--json", "--weights",
                             str(weights)).output)
    assert reused["weights"]["source"] == "calibrated"


def test_bad_key_or_weights_are_refused_before_any_signal(items_file: Path, tmp_home: Path,
                                                           cli_fake_embedder: FakeEmbedder,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from llmqa.errors import InputError
    from llmqa.triage import from_settings

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("signals computed before the files were read")

    monkeypatch.setattr(from_settings, "triage_signals", no_work)
    (tmp_home / "key.jsonl").write_text('{"id": "flip", "kind": "seeded-error"}\n')
    (tmp_home / "w.json").write_text('{"error": 1}')
    for flag, path, said in (("--calibrate", "key.jsonl", "kind 'seeded-error' is not one of"),
                             ("--weights", "w.json", "weights must have")):
        done = _run(str(items_file), "--no-guidelines", flag, str(tmp_home / path))
        assert isinstance(done.exception, InputError) and said in str(done.exception), (
            done.output)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_queue_triage_writes_is_refused_as_gold(items_file: Path, tmp_home: Path,
                                                  cli_fake_embedder: FakeEmbedder,
                                                  suffix: str) -> None:
    """store.gold knows the queue by QUEUE_COLUMNS; this keeps it in step with the queue's
    real columns."""
    from llmqa.errors import InputError
    from llmqa.store.gold import gold_labels

    queue = tmp_home / f"queue{suffix}"
    assert _run(str(items_file), "--no-guidelines", "-o", str(queue)).exit_code == 0
    with pytest.raises(InputError, match="a triage queue, not a gold file"):
        gold_labels(queue)


def test_importing_the_command_stays_light() -> None:
    loaded = modules_loaded_by("import llmqa.cli._triage")
    assert [m for m in ("numpy", "sklearn", "cleanlab", "torch") if m in loaded] == []


def test_item_vectors_are_cached_in_the_store(items_file: Path,
                                              cli_fake_embedder: FakeEmbedder) -> None:
    assert _run(str(items_file), "--no-guidelines", "--show", "0").exit_code == 0
    assert len(cli_fake_embedder.texts) == len(batch())
    cli_fake_embedder.reset()
    again = _run(str(items_file), "--no-guidelines", "--json")
    assert again.exit_code == 0 and cli_fake_embedder.texts == []
    assert json.loads(again.output)["signals"]["label_issue"]["items"] == len(batch())


class _Terminal:
    """A stderr that says it is a terminal (tqdm shows bars only there) and keeps the text."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_stage_bars_show_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmqa.progress import StageBars

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with StageBars() as bars:
        bars("embedding items", 512, 1024)
        bars("classifier folds", 3, 10)
    assert "embedding items" in terminal.text and "512/1024" in terminal.text
    assert "classifier folds" in terminal.text and "3/10" in terminal.text
    silent = _Terminal()
    monkeypatch.setattr(sys, "stderr", silent)
    with StageBars(enabled=False) as bars:
        bars("embedding items", 1, 2)
    assert silent.text == ""
    piped = _Terminal()
    piped.isatty = lambda: False  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", piped)
    with StageBars() as bars:
        bars("embedding items", 1, 2)
    assert piped.text == ""
