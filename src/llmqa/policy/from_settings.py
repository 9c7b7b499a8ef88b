"""Policy CI for a workspace: both guideline versions judged by the settings' model into the
workspace's store (under its run lock), with gold labels read from a file when named.

``Workspace.policy_check`` runs this, so a script and ``llmqa policy-ci`` gate alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.guidelines import GuidelineSet, load_guidelines

if TYPE_CHECKING:
    from llmqa.items import Item
    from llmqa.policy.ci import PolicyEstimate, PolicyReport
    from llmqa.progress import StageProgress
    from llmqa.workspace import Workspace


def run_policy_check(ws: Workspace, old: GuidelineSet | str | Path, new: GuidelineSet | str | Path,
                     items: list[Item], *, gold: Mapping[str, str] | str | Path | None = None,
                     max_kappa_drop: float | None = None, top_k: int | None = None,
                     source: str = "policy-ci", max_cost: float | None = None,
                     dry_run: bool = False, on_progress: StageProgress | None = None,
                     ) -> PolicyReport | PolicyEstimate:
    """Judge ``items`` under ``old`` and ``new`` (sets, or their folders or files). ``gold``:
    ``{item id: label}`` or a gold file; its unusable rows land in ``gold_problems``.
    ``max_cost`` (USD) covers both versions; ``dry_run`` only estimates the calls;
    ``on_progress(stage, done, total)`` follows the model calls of each version."""
    from llmqa.items import media_folder
    from llmqa.policy.ci import PolicyCheck
    from llmqa.runner import ReviewOptions
    from llmqa.runner.from_settings import require_price
    from llmqa.store.gold import gold_labels

    before, after = (g if isinstance(g, GuidelineSet) else load_guidelines(g) for g in (old, new))
    spec, prices = ws.backend(no_calls=dry_run), ws.prices()
    require_price(ws, spec, max_cost)
    problems: list[Any] = []
    if gold is None:
        labels: dict[str, str] = {}
    elif isinstance(gold, Mapping):
        labels = dict(gold)
    else:
        labels, problems = gold_labels(gold)
    seam = ws.seam(spec)
    # The embedded model runs one request at a time on the CPU.
    workers = 1 if spec.is_local else ws.settings.concurrency
    with ws.locked_store() as store:
        check = PolicyCheck(lambda g: ws.judge(spec, top_k=top_k, prices=prices, seam=seam,
                                               guidelines=g, media_root=media_folder(source)),
                            ws.embedder, store, ReviewOptions(concurrency=workers),
                            on_progress=on_progress)
        if dry_run:
            return check.estimate(before, after, items)
        report = asyncio.run(check.run(before, after, items, labels, source=source,
                                       max_kappa_drop=max_kappa_drop, max_cost=max_cost))
    report.gold_problems = problems
    return report
