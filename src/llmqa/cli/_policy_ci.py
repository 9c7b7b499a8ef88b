"""``llmqa policy-ci``: what a guideline edit changes, as a gate in front of a merge."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import err, print_json, read_valid, workspace


def policy_ci(
    old: Path = typer.Argument(..., help="The guidelines before the edit (folder or file)."),
    new: Path = typer.Argument(..., help="The guidelines after the edit (folder or file)."),
    items: str = typer.Argument(..., help="Items file (.jsonl, .json, .csv, .parquet)."),
    model: opt.Model = None,
    base_url: opt.BaseUrl = None,
    structured_method: opt.StructuredMethod = None,
    gold: Path | None = typer.Option(None, "--gold", help="Gold labels (JSONL/CSV/Parquet with "
                                     "id and gold_label, e.g. from `llmqa decisions export`)."),
    max_kappa_drop: float | None = typer.Option(
        None, "--max-kappa-drop", min=0.0, help="Exit 1 when the judge's kappa against gold "
        "(or the annotators where no gold exists) falls by more than this on any changed "
        "clause."),
    concurrency: opt.Concurrency = None,
    top_k: opt.TopK = None,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the markdown report "
                                       "(for a pull-request comment) to this file."),
    home: opt.Home = None,
    embedder: opt.Embedder = None,
    as_json: opt.Json = False,
    config: opt.Config = None,
) -> None:
    """Judge ITEMS under OLD and NEW guidelines; report flips and agreement per changed clause.

    Only items judged against a changed clause are re-judged; the rest reuse stored verdicts.
    Exit codes: 0 done (gate passed); 1 the --max-kappa-drop gate failed, or bad rows;
    2 usage or configuration error.
    """
    import asyncio

    from llmqa.guidelines import load_guidelines
    from llmqa.io.gold import read_gold
    from llmqa.policy import PolicyCheck, render_markdown
    from llmqa.runner import ReviewOptions
    from llmqa.store import RunLock

    ws = workspace(config, model=model, base_url=base_url, structured_method=structured_method,
                   concurrency=concurrency, home=home, embedder=embedder)
    before, after = load_guidelines(old), load_guidelines(new)
    valid, rejected = read_valid(ws, items, None)
    gold_labels: dict[str, str] = {}
    if gold is not None:
        gold_labels, gold_errors = read_gold(gold)
        for problem in gold_errors[:20]:
            err(str(problem), "yellow")
    spec, prices = ws.backend(), ws.prices()
    seam = ws.seam(spec)
    workers = 1 if spec.is_local else ws.settings.concurrency
    with RunLock(ws.settings.home_path), ws.open_store() as store:
        check = PolicyCheck(lambda g: ws.judge(spec, top_k=top_k, prices=prices, seam=seam,
                                               guidelines=g),
                            ws.embedder, store, ReviewOptions(concurrency=workers))
        result = asyncio.run(check.run(before, after, valid, gold_labels, source=items,
                                       max_kappa_drop=max_kappa_drop))
    markdown = render_markdown(result)
    if output is not None:
        output.write_text(markdown, encoding="utf-8")
    if as_json:
        print_json(result.to_dict())
    elif output is None:
        typer.echo(markdown)
    else:
        typer.echo(f"{len(result.changed_clauses)} changed clause(s), {len(result.affected)} "
                   f"item(s) re-judged, {len(result.flips)} flip(s); report: {output}")
    if not result.passed:
        err(f"gate failed: kappa fell by more than {max_kappa_drop} on "
            + ", ".join(k.scope for k in result.gate_failures), "red")
        raise typer.Exit(1)
    if rejected:
        raise typer.Exit(1)
