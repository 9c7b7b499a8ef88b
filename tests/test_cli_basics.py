"""The command line as a whole: help for every command, version, entry points, start-up cost,
and user errors reported as one line without a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import llmqa
from conftest import SAMPLE_GUIDELINES, modules_loaded_by
from llmqa.cli import app

runner = CliRunner()
HEAVY = ("torch", "chromadb", "langchain", "langchain_core", "langchain_openai",
         "sentence_transformers", "transformers")


def _command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: Any, prefix: list[str]) -> None:
        # Typer vendors its own click: look for sub-commands by duck typing.
        paths.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


def test_every_command_has_help() -> None:
    paths = _command_paths()
    names = {" ".join(p) for p in paths}
    assert {"", "validate", "index", "search", "guidelines", "guidelines check",
            "guidelines list", "guidelines diff"} <= names
    for path in paths:
        for flag in ("--help", "-h"):
            result = runner.invoke(app, [*path, flag])
            assert result.exit_code == 0, (path, result.output)
            assert "Usage:" in result.stdout


def test_no_arguments_prints_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage:" in result.output and result.exit_code in (0, 2)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"llmqa {llmqa.__version__}"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMQA_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _llmqa_executable() -> str:
    beside = Path(sys.executable).parent / "llmqa"
    found = str(beside) if beside.exists() else shutil.which("llmqa")
    assert found, "the llmqa console script is installed with the package"
    return found


def test_console_script_and_python_m(tmp_path: Path) -> None:
    for argv in ([_llmqa_executable(), "--version"], [sys.executable, "-m", "llmqa", "--version"]):
        done = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, env=_env(),
                              timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"llmqa {llmqa.__version__}"


_PROBE = """
import json, sys, time
args, heavy_names = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
started = time.perf_counter()
sys.argv = ["llmqa", *args]
from llmqa.cli import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & heavy_names)
seconds = time.perf_counter() - started
sys.stderr.write("\\nPROBE " + json.dumps({"code": code, "heavy": heavy, "seconds": seconds}))
"""


def _probe(args: list[str], cwd: Path) -> dict[str, object]:
    """Run the CLI's ``main`` in a fresh interpreter; report exit code, heavy imports, time."""
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)],
                          capture_output=True, text=True, cwd=cwd, env=_env(), timeout=60,
                          check=False)
    line = [x for x in done.stderr.splitlines() if x.startswith("PROBE ")][-1]
    return json.loads(line.removeprefix("PROBE "))


def test_light_commands_do_not_import_heavy_libraries(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "1", "content": {"modality": "text", "text": "hi"},
                                 "annotations": [{"annotator": "a", "label": "hate"}]}) + "\n",
                     encoding="utf-8")
    commands = {
        "help": ["--help"],
        "validate": ["validate", str(items), "--guidelines", str(SAMPLE_GUIDELINES)],
        "guidelines check": ["guidelines", "check", str(SAMPLE_GUIDELINES)],
    }
    for name, args in commands.items():
        result = _probe(args, tmp_path)
        assert result["code"] == 0, (name, result)
        assert result["heavy"] == [], f"`llmqa {name}` imported {result['heavy']}"


def test_help_starts_fast(tmp_path: Path) -> None:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run([_llmqa_executable(), "--help"], capture_output=True, cwd=tmp_path,
                              env=_env(), timeout=60, check=False)
        timings.append(time.perf_counter() - started)
        assert done.returncode == 0
    # Interpreter start included (typically ~0.3s); importing torch alone would take seconds.
    assert min(timings) < 1.0, timings
    seconds = _probe(["--help"], tmp_path)["seconds"]
    assert isinstance(seconds, float) and seconds < 0.8


def test_help_builds_no_pydantic_model() -> None:
    # What `llmqa --help` imports: the command tree with every option. A pydantic model
    # module imported at module level (items, config, guidelines, io readers, the workspace)
    # costs ~0.25 s of schema building here, and the package's re-exports must not pull one in.
    loaded = modules_loaded_by("import typer.main, llmqa.cli; "
                               "typer.main.get_command(llmqa.cli.app)")
    models = {"pydantic", "llmqa.items", "llmqa.config", "llmqa.workspace", "llmqa.io.readers",
              "llmqa.guidelines.model"}
    assert sorted(models & loaded) == []


def test_package_reexports_load_on_first_use() -> None:
    from llmqa.items import Item

    assert llmqa.Item is Item
    assert {name for name in llmqa.__all__ if name != "__version__"} <= set(dir(llmqa))
    for name in llmqa.__all__:
        assert getattr(llmqa, name) is not None
    with pytest.raises(AttributeError):
        _ = llmqa.no_such_name


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_llmqa_executable(), *args], capture_output=True, text=True, cwd=cwd,
                          env=_env() | env, timeout=120, check=False)


@pytest.mark.parametrize(("args", "message"), [
    (["validate", "items.txt"], "cannot tell the format from the file name; name the format "
                                "with --input-format"),
    (["guidelines", "check", "-g", "nowhere"], "error: nowhere: no such guidelines folder"),
    # Run where no guidelines/ is: the default is missing, and the flag to name others is said.
    (["guidelines", "list"], "error: guidelines: no such guidelines folder or file; name the "
                             "guidelines folder or file with --guidelines\n"),
    (["guidelines", "check"], "folder or file with --guidelines\n"),
    (["guidelines", "diff", "old", "new"], "error: old: no such guidelines folder or file\n"),
    (["guidelines", "list", "-g", "latin"], "not valid UTF-8"),
])
def test_user_errors_are_one_line_exit_1(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "items.txt").write_text("{}\n", encoding="utf-8")
    (tmp_path / "latin").mkdir()
    (tmp_path / "latin" / "x.md").write_bytes(b"## X-1 caf\xe9\nLabel: a\n")
    done = _run(args, tmp_path)
    assert done.returncode == 1, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.strip().startswith("error: ")


def test_configuration_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "llmqa.toml").write_text("guidelines = [unclosed\n", encoding="utf-8")
    done = _run(["guidelines", "check"], tmp_path)
    assert done.returncode == 2 and "invalid TOML" in done.stderr
    assert "Traceback" not in done.stderr
    (tmp_path / "llmqa.toml").unlink()
    done = _run(["guidelines", "check"], tmp_path, LLMQA_GUIDELINES=str(SAMPLE_GUIDELINES),
                LLMQA_CONCURRENCY="x")
    assert done.returncode == 2 and "error: LLMQA_CONCURRENCY: Input should be" in done.stderr
    (tmp_path / "state.txt").write_text("", encoding="utf-8")
    done = _run(["runs", "--home", "state.txt"], tmp_path)
    assert done.returncode == 2 and "error: --home: state.txt is a file" in done.stderr


def test_usage_error_exit_2(tmp_path: Path) -> None:
    done = _run(["validate"], tmp_path)
    assert done.returncode == 2 and "Missing argument" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["validate", "missing.jsonl"],
                                  ["agreement", "missing.jsonl", "--no-guidelines"],
                                  ["themes", "missing.jsonl", "--no-judge"]])
def test_a_missing_input_path_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    done = _run(args, tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "error: missing.jsonl: no such file"


def test_an_unknown_output_extension_is_refused_with_the_formats(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "1", "content": {"modality": "text", "text": "hi"},
                                 "annotations": [{"annotator": "a", "label": "x"},
                                                 {"annotator": "b", "label": "y"}]}) + "\n",
                     encoding="utf-8")
    for args in (["triage", str(items), "--no-guidelines", "-o", "queue.xlsx"],
                 ["agreement", str(items), "--no-guidelines", "-o", "consensus.xlsx"],
                 ["results", "-o", "verdicts.xlsx"]):
        done = _run(args, tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        line = done.stderr.strip()
        assert line.startswith("error: ") and "\n" not in line, line
        assert ".jsonl, .ndjson, .csv, .tsv, .parquet" in line and "--output-format" in line
        assert not list(tmp_path.glob("*.xlsx"))


def test_an_output_write_records_would_refuse_is_refused_before_the_work(tmp_path: Path) -> None:
    # The items file is not even read: the output is checked first, as write_records would.
    (tmp_path / "queue").mkdir()
    for args, problem in (
            (["triage", "missing.jsonl", "-o", "-", "--output-format", "parquet"],
             "Parquet cannot be written to standard output"),
            (["agreement", "missing.jsonl", "-o", "queue"], "queue: is a folder")):
        done = _run(args, tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert problem in done.stderr and "missing.jsonl" not in done.stderr, done.stderr


def test_old_flag_spellings_still_work_with_a_warning(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    rows = [{"id": str(i), "content": {"modality": "text", "text": "hi"},
             "annotations": [{"annotator": "a", "label": "x"}, {"annotator": "b",
                                                               "label": "x" if i % 2 else "y"}]}
            for i in range(6)]
    items.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    done = _run(["agreement", str(items), "--no-guidelines", "--no-judge", "-m", "majority",
                 "--consensus-out", "c.csv", "--format", "jsonl", "--bootstrap", "0"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "c.csv").read_text().startswith("item_id") or (tmp_path / "c.csv").stat()
    for old, new in (("-m", "--method"), ("--consensus-out", "--output"),
                     ("--format", "--input-format")):
        assert f"warning: {old} is deprecated and will be removed; use {new}" in done.stderr
    done = _run(["guidelines", "check", str(SAMPLE_GUIDELINES)], tmp_path)
    assert done.returncode == 0 and "positional guidelines path is deprecated" in done.stderr


def test_the_old_positional_guidelines_path_is_rewritten_not_declared(tmp_path: Path) -> None:
    """The path an option reads is not taken for the old positional one, and the usage line
    shows only the current spelling."""
    from llmqa.cli._deprecated import rewrite

    assert rewrite("index", ["--home", "h", "g", "--json"], frozenset({"--home"})) == [
        "--home", "h", "-g", "g", "--json"]
    assert rewrite("check", ["-g", "g"], frozenset({"-g"})) == ["-g", "g"]
    assert rewrite("review", ["items.jsonl"]) == ["items.jsonl"]
    (tmp_path / "llmqa.toml").write_text("", encoding="utf-8")
    done = _run(["guidelines", "list", "--config", "llmqa.toml", str(SAMPLE_GUIDELINES)],
                tmp_path)
    assert done.returncode == 0 and "GEN-1.1" in done.stdout, done.stderr
    for command in (["guidelines", "check"], ["guidelines", "list"], ["index"]):
        usage = _run([*command, "--help"], tmp_path).stdout.splitlines()[0]
        assert usage == f"Usage: llmqa {' '.join(command)} [OPTIONS]", usage


def test_library_hints_become_flags_only_in_the_cli() -> None:
    from llmqa.cli._common import flag
    from llmqa.errors import ConfigError, Hint

    exc = ConfigError("a cost limit needs a price", hint=Hint("add it with {}", ("prices",)))
    assert str(exc) == "a cost limit needs a price; add it with `prices`"
    assert exc.describe(flag) == "a cost limit needs a price; add it with --prices"


def test_library_steps_become_commands_only_in_the_cli() -> None:
    """A step named in a hint is the library call in the library, the command in the CLI;
    each step is a real command and a real call."""
    import importlib

    import typer.main

    from llmqa import errors
    from llmqa.cli._common import flag
    from llmqa.index.chroma_index import ClauseIndex
    from llmqa.workspace import Workspace

    exc = errors.StoreError("no store", hint=errors.Hint("review first ({})", (errors.REVIEW,)))
    assert str(exc) == "no store; review first (`Workspace.review(items, spec)`)"
    assert exc.describe(flag) == "no store; review first (`llmqa review`)"
    root = typer.main.get_command(app)
    steps = [errors.INDEX, errors.REBUILD_INDEX, errors.REVIEW, errors.CHECK_GUIDELINES,
             *errors.IMPORT_STEPS.values()]
    owners = {"Workspace": Workspace, "Workspace.index": ClauseIndex}
    for step in steps:
        command, words = root, step.name.split()
        while words and not words[0].startswith("-"):
            assert hasattr(command, "commands"), step
            command = command.commands[words.pop(0)]
        options = {o for p in command.params for o in p.opts}
        assert set(words) <= options, step
        path = step.call.strip("`").split("(")[0].split(".")
        owner = owners.get(".".join(path[:-1])) or importlib.import_module(".".join(path[:-1]))
        assert callable(getattr(owner, path[-1])), step


def test_top_level_help_gives_each_command_one_whole_line() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=100)
    listed = result.stdout.split("Commands:")[1].splitlines()
    assert len([line for line in listed if line.strip()]) >= 16
    assert not [line for line in listed if line.rstrip().endswith("...")], listed


def test_help_shows_environment_variables_and_defaults_in_brackets() -> None:
    """Bracketed help ("[env LLMQA_MODEL]") must not be swallowed as rich markup."""
    from typer.testing import CliRunner

    from llmqa.cli import app

    review = CliRunner().invoke(app, ["review", "--help"], terminal_width=200)
    assert review.exit_code == 0
    assert "[env LLMQA_MODEL]" in review.output and "[env OPENAI_BASE_URL]" in review.output
    triage = CliRunner().invoke(app, ["triage", "--help"], terminal_width=200)
    assert "[default: guidelines/ when it exists]" in " ".join(triage.output.split())
