"""A workspace ties settings to what is built from them: guidelines, index, store, model, judge.

It is the library's front door; every ``llmqa`` command is a few calls on it, and a script
does the same work::

    ws = Workspace.from_settings(guidelines="guidelines", model="gpt-4o-mini")
    items, report = ws.read_items("items.jsonl")
    summary = ws.review(items)
    run = ws.triage(items)

Settings resolve as for the CLI: keyword arguments, then ``LLMQA_*`` environment variables,
then ``llmqa.toml``. Heavy libraries (Chroma, torch, LangChain) load only when a step needs
them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.choices import ConsensusMethod, Purpose
from llmqa.config import Settings, load_settings
from llmqa.guidelines import GuidelineSet, load_guidelines

if TYPE_CHECKING:
    from llmqa.agreement.from_settings import AgreementRun
    from llmqa.index.chroma_index import ClauseIndex
    from llmqa.index.embedders import Embedder
    from llmqa.index.retriever import Retriever
    from llmqa.io.readers import ReadReport, RowCheck
    from llmqa.items import Item
    from llmqa.judge import Judge
    from llmqa.llm.backends import BackendSpec
    from llmqa.llm.pricing import PriceTable
    from llmqa.llm.seam import ChatSeam
    from llmqa.revision.pipeline import RevisionOptions, RevisionRun
    from llmqa.runner import ReviewRunner, ReviewSummary
    from llmqa.runner.cascade import CascadeSummary, EscalationRule
    from llmqa.store import VerdictStore
    from llmqa.store.decisions import Decision
    from llmqa.store.gold import GoldImport
    from llmqa.themes import ThemeSummary
    from llmqa.triage.from_settings import TriageQueue, TriageRun
    from llmqa.triage.queue import QueueOptions
    from llmqa.triage.signals import Progress

# Output budgets for writing (examples, clause wording): longer than a verdict. The embedded
# model's budget goes to llama.cpp itself.
LOCAL_WRITING_TOKENS = 900
REMOTE_WRITING_TOKENS = 2500


class Workspace:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()

    @classmethod
    def from_settings(cls, config_file: Path | None = None, **flags: Any) -> Workspace:
        """Settings from ``flags`` (``None`` = not given), the environment and the config."""
        return cls(load_settings(config_file=config_file, **flags))

    # -- guidelines and the clause index ----------------------------------------------------
    @cached_property
    def guidelines(self) -> GuidelineSet:
        return load_guidelines(self.settings.guidelines)

    @cached_property
    def optional_guidelines(self) -> GuidelineSet | None:
        """The guidelines when their folder exists, else ``None`` (steps that can do without)."""
        return self.guidelines if Path(self.settings.guidelines).exists() else None

    def chosen_guidelines(self, required: bool = False) -> GuidelineSet | None:
        """The guidelines when ``required`` (named by the user: missing is an error), else
        only when they exist."""
        return self.guidelines if required else self.optional_guidelines

    @cached_property
    def embedder(self) -> Embedder:
        from llmqa.index.embedders import make_embedder

        return make_embedder(self.settings.embedder, base_url=self.settings.base_url,
                             cache_dir=self.settings.home_path / "models")

    @cached_property
    def index(self) -> ClauseIndex:
        from llmqa.index.chroma_index import ClauseIndex, make_client

        embedder = self.embedder  # a bad embedder setting fails before any folder is created
        client = make_client(self.settings.home_path, self.settings.chroma_url)
        return ClauseIndex(client, embedder, self.settings.collection)

    def retriever(self, sync: bool = True) -> Retriever:
        """A retriever over the current guidelines, indexing first when the index is stale."""
        if sync:
            self.index.sync(self.guidelines)
        return self.index.retriever(self.guidelines)

    # -- items and the store ----------------------------------------------------------------
    def read_items(self, path: str | Path, fmt: str | None = None, *,
                   check: RowCheck | None = None,
                   limit: int | None = None) -> tuple[list[Item], ReadReport]:
        """The valid items of a file (at most ``limit``) and the report of rejected rows."""
        from llmqa.io.readers import ReadReport, read_items
        from llmqa.items import Item

        report = ReadReport()
        items: list[Item] = []
        for record in read_items(path, fmt, check):
            report.add(record)
            if isinstance(record, Item) and (limit is None or len(items) < limit):
                items.append(record)
        return items, report

    def label_checks(self) -> RowCheck:
        """Rejects rows whose labels or clause IDs the guidelines do not know."""
        from llmqa.io.validate import ItemChecks

        return ItemChecks(set(self.guidelines.labels), set(self.guidelines.by_id))

    @property
    def has_store(self) -> bool:
        from llmqa.store.verdicts import DB_NAME

        return (self.settings.home_path / DB_NAME).exists()

    def open_store(self, readonly: bool = False) -> VerdictStore:
        """The verdict store (a context manager); created unless ``readonly``."""
        from llmqa.store import VerdictStore

        return VerdictStore(self.settings.home_path, readonly=readonly)

    def verdicts(self, item_ids: Iterable[str] | None = None, latest: bool = True,
                 status: str | None = None) -> list[dict[str, Any]]:
        """Stored verdict rows, only for ``item_ids`` when given; empty when nothing is stored."""
        if not self.has_store:
            return []
        wanted = None if item_ids is None else set(item_ids)
        with self.open_store(readonly=True) as store:
            return list(store.verdicts(latest=latest, status=status, item_ids=wanted))

    def judge_labels(self, item_ids: Iterable[str] | None = None,
                     ) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
        """Item id -> the judge's suggested label, and -> its cited clauses, from the newest
        usable verdict per item (of ``item_ids`` when given: a store may hold other batches);
        ``(None, None)`` when none has been reviewed."""
        rows = self.verdicts(item_ids, status="ok")
        if not rows:
            return None, None
        return ({r["item_id"]: r["suggested_label"] for r in rows},
                {r["item_id"]: r["cited_clause_ids"] for r in rows})

    def decisions(self, items: Iterable[Any]) -> dict[str, Decision]:
        """Item id -> the analyst's current decision on it (made on its current content and
        labels); rows that are not items are passed over."""
        from llmqa.items import Item
        from llmqa.store.decisions import current_decisions

        return current_decisions(self.settings.home_path,
                                 [i for i in items if isinstance(i, Item)])

    def undecided(self, items: list[Item]) -> tuple[list[Item], int]:
        """The items no analyst has decided (on their current content and labels), and how
        many were left out as decided: settled stays settled."""
        decided = self.decisions(items)
        return [i for i in items if i.id not in decided], len(decided)

    def judge_models(self, item_ids: Iterable[str] | None = None) -> list[str]:
        """The models behind the newest usable verdicts (of ``item_ids`` when given), named
        with every judge figure."""
        return sorted({r["model"] for r in self.verdicts(item_ids, status="ok")})

    # -- models and the judge ---------------------------------------------------------------
    def backend(self, purpose: Purpose | str = Purpose.JUDGE, *, temperature: float = 0.0,
                vision: bool | None = None, model: str | None = None,
                base_url: str | None = None, no_calls: bool = False) -> BackendSpec:
        """The chat model the settings name (or ``model`` at ``base_url``, e.g. a cascade's
        strong model), sized for ``purpose``."""
        from llmqa.llm.backends import BackendSpec

        s = self.settings
        common: dict[str, Any] = {"model": model or s.model,
                                  "base_url": base_url or s.base_url, "timeout": s.timeout,
                                  "method": s.structured_method, "temperature": temperature,
                                  "vision": vision, "no_calls": no_calls,
                                  # The [model] table / model options only configure the model
                                  # the settings name, not a cascade's other model.
                                  "model_kwargs": {} if model else dict(s.model_options)}
        if Purpose(purpose) is Purpose.WRITING:
            local = s.model == "local"
            common["max_tokens"] = None if local else REMOTE_WRITING_TOKENS
            if local:
                common["model_kwargs"] = common["model_kwargs"] | {
                    "max_tokens": LOCAL_WRITING_TOKENS}
        return BackendSpec(**common)

    def seam(self, spec: BackendSpec | None = None) -> ChatSeam:
        from llmqa.llm.backends import make_seam

        return make_seam(spec or self.backend())

    def judge(self, spec: BackendSpec | None = None, *, samples: int = 1,
              top_k: int | None = None, send_images: bool | None = None,
              prices: PriceTable | None = None, seam: ChatSeam | None = None,
              guidelines: GuidelineSet | None = None) -> Judge:
        """A judge over these guidelines (or ``guidelines``), with the settings' retry
        budget."""
        from llmqa.judge import Judge, JudgeConfig
        from llmqa.llm.retry import RetryPolicy

        spec = spec or self.backend()
        attempts, timeout = self.settings.max_attempts, self.settings.timeout
        retry = RetryPolicy(max_attempts=attempts, deadline=max(timeout * attempts * 2, 60.0))
        config = JudgeConfig.for_backend(spec, samples=samples, top_k=top_k, retry=retry,
                                         send_images=None if spec.is_local else send_images)
        return Judge(seam or self.seam(spec), guidelines or self.guidelines, config, prices)

    def prices(self) -> PriceTable:
        from llmqa.llm.pricing import PriceTable

        return PriceTable.load(self.settings.prices)

    # -- the work ---------------------------------------------------------------------------
    def review(self, items: list[Item], spec: BackendSpec | None = None,
               judge: Judge | None = None, *, samples: int = 1, top_k: int | None = None,
               send_images: bool | None = None, max_cost: float | None = None,
               dry_run: bool = False, batch_api: bool = False, source: str = "",
               on_progress: Callable[[int], None] | None = None,
               on_plan: Callable[[int], None] | None = None) -> ReviewSummary:
        """Judge ``items`` and store the verdicts; items already judged alike are reused.
        ``judge`` defaults to ``self.judge(spec, samples=..., top_k=..., send_images=...)``
        with the settings' price table."""
        from llmqa.store import RunLock

        spec = spec or self.backend()
        # The lock comes first: a second run must refuse before it touches the index or store.
        with RunLock(self.settings.home_path), self.open_store() as store:
            judge = judge or self.judge(spec, samples=samples, top_k=top_k,
                                        send_images=send_images, prices=self.prices())
            _, run = self._stage(judge, spec, store, self.retriever(), max_cost, dry_run,
                                 batch_api, on_progress, on_plan)
            return run(items, source)

    def review_cascade(self, items: list[Item], cheap: BackendSpec, strong: BackendSpec,
                       rule: EscalationRule, *, samples: int = 1, top_k: int | None = None,
                       send_images: bool | None = None, max_cost: float | None = None,
                       batch_api: bool = False, source: str = "",
                       gate: dict[str, Any] | None = None) -> CascadeSummary:
        """Judge every item with ``cheap`` and the items ``rule`` picks with ``strong`` too
        (see runner.cascade). ``max_cost`` bounds both stages together. Under the
        ``supervised`` condition without clauses of its own, the rule takes the clauses the
        trust gate (options ``gate``, as ``agreement.gate.compute_gate``) does not trust for
        the cheap model."""
        from llmqa.runner import ReviewSummary
        from llmqa.runner.cascade import Cascade
        from llmqa.store import RunLock

        with RunLock(self.settings.home_path), self.open_store() as store:
            retriever, prices = self.retriever(), self.prices()
            judges = [self.judge(spec, samples=samples, top_k=top_k, send_images=send_images,
                                 prices=prices) for spec in (cheap, strong)]
            cheap_runner, cheap_run = self._stage(judges[0], cheap, store, retriever, max_cost,
                                                  False, batch_api)
            spent = ReviewSummary()

            def run_cheap(batch: list[Item], name: str) -> ReviewSummary:
                nonlocal spent
                spent = cheap_run(batch, name)
                return spent

            def run_strong(batch: list[Item], name: str) -> ReviewSummary:
                left = None if max_cost is None else max(0.0, max_cost - spent.spent_usd)
                return self._stage(judges[1], strong, store, retriever, left, False,
                                   batch_api)[1](batch, name)

            strong_runner, _ = self._stage(judges[1], strong, store, retriever, max_cost,
                                           False, batch_api)

            def supervised() -> frozenset[str]:
                from llmqa.agreement.gate import untrusted_clauses

                return untrusted_clauses(store, judges[0].seam.name,
                                         judges[0].guidelines.by_id, **(gate or {}))

            return Cascade(cheap_runner, strong_runner, rule, run_cheap, run_strong,
                           supervised if not rule.supervised_clauses else None
                           ).run(items, source)

    def _stage(self, judge: Judge, spec: BackendSpec, store: VerdictStore, retriever: Retriever,
               max_cost: float | None, dry_run: bool, batch_api: bool,
               on_progress: Callable[[int], None] | None = None,
               on_plan: Callable[[int], None] | None = None,
               ) -> tuple[ReviewRunner, Callable[[list[Item], str], ReviewSummary]]:
        """A review runner for one judge and how to run it: live, or through the Batch API."""
        import asyncio
        import os

        from llmqa.runner import ReviewOptions, ReviewRunner

        # The embedded model runs one request at a time on the CPU; queued requests would
        # only eat into their own timeouts.
        workers = 1 if spec.is_local else self.settings.concurrency
        options = ReviewOptions(concurrency=workers, max_cost=max_cost, dry_run=dry_run,
                                batch_pricing=batch_api)
        runner = ReviewRunner(judge, retriever, store, options, on_progress=on_progress,
                              on_plan=on_plan)
        if batch_api and not dry_run:
            from llmqa.runner.batch_api import BatchApiReview

            poll = float(os.environ.get("LLMQA_BATCH_POLL") or 30.0)
            return runner, BatchApiReview(runner, spec, poll_interval=poll).run
        return runner, lambda batch, name: asyncio.run(runner.run(batch, name))

    def triage(self, items: Iterable[Any], *, consensus: ConsensusMethod | str = "majority",
               use_guidelines: bool | None = None, offline: bool = False, seed: int = 0,
               weights: Path | None = None, answer_key: Path | None = None,
               on_progress: Progress | None = None, source: str = "") -> TriageRun:
        """Score items for likely error and ambiguity (the queue: ``triage.build_queue``).
        ``items`` may hold a reader's rejected rows: they are noted. ``use_guidelines``:
        ``None`` when they exist, ``True`` required, ``False`` skipped."""
        from llmqa.triage.from_settings import run_triage

        return run_triage(self, items, consensus=ConsensusMethod(consensus),
                          use_guidelines=use_guidelines, offline=offline, seed=seed,
                          weights=weights, answer_key=answer_key, on_progress=on_progress,
                          source=source)

    def agreement(self, items: Iterable[Any], *, labels: Sequence[str] | None = None,
                  method: ConsensusMethod | str = "majority", ties: str = "prior",
                  level: str = "nominal", n_boot: int = 1000, seed: int = 0,
                  use_judge: bool = True, source: str = "") -> AgreementRun:
        """Annotator agreement with the judge's stored verdicts as one more rater (unless
        ``use_judge`` is off), a consensus label per item, and the report."""
        from llmqa.agreement.from_settings import run_agreement

        return run_agreement(self, items, labels=labels, method=ConsensusMethod(method),
                             ties=ties, level=level, n_boot=n_boot, seed=seed,
                             use_judge=use_judge, source=source)

    def revise(self, items: list[Item], options: RevisionOptions | None = None, *,
               use_judge: bool = True, seam: ChatSeam | None = None,
               source: str = "", on_progress: Progress | None = None) -> RevisionRun:
        """Draft revisions for the clauses annotators disagree on (see revision.pipeline);
        ``on_progress(stage, done, total)`` follows the drafting."""
        from llmqa.revision.evidence import verdict_index
        from llmqa.revision.pipeline import RevisionOptions, run_revision

        options = options or RevisionOptions()
        verdicts = verdict_index(self.verdicts({i.id for i in items})) if use_judge else {}
        gold, first = self.best_truth(items, options.queue, options.check_first)
        return run_revision(self.guidelines, items, verdicts, options, seam,
                            seam_factory=lambda: self.seam(self.backend(Purpose.WRITING)),
                            guidelines_path=self.settings.guidelines, source=source,
                            gold=gold, check_first=first, on_progress=on_progress)

    def best_truth(self, items: list[Item], queue: Path | None = None,
                   threshold: float | None = None
                   ) -> tuple[dict[str, str], dict[str, float] | None]:
        """Analysts' gold labels for ``items``, and the undecided items a triage ``queue``
        file ranks as likely errors at ``threshold`` or above (see llmqa.best_truth)."""
        from llmqa.best_truth import best_truth
        from llmqa.triage.queue_file import DEFAULT_CHECK_FIRST

        return best_truth(self.settings.home_path, items, queue,
                          DEFAULT_CHECK_FIRST if threshold is None else threshold)

    def triage_queue(self, items: Iterable[Any], options: QueueOptions | None = None, *,
                     include_decided: bool = False, source: str = "",
                     **triage: Any) -> TriageQueue:
        """``triage`` (taking its keyword arguments) made into the queue: items analysts
        decided are left out, or kept and marked with ``include_decided``."""
        from llmqa.triage.from_settings import triage_queue

        return triage_queue(self, items, options, include_decided=include_decided,
                            source=source, **triage)

    def themes(self, items: Iterable[Item], *, projects: Iterable[str] | None = None,
               method: ConsensusMethod | str = "majority", use_judge: bool = True,
               queue: Path | None = None, check_first: float | None = None,
               require_guidelines: bool = False) -> ThemeSummary:
        """Which annotations were wrong, against the best truth there is (see llmqa.themes);
        ``render_themes`` writes the report."""
        from llmqa.themes import workspace_themes

        return workspace_themes(self, items, projects=projects, method=str(method),
                                use_judge=use_judge, queue=queue, check_first=check_first,
                                require_guidelines=require_guidelines)

    def import_decisions(self, path: str | Path, analyst: str | None = None) -> GoldImport:
        """Record the gold decisions of a JSONL file; its bad lines come back, named."""
        from llmqa.store.gold import import_gold

        with self.open_store() as store:
            return import_gold(store, path, analyst)
