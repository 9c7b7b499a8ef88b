"""``llmqa agreement``: inter-annotator agreement, consensus labels and judge vs humans."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.choices import ConsensusMethod, Level, Ties
from llmqa.cli import _options as opt
from llmqa.cli._common import err, flag, one_stdout, print_json, workspace, wrote


def agreement(
    items: opt.Items,
    fmt: opt.InputFormat = None,
    guidelines: Path | None = typer.Option(
        None, "--guidelines", "-g", help="Take the label set from these guidelines (ratings with "
        "other labels reported, left out) [default: guidelines/ when it exists]."),
    no_guidelines: bool = typer.Option(False, "--no-guidelines",
                                       help="Use the labels found in the file as the label set."),
    method: ConsensusMethod = typer.Option(ConsensusMethod.MAJORITY, "--method",
                                           help="How the consensus label is chosen."),
    ties: Ties = typer.Option(Ties.PRIOR, "--ties", help="Majority ties: 'prior' = most used "
                              "label overall, 'first' = label-set order, 'none' = no label. "
                              "Ties are flagged either way."),
    level: Level = typer.Option(Level.NOMINAL, "--level", help="Level of measurement for "
                                "Krippendorff's alpha (ordinal/interval use the label order)."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write one consensus row per "
                                      "item (.csv, .jsonl, .parquet; - for stdout)."),
    out_format: opt.OutputFormat = None,
    bootstrap: int = typer.Option(1000, "--bootstrap", min=0, help="Bootstrap replicates for "
                                  "the 95% CIs (0: no intervals)."),
    seed: opt.Seed = 0,
    min_kappa: float | None = typer.Option(None, "--min-kappa", help="Exit 1 when the headline "
                                           "Fleiss' kappa is below this (or undefined)."),
    top: int = typer.Option(20, "--top", min=1, help="Rows shown per breakdown table."),
    as_json: opt.Json = False,
    home: opt.Home = None,
    gold: Path | None = typer.Option(None, "--gold", help="Gold labels (.jsonl, .csv, .parquet: "
                                     "id, label, as `llmqa decisions export` writes) [default: "
                                     "the store's decisions]."),
    no_judge: bool = typer.Option(False, "--no-judge", help="Ignore the judge's verdicts in "
                                  "the store (human-human agreement only)."),
    config: opt.Config = None,
) -> None:
    """Agreement between annotators, a consensus label per item, and the LLM judge vs humans.

    Headline figures (on items with 2+ ratings): percent agreement, Fleiss' kappa,
    Krippendorff's alpha, Gwet's AC1 (with bootstrap 95% CIs) and mean pairwise Cohen's
    kappa; then per project, modality, label, annotator and clause, and everyone against
    the analysts' gold labels when there are some.
    """
    from llmqa.agreement.from_settings import run_agreement
    from llmqa.agreement.terminal import render_run
    from llmqa.io.readers import read_items
    from llmqa.io.writers import check_records_output, write_records

    to_stdout = output == "-"
    one_stdout({"--json": as_json, "-o -": to_stdout})
    if output is not None:
        check_records_output(output, out_format)  # before the work, not after
    ws = workspace(config, guidelines, home=home)
    label_source = None if no_guidelines else ws.chosen_guidelines(guidelines is not None)
    run = run_agreement(ws, read_items(items, fmt), source=items,
                        labels=list(label_source.labels) if label_source else None,
                        method=method, ties=ties, level=level, n_boot=bootstrap, seed=seed,
                        use_judge=not no_judge, against_gold=True, gold=gold,
                        min_kappa=min_kappa)
    if output is not None:
        wrote(output, write_records(run.consensus.records(run.ratings), output, out_format),
              "consensus rows")
    for problem in run.gold_problems[:10]:
        err(problem, "red")
    if as_json:
        print_json(run.to_dict(items))
    else:
        # With -o - the consensus rows own standard output, so the report goes to stderr.
        typer.echo(render_run(run, top, more="--json for all", name=flag), err=to_stdout)
    if run.passed is False:
        raise typer.Exit(1)
