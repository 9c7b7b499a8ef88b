"""``llmqa gate``: per clause, may the judge flag alone (trusted) or does a person look?"""

from __future__ import annotations

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import print_json, workspace


def gate(
    min_kappa: float = typer.Option(0.6, "--min-kappa", help="Trusted when the lower bound of "
                                    "the judge's kappa with gold reaches this."),
    min_items: int = typer.Option(20, "--min-items", min=1, help="Trusted only on at least "
                                  "this many gold items."),
    bootstrap: int = typer.Option(1000, "--bootstrap", min=1, help="Bootstrap replicates."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    as_json: opt.Json = False,
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Per clause: the judge's agreement with the analysts' gold labels (kappa and its 95%
    lower bound) and whether its flags there are trusted or supervised."""
    from llmqa.agreement.gate import gate_from_store
    from llmqa.agreement.terminal import render_trust_gate

    with workspace(config, home=home).open_store() as store:
        result = gate_from_store(store, min_kappa=min_kappa, min_items=min_items,
                                 n_boot=bootstrap, seed=seed)
    if as_json:
        print_json(result.to_dict())
    elif not result.gold_items:
        typer.echo("no item has both a judge verdict and a gold decision: every clause is "
                   "supervised (record decisions with llmqa decide or llmqa serve)")
    else:
        typer.echo(render_trust_gate(result, min_kappa, min_items))
