"""Shared builders for the triage tests (no tests here): tiny items, guidelines, retrievers.

Everything is synthetic and instant: ``FakeEmbedder`` vectors (bag of words), an in-memory
``Retriever`` built straight from guideline clauses (no Chroma), and clustered vectors for
the classifier tests, where items of one label sit close together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from conftest import FakeEmbedder, write_files
from llmqa.guidelines import GuidelineSet, load_guidelines
from llmqa.index.retriever import Retriever
from llmqa.items import Item

GUIDELINE = """
    # Test policy

    ## SPAM-1 Spam

    ### SPAM-1.1 Keyword stuffing
    Label: spam

    Titles stuffed with unrelated artist names and search keywords.

    In scope:
    - [title] "rain sounds sleep music drake taylor swift lofi study beats trending"
    - [title] "best workout mix free download viral hits trending"

    Out of scope:
    - [title] "rain sounds for sleep ten hours" (why: GEN-1.1 accurate description)
    - [title] "study beats volume two"

    ## HATE-1 Hate

    ### HATE-1.1 Dehumanising comparisons
    Label: hate

    Comparing a protected group to vermin or disease.

    In scope:
    - [lyrics] "group are rats vermin crawling disease"
    - [title] "group are parasites vermin"

    Out of scope:
    - [transcript] "historians explain how propaganda called group vermin" (why: GEN-1.1 history)
    - [lyrics] "my ex is a snake"

    ## GEN-1 Context

    ### GEN-1.1 News and history
    Label: allowed

    Reporting or historical analysis without endorsement.

    In scope:
    - [transcript] "historians explain wartime propaganda news report"
    - [description] "news report on a court case"

    Out of scope:
    - [transcript] "documentary praising the attack" (why: HATE-1.1 endorsement)
"""

TEXTS = {
    "spam": ["rain sounds sleep music drake taylor swift lofi trending", "free download viral "
             "hits trending best mix", "lofi study beats drake trending free download",
             "viral trending hits free download best music"],
    "hate": ["group are rats vermin", "group are vermin disease crawling", "parasites vermin "
             "group rats", "group are disease rats"],
    "allowed": ["historians explain wartime propaganda", "news report on a court case", "a calm "
                "piano album for rainy days", "podcast episode about gardening tips"],
}


def guidelines(tmp_path: Path) -> GuidelineSet:
    return load_guidelines(write_files(tmp_path / "guidelines", {"policy.md": GUIDELINE}))


def make_retriever(guideline_set: GuidelineSet, embedder: Any | None = None) -> Retriever:
    """The in-memory index over the guideline's documents, as ``ClauseIndex.retriever``."""
    return Retriever.from_guidelines(guideline_set, embedder or FakeEmbedder())

def item(item_id: str, text: str | None, labels: list[str], *, project: str | None = None,
         priority: float | None = None, notes: dict[int, str] | None = None,
         clause: dict[int, str] | None = None, image_only: bool = False) -> Item:
    notes = notes or {}
    clause = clause or {}
    content: dict[str, Any] = ({"modality": "image", "image_path": f"img/{item_id}.png"}
                               if image_only else {"modality": "text", "text": text})
    return Item.model_validate({
        "id": item_id, "project": project, "priority": priority, "content": content,
        "annotations": [{"annotator": f"ann{n}", "label": label, "note": notes.get(n),
                         "clause_id": clause.get(n)} for n, label in enumerate(labels)],
    })


def batch(annotators: int = 3, repeats: int = 2) -> list[Item]:
    """Items from ``TEXTS`` with unanimous labels, plus a few chosen problems:
    ``flip`` (hate content labelled allowed by all), ``split`` (2-1 with a hedged note)."""
    rows = []
    for r in range(repeats):
        for label, texts in TEXTS.items():
            for n, text in enumerate(texts):
                rows.append(item(f"{label}-{r}-{n}", f"{text} take {r}", [label] * annotators,
                                 project="music" if n % 2 else "podcasts"))
    rows.append(item("flip", "group are vermin rats disease", ["allowed"] * annotators,
                     project="music", priority=3))
    split = ["spam", "spam", "allowed"][:annotators] if annotators > 1 else ["spam"]
    rows.append(item("split", "rain sounds for sleep ten hours lofi", split, project="podcasts",
                     notes={2: "borderline, could go either way"}, clause={0: "SPAM-1.1"}))
    return rows


def clustered(labels: list[int], k: int, dimension: int = 16, noise: float = 0.05,
              seed: int = 0) -> np.ndarray:
    """Unit vectors near one centre per label: a classifier can learn them."""
    rng = np.random.default_rng(seed)
    centres = np.eye(dimension)[:k]
    vectors = centres[labels] + noise * rng.standard_normal((len(labels), dimension))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
