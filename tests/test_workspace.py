"""The Workspace, the library's front door: what a Python user gets without the CLI."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from llmqa.choices import ConsensusMethod, Kind, Level, Purpose, Ties
from llmqa.config import Settings
from llmqa.errors import InputError, MissingInputError, UsageError
from llmqa.io.writers import output_format
from llmqa.verdicts import Verdict, VerdictLabel, VerdictStatus
from llmqa.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent


def _ws(tmp_path: Path, **values: str) -> Workspace:
    return Workspace(Settings(home=str(tmp_path / "home"), **values))


def test_optional_guidelines_and_read_items(tmp_path: Path) -> None:
    assert _ws(tmp_path, guidelines=str(tmp_path / "none")).optional_guidelines is None
    ws = _ws(tmp_path, guidelines=str(ROOT / "guidelines"))
    assert ws.optional_guidelines is not None and len(ws.optional_guidelines) == 48
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps({"id": "a", "content": {"modality": "text", "text": "x"}}) + "\n"
                    + "not json\n"
                    + json.dumps({"id": "b", "content": {"modality": "text", "text": "y"}})
                    + "\n", encoding="utf-8")
    items, report = ws.read_items(path)
    assert [i.id for i in items] == ["a", "b"] and report.rejected == 1
    assert str(report.errors[0]).startswith(f"{path}:2")
    assert [i.id for i in ws.read_items(path, limit=1)[0]] == ["a"]
    with pytest.raises(MissingInputError) as missing:
        ws.read_items(tmp_path / "absent.jsonl")
    assert missing.value.exit_code == 2


def test_verdicts_are_scoped_to_items_and_empty_without_a_store(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    assert ws.verdicts() == [] and ws.judge_labels() == (None, None) and not ws.has_store
    common = {"item_hash": "h", "guideline_version": "v", "context_hash": "c",
              "prompt_hash": "p", "model": "m"}
    with ws.open_store() as store:
        for key, item in (("k1", "a"), ("k2", "b")):
            store.save_verdict(Verdict(key=key, item_id=item, status=VerdictStatus.OK,
                                       verdict=VerdictLabel.AGREE, suggested_label="hate",
                                       **common), None)
    assert {r["item_id"] for r in ws.verdicts()} == {"a", "b"}
    assert [r["item_id"] for r in ws.verdicts({"b", "zzz"})] == ["b"]
    assert ws.judge_labels()[0] == {"a": "hate", "b": "hate"}


def test_backend_is_sized_by_purpose(tmp_path: Path) -> None:
    ws = _ws(tmp_path, model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1")
    judge, writing = ws.backend(), ws.backend(Purpose.WRITING, temperature=0.7)
    assert judge.max_tokens == 600 and judge.temperature == 0.0
    assert writing.max_tokens == 2500 and writing.temperature == 0.7
    assert judge.base_url == writing.base_url == "http://127.0.0.1:9/v1"
    local = _ws(tmp_path).backend("writing")
    assert local.is_local and local.max_tokens is None and local.model_kwargs == {
        "max_tokens": 900}


def test_revise_without_a_model_returns_a_run(tmp_path: Path) -> None:
    from llmqa.revision.pipeline import RevisionOptions

    ws = _ws(tmp_path, guidelines=str(ROOT / "guidelines"))
    items, _ = ws.read_items(ROOT / "examples" / "sample_batch" / "items.jsonl")
    run = ws.revise(items, RevisionOptions(wording=False, thresholds=_few()))
    assert run.drafts and run.base_version == ws.guidelines.version
    assert run.patch.startswith("#") or "diff --git" in run.patch
    assert run.applied is None and run.to_dict()["clauses"]


def _few():  # at most two clauses: the test stays quick
    from llmqa.revision import Thresholds

    return Thresholds(max_clauses=2)


def test_choices_are_strings_the_library_accepts() -> None:
    from llmqa.agreement import LEVELS, METHODS, TIE_BREAKS
    from llmqa.triage import KINDS

    assert tuple(ConsensusMethod) == METHODS and tuple(Ties) == TIE_BREAKS
    assert tuple(Level) == LEVELS and tuple(Kind) == KINDS
    assert ConsensusMethod.DAWID_SKENE == "dawid-skene"


def test_unknown_output_extensions_are_refused() -> None:
    assert output_format("q.csv", None) == "csv" and output_format(None, None) == "jsonl"
    assert output_format("q.xlsx", "csv") == "csv"
    with pytest.raises(UsageError, match=r"\.jsonl, \.ndjson, \.csv, \.tsv, \.parquet") as refused:
        output_format("queue.xlsx", None)
    assert refused.value.exit_code == 2 and refused.value.hint is not None


_FLAG = re.compile(r"(?<![\w`-])--[a-z][a-z-]+")


def test_library_errors_name_no_cli_flag() -> None:
    """Messages of errors raised under src/llmqa (outside cli/) carry hints, not flags."""
    offenders = []
    for path in (ROOT / "src" / "llmqa").rglob("*.py"):
        if "cli" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                text = ast.unparse(node.exc)
                if "Error" in text and _FLAG.search(text):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:90]}")
    assert not offenders, offenders


def test_settings_errors_name_every_bad_setting() -> None:
    from llmqa.config import load_settings
    from llmqa.errors import ConfigError

    with pytest.raises(ConfigError) as refused:
        load_settings(concurrency="x", timeout="y")
    assert str(refused.value).startswith("`concurrency`: Input should be a valid integer")
    assert "; `timeout`: Input should be a valid number" in str(refused.value)


def test_a_bad_setting_is_named_where_it_was_set(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The config file's key or the environment variable: where the user must mend it. A
    flag's name is the caller's to phrase (the CLI says --concurrency)."""
    from llmqa.config import load_settings
    from llmqa.errors import ConfigError

    config = tmp_path / "llmqa.toml"
    config.write_text('concurency = 3\ntimeout = "soon"\n', encoding="utf-8")
    monkeypatch.setenv("LLMQA_CONCURRENCY", "many")
    with pytest.raises(ConfigError) as refused:
        load_settings(config)
    assert str(refused.value) == (
        f"LLMQA_CONCURRENCY: Input should be a valid integer, unable to parse string as an "
        f"integer; {config}: 'timeout': Input should be a valid number, unable to parse string "
        f"as a number; {config}: 'concurency': unknown field")
    with pytest.raises(ConfigError) as refused:
        load_settings(config, concurrency="{x}", timeout=1.0)
    assert refused.value.describe(lambda o: f"--{o}").startswith(
        "--concurrency: Input should be a valid integer")
    odd = tmp_path / "{team}" / "llmqa.toml"  # braces in a path are text, not a placeholder
    odd.parent.mkdir()
    odd.write_text('timeout = "soon"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\{team\}/llmqa.toml: 'timeout'"):
        load_settings(odd)


def test_input_errors_are_input_errors() -> None:
    assert issubclass(MissingInputError, InputError)


def test_progress_bars_stay_off_when_stderr_is_not_a_terminal(
        capsys: pytest.CaptureFixture[str]) -> None:
    from llmqa.progress import ItemBar, StageBars

    with ItemBar() as bar:  # enabled, as `llmqa review` asks for it
        bar.on_plan(3)
        for _ in range(3):
            bar.on_progress(1)
    with StageBars() as stages:
        stages("embedding", 1, 2)
        stages("embedding", 2, 2)
    assert capsys.readouterr().err == ""  # no "\r"-joined bar text in a piped log
