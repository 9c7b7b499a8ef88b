"""Triage for a workspace: the guideline index for the retrieval evidence, the store's judge
verdicts, and item vectors through the store's cache, then scores (default, saved or fitted
weights).

``Workspace.triage`` runs this, so ``llmqa triage`` and ``llmqa report`` rank alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.errors import InputError

if TYPE_CHECKING:
    from llmqa.agreement.gate import Gate
    from llmqa.guidelines import GuidelineSet
    from llmqa.store.decisions import Decision
    from llmqa.triage.data import TriageData
    from llmqa.triage.pipeline import TriageResult
    from llmqa.triage.queue import QueueOptions
    from llmqa.triage.scores import Weights
    from llmqa.triage.signals import Progress, SignalSet
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


def run_triage(ws: Workspace, records: Iterable[Any], *, consensus: str = "majority",
               use_guidelines: bool | None = None, offline: bool = False, seed: int = 0,
               weights: Path | None = None, answer_key: Path | None = None,
               on_progress: Progress | None = None, source: str = "") -> TriageRun:
    """Score ``records`` (items; rejected rows among them are noted). ``use_guidelines``:
    ``None`` uses them when they exist, ``True`` requires them, ``False`` skips them.
    ``answer_key`` fits the weights on a key; else ``weights`` (a saved file) or the defaults."""
    from llmqa.triage import DEFAULT_WEIGHTS, TriageData, Weights, calibrate, load_key, score

    data = TriageData.from_items(records, consensus=consensus, seed=seed)
    if data.n_items == 0:
        rejected = f" ({len(data.problems)} rows rejected)" if data.problems else ""
        raise InputError(f"{source or 'input'}: no valid items found{rejected}")
    computed = triage_signals(data, ws, use_guidelines=use_guidelines, offline=offline,
                              seed=seed, on_progress=on_progress)
    chosen = Weights.load(weights) if weights else DEFAULT_WEIGHTS
    calibration = None
    if answer_key is not None:
        chosen, calibration = calibrate(computed.signals, data.item_ids, load_key(answer_key),
                                        seed=seed)
    notes = computed.notes + computed.signals.all_notes() + data.problems[:10]
    return TriageRun(score(data, computed.signals, chosen), computed.guidelines, notes, chosen,
                     calibration)


def triage_signals(data: TriageData, ws: Workspace, *, use_guidelines: bool | None = None,
                   offline: bool = False, seed: int = 0,
                   on_progress: Progress | None = None) -> TriageSignals:
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
