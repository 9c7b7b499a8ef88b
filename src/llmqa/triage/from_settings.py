"""Triage signals for a batch from a workspace's settings: the guideline index for the
retrieval evidence, the store's judge verdicts, and item vectors through the store's cache.

``llmqa triage`` and ``llmqa report`` both compute their signals here, so a report's triage
section ranks exactly as the triage queue does.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.config import Settings

if TYPE_CHECKING:
    from llmqa.agreement.gate import Gate
    from llmqa.guidelines import GuidelineSet
    from llmqa.triage.data import TriageData
    from llmqa.triage.signals import Progress, SignalSet


@dataclass
class TriageSignals:
    """The signals for a batch, the guidelines they were computed against (None when the
    retrieval evidence was skipped), and notes on what was skipped and why."""

    signals: SignalSet
    guidelines: GuidelineSet | None
    notes: list[str]


def triage_signals(data: TriageData, resolved: Settings, *, use_guidelines: bool = True,
                   guidelines_named: bool = False, offline: bool = False,
                   seed: int = 0, on_progress: Progress | None = None) -> TriageSignals:
    """Every signal the settings allow, as ``llmqa triage`` computes them (``llmqa report``
    shares this): retrieval evidence when guidelines exist (a named folder must exist), the
    store's judge verdicts unless ``offline``, item vectors through the store's cache."""
    from llmqa.triage import TriageConfig, compute_signals
    from llmqa.workspace import Workspace

    ws = Workspace(resolved)
    notes: list[str] = []
    retriever = guideline_set = None
    if not use_guidelines:
        notes.append("retrieval evidence skipped (--no-guidelines)")
    elif not guidelines_named and not Path(resolved.guidelines).exists():
        notes.append(f"no guidelines at {resolved.guidelines}: retrieval evidence skipped")
    else:
        guideline_set = ws.guidelines
        retriever = ws.retriever()
    verdicts = gate = None
    if offline:
        notes.append("offline: judge verdicts not used")
    else:
        verdicts, found, gate = _verdicts(resolved)
        notes.append(f"judge: {found}")
        if gate is not None:
            notes.append(f"gate: judge trusted on {len(gate.trusted)} clauses "
                         f"({', '.join(sorted(gate.trusted)) or 'none yet'}), supervised "
                         "elsewhere: its verdicts there do not raise priority")
    with ExitStack() as stack:
        item_embedder = _cached_embedder(ws, resolved, stack, notes)
        signals = compute_signals(data, embedder=item_embedder, retriever=retriever,
                                  guidelines=guideline_set, verdicts=verdicts,
                                  config=TriageConfig(seed=seed), on_progress=on_progress,
                                  gate=gate)
    return TriageSignals(signals, guideline_set, notes)


def _cached_embedder(ws: Any, resolved: Settings, stack: ExitStack, notes: list[str]) -> Any:
    """The workspace embedder behind the store's item-vector cache (shared with ``llmqa
    review``); the plain embedder when the store cannot be written (read-only home)."""
    from llmqa.errors import StoreError
    from llmqa.store.verdicts import VerdictStore
    from llmqa.triage.embeddings import StoreCachedEmbedder

    try:
        store = stack.enter_context(VerdictStore(resolved.home_path))
    except StoreError as exc:
        notes.append(f"item vectors not cached: {exc}")
        return ws.embedder
    return StoreCachedEmbedder(ws.embedder, store)


def _verdicts(resolved: Settings) -> tuple[list[dict[str, Any]] | None, str, Gate | None]:
    """The store's newest ok verdicts, and the trust gate once analysts have gold labels."""
    from llmqa.agreement.gate import compute_gate
    from llmqa.store.decisions import DecisionStore
    from llmqa.store.verdicts import DB_NAME, VerdictStore

    if not (resolved.home_path / DB_NAME).exists():
        return None, f"no verdict store in {resolved.home_path}", None
    with VerdictStore(resolved.home_path, readonly=True) as store:
        rows = list(store.verdicts(latest=True, status="ok"))
        gold = DecisionStore(store).gold()
    if not rows:
        return None, "no usable verdicts in the store", None
    gate = compute_gate(rows, gold) if gold else None
    return rows, f"{len(rows)} verdicts", gate
