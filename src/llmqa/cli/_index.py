"""``llmqa index`` and ``llmqa search``: the clause index."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from llmqa.cli._common import (
    ChromaUrlOpt,
    ConfigOpt,
    EmbedderOpt,
    GuidelinesOpt,
    HomeOpt,
    JsonOpt,
    err,
    guidelines_arg,
    print_json,
    table,
    workspace,
)

if TYPE_CHECKING:  # the models load with the first command that runs, not for --help
    from llmqa.items import Item
    from llmqa.workspace import Workspace


def index(
    path: Path | None = typer.Argument(None, hidden=True, help="Deprecated: use -g."),
    guidelines: Path | None = GuidelinesOpt,
    chroma_url: str | None = ChromaUrlOpt,
    embedder: str | None = EmbedderOpt,
    home: str | None = HomeOpt,
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and embed everything "
                                 "again (needed after switching embedders)."),
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Build or refresh the clause index; only new or changed clauses are embedded."""
    ws = workspace(config, guidelines_arg(path, guidelines), chroma_url=chroma_url,
                   embedder=embedder, home=home)
    report = (ws.index.rebuild if rebuild else ws.index.sync)(ws.guidelines)
    if as_json:
        print_json(report.to_dict())
        return
    typer.echo(f"indexed guideline version {report.version}: {report.clauses} clauses "
               f"({report.added} added, {report.changed} changed, {report.removed} removed), "
               f"{report.documents_embedded} documents embedded in {report.seconds:.1f}s")


def search(
    text: str | None = typer.Argument(None, help="Text to match against clauses and their "
                                      "examples (- reads standard input)."),
    file: Path | None = typer.Option(None, "--file", help="Items file (.jsonl, .csv, .parquet): "
                                     "top clauses per item, one line each (JSON with --json)."),
    k: int = typer.Option(5, "-k", "--top", min=1, max=100, help="How many clauses."),
    chroma_url: str | None = ChromaUrlOpt,
    embedder: str | None = EmbedderOpt,
    home: str | None = HomeOpt,
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g",
                                           help="Guidelines the index must match."),
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Top-k clauses for a text, with cosine scores and the document that matched.

    With --file, one line per item: ``{"id": ..., "clauses": [{"id", "label", "title",
    "score"}, ...]}`` with --json; bad rows are named on standard error and exit 1.
    """
    if (text is None) == (file is None):
        raise typer.BadParameter("give a TEXT or --file ITEMS, not both")
    if file is not None:
        _search_file(file, k, as_json, workspace(config, guidelines, chroma_url=chroma_url,
                                                 embedder=embedder, home=home))
        return
    assert text is not None
    if text == "-":
        text = sys.stdin.read()
    ws = workspace(config, guidelines, chroma_url=chroma_url, embedder=embedder, home=home)
    current = ws.optional_guidelines
    hits = ws.index.search(text, k=k, guidelines=current)
    clauses = current.by_id if current else {}
    if as_json:
        print_json([hit.to_dict() | {"label": clauses[hit.clause_id].label
                                     if hit.clause_id in clauses else None,
                                     "title": clauses[hit.clause_id].title
                                     if hit.clause_id in clauses else None} for hit in hits])
        return
    rows = []
    for rank, hit in enumerate(hits, start=1):
        clause = clauses.get(hit.clause_id)
        matched = hit.matched.replace("\n", " ")
        rows.append([str(rank), hit.clause_id, clause.label if clause else "", f"{hit.score:.3f}",
                     hit.via, (matched[:60] + "...") if len(matched) > 63 else matched])
    typer.echo(table(rows, ["#", "clause", "label", "score", "via", "matched"]))


def _search_file(file: Path, k: int, as_json: bool, ws: Workspace) -> None:
    from llmqa.index.batch_search import search_items
    from llmqa.io.readers import RowError, read_items

    current = ws.optional_guidelines
    bad: list[RowError] = []

    def items() -> Iterator[Item]:
        for row in read_items(file):
            if isinstance(row, RowError):
                bad.append(row)
                err(str(row))
            else:
                yield row

    for found in search_items(ws.index.retriever(current), items(), k=k, guidelines=current):
        if as_json:
            sys.stdout.write(found.model_dump_json() + "\n")
        else:
            typer.echo(f"{found.id}\t" + ", ".join(f"{c.id} {c.score:.3f}"
                                                  for c in found.clauses))
    if bad:
        err(f"{len(bad)} bad rows skipped")
        raise typer.Exit(1)
