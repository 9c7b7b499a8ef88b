"""``llmqa review``, ``llmqa results`` and ``llmqa doctor`` against the OpenAI-protocol stub:
exports and filters, the cost budget's exit code, dry runs, the run lock across processes,
keys that never leak, and the doctor's choice of structured-output method.

Embeddings come from the stub too (``--embedder openai:...``), so no local model loads."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmqa.testing import Behaviour, OpenAIStub
from review_helpers import (
    GUIDELINES,
    TEST_KEY,
    Terminal,
    clean_env,
    llmqa_command,
    read_jsonl,
    review_args,
    run_llmqa,
    run_main,
    sample_items,
    subprocess_env,
    write_items,
)


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _items_file(folder: Path, n: int) -> Path:
    return write_items(folder / "items.jsonl", sample_items(n))


def _likely_error_ids(n: int) -> list[str]:
    """Three items whose consensus label is not 'hate' (so 'likely_error: hate' is coherent)."""
    from llmqa.judge.render import consensus_label

    return [i.id for i in sample_items(n) if consensus_label(i).label not in ("hate", None)
            and not consensus_label(i).tie][:3]


# -- review + results -------------------------------------------------------------------------
def test_review_then_results_in_every_format_with_filters(cwd: Path, stub: OpenAIStub,
                                                          capsys: pytest.CaptureFixture) -> None:
    n = 12
    items = _items_file(cwd, n)
    flagged = _likely_error_ids(n)
    for item_id in flagged:
        stub.add(Behaviour(verdict={"verdict": "likely_error", "suggested_label": "hate"}),
                 item=item_id, times=None)
    home = cwd / "home"
    code, out, err = run_main(review_args(items, home, stub.url), capsys)
    assert code == 0, err
    assert f"{n} items: {n} reviewed now, 0 reused" in out
    assert "likely_error 3" in out and f"agree {n - 3}" in out

    code, out, _ = run_main(["results", "--home", str(home)], capsys)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == n
    source = {r["id"]: r for r in read_jsonl(items)}
    for row in rows:
        item = source[row["item_id"]]
        assert row["annotations"] == [f"{a['annotator']}:{a['label']}"
                                      for a in item["annotations"]]
        assert row["project"] == item["project"]
        assert row["modality"] == item["content"]["modality"]
        first_text = next(item["content"][f] for f in ("title", "text", "transcript", "caption")
                          if item["content"].get(f))
        assert first_text in row["content"]
        assert row["status"] == "ok" and row["model"] == "gpt-4o-mini"
        assert row["retrieved_clause_ids"] and row["human_label"]

    code, out, _ = run_main(["results", "--home", str(home), "--verdict", "likely_error"], capsys)
    picked = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["item_id"] for r in picked) == sorted(flagged)
    assert all(r["suggested_label"] == "hate" and r["verdict"] == "likely_error"
               for r in picked)

    code, out, err = run_main(["results", "--home", str(home), "--label", "no-such"], capsys)
    assert (code, out, err.strip()) == (0, "", "no stored verdict matches these filters")

    code, _, err = run_main(["results", "--home", str(home), "-o", str(cwd / "out.csv")], capsys)
    assert code == 0 and f"wrote {n} rows to" in err
    with open(cwd / "out.csv", encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == n
    assert json.loads(table[0]["annotations"]) and "human_label" in table[0]

    code, _, _ = run_main(["results", "--home", str(home), "--verdict", "likely_error",
                           "-o", str(cwd / "out.parquet")], capsys)
    import pyarrow.parquet as pq

    frame = pq.read_table(cwd / "out.parquet").to_pylist()
    assert sorted(r["item_id"] for r in frame) == sorted(flagged)
    assert isinstance(frame[0]["annotations"], list) and frame[0]["content"]


def test_results_without_a_store_is_a_clear_error(cwd: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    code, _, err = run_main(["results", "--home", str(cwd / "nothing")], capsys)
    assert code == 1 and "review a batch first (`llmqa review`)" in err and "Traceback" not in err


def test_json_summary_and_a_free_rerun(cwd: Path, stub: OpenAIStub,
                                       capsys: pytest.CaptureFixture) -> None:
    items = _items_file(cwd, 6)
    home = cwd / "home"
    code, out, _ = run_main(review_args(items, home, stub.url, "--json"), capsys)
    summary = json.loads(out)
    assert code == 0 and summary["reviewed"] == 6 and summary["statuses"] == {"ok": 6}
    before = stub.chat_requests
    code, out, _ = run_main(review_args(items, home, stub.url, "--json"), capsys)
    summary = json.loads(out)
    assert summary["reused"] == 6 and summary["reviewed"] == 0
    assert stub.chat_requests == before


# -- budget and dry run -----------------------------------------------------------------------
def test_max_cost_exits_3_and_a_rerun_resumes(cwd: Path, stub: OpenAIStub,
                                              capsys: pytest.CaptureFixture) -> None:
    n = 30
    items = _items_file(cwd, n)
    home = cwd / "home"
    code, out, _ = run_main(review_args(items, home, stub.url, "--dry-run", "--json"), capsys)
    per_item = json.loads(out)["estimated_cost_usd"] / n
    code, out, err = run_main(review_args(items, home, stub.url, "--max-cost",
                                          f"{per_item * 8:.8f}", "-c", "2"), capsys)
    assert code == 3, (out, err)
    assert "stopped at --max-cost; re-run the same command to resume" in out
    assert "Traceback" not in err
    first = stub.chat_requests
    assert 0 < first < n
    code, out, err = run_main(review_args(items, home, stub.url, "--json"), capsys)
    summary = json.loads(out)
    assert code == 0, err
    assert summary["reused"] == first and summary["reviewed"] == n - first
    # Nothing already paid for was asked again.
    assert stub.chat_requests == n
    assert all(count == 1 for count in stub.counts.values())


def test_max_cost_needs_a_price(cwd: Path, stub: OpenAIStub,
                                capsys: pytest.CaptureFixture) -> None:
    items = _items_file(cwd, 2)
    args = review_args(items, cwd / "home", stub.url, "--max-cost", "1")
    args[args.index("gpt-4o-mini")] = "my-private-model"
    code, _, err = run_main(args, capsys)
    assert code == 2 and "--prices" in err and stub.chat_requests == 0


def test_dry_run_prints_estimates_and_calls_nothing(cwd: Path, stub: OpenAIStub,
                                                    capsys: pytest.CaptureFixture) -> None:
    items = _items_file(cwd, 10)
    code, out, _ = run_main(review_args(items, cwd / "home", stub.url, "--dry-run"), capsys)
    assert code == 0
    assert stub.chat_requests == 0
    assert "dry run: 10 items, 0 already judged, 10 to review" in out
    assert "estimated tokens:" in out and "estimated cost $" in out


def test_dry_run_with_the_embedded_model_estimates_its_time(
        cwd: Path, stub: OpenAIStub, capsys: pytest.CaptureFixture) -> None:
    from llmqa.llm import local_rate

    items = _items_file(cwd, 10)
    args = review_args(items, cwd / "home", stub.url, "--dry-run")
    args[args.index("gpt-4o-mini")] = "local"
    code, out, _ = run_main(args, capsys)
    assert code == 0 and stub.chat_requests == 0
    assert "estimated cost $0.0000" in out and "estimated time: about" in out
    code, out, _ = run_main([*args, "--json"], capsys)
    summary = json.loads(out)
    assert summary["estimated_output_tokens"] == 10 * local_rate.ANSWER_TOKENS
    assert summary["estimated_seconds"] == pytest.approx(
        local_rate.LOAD_SECONDS
        + summary["estimated_input_tokens"] / local_rate.PROMPT_TOKENS_PER_S
        + summary["estimated_output_tokens"] / local_rate.ANSWER_TOKENS_PER_S)
    # A served model's speed is not known here: no time, as before.
    code, out, _ = run_main(review_args(items, cwd / "home", stub.url, "--dry-run", "--json"),
                            capsys)
    assert json.loads(out)["estimated_seconds"] is None


def test_durations_read_at_a_glance() -> None:
    from llmqa.runner.terminal import duration

    assert duration(12.4) == "about 12 s"
    assert duration(600) == "about 10 min" and duration(4 * 3600) == "about 4.0 h"


# -- the run lock across processes ------------------------------------------------------------
def test_a_second_concurrent_run_refuses_with_a_clear_message(tmp_path: Path) -> None:
    items = _items_file(tmp_path, 16)
    home = tmp_path / "home"
    # 8 s of calls: room for the second process to start and refuse on a loaded machine.
    with OpenAIStub(latency=1.0) as stub:
        args = review_args(items, home, stub.url, "-c", "2")
        first = subprocess.Popen(llmqa_command(*args), cwd=tmp_path, env=subprocess_env(),
                                 text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while stub.chat_requests == 0 and time.monotonic() < deadline:
                assert first.poll() is None, first.communicate()
                time.sleep(0.05)
            second = run_llmqa(args, tmp_path)
            assert first.poll() is None, "the first run should still be running"
        finally:
            out, err = first.communicate(timeout=120)
    assert second.returncode == 1
    assert "another llmqa review is running" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    assert "Traceback" not in second.stderr + second.stdout
    assert first.returncode == 0, err
    assert "16 reviewed now" in out


# -- secrets ----------------------------------------------------------------------------------
def test_the_api_key_never_leaks(tmp_path: Path) -> None:
    items = _items_file(tmp_path, 8)
    ids = [i.id for i in sample_items(8)]
    home = tmp_path / "home"
    env = subprocess_env(TEST_KEY, LLMQA_MAX_ATTEMPTS="2")  # one retry: a quicker test
    with OpenAIStub() as stub:
        # Failures whose error bodies echo the key (as some proxies do).
        stub.add(Behaviour(status=500, echo_key=True), item=ids[0], times=None)
        stub.add(Behaviour(status=400, echo_key=True), item=ids[1], times=None)
        stub.add(Behaviour(status=429, echo_key=True, headers={"Retry-After": "0"}),
                 item=ids[2], times=None)
        stub.add(Behaviour(content="not json " + TEST_KEY), item=ids[3], times=None)
        review = run_llmqa(review_args(items, home, stub.url, "-c", "4"), tmp_path, env)
        results = run_llmqa(["results", "--home", str(home), "--all"], tmp_path, env)
        csv_out = run_llmqa(["results", "--home", str(home), "-o", str(tmp_path / "r.csv")],
                            tmp_path, env)
        stub.add(Behaviour(status=401, echo_key=True, error={
            "message": "Incorrect API key provided", "code": "invalid_api_key"}), times=None)
        aborted = run_llmqa(review_args(items, tmp_path / "home2", stub.url), tmp_path, env)
        assert f"Bearer {TEST_KEY}" in stub.auth_headers  # the key was really sent
    assert review.returncode == 1  # some items have no verdict
    rows = [json.loads(line) for line in results.stdout.splitlines()]
    statuses = {r["item_id"]: r["status"] for r in rows}
    assert statuses[ids[0]] == "failed" and statuses[ids[1]] == "failed"
    assert "server_error" in next(r["error"] for r in rows if r["item_id"] == ids[0])
    assert aborted.returncode == 2 and "AuthenticationError" in aborted.stderr
    assert "Traceback" not in aborted.stderr
    outputs = [review.stdout, review.stderr, results.stdout, results.stderr, csv_out.stdout,
               csv_out.stderr, aborted.stdout, aborted.stderr,
               (tmp_path / "r.csv").read_text(encoding="utf-8")]
    secret = "VERYSECRET"
    for text in outputs:
        assert secret not in text
    for folder in (home, tmp_path / "home2"):
        for path in folder.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
    # Even the raw text of an answer that echoed the key is stored without it.
    import sqlite3

    with sqlite3.connect(home / "llmqa.db") as db:
        (raw,) = db.execute("SELECT raw_answer FROM verdicts WHERE item_id = ?",
                            (ids[3],)).fetchone()
    assert raw == "not json [redacted]"


# -- doctor -----------------------------------------------------------------------------------
def test_doctor_recommends_json_schema(cwd: Path, stub: OpenAIStub,
                                       capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run_main(["doctor", "--model", "gpt-4o-mini", "--base-url", stub.url,
                             "-g", str(GUIDELINES), "--json"], capsys)
    outcome = json.loads(out)
    assert code == 0 and outcome["recommended"] == "json_schema"
    assert outcome["methods"]["json_schema"] == {"tried": 3, "valid": 3, "problem": None}
    assert stub.chat_requests == 3


def test_doctor_shows_progress_on_a_terminal_only(cwd: Path, stub: OpenAIStub,
                                                capsys: pytest.CaptureFixture,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["doctor", "--model", "gpt-4o-mini", "--base-url", stub.url, "-g", str(GUIDELINES)]
    for tty, extra, shown in ((True, [], True), (True, ["--no-progress"], False),
                              (False, [], False)):
        terminal = Terminal(tty)
        monkeypatch.setattr(sys, "stderr", terminal)
        code, out, _ = run_main([*args, *extra], capsys)
        assert code == 0 and "use: --structured-method json_schema" in out
        assert ("probing json_schema" in terminal.text and "3/3" in terminal.text) is shown
        if not shown:
            assert "probing" not in terminal.text


def test_doctor_falls_back_when_json_schema_answers_are_invalid(
        cwd: Path, stub: OpenAIStub, capsys: pytest.CaptureFixture) -> None:
    stub.add(Behaviour(content='{"verdict": "agree", '), method="json_schema", times=None)
    code, out, _ = run_main(["doctor", "--model", "gpt-4o-mini", "--base-url", stub.url,
                             "-g", str(GUIDELINES)], capsys)
    assert code == 0
    assert "use: --structured-method function_calling" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "0/3" in lines["json_schema"] and "parse_error" in lines["json_schema"]
    assert "3/3" in lines["function_calling"]


def test_doctor_reports_no_working_method(cwd: Path, stub: OpenAIStub,
                                          capsys: pytest.CaptureFixture) -> None:
    stub.add(Behaviour(content="nope"), times=None)
    code, out, _ = run_main(["doctor", "--model", "gpt-4o-mini", "--base-url", stub.url,
                             "-g", str(GUIDELINES)], capsys)
    assert code == 1 and "no method gave valid verdicts" in out


def test_the_cli_abort_on_a_bad_key_is_one_line(cwd: Path, stub: OpenAIStub,
                                                capsys: pytest.CaptureFixture) -> None:
    stub.add(Behaviour(status=401, error={"message": "Incorrect API key provided",
                                          "code": "invalid_api_key"}), times=None)
    items = _items_file(cwd, 5)
    code, _out, err = run_main(review_args(items, cwd / "home", stub.url), capsys)
    assert code == 2  # a configuration error, as the README says
    assert err.startswith("error: stopped: ") and "AuthenticationError" in err
    assert "re-run to resume" in err and len(err.strip().splitlines()) == 1
    assert stub.chat_requests <= 8


def test_stdin_items_are_reviewed(cwd: Path, stub: OpenAIStub,
                                  monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture) -> None:
    items = _items_file(cwd, 3)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(items.read_bytes())))
    code, out, _ = run_main(review_args("-", cwd / "home", stub.url), capsys)
    assert code == 0 and "3 reviewed now" in out


def test_items_stored_without_a_verdict_still_fail_the_exit_code(
        cwd: Path, stub: OpenAIStub, capsys: pytest.CaptureFixture) -> None:
    items = _items_file(cwd, 4)
    bad = sample_items(4)[2].id
    stub.add(Behaviour(content="no json here"), item=bad, times=None)
    home = cwd / "home"
    code, out, _ = run_main(review_args(items, home, stub.url), capsys)
    assert code == 1 and "without a verdict: parse_error 1" in out
    assert "\n  1 × " in out  # and why, without a query of the store
    before = stub.chat_requests
    code, out, _ = run_main(review_args(items, home, stub.url), capsys)
    assert stub.chat_requests == before  # a parse error is final: not asked again
    assert code == 1
    assert "stored earlier without a verdict (not asked again): parse_error 1" in out
    code, out, _ = run_main(review_args(items, home, stub.url, "--json"), capsys)
    assert json.loads(out)["reused_statuses"] == {"ok": 3, "parse_error": 1}


def test_doctor_with_a_bad_key_is_one_clear_line(cwd: Path, stub: OpenAIStub,
                                                 capsys: pytest.CaptureFixture) -> None:
    stub.add(Behaviour(status=401, error={"message": "Incorrect API key provided",
                                          "code": "invalid_api_key"}), times=None)
    code, _out, err = run_main(["doctor", "--model", "gpt-4o-mini", "--base-url", stub.url,
                               "-g", str(GUIDELINES)], capsys)
    assert code == 2
    assert err.startswith("error: ") and "AuthenticationError" in err
    assert "OPENAI_API_KEY" in err and len(err.strip().splitlines()) == 1
    assert stub.chat_requests == 1


def test_a_batch_read_against_the_wrong_guidelines_is_said_once(
        cwd: Path, stub: OpenAIStub, capsys: pytest.CaptureFixture) -> None:
    """Every row refused for labels the guidelines lack: three rows as examples and one line
    with the tally and the guidelines' own labels, not a thousand rejected rows."""
    items = [item.model_copy(update={"annotations": [
        a.model_copy(update={"label": "offensive"}) for a in item.annotations]})
        for item in sample_items(12)]
    path = write_items(cwd / "items.jsonl", items)
    code, _, err = run_main(review_args(path, cwd / "home", stub.url, "--dry-run"), capsys)
    assert code == 1 and stub.chat_requests == 0
    lines = err.strip().splitlines()
    assert len(lines) == 5 and lines[3] == "... and 9 more rejected rows", err
    assert lines[4].startswith(f"error: {path}: no valid items; labels outside the guidelines: "
                               "offensive ×")
    assert "theirs are allowed, " in lines[4]
    assert lines[4].endswith("name the guidelines the items were labelled under with "
                             "--guidelines")
