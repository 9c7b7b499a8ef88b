"""``llmqa examples``, ``llmqa revise`` and ``llmqa themes``: improving the guidelines.

``examples`` generates candidate examples for clauses and keeps only the verified ones;
``revise`` drafts clause revisions from disagreement evidence as a patch (applied only with
``--apply``); ``themes`` summarises recurring annotation errors for the annotation team.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from llmqa.cli._common import (
    BaseUrlOpt,
    ChromaUrlOpt,
    ConfigOpt,
    EmbedderOpt,
    HomeOpt,
    JsonOpt,
    MethodOpt,
    ModelOpt,
    err,
    judge_config,
    print_json,
    settings,
    table,
)
from llmqa.config import Settings
from llmqa.errors import ConfigError, InputError

if TYPE_CHECKING:  # heavy imports happen inside the commands
    from llmqa.guidelines import GuidelineSet
    from llmqa.items import Item
    from llmqa.llm.backends import BackendSpec

LOCAL_GENERATION_WARNING = (
    "Generating and verifying with the embedded SmolLM2-135M model (offline, no key). It "
    "follows the schema but is far too small to write or judge policy examples: expect most "
    "candidates to be dropped, and treat what is kept as a pipeline check. For real examples "
    "pass --model gpt-4o-mini (with OPENAI_API_KEY), or --base-url http://HOST:PORT/v1 --model "
    "NAME for vLLM, Ollama or a llama.cpp server."
)
LOCAL_REVISION_WARNING = (
    "Drafting wording with the embedded SmolLM2-135M model (offline, no key). It is far too "
    "small to rewrite policy: its drafts are checked and usually rejected, and the patch then "
    "holds only examples from real items. Pass --model/--base-url for real drafts, or "
    "--no-wording to skip the model."
)
# Output budgets: a list of examples or a rewritten clause is longer than a verdict.
LOCAL_MAX_TOKENS = 900
REMOTE_MAX_TOKENS = 2500


# --- shared helpers -------------------------------------------------------------------------

def _spec(cfg: Settings, temperature: float, local_tokens: int = LOCAL_MAX_TOKENS,
          remote_tokens: int = REMOTE_MAX_TOKENS) -> BackendSpec:
    from llmqa.llm.backends import BackendSpec

    local = cfg.model == "local"
    return BackendSpec(model=cfg.model, base_url=cfg.base_url, timeout=cfg.timeout,
                       method=cfg.structured_method,  # type: ignore[arg-type]
                       temperature=temperature, max_tokens=None if local else remote_tokens,
                       model_kwargs={"max_tokens": local_tokens} if local else {})


def _read_valid_items(path: str, fmt: str | None) -> list[Item]:
    from llmqa.io.readers import ReadReport, read_items

    report = ReadReport()
    items = []
    for record in read_items(path, fmt):
        report.add(record)
        if hasattr(record, "content"):
            items.append(record)
    for error in report.errors[:20]:
        err(str(error), "yellow")
    if report.rejected:
        err(f"{path}: {report.rejected} rows rejected and left out", "yellow")
    if not items:
        raise InputError(f"{path}: no valid items")
    return items


def _stored_verdicts(cfg: Settings, item_ids: set[str] | None = None) -> dict[str, dict[str, Any]]:
    from llmqa.revision.evidence import verdict_index
    from llmqa.store.verdicts import DB_NAME, VerdictStore

    if not (cfg.home_path / DB_NAME).exists():
        return {}
    with VerdictStore(cfg.home_path, readonly=True) as store:
        rows = [r for r in store.verdicts(latest=True)
                if item_ids is None or r["item_id"] in item_ids]
    return verdict_index(rows)


def _stored_items(cfg: Settings) -> list[Item]:
    from llmqa.revision.evidence import items_from_store
    from llmqa.store.verdicts import DB_NAME, VerdictStore

    if not (cfg.home_path / DB_NAME).exists():
        raise InputError("--where-disagreement needs items: pass --items FILE (or run "
                         "`llmqa review` first so the store holds them)")
    with VerdictStore(cfg.home_path, readonly=True) as store:
        return items_from_store(store.verdicts(latest=True))


def _patch_root(guidelines_path: Path, root: Path | None) -> Path:
    if root is not None:
        return root
    cwd = Path.cwd().resolve()
    folder = guidelines_path.resolve()
    if folder == cwd or cwd in folder.parents:
        return cwd
    return folder.parent if folder.is_dir() else folder.parent.parent


QueueOpt = typer.Option(None, "--queue", help="Triage queue (llmqa triage -o queue.jsonl): "
                        "items it ranks as likely errors are listed under 'check first', not "
                        "used, until an analyst decides them.")
CheckFirstOpt = typer.Option(0.75, "--check-first", min=0.0, max=1.0, help="Likely-error "
                             "score from which a queued item waits for a person.")


def best_truth(cfg: Any, records: list[Any], queue: Path | None, threshold: float
               ) -> tuple[dict[str, str], dict[str, float] | None]:
    """Analysts' gold labels, and the undecided items triage says to check first."""
    from llmqa.store.decisions import current_gold
    from llmqa.triage.queue_file import check_first, read_queue_file

    gold = current_gold(cfg.home_path, records)
    if queue is None:
        return gold, None
    first = check_first(read_queue_file(queue), threshold)
    return gold, {k: v for k, v in first.items() if k not in gold}


# --- llmqa examples -------------------------------------------------------------------------

def examples(
    clause_ids: list[str] | None = typer.Argument(None, help="Clause IDs to write examples for."),
    all_clauses: bool = typer.Option(False, "--all", help="Every clause of the guidelines."),
    where_disagreement: bool = typer.Option(
        False, "--where-disagreement", help="The clauses annotators disagree on (from "
        "--items, or the items stored by `llmqa review`)."),
    items: str | None = typer.Option(None, "--items", help="Items file for "
                                     "--where-disagreement."),
    max_clauses: int = typer.Option(10, "--max-clauses", min=1, help="At most this many "
                                    "clauses with --where-disagreement."),
    count: int | None = typer.Option(None, "--count", "-n", min=1, max=10, help="In-scope and "
                                     "out-of-scope examples asked for, each [3; 2 for the "
                                     "embedded model]."),
    duplicate_threshold: float = typer.Option(0.92, "--duplicate-threshold", min=0.0, max=1.0,
                                              help="Drop candidates whose embedding cosine with "
                                              "an existing example or another candidate is "
                                              "above this."),
    near_miss_k: int = typer.Option(8, "--near-miss-k", min=1, help="An out-of-scope candidate "
                                    "must retrieve its clause or a neighbour within this many "
                                    "clauses."),
    top_k: int | None = typer.Option(None, "--top-k", min=1, max=20, help="Clauses shown to "
                                     "the judge [5; 3 for the embedded model]; an in-scope "
                                     "candidate must retrieve its clause within them."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the kept candidates, with "
                                    "their verification evidence, as JSONL."),
    include_dropped: bool = typer.Option(False, "--include-dropped", help="Write dropped "
                                         "candidates to --out too, with their reasons."),
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines folder."),
    model: str | None = ModelOpt,
    base_url: str | None = BaseUrlOpt,
    structured_method: str | None = MethodOpt,
    temperature: float = typer.Option(0.7, "--temperature", help="Sampling temperature of the "
                                      "generator (the judge always uses 0)."),
    fmt: str | None = typer.Option(None, "--format", "-f", help="Format of --items."),
    home: str | None = HomeOpt,
    chroma_url: str | None = ChromaUrlOpt,
    embedder: str | None = EmbedderOpt,
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Generate candidate in-scope and near-miss out-of-scope examples, verified.

    Each candidate is dropped unless it is well-formed, not a near duplicate of an existing
    example or another candidate, retrieved where it should be, and classified as intended by
    the judge asked blind. Prints generated / kept / dropped counts and the reasons.
    """
    from llmqa.generation import (
        CandidateGenerator,
        ExamplePipeline,
        GenerationConfig,
        Verifier,
        VerifyConfig,
    )
    from llmqa.judge import Judge
    from llmqa.llm.backends import make_chat_model, make_seam
    from llmqa.workspace import Workspace

    chosen = sum(bool(x) for x in (clause_ids, all_clauses, where_disagreement))
    if chosen != 1:
        raise ConfigError("name clause IDs, or pass --all or --where-disagreement (one of them)")
    cfg = settings(config, guidelines=str(guidelines) if guidelines else None, model=model,
                   base_url=base_url, structured_method=structured_method, home=home,
                   chroma_url=chroma_url, embedder=embedder)
    ws = Workspace(cfg)
    guideline_set = ws.guidelines
    clauses = _pick_clauses(cfg, guideline_set, clause_ids, all_clauses, where_disagreement,
                            items, fmt, max_clauses)
    if not clauses:
        err("no clause meets the disagreement thresholds; nothing to generate")
        if as_json:
            print_json({"generated": 0, "kept": 0, "dropped": 0, "clauses": []})
        return

    gen_spec = _spec(cfg, temperature)
    judge_spec = _spec(cfg, 0.0, remote_tokens=600)
    if gen_spec.is_local:
        err(LOCAL_GENERATION_WARNING, "yellow")
        # One llama.cpp model in memory serves both: generation and the judge take turns.
        chat = make_chat_model(gen_spec)
        gen_seam = judge_seam = make_seam(gen_spec, chat)
    else:
        gen_seam, judge_seam = make_seam(gen_spec), make_seam(judge_spec)
    judge_settings = judge_config(judge_spec, 1, top_k, None, cfg.timeout, cfg.max_attempts)
    judge = Judge(judge_seam, guideline_set, judge_settings)
    generator = CandidateGenerator(gen_seam, guideline_set, GenerationConfig(
        per_kind=count or (2 if gen_spec.is_local else 3),
        max_chars=300 if gen_spec.is_local else None, retry=judge_settings.retry))
    retriever = ws.retriever()
    verifier = Verifier(guideline_set, retriever, judge, VerifyConfig(
        near_miss_k=near_miss_k, duplicate_threshold=duplicate_threshold,
        concurrency=1 if gen_spec.is_local else cfg.concurrency))

    def progress(report: Any) -> None:
        if not as_json:
            err(f"{report.clause_id}: {report.generated} generated, {len(report.kept)} kept")

    run = asyncio.run(ExamplePipeline(generator, verifier).run(clauses, progress))
    if out is not None:
        records = ([c.to_record(run.guideline_version) | {"model": run.model}
                    for report in run.clauses for c in report.checked]
                   if include_dropped else list(run.kept_records()))
        _write_jsonl(out, records)
        err(f"{len(records)} candidates written to {out}")
    if as_json:
        print_json(run.to_dict())
    else:
        _print_examples(run)


def _pick_clauses(cfg: Settings, guideline_set: GuidelineSet, clause_ids: list[str] | None,
                  all_clauses: bool, where_disagreement: bool, items: str | None,
                  fmt: str | None, max_clauses: int) -> list[Any]:
    if all_clauses:
        return list(guideline_set.by_id.values())
    if clause_ids:
        unknown = [c for c in clause_ids if c not in guideline_set.by_id]
        if unknown:
            raise InputError(f"unknown clause ID(s): {', '.join(unknown)}")
        return [guideline_set.by_id[c] for c in dict.fromkeys(clause_ids)]
    from llmqa.revision.evidence import Thresholds, gather_evidence, troubled_clauses

    records = _read_valid_items(items, fmt) if items else _stored_items(cfg)
    verdicts = _stored_verdicts(cfg, {i.id for i in records})
    thresholds = Thresholds(max_clauses=max_clauses)
    evidence = troubled_clauses(gather_evidence(records, guideline_set, verdicts,
                                                thresholds=thresholds), thresholds)
    return [guideline_set.by_id[e.clause_id] for e in evidence]


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def _print_examples(run: Any) -> None:
    rows = [[c.clause_id, str(c.generated), str(len(c.kept)), str(len(c.dropped)),
             ", ".join(f"{k} {v}" for k, v in sorted(c.reasons.items()))] for c in run.clauses]
    typer.echo(table(rows, ["clause", "generated", "kept", "dropped", "reasons"]))
    typer.echo(f"\n{run.generated} generated, {run.kept} kept, {run.dropped} dropped "
               f"(model {run.model}, guidelines {run.guideline_version})")
    if run.reasons:
        typer.echo("dropped: " + ", ".join(f"{k} {v}" for k, v in sorted(run.reasons.items())))
    for clause in run.clauses:
        for checked in clause.dropped:
            kind = checked.candidate.kind if checked.candidate else "reply"
            reason = checked.reason.value if checked.reason else "?"
            typer.echo(f"  {clause.clause_id} {kind}: {reason}: {checked.detail[:160]}")


# --- llmqa revise ---------------------------------------------------------------------------

def revise(
    items: str = typer.Argument(..., help="Items file (.jsonl, .csv, .parquet) with annotations."),
    clause_summary: Path | None = typer.Option(None, "--clause-summary", help="Triage clause "
                                               "summary JSON (`llmqa triage --clause-summary`)."),
    examples_file: Path | None = typer.Option(None, "--examples", help="Verified candidates "
                                              "from `llmqa examples --out` to draw examples "
                                              "from."),
    clause: list[str] | None = typer.Option(None, "--clause", help="Revise only these clauses "
                                            "(repeatable), troubled or not."),
    min_items: int = typer.Option(3, "--min-items", min=1, help="Items with 2+ ratings a clause "
                                  "needs before its agreement counts."),
    max_agreement: float = typer.Option(0.75, "--max-agreement", min=0.0, max=1.0,
                                        help="A clause whose percent agreement is below this "
                                        "is troubled."),
    min_flags: int = typer.Option(2, "--min-flags", min=1, help="Judge likely_error/ambiguous "
                                  "or triage flags that make a clause troubled."),
    max_clauses: int = typer.Option(10, "--max-clauses", min=1, help="Revise at most this many "
                                    "clauses, most troubled first."),
    max_item_examples: int = typer.Option(2, "--max-item-examples", min=0, help="New examples "
                                          "per clause from real disagreed items."),
    max_generated_examples: int = typer.Option(2, "--max-generated-examples", min=0,
                                               help="New examples per clause from --examples."),
    example_chars: int = typer.Option(240, "--example-chars", min=40, help="Cap on an example "
                                      "quoted from an item."),
    wording: bool = typer.Option(True, "--wording/--no-wording", help="Ask the model for "
                                 "clearer wording (off: examples only, no model)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the patch here (default: "
                                    "standard output)."),
    report_out: Path | None = typer.Option(None, "--report", help="Also write the evidence "
                                           "report as markdown."),
    apply: bool = typer.Option(False, "--apply", help="Write the revised guideline files (a new "
                               "guideline version). Without it nothing is written but --out "
                               "and --report."),
    root: Path | None = typer.Option(None, "--root", help="Folder the patch paths are relative "
                                     "to [default: the current folder when the guidelines are "
                                     "inside it]."),
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines folder."),
    model: str | None = ModelOpt,
    base_url: str | None = BaseUrlOpt,
    structured_method: str | None = MethodOpt,
    no_judge: bool = typer.Option(False, "--no-judge", help="Ignore the judge's verdicts in the "
                                  "store."),
    queue: Path | None = QueueOpt,
    check_first_score: float = CheckFirstOpt,
    fmt: str | None = typer.Option(None, "--format", "-f", help="Input format (default: from "
                                   "the file name)."),
    home: str | None = HomeOpt,
    as_json: bool = JsonOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Draft guideline revisions for the clauses annotators disagree on, as a patch.

    Per troubled clause: clearer wording (LLM, with the disagreed items as evidence) and new
    examples from real disagreed items (anonymized) and verified generated ones. The patch is
    a unified diff that `git apply` and `patch -p1` apply; its preamble holds the evidence.
    """
    from llmqa.guidelines import load_guidelines
    from llmqa.llm.backends import make_seam
    from llmqa.revision import (
        DraftConfig,
        RevisionDrafter,
        Thresholds,
        apply_edits,
        gather_evidence,
        plan_edits,
        render_patch,
        revision_report,
        troubled_clauses,
    )
    from llmqa.revision.clause_summary import load_clause_summary
    from llmqa.revision.edit import checked_changes

    cfg = settings(config, guidelines=str(guidelines) if guidelines else None, model=model,
                   base_url=base_url, structured_method=structured_method, home=home)
    guideline_set = load_guidelines(cfg.guidelines)
    records = _read_valid_items(items, fmt)
    verdicts = {} if no_judge else _stored_verdicts(cfg, {i.id for i in records})
    triage = {}
    if clause_summary:
        triage, made_with = load_clause_summary(clause_summary)
        if made_with and made_with != guideline_set.version:
            err(f"{clause_summary} was made with guideline version {made_with}; the guidelines "
                f"are at {guideline_set.version}", "yellow")
    generated = _read_examples(examples_file) if examples_file else []
    thresholds = Thresholds(min_items=min_items, max_agreement=max_agreement,
                            min_flags=min_flags, max_clauses=max_clauses)
    gold, first = best_truth(cfg, records, queue, check_first_score)
    evidence = gather_evidence(records, guideline_set, verdicts, triage, thresholds, gold=gold,
                               check_first=first)
    if clause:
        unknown = [c for c in clause if c not in guideline_set.by_id]
        if unknown:
            raise InputError(f"unknown clause ID(s): {', '.join(unknown)}")
        found = {e.clause_id: e for e in evidence}
        from llmqa.revision.evidence import ClauseEvidence

        chosen = [found.get(c) or ClauseEvidence(c) for c in dict.fromkeys(clause)]
    else:
        chosen = troubled_clauses(evidence, thresholds)
    if not chosen:
        err("no clause meets the thresholds (see --max-agreement, --min-flags); nothing to "
            "revise")
        if as_json:
            print_json({"clauses": [], "applied": None})
        return

    seam = None
    if wording:
        spec = _spec(cfg, 0.0)
        if spec.is_local:
            err(LOCAL_REVISION_WARNING, "yellow")
        seam = make_seam(spec)
    drafter = RevisionDrafter(guideline_set, seam, DraftConfig(
        wording=wording, max_item_examples=max_item_examples,
        max_generated_examples=max_generated_examples, example_chars=example_chars))
    drafts = asyncio.run(drafter.draft_all(chosen, generated))
    changes, failures = checked_changes(guideline_set, [d.change() for d in drafts])
    for clause_id, problem in failures.items():
        err(f"{clause_id}: change left out: {problem}", "yellow")
    patch_root = _patch_root(Path(cfg.guidelines), root)
    edits = plan_edits(guideline_set, changes, patch_root)
    report = revision_report(drafts, guideline_set, items, failures)
    patch = render_patch(edits, report)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(patch, encoding="utf-8")
        err(f"patch written to {out} ({len(edits)} files; apply with `git apply {out}`)")
    elif not as_json:
        typer.echo(patch, nl=False)
    if report_out is not None:
        report_out.parent.mkdir(parents=True, exist_ok=True)
        report_out.write_text(report, encoding="utf-8")
        err(f"evidence report written to {report_out}")
    for draft in drafts:
        err(f"{draft.clause.id}: {draft.wording_note}; {len(draft.examples)} new examples")
    applied = None
    if apply:
        if not edits:
            err("nothing to apply: no clause has a change")
        else:
            applied = apply_edits(edits, guideline_set, cfg.guidelines)
            err(f"guidelines {applied.old_version} -> {applied.new_version}; changed: "
                f"{', '.join(applied.diff.changed) or 'none'} (in {', '.join(applied.files)})")
            err("run `llmqa index` to re-embed the changed clauses")
    if as_json:
        print_json({
            "base_version": guideline_set.version, "patch": patch if out is None else str(out),
            "clauses": [{"clause_id": d.clause.id, "reasons": d.evidence.reasons,
                         "figures": d.evidence.figures(), "wording": d.wording_note,
                         "new_text": d.new_text, "diagnosis": d.diagnosis,
                         "examples": [{"kind": p.kind, "text": p.example.text,
                                       "modality": p.example.modality, "why": p.example.why,
                                       "source": p.source, "note": p.note}
                                      for p in d.examples]} for d in drafts],
            "left_out": failures,
            "applied": None if applied is None else {
                "old_version": applied.old_version, "new_version": applied.new_version,
                "changed": list(applied.diff.changed), "files": list(applied.files)}})


def _read_examples(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InputError(f"{path}: no such examples file")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if isinstance(record, dict) and record.get("clause_id") and record.get("kind"):
            records.append(record)
    return records


# --- llmqa themes ---------------------------------------------------------------------------

def themes(
    items: str = typer.Argument(..., help="Items file (.jsonl, .csv, .parquet) with annotations."),
    project: list[str] | None = typer.Option(None, "--project", help="Only these projects "
                                             "(repeatable)."),
    method: str = typer.Option("majority", "--method", help="Consensus method: majority, "
                               "dawid-skene or mace."),
    min_count: int = typer.Option(2, "--min-count", min=1, help="A theme must recur this many "
                                  "times to be listed."),
    per_theme: int = typer.Option(3, "--examples", min=1, max=10, help="Representative items "
                                  "per theme."),
    top: int = typer.Option(10, "--top", min=1, help="Clauses and annotators listed."),
    title: str = typer.Option("Recurring annotation error themes", "--title",
                              help="Report title."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the markdown here "
                                    "(default: standard output)."),
    guidelines: Path | None = typer.Option(None, "--guidelines", "-g", help="Guidelines folder "
                                           "(clause titles, label set) [default: guidelines/ "
                                           "when it exists]."),
    no_judge: bool = typer.Option(False, "--no-judge", help="Ignore the judge's verdicts in the "
                                  "store (consensus only)."),
    queue: Path | None = QueueOpt,
    check_first_score: float = CheckFirstOpt,
    fmt: str | None = typer.Option(None, "--format", "-f", help="Input format (default: from "
                                   "the file name)."),
    home: str | None = HomeOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Recurring annotation error themes by clause and by annotator, as markdown.

    Deterministic, no model: which annotations were wrong comes from the consensus and, where
    the judge flagged an item in the store, from the judge's suggested label.
    """
    from llmqa.agreement import METHODS
    from llmqa.guidelines import load_guidelines
    from llmqa.themes import find_mistakes, render_themes

    if method not in METHODS:
        raise ConfigError(f"--method {method!r}: use one of {', '.join(METHODS)}")
    cfg = settings(config, guidelines=str(guidelines) if guidelines else None, home=home)
    folder = Path(cfg.guidelines)
    guideline_set = load_guidelines(folder) if (guidelines or folder.exists()) else None
    records = _read_valid_items(items, fmt)
    if project:
        wanted = set(project)
        records = [i for i in records if (i.project or "") in wanted]
        if not records:
            raise InputError(f"no items in project(s) {', '.join(sorted(wanted))}")
    verdicts = {} if no_judge else _stored_verdicts(cfg, {i.id for i in records})
    gold, first = best_truth(cfg, records, queue, check_first_score)
    summary = find_mistakes(records, verdicts, guideline_set, method, gold=gold,
                            check_first=first)
    markdown = render_themes(summary, guideline_set, title=title, min_count=min_count,
                             examples=per_theme, top=top)
    if out is None:
        typer.echo(markdown, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown, encoding="utf-8")
        err(f"themes written to {out} ({len(summary.mistakes)} differing annotations)")
