"""Guidelines a review must not use as they are: duplicate clause IDs, a clause too long for
every prompt, links out of the guideline folder, prices that would disable the cost cap."""

from __future__ import annotations

import json
import os
from pathlib import Path
from textwrap import dedent

import pytest

from llmqa.errors import ConfigError, GuidelineError
from llmqa.guidelines import load_guidelines
from llmqa.guidelines.check import check_guidelines
from llmqa.guidelines.model import MAX_CLAUSE_CHARS
from llmqa.judge.render import PromptBuilder
from llmqa.llm.pricing import PriceTable
from review_helpers import clean_env, fake_model, make_judge, run_main, sample_items, write_items


def _clause(clause_id: str, text: str = "Content that insults a person.") -> str:
    return dedent(f"""\
        ### {clause_id} Insults
        Label: harassment

        {text}

        In scope:
        - "you are [insult]"
        - "[insult], all of you"

        Out of scope:
        - "that film was terrible" (why: about a work)
        - "I feel awful" (why: about oneself)

        """)


def _folder(tmp_path: Path, *files: str) -> Path:
    folder = tmp_path / "policy"
    folder.mkdir()
    for number, body in enumerate(files, start=1):
        (folder / f"p{number}.md").write_text("# Policy\n\n" + body, encoding="utf-8")
    return folder


def test_review_refuses_duplicate_clause_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, _clause("HAR-1.1"), _clause("HAR-1.1", "Another text."))
    with pytest.raises(GuidelineError, match=r"duplicate clause IDs: HAR-1\.1"):
        make_judge(fake_model(), load_guidelines(folder))
    clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    items = write_items(tmp_path / "items.jsonl", sample_items(2))
    code, _, err = run_main(["review", str(items), "-g", str(folder), "--dry-run",
                             "--home", str(tmp_path / "home"), "--no-progress"], capsys)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: duplicate clause IDs: HAR-1.1 (")
    assert "p1.md:" in err and "p2.md:" in err
    assert "(`llmqa guidelines check` lists every problem)" in err
    assert not (tmp_path / "home").exists()  # refused before indexing


def test_an_overlong_clause_is_reported_and_cut_in_the_prompt(tmp_path: Path) -> None:
    long_text = "Content that insults a person. " * 40_000  # about 1.2 MB
    guidelines = load_guidelines(_folder(tmp_path, _clause("HAR-1.1", long_text)))
    problems = [str(p) for p in check_guidelines(guidelines)]
    assert any(f"over the limit of {MAX_CLAUSE_CHARS}" in p and "HAR-1.1" in p
               for p in problems)
    rendered = PromptBuilder(guidelines.labels).build(sample_items(1)[0],
                                                      list(guidelines.clauses))
    prompt = str(rendered.messages[1].content)
    assert len(prompt) < MAX_CLAUSE_CHARS + 4000
    assert "characters of this clause omitted" in prompt
    assert any(n.startswith(f"clause HAR-1.1 text cut from {len(long_text.strip())}")
               for n in rendered.notes)


def test_links_out_of_the_guideline_folder_are_not_followed(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _clause("HAR-1.1"))
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n\n" + _clause("PASSWD-1"), encoding="utf-8")
    os.symlink(outside, folder / "passwd.md")
    # A link that stays inside the folder is an ordinary file of the policy.
    inner = folder / "sub"
    inner.mkdir()
    (inner / "more.md").write_text("# More\n\n" + _clause("HAR-2.1"), encoding="utf-8")
    os.symlink(inner / "more.md", folder / "more.md")
    guidelines = load_guidelines(folder)
    assert sorted(guidelines.by_id) == ["HAR-1.1", "HAR-2.1"]
    assert any("passwd.md" in p and "not followed" in p for p in guidelines.problems)


@pytest.mark.parametrize("entry", [{"input": -1.0, "output": 1.0},
                                   {"input": "abc", "output": 1.0},
                                   {"input": 1.0, "output": "NaN"},
                                   {"input": 1.0, "output": 1.0, "cached_input": -0.5},
                                   {"input": True, "output": 1.0}])
def test_negative_or_non_numeric_prices_are_refused(tmp_path: Path, entry: dict) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"my-model": entry}))
    with pytest.raises(ConfigError, match="my-model"):
        PriceTable.load(prices)


@pytest.mark.parametrize(("table", "said"), [
    ({"my-model": 1}, "my-model is 1, not a table of input and output prices"),
    ({"my-model": {"input": 1.0}}, "my-model has no output price"),
    ([1, 2], "expected a table per model")])
def test_a_price_table_of_another_shape_says_what_is_wrong(tmp_path: Path, table: object,
                                                           said: str) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps(table))
    with pytest.raises(ConfigError, match=said):
        PriceTable.load(prices)


def test_a_price_table_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_bytes(b"\xef\xbb\xbf" + json.dumps({"my-model": {"input": 1.0,
                                                                   "output": 2.0}}).encode())
    assert PriceTable.load(prices).prices["my-model"].input == 1.0


def test_a_negative_price_cannot_disable_max_cost(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text('[gpt-4o-mini]\ninput = -100.0\noutput = 0.6\n')
    clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    items = write_items(tmp_path / "items.jsonl", sample_items(2))
    code, _, err = run_main(["review", str(items), "--model", "gpt-4o-mini", "--max-cost", "1",
                             "--prices", str(prices), "--home", str(tmp_path / "home")], capsys)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and ">= 0" in err
