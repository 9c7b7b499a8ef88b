"""A guideline set that says "no violation" in its own words (``not_offensive``): declared once,
it replaces ``allowed`` in the label set, the judge's prompt and schema, the generator, the
probe and the themes; the version changes with it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from langchain_core.messages import SystemMessage
from pydantic import ValidationError

from llmqa.errors import GuidelineError
from llmqa.generation.neighbours import neighbours
from llmqa.generation.schema import generation_models
from llmqa.guidelines import load_guidelines
from llmqa.guidelines.check import check_guidelines
from llmqa.guidelines.terminal import diff_text
from llmqa.items import Item
from llmqa.testing.openai_stub import OpenAIStub, prompt_text
from llmqa.themes import find_mistakes, render_themes
from llmqa.triage.retrieval_signal import LabelImplier
from review_helpers import (
    clean_env,
    fake_model,
    hits_for,
    make_judge,
    prompt_of,
    run_main,
    verdict_with,
)

CLAUSES = """
## OFF-1 Offensive content

### OFF-1.1 Insults
Label: offensive

Content that insults a person or a group.

In scope:
- [text] "you are a complete [insult]"

Out of scope:
- [text] "I disagree with the senator's vote." (why: NOT-1.1)
- [text] "what a game last night"

## NOT-1 Not offensive

### NOT-1.1 Political disagreement
Label: not_offensive

Criticism of what someone said or did, without an insult.
"""


def write_offensive(folder: Path,
                    declaration: str | None = "No-violation label: not_offensive") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    head = "# Offensive language\n\nA short policy.\n\n"
    (folder / "offensive.md").write_text(head + (declaration + "\n" if declaration else "")
                                         + CLAUSES, encoding="utf-8")
    return folder


def test_the_declared_label_replaces_allowed_and_changes_the_version(tmp_path: Path) -> None:
    declared = load_guidelines(write_offensive(tmp_path / "new"))
    plain = load_guidelines(write_offensive(tmp_path / "old", None))
    assert declared.no_violation_label == "not_offensive"
    assert declared.labels == ("not_offensive", "offensive")
    assert plain.no_violation_label == "allowed"
    assert plain.labels == ("allowed", "not_offensive", "offensive")
    # Same clauses, another prompt: the version must differ so stored verdicts are not reused.
    assert declared.clause_hashes() == plain.clause_hashes()
    assert declared.version != plain.version
    changes = plain.diff(declared)
    assert changes.no_violation_label == ("allowed", "not_offensive")
    assert not changes.unchanged
    assert "no-violation label allowed -> not_offensive" in diff_text(plain, declared)
    assert "no clause changed" not in diff_text(plain, declared)


@pytest.mark.parametrize("spelling", ["**No violation label:** `Not offensive`",
                                      "no-violation label: not_offensive"])
def test_spellings_of_the_declaration(tmp_path: Path, spelling: str) -> None:
    guidelines = load_guidelines(write_offensive(tmp_path, spelling))
    assert guidelines.no_violation_label == "not_offensive"


def test_a_declaration_inside_a_clause_is_clause_text(tmp_path: Path) -> None:
    folder = write_offensive(tmp_path, None)
    path = folder / "offensive.md"
    path.write_text(path.read_text() + "\nNo-violation label: fine\n", encoding="utf-8")
    guidelines = load_guidelines(folder)
    assert guidelines.no_violation_label == "allowed"
    assert "No-violation label: fine" in guidelines.by_id["NOT-1.1"].text


def test_two_files_declaring_different_labels_are_refused(tmp_path: Path) -> None:
    folder = write_offensive(tmp_path)
    (folder / "other.md").write_text("# Other\n\nNo-violation label: none\n\n"
                                     "### OTH-1.1 Spam\nLabel: spam\n\nSpam.\n", encoding="utf-8")
    with pytest.raises(GuidelineError, match=r"two no-violation labels declared: "
                       r"not_offensive \(.*offensive.md:5\); none \(.*other.md:3\)"):
        load_guidelines(folder)
    # The same label declared twice is one declaration.
    (folder / "other.md").write_text("# Other\n\nNo-violation label: not_offensive\n\n"
                                     "### OTH-1.1 Spam\nLabel: spam\n\nSpam.\n", encoding="utf-8")
    assert load_guidelines(folder).labels == ("not_offensive", "offensive", "spam")


def test_check_warns_when_a_label_reads_like_an_undeclared_no_violation(tmp_path: Path) -> None:
    plain = load_guidelines(write_offensive(tmp_path / "a", None))
    undeclared = [p.message for p in check_guidelines(plain) if "no-violation" in p.message]
    assert len(undeclared) == 1
    assert "'not_offensive' reads like one" in undeclared[0]
    assert "No-violation label: not_offensive" in undeclared[0]
    declared = check_guidelines(load_guidelines(write_offensive(tmp_path / "b")))
    assert not [p for p in declared if "no-violation" in p.message]


def test_the_sample_guidelines_raise_no_such_warning() -> None:
    from review_helpers import sample_guidelines

    problems = check_guidelines(sample_guidelines())
    assert not [p for p in problems if "no-violation" in p.message]


def _offensive_item() -> Item:
    return Item.model_validate({
        "id": "o-1", "content": {"modality": "text", "text": "I disagree with the vote."},
        "annotations": [{"annotator": "a", "label": "not_offensive"},
                        {"annotator": "b", "label": "not_offensive"}]})


def test_the_judge_is_told_the_declared_label_and_cannot_answer_allowed(tmp_path: Path) -> None:
    guidelines = load_guidelines(write_offensive(tmp_path))
    model = fake_model(verdict_with(suggested_label="allowed", cited_clause_ids=["NOT-1.1"]),
                       verdict_with(suggested_label="allowed", cited_clause_ids=["NOT-1.1"]),
                       responder=None)
    judge = make_judge(model, guidelines)
    verdict = asyncio.run(judge.review(judge.prepare(_offensive_item(), hits_for("NOT-1.1"))))
    system = prompt_of([m for m in model.calls[0]["messages"] if isinstance(m, SystemMessage)])
    assert 'The label "not_offensive" means the content breaks no policy' in system
    assert "allowed" not in system.split("Allowed labels:")[1].splitlines()[0]
    # "allowed" is not a label of these guidelines: the answer is refused, not stored.
    assert verdict.status.value != "ok" and verdict.suggested_label is None


def test_the_generator_schema_names_the_declared_label() -> None:
    _answer, one = generation_models(("not_offensive", "offensive"), 4, 300, "not_offensive")
    description = one.model_json_schema()["properties"]["label"]["description"]
    assert "usually not_offensive" in description
    with pytest.raises(ValidationError):
        one.model_validate({"kind": "out_of_scope", "modality": "text", "content": "x",
                            "words": "", "why": "y", "label": "allowed"})


def test_themes_name_the_directions_with_the_declared_label(tmp_path: Path) -> None:
    guidelines = load_guidelines(write_offensive(tmp_path))
    items = [Item.model_validate({
        "id": f"i{n}", "content": {"modality": "text", "text": f"text {n}"},
        "annotations": [{"annotator": "quick", "label": "offensive"},
                        {"annotator": "b", "label": "not_offensive"},
                        {"annotator": "c", "label": "not_offensive"}]}) for n in range(4)]
    by_annotator = render_themes(find_mistakes(items, guidelines=guidelines)).split(
        "## By annotator")[1]
    assert "flags not_offensive content as a violation" in by_annotator


def test_the_retrieval_signal_reads_a_bare_near_miss_as_the_declared_label(
        tmp_path: Path) -> None:
    # An out-of-scope example with no reason is "no violation": the declared label, not the
    # other labels in proportion to their use.
    implier = LabelImplier(load_guidelines(write_offensive(tmp_path)),
                           ["not_offensive", "offensive", "spam"])
    assert implier.implied("OFF-1.1", "out", "what a game last night").tolist() == [1, 0, 0]


def test_the_generator_shows_clauses_of_the_declared_label_as_neighbours(
        tmp_path: Path) -> None:
    folder = write_offensive(tmp_path)
    (folder / "jokes.md").write_text("# Jokes\n\n### JOKE-1.1 Banter\nLabel: not_offensive\n\n"
                                     "Friendly teasing.\n", encoding="utf-8")
    guidelines = load_guidelines(folder)
    assert "JOKE-1.1" in [c.id for c in neighbours(guidelines, guidelines.by_id["OFF-1.1"])]


def test_doctor_probes_with_the_declared_label(tmp_path: Path, monkeypatch, capsys) -> None:
    # The probe items break no policy; annotated "allowed" under these guidelines, a judge
    # agreeing with them would give a label outside the set and every method would "fail".
    clean_env(monkeypatch)
    folder = write_offensive(tmp_path / "g")
    with OpenAIStub() as stub:
        code, out, stderr = run_main(["doctor", "-g", str(folder), "--model", "gpt-4o-mini",
                                      "--base-url", stub.url, "--json", "--no-progress"], capsys)
        prompts = [prompt_text(body) for body in stub.bodies]
    assert code == 0, out + stderr
    assert json.loads(out)["recommended"] == "json_schema"
    assert any("not_offensive" in p for p in prompts)


def test_the_generator_prompt_names_the_declared_label(tmp_path: Path) -> None:
    from llmqa.generation.candidates import CandidateGenerator
    from llmqa.llm.seam import ChatSeam

    guidelines = load_guidelines(write_offensive(tmp_path))
    generator = CandidateGenerator(ChatSeam(fake_model(), name="fake"), guidelines)
    text = "\n".join(m.text for m in generator.messages(guidelines.by_id["OFF-1.1"]))
    assert 'usually "not_offensive"' in text and '"allowed"' not in text
