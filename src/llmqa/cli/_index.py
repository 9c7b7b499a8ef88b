"""``llmqa index`` and ``llmqa search``: the clause index."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import emit, err, workspace


def index(
    guidelines: opt.Guidelines = None,
    chroma_url: opt.ChromaUrl = None,
    embedder: opt.Embedder = None,
    home: opt.Home = None,
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and embed everything "
                                 "again (needed after switching embedders)."),
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Build or refresh the clause index; only new or changed clauses are embedded."""
    ws = workspace(config, guidelines, chroma_url=chroma_url, embedder=embedder, home=home)
    report = (ws.index.rebuild if rebuild else ws.index.sync)(ws.guidelines)
    emit(as_json, report.to_dict(), report.summary())


def search(
    text: str | None = typer.Argument(None, help="Text to match against clauses and their "
                                      "examples (- reads standard input)."),
    file: Path | None = typer.Option(None, "--file", help="Items file (.jsonl, .csv, .parquet): "
                                     "top clauses per item, one line each (JSON with --json)."),
    k: int = typer.Option(5, "-k", "--top", min=1, max=100, help="How many clauses."),
    chroma_url: opt.ChromaUrl = None,
    embedder: opt.Embedder = None,
    home: opt.Home = None,
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g",
                                           help="Guidelines the index must match."),
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Top-k clauses for a text, with cosine scores and the document that matched.

    With --file, one line per item: ``{"id": ..., "clauses": [{"id", "label", "title",
    "score"}, ...]}`` with --json; bad rows are named on standard error and exit 1.
    """
    from llmqa.index.terminal import hits_json, hits_table

    if (text is None) == (file is None):
        raise typer.BadParameter("give a TEXT or --file ITEMS, not both")
    ws = workspace(config, guidelines, chroma_url=chroma_url, embedder=embedder, home=home)
    if file is not None:
        _search_file(ws, file, k, as_json)
        return
    current = ws.optional_guidelines
    hits = ws.index.search(sys.stdin.read() if text == "-" else str(text), k=k,
                           guidelines=current)
    emit(as_json, hits_json(hits, current), hits_table(hits, current))


def _search_file(ws, file: Path, k: int, as_json: bool) -> None:
    from llmqa.index.batch_search import search_file
    from llmqa.io.readers import ReadReport

    current, report = ws.optional_guidelines, ReadReport()
    for found in search_file(ws.index.retriever(current), file, report, k, current,
                             on_error=lambda row: err(str(row))):
        if as_json:
            sys.stdout.write(found.model_dump_json() + "\n")
        else:
            typer.echo(f"{found.id}\t" + ", ".join(f"{c.id} {c.score:.3f}"
                                                   for c in found.clauses))
    if report.rejected:
        err(f"{report.rejected} bad row{'s' if report.rejected != 1 else ''} skipped")
        raise typer.Exit(1)
