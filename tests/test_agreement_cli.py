"""``llmqa agreement`` through typer's test runner, on small files made in tmp_path."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from llmqa.cli._agreement import agreement
from llmqa.cli._deprecated import DeprecatingGroup
from llmqa.errors import InputError, UsageError
from llmqa.io.readers import read_items
from llmqa.items import Item
from llmqa.workspace import Workspace

ANNOTATORS = ("ann1", "ann2", "ann3")
GUIDELINE = """# Test policy

## SPAM-1 Spam

### SPAM-1.1 Keyword stuffing
Label: spam

Titles padded with unrelated keywords.

## HATE-1 Hate

### HATE-1.1 Dehumanising comparisons
Label: hate

Comparing a protected group to vermin.
"""


def make_app() -> typer.Typer:
    app = typer.Typer(cls=DeprecatingGroup)  # old spellings (-m) as in the real CLI
    app.command()(agreement)

    @app.callback()
    def _root() -> None:
        """Test shell: keeps ``agreement`` a sub-command, as in the real CLI."""

    return app


def write_items(path: Path, agree: bool = True) -> Path:
    """Twelve items × three annotators; ``agree=False`` makes ann3 contradict the others."""
    labels = ["allowed", "spam", "hate"]
    rows = []
    for i in range(12):
        truth = labels[i % 3]
        annotations = []
        for name in ANNOTATORS:
            label = truth if agree or name != "ann3" else labels[(i + 1) % 3]
            annotations.append({"annotator": name, "label": label,
                                "clause_id": "SPAM-1.1" if label == "spam" else None})
        if i == 0:
            annotations[1]["label"] = "spam"  # one real disagreement, so kappa is not 1.0
        rows.append({"id": f"item-{i}", "project": "music" if i < 6 else "podcasts",
                     "content": {"modality": "title" if i % 2 else "text", "title": "t",
                                 "text": "x"},
                     "annotations": annotations})
    rows.append({"id": "odd", "content": {"modality": "text", "text": "x"},
                 "annotations": [{"annotator": "ann1", "label": "weird"},
                                 {"annotator": "ann2", "label": "spam"}]})
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # No llmqa.toml or LLMQA_* settings from the developer's machine leak into the test.
    monkeypatch.chdir(tmp_path)
    for name in ("LLMQA_CONFIG", "LLMQA_GUIDELINES", "LLMQA_HOME"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "test.md").write_text(GUIDELINE)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(make_app(), ["agreement", *args])


def test_json_shape(workdir: Path) -> None:
    items = write_items(workdir / "items.jsonl")
    result = run(str(items), "--json", "-g", "policy", "--bootstrap", "100", "--seed", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("headline", "gate", "by_project", "by_modality", "by_label", "by_clause",
                "by_annotator", "pairwise", "consensus", "confusion", "judge", "problems",
                "warnings", "bootstrap"):
        assert key in data
    assert data["source"] == str(items)
    assert data["n_items"] == 13 and data["n_pairable"] == 12 and data["n_single"] == 1
    assert data["labels"] == ["allowed", "hate", "spam"]
    headline = data["headline"]["fleiss_kappa"]
    assert set(headline) == {"value", "n_items", "warning", "ci_low", "ci_high"}
    assert headline["ci_low"] <= headline["value"] <= headline["ci_high"]
    assert data["gate"] == {"metric": "fleiss_kappa", "value": headline["value"],
                            "min_kappa": None, "passed": None}
    assert [p["kind"] for p in data["problems"]] == ["unknown_label"]
    assert data["problems"][0]["item_id"] == "odd"
    assert data["judge"] is None
    assert data["bootstrap"]["replicates"] == 100 and data["bootstrap"]["seed"] == 3


def test_min_kappa_gate_exit_codes(workdir: Path) -> None:
    good = write_items(workdir / "good.jsonl")
    bad = write_items(workdir / "bad.jsonl", agree=False)
    passing = run(str(good), "--no-guidelines", "--bootstrap", "0", "--min-kappa", "0.6")
    assert passing.exit_code == 0, passing.output
    assert "gate: Fleiss' kappa" in passing.stdout and "pass" in passing.stdout
    failing = run(str(bad), "--no-guidelines", "--bootstrap", "0", "--min-kappa", "0.6")
    assert failing.exit_code == 1
    assert "FAIL" in failing.stdout
    as_json = run(str(bad), "--no-guidelines", "--bootstrap", "0", "--min-kappa", "0.6",
                  "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["gate"]["passed"] is False


def test_undefined_kappa_fails_the_gate(workdir: Path) -> None:
    path = workdir / "same.jsonl"
    path.write_text("\n".join(json.dumps({
        "id": str(i), "content": {"modality": "text", "text": "x"},
        "annotations": [{"annotator": a, "label": "spam"} for a in ANNOTATORS]})
        for i in range(4)) + "\n")
    result = run(str(path), "--no-guidelines", "--bootstrap", "0", "--min-kappa", "0.1")
    assert result.exit_code == 1
    assert "undefined" in result.stdout


def test_text_report_and_consensus_csv(workdir: Path) -> None:
    items = write_items(workdir / "items.jsonl")
    out = workdir / "out" / "consensus.csv"
    result = run(str(items), "-g", "policy", "--bootstrap", "50", "-o", str(out))
    assert result.exit_code == 0, result.output
    for heading in ("percent agreement", "Fleiss' kappa", "Krippendorff's alpha", "Gwet's AC1",
                    "By project", "By label", "By annotator", "By clause", "95% CI"):
        assert heading in result.stdout
    assert "problem: item odd" in result.stdout
    with open(out, encoding="utf-8-sig", newline="") as handle:  # as docs/cli.md says
        rows = list(csv.DictReader(handle))
    assert len(rows) == 13
    assert rows[1]["item_id"] == "item-1" and rows[1]["consensus"] == "spam"
    assert json.loads(rows[1]["votes"])["spam"] == 3


@pytest.mark.parametrize("method", ["dawid-skene", "mace"])
def test_model_consensus_to_jsonl(workdir: Path, method: str) -> None:
    items = write_items(workdir / "items.jsonl")
    out = workdir / "consensus.jsonl"
    result = run(str(items), "--no-guidelines", "--bootstrap", "0", "-m", method,
                 "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 13 and {r["method"] for r in rows} == {method}
    assert json.loads(result.stdout)["consensus"]["method"] == method


def test_judge_labels_appear_when_the_store_provides_them(workdir: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    items = write_items(workdir / "items.jsonl")
    judge = {f"item-{i}": ["allowed", "spam", "hate"][i % 3] for i in range(12)}
    monkeypatch.setattr(Workspace, "judge_labels", lambda self, ids=None: (judge, None))
    monkeypatch.setattr(Workspace, "judge_models", lambda self, ids=None: ["judge-x"])
    result = run(str(items), "--no-guidelines", "--bootstrap", "50", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["judge"]
    assert data["n_items"] == 12
    assert data["vs_consensus"]["value"] == pytest.approx(1.0)
    # 12 items are too few to place the judge against the human range (a kappa of 1.000 on
    # a handful of items says nothing).
    assert data["verdict"].startswith("no verdict: the judge rated 12 of these items")
    text = run(str(items), "--no-guidelines", "--bootstrap", "0")
    assert "LLM judge (judge-x) vs humans" in text.stdout
    assert "judge vs consensus: kappa 1.000 -, agreement 1.000 (12 items)" in text.stdout
    # One label on both sides: kappa is undefined, and the line says so in words.
    consensus = {i.id: Counter(a.label for a in i.annotations).most_common(1)[0][0]
                 for i in read_items(items) if isinstance(i, Item)}
    first = {k: v for k, v in consensus.items() if v == "allowed"}
    monkeypatch.setattr(Workspace, "judge_labels", lambda self, ids=None: (first, None))
    text = run(str(items), "--no-guidelines", "--bootstrap", "0")
    assert f"judge vs consensus: kappa undefined, agreement 1.000 ({len(first)} items)" in (
        text.stdout)


def test_the_judge_verdict_names_its_interval_on_enough_items() -> None:
    from llmqa.agreement.judge_vs_humans import MIN_JUDGE_ITEMS, _verdict
    from llmqa.agreement.metrics import Score

    few = _verdict(Score(1.0, 3, None, 1.0, 1.0), (0.4, 0.8))
    assert few.startswith("no verdict: the judge rated 3") and "above" not in few
    enough = _verdict(Score(0.9, MIN_JUDGE_ITEMS, None, 0.75, 0.98), (0.4, 0.8))
    assert enough.startswith("above the human range")
    assert f"(95% CI 0.750 to 0.980, {MIN_JUDGE_ITEMS} items)" in enough


def test_judge_labels_come_from_the_newest_usable_verdicts(tmp_path: Path) -> None:
    from llmqa.config import Settings
    from llmqa.store import VerdictStore
    from llmqa.verdicts import Verdict, VerdictLabel, VerdictStatus

    ws = Workspace(Settings(home=str(tmp_path)))
    assert ws.judge_labels({"a", "b"}) == (None, None)
    common = {"item_hash": "h", "guideline_version": "v", "context_hash": "c",
              "prompt_hash": "p", "model": "m"}
    with VerdictStore(tmp_path) as store:
        store.save_verdict(Verdict(key="k1", item_id="a", status=VerdictStatus.OK,
                                   verdict=VerdictLabel.LIKELY_ERROR, suggested_label="hate",
                                   cited_clause_ids=["HATE-1.1"], **common), None)
        store.save_verdict(Verdict(key="k2", item_id="b", status=VerdictStatus.PARSE_ERROR,
                                   **common), None)
        # An item of another batch reviewed in the same store.
        store.save_verdict(Verdict(key="k3", item_id="other-batch", status=VerdictStatus.OK,
                                   verdict=VerdictLabel.AGREE, suggested_label="spam",
                                   **common), None)
    labels, clauses = ws.judge_labels({"a", "b"})
    assert labels == {"a": "hate"}  # a parse failure is not a judge label
    assert ws.judge_models({"a", "b"}) == ["m"]
    assert clauses == {"a": ["HATE-1.1"]}


def test_a_second_batch_in_the_store_is_not_an_unknown_item(workdir: Path) -> None:
    tmp_path = workdir
    from llmqa.store import VerdictStore
    from llmqa.verdicts import Verdict, VerdictLabel, VerdictStatus

    items = write_items(tmp_path / "items.jsonl")
    common = {"item_hash": "h", "guideline_version": "v", "context_hash": "c",
              "prompt_hash": "p", "model": "m", "status": VerdictStatus.OK,
              "verdict": VerdictLabel.AGREE, "suggested_label": "spam"}
    with VerdictStore(tmp_path / "home") as store:
        store.save_verdict(Verdict(key="k1", item_id="item-1", **common), None)
        store.save_verdict(Verdict(key="k2", item_id="earlier-batch-7", **common), None)
    result = run(str(items), "--no-guidelines", "--bootstrap", "0", "--json",
                 "--home", str(tmp_path / "home"))
    assert result.exit_code == 0, result.output
    problems = json.loads(result.stdout)["problems"]
    assert not [p for p in problems if p["kind"] == "judge_unknown_item"]
    assert json.loads(result.stdout)["judge"]["n_items"] == 1


def test_bad_input_is_a_clean_error(workdir: Path) -> None:
    # The real CLI's main() prints an LlmqaError as one line and exits 1.
    missing = run(str(workdir / "nope.jsonl"), "--no-guidelines")
    assert missing.exit_code == 1 and isinstance(missing.exception, InputError)
    empty = workdir / "empty.jsonl"
    empty.write_text("")
    result = run(str(empty), "--no-guidelines")
    assert result.exit_code == 1 and isinstance(result.exception, InputError)
    assert "no valid items" in str(result.exception)
    both = run(str(write_items(workdir / "i.jsonl")), "--json", "-o", "-")
    assert isinstance(both.exception, UsageError) and both.exception.exit_code == 2


def test_choices_are_validated(workdir: Path) -> None:
    items = write_items(workdir / "items.jsonl")
    assert run(str(items), "-m", "vote").exit_code == 2
    assert run(str(items), "--level", "cardinal").exit_code == 2


def test_consensus_to_stdout_moves_the_report_to_stderr(workdir: Path) -> None:
    items = write_items(workdir / "items.jsonl")
    result = run(str(items), "--no-guidelines", "--bootstrap", "0", "-o", "-")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 13 and rows[0]["item_id"] == "item-0"
    assert "percent agreement" in result.stderr


def test_labels_differing_only_in_spelling_are_named(workdir: Path) -> None:
    items = workdir / "case.csv"
    items.write_text("id,text,annotator,label\n1,a,x,Hate\n1,a,y,hate\n2,b,x,not_offensive\n"
                     "2,b,y,Not Offensive\n3,c,x,hate\n3,c,y,hate\n")
    result = run(str(items), "--json", "--no-guidelines", "--bootstrap", "0")
    assert result.exit_code == 0, result.output
    spelling = [w for w in json.loads(result.stdout)["warnings"] if "differ only" in w]
    # Counted apart (four labels), and said so rather than merged unasked.
    assert json.loads(result.stdout)["labels"] == ["Hate", "Not Offensive", "hate",
                                                   "not_offensive"]
    assert spelling == [
        f"labels {a!r} and {b!r} differ only in case or spacing, and count as different "
        "labels: fix the spelling in the file, or give guidelines (their label set names the "
        "odd one in each row)" for a, b in (("Hate", "hate"), ("Not Offensive", "not_offensive"))]
    from llmqa.cli import app

    checked = CliRunner().invoke(app, ["validate", str(items), "--json", "--no-guidelines"])
    assert checked.exit_code == 0 and json.loads(checked.stdout)["label_warnings"] == spelling
