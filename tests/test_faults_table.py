"""Each command under each fault of the machine or the input: one ``error:`` line (or the
rejected row alone), the documented exit code, never a traceback.

    fault                          commands                       exit  says
    10,000-deep JSON in one row    validate (JSONL, CSV, .json)   1     that row only
    read-only state folder         results, runs, report          0     (they work)
                                   review                         1     cannot write the folder
    disk full while indexing       index                          1     disk full
    page-corrupt / truncated store results, runs, report, review  1     corrupt
    LLMQA_HOME is a file           results, runs, review, index   2     is a file
    report -o a folder             report                         2     is a folder
"""

from __future__ import annotations

import errno
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmqa.testing import OpenAIStub
from review_helpers import (
    GUIDELINES,
    clean_env,
    llmqa_command,
    review_args,
    run_llmqa,
    run_main,
    sample_items,
    subprocess_env,
    write_items,
)

DEEP = "[" * 10_000 + "]" * 10_000
GOOD = ('{"id": "%s", "content": {"modality": "text", "text": "hi"}, '
        '"annotations": [{"annotator": "a", "label": "allowed"}]}')


@pytest.fixture(scope="module")
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory, stub: OpenAIStub) -> Path:
    """A state folder holding a finished review of six items."""
    folder = tmp_path_factory.mktemp("reviewed")
    items = write_items(folder / "items.jsonl", sample_items(6))
    done = run_llmqa(review_args(items, folder / "home", stub.url), folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def work(tmp_path: Path, reviewed: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clean_env(monkeypatch)
    monkeypatch.setenv("LLMQA_GUIDELINES", str(GUIDELINES))
    monkeypatch.chdir(tmp_path)
    shutil.copytree(reviewed / "home", tmp_path / "home")
    shutil.copy(reviewed / "items.jsonl", tmp_path / "items.jsonl")
    return tmp_path


def _commands(work: Path, url: str) -> dict[str, list[str]]:
    home = str(work / "home")
    items = str(work / "items.jsonl")
    return {
        "results": ["results", "--home", home],
        "runs": ["runs", "--home", home],
        "report": ["report", items, "-o", str(work / "r.html"), "--no-triage", "--bootstrap",
                   "0", "-g", str(GUIDELINES), "--home", home, "--no-progress"],
        "review": review_args(items, work / "home", url),
        "index": ["index", "--home", home],  # with the cli_fake_embedder fixture
    }


def _one_error_line(err: str, phrase: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and phrase in lines[0], err
    assert "Traceback" not in err


# -- input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_a_deeply_nested_value_costs_its_row_only(work: Path, fmt: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = work / f"deep.{fmt}"
    bad = ('{"id": "b", "content": {"modality": "text", "text": "hi", '
           f'"metadata": {{"x": {DEEP}}}}}}}')
    if fmt == "jsonl":
        path.write_text("\n".join([GOOD % "a", bad, GOOD % "c"]) + "\n")
        where = f"{path}:2"
    elif fmt == "json":
        path.write_text("[" + ",\n".join([GOOD % "a", bad, GOOD % "c"]) + "]")
        where = f"{path}: element 2"
    else:
        path.write_text('id,modality,text,annotations,metadata\na,text,hi,,\n'
                        f'b,text,hi,,"{{""x"": {DEEP}}}"\nc,text,hi,,\n')
        where = f"{path}:3"
    code, out, err = run_main(["validate", str(path)], capsys)
    assert code == 1
    rows = [line for line in err.splitlines() if "nested too deeply" in line]
    assert len(rows) == 1 and rows[0].startswith(where), err
    assert "Traceback" not in err and "2 valid" in out + err


# -- the state folder ---------------------------------------------------------------------------
def _corrupt_pages(db: Path) -> None:
    data = bytearray(db.read_bytes())
    # Every page but the first (the header and the schema): the tables are unreadable.
    data[4096:] = b"\xa5" * (len(data) - 4096)
    db.write_bytes(bytes(data))


def _truncate(db: Path) -> None:
    db.write_bytes(db.read_bytes()[:6000])


@pytest.mark.parametrize("damage", [_corrupt_pages, _truncate], ids=["page-corrupt", "truncated"])
@pytest.mark.parametrize("command", ["results", "runs", "report", "review"])
def test_a_damaged_store_is_one_line(work: Path, stub: OpenAIStub, damage, command: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    damage(work / "home" / "llmqa.db")
    code, _, err = run_main(_commands(work, stub.url)[command], capsys)
    assert code == 1
    _one_error_line(err, "corrupt")


@pytest.mark.parametrize("command", ["results", "runs", "review", "index"])
def test_llmqa_home_a_file_is_a_configuration_error(work: Path, stub: OpenAIStub, command: str,
                                                    cli_fake_embedder: object,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    home = work / "not-a-folder"
    home.write_text("x")
    monkeypatch.setenv("LLMQA_HOME", str(home))
    args = [a for a in _commands(work, stub.url)[command]]
    at = args.index("--home")
    del args[at:at + 2]
    code, _, err = run_main(args, capsys)
    assert code == 2
    _one_error_line(err, "is a file, not a folder")


def test_report_to_a_folder_is_a_usage_error(work: Path, stub: OpenAIStub,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    args = _commands(work, stub.url)["report"]
    args[args.index("-o") + 1] = str(work)
    code, _, err = run_main(args, capsys)
    assert code == 2
    _one_error_line(err, "is a folder")


def test_disk_full_while_indexing_says_disk_full(work: Path, stub: OpenAIStub,
                                                 cli_fake_embedder: object,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from chromadb.api.models.Collection import Collection

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Collection, "upsert", full)
    shutil.rmtree(work / "home" / "chroma")
    code, _, err = run_main(_commands(work, stub.url)["index"], capsys)
    assert code == 1
    _one_error_line(err, "disk full while indexing")


def _unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True,
                              timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare (user + mount namespaces) to "
                    "bind-mount a folder read-only without root")
@pytest.mark.parametrize(("command", "code", "phrase"), [
    ("results", 0, None), ("runs", 0, None), ("report", 0, None),
    ("review", 1, "cannot write the state folder"),
])
def test_a_read_only_state_folder(work: Path, stub: OpenAIStub, command: str, code: int,
                                  phrase: str | None) -> None:
    home = work / "home"
    args = " ".join(f"'{a}'" for a in llmqa_command(*_commands(work, stub.url)[command]))
    script = (f"mount --bind '{home}' '{home}' && mount -o remount,bind,ro '{home}' && "
              f"touch '{home}/probe' 2>/dev/null && echo WRITABLE; exec {args}")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=work,
                          env=subprocess_env(), capture_output=True, text=True, timeout=180)
    assert "WRITABLE" not in done.stdout
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    if phrase:
        _one_error_line(done.stderr, phrase)
    elif command == "results":
        assert len(done.stdout.splitlines()) == 6
    assert not (home / "probe").exists()
