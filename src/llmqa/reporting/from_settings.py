"""The HTML report for a workspace: agreement (with the judge's stored verdicts), the triage
section (as ``llmqa triage`` ranks with its defaults), and the analysts' decisions.

``Workspace.report`` runs this. A triage that cannot run because the index or the embedding
backend is out of step with the settings leaves its section out, with the problem stated on
the page: the other sections are still right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.errors import LlmqaError
from llmqa.reporting.decisions import DEFAULT_REVIEW_URL

if TYPE_CHECKING:
    from llmqa.progress import StageProgress
    from llmqa.workspace import Workspace


@dataclass
class ReportRun:
    """What the page shows; ``html()`` renders it. ``triage_problem`` is why the triage
    section is left out (``None`` when it ran or was not asked for)."""

    agreement: dict[str, Any]
    home: Path
    source: str
    guideline_version: str | None
    triage: dict[str, Any] | None
    triage_problem: LlmqaError | None
    decisions: dict[str, Any] | None

    def html(self, name: Callable[[str], str] | None = None) -> str:
        """The self-contained page; ``name`` phrases the settings a problem's hint names
        (as ``LlmqaError.describe``)."""
        from llmqa.reporting.html import build_report, render_report

        problem = None if self.triage_problem is None else self.triage_problem.describe(name)
        return render_report(build_report(self.agreement, self.home, self.source,
                                          self.guideline_version, triage=self.triage,
                                          triage_error=problem, decisions=self.decisions))


def run_report(ws: Workspace, records: str | Path | Iterable[Any], *,
               use_guidelines: bool | None = None, n_boot: int = 500, seed: int = 0,
               with_triage: bool = True, top: int = 15, review_url: str = DEFAULT_REVIEW_URL,
               on_progress: StageProgress | None = None,
               on_triage: Callable[[int], None] | None = None, source: str = "") -> ReportRun:
    """``records``: items (a reader's rejected rows among them are noted) or an items file.
    ``on_triage(n)`` is called before the triage scores ``n`` items (its slow part).
    ``use_guidelines``: ``None`` when they exist, ``True`` required, ``False`` skipped."""
    from llmqa.errors import BackendError, IndexMismatchError, InputError
    from llmqa.io.readers import read_items
    from llmqa.items import Item
    from llmqa.reporting.decisions import decisions_section
    from llmqa.reporting.html import triage_section

    if isinstance(records, str | Path):
        source = source or str(records)
        records = read_items(records)
    # Read once: agreement and triage both walk the items, and stdin cannot be read twice.
    records = list(records)
    loaded = None if use_guidelines is False else ws.chosen_guidelines(bool(use_guidelines))
    agreement = ws.agreement(records, labels=list(loaded.labels) if loaded else None,
                             n_boot=n_boot, seed=seed, source=source).report
    triage = problem = None
    if with_triage:
        if on_triage is not None:
            on_triage(agreement.n_items)
        try:
            # As `llmqa triage` with its defaults: majority consensus, default weights.
            run = ws.triage(records, seed=seed, on_progress=on_progress, source=source,
                            use_guidelines=use_guidelines)
            triage = triage_section(run.result, run.clause_summary(), run.notes, top)
        except (IndexMismatchError, BackendError, InputError) as exc:  # e.g. no labels yet
            problem = exc
    decisions = decisions_section([r for r in records if isinstance(r, Item)],
                                  ws.settings.home_path, review_url, n_boot=n_boot or 1,
                                  seed=seed)
    return ReportRun(agreement.to_dict(), ws.settings.home_path, source,
                     loaded.version if loaded is not None else None, triage, problem, decisions)
