"""``llmqa gate``: per clause, may the judge flag alone (trusted) or does a person look?"""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli._common import ConfigOpt, HomeOpt, JsonOpt, print_json, table, workspace


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def gate(
    min_kappa: float = typer.Option(0.6, "--min-kappa", help="Trusted when the lower bound of "
                                    "the judge's kappa with gold reaches this."),
    min_items: int = typer.Option(20, "--min-items", min=1, help="Trusted only on at least "
                                  "this many gold items."),
    bootstrap: int = typer.Option(1000, "--bootstrap", min=1, help="Bootstrap replicates."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    as_json: bool = JsonOpt,
    home: str | None = HomeOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Per clause: the judge's agreement with the analysts' gold labels (kappa and its 95%
    lower bound) and whether its flags there are trusted or supervised."""
    from llmqa.agreement.gate import gate_from_store
    from llmqa.store.verdicts import VerdictStore

    resolved = workspace(config, home=home).settings
    with VerdictStore(resolved.home_path) as store:
        result = gate_from_store(store, min_kappa=min_kappa, min_items=min_items,
                                 n_boot=bootstrap, seed=seed)
    if as_json:
        print_json(result.to_dict())
        return
    if not result.gold_items:
        typer.echo("no item has both a judge verdict and a gold decision: every clause is "
                   "supervised (record decisions with llmqa decide or llmqa serve)")
        return
    rows = [[c.clause_id, str(c.n_items), _num(c.agreement), _num(c.kappa), _num(c.ci_low),
             c.state, c.why] for c in [*result.clauses, result.overall]]
    typer.echo(f"judge {', '.join(result.models) or '(model unknown)'} against "
               f"{result.gold_items} gold items (trusted: lower bound >= {min_kappa:g} on "
               f">= {min_items} items)")
    typer.echo(table(rows, ["clause", "items", "agree", "kappa", "low", "state", "why"]))
