"""Multi-label agreement: MASI distance and alpha against nltk, per-label binary agreement,
consensus, and the composite label single-label metrics see."""

from __future__ import annotations

import random

import pytest
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import masi_distance as nltk_masi

from llmqa.agreement import Ratings
from llmqa.agreement.multilabel import (
    LabelSets,
    masi_alpha,
    masi_distance,
    multilabel_consensus,
    per_label_agreement,
)
from llmqa.items import Annotation, Content, Item

LABELS = ["hate", "harassment", "violence", "allowed"]


def _item(item_id: str, *answers: tuple[str, list[str]]) -> Item:
    return Item(id=item_id, content=Content(modality="text", text=item_id), annotations=[
        Annotation(annotator=who, labels=tuple(chosen)) if len(chosen) > 1
        else Annotation(annotator=who, label=chosen[0]) for who, chosen in answers])


def _random_items(seed: int, n: int = 40) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        answers = [(who, rng.sample(LABELS, rng.randint(1, 3)))
                   for who in ("ana", "bo", "cy") if rng.random() < 0.9]
        items.append(_item(f"i{i}", *answers))
    return items


@pytest.mark.parametrize(("a", "b"), [({"a"}, {"a"}), ({"a"}, {"a", "b"}), ({"a", "c"}, {"a", "b"}),
                                      ({"a"}, {"b"}), ({"a", "b", "c"}, {"b"})])
def test_masi_distance_matches_nltk(a: set[str], b: set[str]) -> None:
    assert masi_distance(frozenset(a), frozenset(b)) == pytest.approx(nltk_masi(a, b))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_masi_alpha_matches_nltk(seed: int) -> None:
    items = _random_items(seed)
    # nltk's alpha needs every item rated by the same coders: drop the unfinished ones here
    complete = [i for i in items if len(i.annotations) == 3]
    task = AnnotationTask(data=[(a.annotator, i.id, a.label_set()) for i in complete
                                for a in i.annotations], distance=nltk_masi)
    ours = masi_alpha(LabelSets.from_items(complete))
    assert ours.value == pytest.approx(task.alpha(), abs=1e-9)
    assert ours.n_items == len(complete)


def test_single_label_sets_give_nominal_alpha() -> None:
    items = [_item("a", ("x", ["hate"]), ("y", ["hate"])), _item("b", ("x", ["hate"]),
             ("y", ["allowed"])), _item("c", ("x", ["allowed"]), ("y", ["allowed"]))]
    nominal = Ratings.from_items(items)
    from llmqa.agreement import krippendorff_alpha

    assert masi_alpha(LabelSets.from_items(items)).value == pytest.approx(
        krippendorff_alpha(nominal.codes).value)


def test_per_label_agreement_and_consensus() -> None:
    items = [_item("a", ("x", ["hate", "harassment"]), ("y", ["hate"]), ("z", ["hate"])),
             _item("b", ("x", ["allowed"]), ("y", ["allowed"]), ("z", ["harassment"]))]
    sets = LabelSets.from_items(items, LABELS)
    assert sets.is_multi_label
    report = per_label_agreement(sets)
    assert report["hate"]["chosen"] == 3
    # hate: item a all three agree (has it), item b all three agree (has not)
    assert report["hate"]["percent_agreement"]["value"] == pytest.approx(1.0)
    # harassment: each item has one annotator out of three who chose it -> 1/3 of pairs agree
    assert report["harassment"]["percent_agreement"]["value"] == pytest.approx(1 / 3)
    assert report["violence"]["chosen"] == 0
    assert multilabel_consensus(sets) == {"a": frozenset({"hate"}), "b": frozenset({"allowed"})}


def test_single_label_metrics_see_a_composite_label_within_the_label_set() -> None:
    items = [_item("a", ("x", ["hate", "harassment"]), ("y", ["harassment", "hate"])),
             _item("b", ("x", ["hate"]), ("y", ["allowed"]))]
    ratings = Ratings.from_items(items, labels=LABELS)
    assert ratings.problems == []
    assert ratings.labels[-1] == "harassment+hate"
    assert ratings.label_of(int(ratings.codes[0, 0])) == "harassment+hate"


def test_agreement_cli_adds_the_multi_label_section(tmp_home) -> None:
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from llmqa.cli import app

    items = _random_items(3, 20)
    Path("items.jsonl").write_text("".join(i.model_dump_json(exclude_none=True) + "\n"
                                           for i in items))
    runner = CliRunner()
    result = runner.invoke(app, ["agreement", "items.jsonl", "--json", "--no-guidelines",
                                 "--bootstrap", "0"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    expected = masi_alpha(LabelSets.from_items(items)).value
    assert payload["multi_label"]["masi_alpha"]["value"] == pytest.approx(expected)
    assert set(payload["multi_label"]["per_label"]) == set(LABELS)
    text = runner.invoke(app, ["agreement", "items.jsonl", "--no-guidelines", "--bootstrap", "0"])
    assert "multi-label: Krippendorff's alpha (MASI distance)" in text.stdout

    single = [_item("a", ("x", ["hate"]), ("y", ["hate"])), _item("b", ("x", ["hate"]),
              ("y", ["allowed"]))]
    Path("single.jsonl").write_text("".join(i.model_dump_json(exclude_none=True) + "\n"
                                            for i in single))
    result = runner.invoke(app, ["agreement", "single.jsonl", "--json", "--no-guidelines",
                                 "--bootstrap", "0"])
    assert "multi_label" not in json.loads(result.stdout)
