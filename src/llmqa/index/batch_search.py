"""Top-k clauses for a whole batch of items in one pass (``llmqa search --file``).

Items are embedded in chunks and scored against one snapshot of the index
(``Retriever.search_vectors``): one model load and one matrix product per chunk, where a
loop of single searches pays a Chroma read per item. Analysts use it to see which clauses a
batch touches; evaluations use it to measure retrieval on real data in one process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from llmqa.guidelines.model import GuidelineSet
from llmqa.index.retriever import Retriever
from llmqa.items import Item

if TYPE_CHECKING:
    from llmqa.io.readers import ReadReport, RowError

CHUNK = 256


class ClauseHit(BaseModel):
    id: str
    label: str | None
    title: str | None
    score: float


class ItemClauses(BaseModel):
    """One output line: an item's id and its top clauses, best first."""

    id: str
    clauses: list[ClauseHit]


def search_items(retriever: Retriever, items: Iterable[Item], k: int = 5,
                 guidelines: GuidelineSet | None = None,
                 chunk: int = CHUNK) -> Iterator[ItemClauses]:
    """Yield each item's top-k clauses in input order; an item with no text gets none."""
    clauses = guidelines.by_id if guidelines is not None else {}
    pending: list[Item] = []

    def flush() -> Iterator[ItemClauses]:
        texts = [item.content.readable_text() for item in pending]
        with_text = [i for i, text in enumerate(texts) if text.strip()]
        found = retriever.search_many([texts[i] for i in with_text], k) if with_text else []
        hits = dict(zip(with_text, found, strict=True))
        for position, item in enumerate(pending):
            yield ItemClauses(id=item.id, clauses=[
                ClauseHit(id=hit.clause_id,
                          label=clauses[hit.clause_id].label if hit.clause_id in clauses else None,
                          title=clauses[hit.clause_id].title if hit.clause_id in clauses else None,
                          score=round(hit.score, 4))
                for hit in hits.get(position, [])])
        pending.clear()

    for item in items:
        pending.append(item)
        if len(pending) >= chunk:
            yield from flush()
    if pending:
        yield from flush()


def search_file(retriever: Retriever, path: str | Path, report: ReadReport, k: int = 5,
                guidelines: GuidelineSet | None = None,
                on_error: Callable[[RowError], object] | None = None) -> Iterator[ItemClauses]:
    """``search_items`` over an items file, streamed: rows are counted in ``report``, and each
    bad one goes to ``on_error`` as it is met; the rest is searched."""
    from llmqa.io.readers import read_items

    yield from search_items(retriever, report.track(read_items(path), on_error=on_error), k,
                            guidelines)
