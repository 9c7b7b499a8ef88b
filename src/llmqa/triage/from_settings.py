"""Triage for a workspace: the guideline index for the retrieval evidence, the store's judge
verdicts, and item vectors through the store's cache, then scores (default, saved or fitted
weights).

``Workspace.triage`` runs this, so ``llmqa triage`` and ``llmqa report`` rank alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.errors import REVIEW, Hint, InputError

if TYPE_CHECKING:
    from llmqa.agreement.gate import Gate
    from llmqa.guidelines import GuidelineSet
    from llmqa.progress import StageProgress
    from llmqa.store.decisions import Decision
    from llmqa.triage.data import TriageData
    from llmqa.triage.pipeline import TriageResult
    from llmqa.triage.queue import QueueOptions
    from llmqa.triage.scores import Weights
    from llmqa.triage.signals import SignalSet
    from llmqa.workspace import Workspace


@dataclass
class TriageSignals:
    """The signals for a batch, the guidelines they were computed against (None when the
    retrieval evidence was skipped), and notes on what was skipped and why."""

    signals: SignalSet
    guidelines: GuidelineSet | None
    notes: list[str]


@dataclass
class TriageRun:
    """A scored batch: ``result`` feeds ``build_queue`` and ``clause_summary``; ``notes`` say
    what was skipped and why; ``calibration`` is the fit's quality when weights were fitted."""

    result: TriageResult
    guidelines: GuidelineSet | None
    notes: list[str]
    weights: Weights
    calibration: dict[str, Any] | None = None

    def queue(self, options: QueueOptions, decided: Mapping[str, Decision] | None = None,
              ) -> list[dict[str, Any]]:
        """The queue rows (see ``triage.build_queue``); a row of an item an analyst decided
        says what was decided (``options.exclude`` leaves such items out)."""
        from llmqa.triage.queue import build_queue

        rows = build_queue(self.result, options)
        for row in rows:
            made = (decided or {}).get(row["item_id"])
            if made is not None:
                row["decision"] = f"{made.decision.value} {made.label or ''}".strip()
        return rows

    def clause_summary(self) -> dict[str, Any]:
        """Where errors and ambiguity cluster, per clause (see ``triage.clauses``)."""
        from llmqa.triage.clauses import clause_summary

        return clause_summary(self.result, guidelines=self.guidelines)


@dataclass
class TriageQueue:
    """A scored batch as the queue an analyst works through: the rows (``options`` applied;
    items analysts already decided left out unless ``include_decided``, else marked) and
    how many items were decided."""

    run: TriageRun
    rows: list[dict[str, Any]]
    decided: int
    include_decided: bool = False
    source: str = ""

    def notes(self, name: Callable[[str], str] | None = None) -> list[str]:
        """How many items are undecided, then the run's notes; ``name`` spells an option
        (the CLI's flag names) where a note says what to change."""
        n_items = self.run.result.data.n_items
        head = f"{n_items - self.decided} undecided of {n_items} items"
        if self.decided and not self.include_decided:
            keep = Hint("{} keeps them", ("include_decided",)).render(name)
            head += f"; {self.decided} decided by analysts left out ({keep})"
        return [head, *self.run.notes]

    def to_dict(self, name: Callable[[str], str] | None = None) -> dict[str, Any]:
        from llmqa.triage.output import payload

        run = self.run
        return payload(self.source, run.result, self.rows, self.notes(name), run.calibration)

    def render(self, show: int = 20, more: str = "",
               name: Callable[[str], str] | None = None) -> str:
        """The terminal text: signals, calibration and the first ``show`` rows; ``more``
        says how to get the rest."""
        from llmqa.triage.output import render

        run = self.run
        return render(run.result, self.rows[:show], len(self.rows), self.notes(name),
                      run.calibration, more=more)


def triage_queue(ws: Workspace, records: Iterable[Any], options: QueueOptions | None = None, *,
                 include_decided: bool = False, source: str = "",
                 **triage: Any) -> TriageQueue:
    """Score ``records`` (``triage`` as ``run_triage`` takes them) and build the queue; an
    item an analyst decided on its current content and labels settles out of it."""
    from dataclasses import replace

    from llmqa.triage.queue import QueueOptions

    records = list(records)
    run = run_triage(ws, records, source=source, **triage)
    decided = ws.decisions(records)
    options = options or QueueOptions()
    if not include_decided:
        options = replace(options, exclude=options.exclude | frozenset(decided))
    return TriageQueue(run, run.queue(options, decided), len(decided), include_decided, source)


def run_triage(ws: Workspace, records: Iterable[Any], *, consensus: str = "majority",
               use_guidelines: bool | None = None, offline: bool = False, seed: int = 0,
               weights: Path | None = None, answer_key: Path | None = None,
               on_progress: StageProgress | None = None, source: str = "") -> TriageRun:
    """Score ``records`` (items; rejected rows among them are noted). ``use_guidelines``:
    ``None`` uses them when they exist, ``True`` requires them, ``False`` skips them.
    ``answer_key`` fits the weights on a key; else ``weights`` (a saved file) or the defaults."""
    from llmqa.triage import (
        DEFAULT_WEIGHTS,
        TriageData,
        Weights,
        cache,
        calibrate,
        load_key,
        score,
    )

    records = list(records)
    # Read before the work, so a bad file is said at once rather than after the signals.
    chosen = Weights.load(weights) if weights else DEFAULT_WEIGHTS
    answers = load_key(answer_key) if answer_key is not None else None
    key = _cache_key(ws, records, consensus=consensus, use_guidelines=use_guidelines,
                     offline=offline, seed=seed, weights=weights, answer_key=answer_key)
    kept = cache.load(ws.settings.home_path, key)
    if isinstance(kept, TriageRun):
        kept.notes = [*kept.notes, "triage reused: the same items, settings, verdicts and "
                      "decisions as the state folder's previous triage"]
        return kept
    data = TriageData.from_items(records, consensus=consensus, seed=seed)
    if data.n_items == 0:
        rejected = f" ({len(data.problems)} rows rejected)" if data.problems else ""
        raise InputError(f"{source or 'input'}: no valid items found{rejected}")
    if not data.ratings.per_item.any():  # else an empty queue under a page of notes
        raise InputError(f"{source or 'input'}: no item carries an annotation; the triage "
                         "ranks labels that may be wrong or contested",
                         hint=Hint("for the judge's labels on unlabelled items, use {}",
                                   (REVIEW,)))
    computed = triage_signals(data, ws, use_guidelines=use_guidelines, offline=offline,
                              seed=seed, on_progress=on_progress)
    calibration = None
    if answers is not None:
        chosen, calibration = calibrate(computed.signals, data.item_ids, answers, seed=seed)
    notes = computed.notes + computed.signals.all_notes() + data.problems[:10]
    result = score(data, computed.signals, chosen)
    basis = result.scores.error_basis(computed.signals.reliability)
    run = TriageRun(result, computed.guidelines, notes + ([basis] if basis else []), chosen,
                    calibration)
    problem = cache.save(ws.settings.home_path, key, run)
    if problem:
        run.notes.append(problem)
    return run


def _cache_key(ws: Workspace, records: list[Any], *, consensus: str,
               use_guidelines: bool | None, offline: bool, seed: int, weights: Path | None,
               answer_key: Path | None) -> str:
    """Everything the scores depend on (see triage.cache), read cheaply: the rows, the
    settings, the usable verdicts and the decision log's length."""
    from llmqa.triage import TriageConfig
    from llmqa.triage.cache import triage_key

    used = (use_guidelines is True
            or (use_guidelines is None and ws.optional_guidelines is not None))
    settings = {"consensus": str(consensus), "use_guidelines": use_guidelines,
                "guidelines": ws.guidelines.version if used else None,
                "guidelines_path": str(ws.settings.guidelines) if used else None,
                "offline": offline, "seed": seed, "embedder": ws.settings.embedder,
                "config": repr(TriageConfig(seed=seed))}
    rows = [] if offline else ws.verdicts(status="ok")
    decisions = None
    if ws.has_store:
        with ws.open_store(readonly=True) as store:
            exists = store.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                      "AND name = 'decisions'").fetchone()
            count, last = (store.db.execute("SELECT COUNT(*), MAX(rowid) FROM decisions")
                           .fetchone() if exists else (0, None))
            # No decision and no store read alike: triage itself creates the store.
            decisions = [count, last] if count else None
    return triage_key(records, settings, rows, decisions, weights, answer_key)


def triage_signals(data: TriageData, ws: Workspace, *, use_guidelines: bool | None = None,
                   offline: bool = False, seed: int = 0,
                   on_progress: StageProgress | None = None) -> TriageSignals:
    """Every signal the workspace allows: retrieval evidence when guidelines exist (or are
    required), the store's judge verdicts unless ``offline``, item vectors through the
    store's cache."""
    from llmqa.triage import TriageConfig, compute_signals

    notes: list[str] = []
    retriever = guideline_set = None
    resolved = ws.settings
    if use_guidelines is False:
        notes.append("retrieval evidence skipped (guidelines not used)")
    elif use_guidelines is None and ws.optional_guidelines is None:
        notes.append(f"no guidelines at {resolved.guidelines}: retrieval evidence skipped")
    else:
        guideline_set = ws.guidelines
        retriever = ws.retriever()
    verdicts = gate = None
    if offline:
        notes.append("offline: judge verdicts not used")
    else:
        rows = ws.verdicts(status="ok")
        verdicts = rows or None
        notes.append(f"judge: {len(rows)} verdicts" if rows else
                     f"judge: no verdict store in {resolved.home_path}" if not ws.has_store
                     else "judge: no usable verdicts in the store")
        gate = _gate(ws, rows) if rows else None
        if gate is not None:
            notes.append(f"gate: judge trusted on {len(gate.trusted)} clauses "
                         f"({', '.join(sorted(gate.trusted)) or 'none yet'}), supervised "
                         "elsewhere: its verdicts there do not raise priority")
    with ExitStack() as stack:
        item_embedder = _cached_embedder(ws, stack, notes)
        signals = compute_signals(data, embedder=item_embedder, retriever=retriever,
                                  guidelines=guideline_set, verdicts=verdicts,
                                  config=TriageConfig(seed=seed), on_progress=on_progress,
                                  gate=gate)
    return TriageSignals(signals, guideline_set, notes)


def _cached_embedder(ws: Workspace, stack: ExitStack, notes: list[str]) -> Any:
    """The workspace embedder behind the store's item-vector cache (shared with ``llmqa
    review``); the plain embedder when the store cannot be written (read-only home)."""
    from llmqa.errors import StoreError
    from llmqa.triage.embeddings import StoreCachedEmbedder

    try:
        store = stack.enter_context(ws.open_store())
    except StoreError as exc:
        notes.append(f"item vectors not cached: {exc}")
        return ws.embedder
    return StoreCachedEmbedder(ws.embedder, store)


def _gate(ws: Workspace, rows: list[dict[str, Any]]) -> Gate | None:
    """The trust gate on the judge's verdicts, once analysts have given gold labels."""
    from llmqa.agreement.gate import compute_gate
    from llmqa.store.decisions import DecisionStore

    with ws.open_store(readonly=True) as store:
        gold = DecisionStore(store).gold()
    return compute_gate(rows, gold) if gold else None
