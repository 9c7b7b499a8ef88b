"""General rules: guideline sections that say how to annotate any item ("tense does not
matter", "when unsure, annotate") rather than define a category. Written with
``Applies to: all labels``; they carry no label, are not retrieved, and the judge reads them
with every item. The importer proposes them for top-level sections beside the categories."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from langchain_core.messages import SystemMessage

from llmqa.errors import InputError
from llmqa.guidelines import load_guidelines
from llmqa.guidelines.check import check
from llmqa.guidelines.importing import import_guideline, write_import
from llmqa.guidelines.model import MAX_CLAUSE_CHARS
from llmqa.index.documents import clause_documents
from llmqa.items import Item
from llmqa.verdicts import VerdictStatus
from review_helpers import fake_model, hits_for, make_judge, prompt_of, verdict_with

POLICY = """# Events

## EV-1 Event types

### EV-1.1 Suicidal action
Label: action

An act that brings a person closer to dying.

In scope:
- I tried last night
- I took the pills

Out of scope:
- I could die of boredom
- That film killed me

### EV-1.2 Protective factor
Label: protective

Something that keeps a person safe.

In scope:
- My friends are there for me
- The medication helps

Out of scope:
- My friends left
- Nothing helps

## EV-2 General annotation rules
Applies to: all labels

Tense does not matter: annotate past and present events alike. When unsure, annotate.

In scope:
- I tried last night (why: past tense is still an action)
"""


def _write(tmp_path: Path, text: str = POLICY) -> Path:
    folder = tmp_path / "guidelines"
    folder.mkdir(parents=True)
    (folder / "events.md").write_text(text, encoding="utf-8")
    return folder


def _item(item_id: str = "g-1") -> Item:
    return Item.model_validate({"id": item_id, "content": {"text": "I tried to end it in 2019"},
                                "annotations": [{"annotator": "a1", "label": "protective"}]})


def test_a_general_rule_has_no_label_and_is_no_error(tmp_path: Path) -> None:
    guidelines = load_guidelines(_write(tmp_path))
    rule = guidelines.by_id["EV-2"]
    assert rule.general and rule.label is None and "Tense does not matter" in rule.text
    assert [c.id for c in guidelines.general] == ["EV-2"]
    assert guidelines.labels == ("action", "allowed", "protective")
    result = check(tmp_path / "guidelines")
    assert not result.errors
    # No examples are asked of a rule for every label.
    assert not [p for p in result.problems if p.clause_id == "EV-2"]
    assert result.to_dict()["general_rules"] == ["EV-2"]


def test_marking_a_rule_general_is_a_new_version_and_labelled_hashes_stay(tmp_path: Path) -> None:
    general = load_guidelines(_write(tmp_path))
    plain = POLICY.replace("Applies to: all labels", "Label: rules")
    other = tmp_path / "other"
    other.mkdir()
    (other / "events.md").write_text(plain, encoding="utf-8")
    labelled = load_guidelines(other)
    assert general.version != labelled.version
    assert general.diff(labelled).changed == ("EV-2",)


def test_a_label_and_applies_to_all_together_are_reported(tmp_path: Path) -> None:
    text = POLICY.replace("Applies to: all labels", "Label: rules\nApplies to: all labels")
    guidelines = load_guidelines(_write(tmp_path, text))
    assert guidelines.by_id["EV-2"].label == "rules" and not guidelines.by_id["EV-2"].general
    assert any("both a 'Label:' line and 'Applies to: all labels'" in p
               for p in guidelines.problems)


def test_an_unlabelled_heading_says_how_to_write_a_general_rule(tmp_path: Path) -> None:
    text = POLICY.replace("Applies to: all labels\n", "")
    result = check(_write(tmp_path, text))
    assert [p.clause_id for p in result.errors] == ["EV-2"]
    assert "Applies to: all labels" in result.errors[0].message


def test_a_general_rule_is_not_indexed(tmp_path: Path) -> None:
    guidelines = load_guidelines(_write(tmp_path))
    assert clause_documents(guidelines.by_id["EV-2"]) == []
    assert clause_documents(guidelines.by_id["EV-1.1"])


def test_indexing_twice_counts_no_general_rule_as_added(tmp_path: Path) -> None:
    from conftest import FakeEmbedder
    from llmqa.index.chroma_index import ClauseIndex, make_client

    guidelines = load_guidelines(_write(tmp_path))
    index = ClauseIndex(make_client(tmp_path / "home"), FakeEmbedder(), "general")
    first, again = index.sync(guidelines), index.sync(guidelines)
    assert (first.clauses, first.added, first.general) == (2, 2, 1)
    assert (again.added, again.changed, again.removed, again.documents_embedded) == (0, 0, 0, 0)
    assert "1 general rules not indexed" in again.summary()


def test_long_general_rules_are_a_warning(tmp_path: Path) -> None:
    """Each rule under the per-clause limit, together over it: every request carries both."""
    rule = "Annotate the trigger word, not the whole sentence." + " Expect misspellings." * 185
    longer = POLICY + f"\n## EV-3 Notes\nApplies to: all labels\n\n{rule}\n"
    result = check(_write(tmp_path, longer))
    warned = [p.message for p in result.warnings if "general rules" in p.message]
    size = len("Tense does not matter: annotate past and present events alike. When unsure, "
               "annotate.") + len(rule)
    assert len(rule) < MAX_CLAUSE_CHARS < size
    assert warned == [f"the general rules (EV-2, EV-3) add {size} characters to every request "
                      "to the judge; keep only what decides a label"]
    assert not [p for p in check(_write(tmp_path / "short")).warnings
                if "general rules" in p.message]


def test_the_judge_reads_general_rules_with_every_item_and_may_cite_them(tmp_path: Path) -> None:
    guidelines = load_guidelines(_write(tmp_path))
    model = fake_model(responder=verdict_with(
        verdict="likely_error", suggested_label="action", cited_clause_ids=["EV-1.1", "EV-2"],
        rationale="A past attempt is an action; tense does not matter (EV-2).", confidence=0.8))
    judge = make_judge(model, guidelines)
    verdicts = [asyncio.run(judge.review(judge.prepare(_item(i), hits_for("EV-1.1", "EV-1.2"))))
                for i in ("g-1", "g-2")]
    assert [v.status for v in verdicts] == [VerdictStatus.OK] * 2
    assert verdicts[0].cited_clause_ids == ["EV-1.1", "EV-2"]
    assert verdicts[0].retrieved_clause_ids == ["EV-1.1", "EV-1.2"]
    systems = [next(m for m in call["messages"] if isinstance(m, SystemMessage))
               for call in model.calls]
    # The same system message for every item: the rules are in the cached prefix.
    assert systems[0].content == systems[1].content
    system_text = prompt_of([systems[0]])
    assert "[EV-2] General annotation rules (general rule: applies to every label)" in system_text
    assert "Tense does not matter" in system_text
    assert "general rule" not in prompt_of([m for m in model.calls[0]["messages"]
                                            if not isinstance(m, SystemMessage)])


def test_citing_a_clause_never_shown_is_still_refused(tmp_path: Path) -> None:
    guidelines = load_guidelines(_write(tmp_path))
    model = fake_model(responder=verdict_with(cited_clause_ids=["EV-9"]))
    judge = make_judge(model, guidelines, reasks=0)
    verdict = asyncio.run(judge.review(judge.prepare(_item(), hits_for("EV-1.1"))))
    assert verdict.status is not VerdictStatus.OK and "EV-9" in (verdict.error or "")


def test_no_examples_are_generated_for_a_general_rule(tmp_path: Path) -> None:
    from llmqa.generation.from_settings import example_clauses
    from llmqa.workspace import Workspace

    ws = Workspace.from_settings(guidelines=str(_write(tmp_path)), home=str(tmp_path / "home"))
    assert [c.id for c in example_clauses(ws, "all")] == ["EV-1.1", "EV-1.2"]
    with pytest.raises(InputError, match="EV-2: a general rule"):
        example_clauses(ws, ["EV-2"])


def test_import_reads_top_level_leaves_beside_the_categories_as_general(tmp_path: Path) -> None:
    source = tmp_path / "events.txt"
    source.write_text(
        "1. Event types\nThe events we annotate.\n\n1.1 Suicidal action\nActs that bring a "
        "person closer to dying.\n\n1.2 Protective factors\nWhat keeps a person safe.\n\n"
        "2. General annotation rules\nTense does not matter. When unsure, annotate.\n\n"
        "3. Notes\nExpect misspelled words.\n", encoding="utf-8")
    result = import_guideline(source, prefix="EV")
    drafts = {d.code: d for d in result.drafts if not d.is_section}
    assert [c for c, d in drafts.items() if d.general] == ["2", "3"]
    assert drafts["2"].label is None and drafts["1.1"].label == "suicidal_action"
    assert result.summary.general == ["2 General annotation rules", "3 Notes"]
    assert set(result.summary.labels) == {"suicidal_action", "protective_factors"}
    write_import(result, tmp_path / "out")
    loaded = load_guidelines(tmp_path / "out")
    assert not loaded.problems
    assert [c.id for c in loaded.general] == ["EV-2", "EV-3"]


def test_import_of_flat_categories_proposes_no_general_rule(tmp_path: Path) -> None:
    """Without a parent section for the categories there is no structure to tell guidance
    from a category: every section keeps a label, as before."""
    source = tmp_path / "flat.txt"
    source.write_text("1. Insults\nAbusive words about a person.\n\n2. Threats\nAn intention "
                      "to harm.\n\n3. General rules\nAnnotate the strongest event.\n",
                      encoding="utf-8")
    result = import_guideline(source, prefix="FL")
    assert not any(d.general for d in result.drafts)
    assert result.summary.general == []


def test_a_model_proposing_the_structure_may_mark_a_general_rule(tmp_path: Path) -> None:
    from llmqa.guidelines.importing.assisted import import_with_model
    from llmqa.llm import ChatSeam, FakeChatModel

    source = tmp_path / "events.txt"
    source.write_text("1. Event types\n\n1.1 Suicidal action\nActs that bring a person closer "
                      "to dying.\n\n2. General annotation rules\nTense does not matter.\n",
                      encoding="utf-8")
    proposal = {"title": "Events", "clauses": [
        {"code": "1.1", "title": "Suicidal action", "label": "action", "general": False,
         "text": "Acts that bring a person closer to dying."},
        {"code": "2", "title": "General annotation rules", "label": "", "general": True,
         "text": "Tense does not matter."}]}
    model = FakeChatModel([proposal])
    result = import_with_model(source, ChatSeam(model, name="fake"))
    drafts = {d.code: d for d in result.drafts if not d.is_section}
    assert drafts["2"].general and drafts["2"].label is None and not drafts["1.1"].general
    assert '"general": true' in model.calls[0]["messages"][0].content
    write_import(result, tmp_path / "out")
    assert [c.id for c in load_guidelines(tmp_path / "out").general] == ["EVENTS-2"]
