"""A workspace ties settings to what is built from them: guidelines, index, store, model, judge.

It is the library's front door; every ``llmqa`` command is a few calls on it, and a script
does the same work::

    ws = Workspace.from_settings(guidelines="guidelines", model="gpt-4o-mini")
    items, report = ws.read_items("items.jsonl")
    summary = ws.review(items)
    run = ws.triage(items)

Settings resolve as for the CLI: keyword arguments, then ``LLMQA_*`` environment variables,
then ``llmqa.toml``. Heavy libraries (Chroma, torch, LangChain) load when a step needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.choices import ConsensusMethod, EscalateWhen, Purpose
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
    from llmqa.policy.ci import PolicyEstimate, PolicyReport
    from llmqa.progress import StageProgress
    from llmqa.reporting.from_settings import ReportRun
    from llmqa.revision.pipeline import RevisionOptions, RevisionRun
    from llmqa.runner import ReviewSummary
    from llmqa.runner.cascade import CascadeSummary, EscalationRule
    from llmqa.store import VerdictStore
    from llmqa.store.decisions import Decision
    from llmqa.store.gold import GoldImport
    from llmqa.themes import ThemeSummary
    from llmqa.triage.from_settings import TriageQueue, TriageRun
    from llmqa.triage.queue import QueueOptions

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
        return load_guidelines(self.settings.guidelines, from_setting=True)

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

    def locked_store(self, existing: bool = False) -> AbstractContextManager[VerdictStore]:
        """The writable store under the run lock (``store.locked_store``); with ``existing``,
        a home without a store is refused rather than made."""
        from llmqa.store import locked_store

        return locked_store(self.settings.home_path, existing)

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
              guidelines: GuidelineSet | None = None, media_root: Path | None = None) -> Judge:
        """A judge over these guidelines (or ``guidelines``), with the settings' retry
        budget; relative image paths start from ``media_root`` (``items.media_folder``)."""
        from llmqa.judge import Judge, JudgeConfig
        from llmqa.llm.retry import RetryPolicy

        spec = spec or self.backend()
        attempts, timeout = self.settings.max_attempts, self.settings.timeout
        retry = RetryPolicy(max_attempts=attempts, deadline=max(timeout * attempts * 2, 60.0))
        config = JudgeConfig.for_backend(spec, samples=samples, top_k=top_k, retry=retry,
                                         send_images=None if spec.is_local else send_images,
                                         media_root=media_root)
        return Judge(seam or self.seam(spec), guidelines or self.guidelines, config, prices)

    def prices(self) -> PriceTable:
        from llmqa.llm.pricing import PriceTable

        return PriceTable.load(self.settings.prices)

    # -- the work ---------------------------------------------------------------------------
    def review(self, items: list[Item], spec: BackendSpec | None = None,
               judge: Judge | None = None, *, samples: int = 1, top_k: int | None = None,
               send_images: bool | None = None, max_cost: float | None = None,
               dry_run: bool = False, batch_api: bool = False, include_decided: bool = False,
               source: str = "", on_progress: Callable[[int], None] | None = None,
               on_plan: Callable[[int], None] | None = None) -> ReviewSummary:
        """Judge ``items`` and store the verdicts; items already judged alike are reused,
        items an analyst decided are left out (counted in ``decided``) unless
        ``include_decided``. ``source`` names the items file (relative image paths start from
        its folder); ``judge`` defaults to ``self.judge(spec, ...)``. See runner.from_settings."""
        from llmqa.runner import from_settings

        return from_settings.review(
            self, items, spec or self.backend(), judge, samples=samples, top_k=top_k,
            send_images=send_images, max_cost=max_cost, dry_run=dry_run, batch_api=batch_api,
            include_decided=include_decided, source=source, on_progress=on_progress,
            on_plan=on_plan)

    def review_cascade(self, items: list[Item], cheap: BackendSpec | None,
                       strong: BackendSpec | str, rule: EscalationRule | None = None, *,
                       strong_base_url: str | None = None,
                       when: Iterable[EscalateWhen | str] | None = None, below: float = 0.7,
                       samples: int = 1, top_k: int | None = None,
                       send_images: bool | None = None, max_cost: float | None = None,
                       batch_api: bool = False, include_decided: bool = False,
                       source: str = "", gate: dict[str, Any] | None = None) -> CascadeSummary:
        """Judge every item with ``cheap`` (default: the settings' model) and the items
        ``rule`` picks with ``strong`` too (a spec, or a model name at ``strong_base_url``);
        ``rule`` defaults to escalating on ``when`` (default conditions when empty) with a
        confidence ``below``; ``max_cost`` bounds both stages. Its ``supervised`` condition,
        given no clauses, takes those the trust gate (options ``gate``, as
        ``agreement.gate.compute_gate``) does not trust for the cheap model (runner.cascade)."""
        from llmqa.runner import from_settings

        if isinstance(strong, str):
            strong = self.backend(model=strong, base_url=strong_base_url)
        return from_settings.review_cascade(
            self, items, cheap or self.backend(), strong,
            rule or from_settings.escalation_rule(when, below), samples=samples, top_k=top_k,
            send_images=send_images, max_cost=max_cost, batch_api=batch_api,
            include_decided=include_decided, source=source, gate=gate)

    def policy_check(self, old: GuidelineSet | str | Path, new: GuidelineSet | str | Path,
                     items: list[Item], *, gold: Mapping[str, str] | str | Path | None = None,
                     max_kappa_drop: float | None = None, top_k: int | None = None,
                     source: str = "policy-ci", max_cost: float | None = None,
                     dry_run: bool = False, on_progress: StageProgress | None = None,
                     ) -> PolicyReport | PolicyEstimate:
        """Judge ``items`` under the ``old`` and ``new`` guidelines (only items whose clauses
        changed cost a call) and gate on the kappa drop per changed clause against ``gold``
        (labels or a gold file) or the annotators. See policy.from_settings."""
        from llmqa.policy.from_settings import run_policy_check

        return run_policy_check(self, old, new, items, gold=gold, max_cost=max_cost,
                                max_kappa_drop=max_kappa_drop, top_k=top_k, source=source,
                                dry_run=dry_run, on_progress=on_progress)

    def triage(self, items: Iterable[Any], *, consensus: ConsensusMethod | str = "majority",
               use_guidelines: bool | None = None, offline: bool = False, seed: int = 0,
               weights: Path | None = None, answer_key: Path | None = None,
               on_progress: StageProgress | None = None, source: str = "") -> TriageRun:
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

    def report(self, records: str | Path | Iterable[Any], *,
               use_guidelines: bool | None = None, n_boot: int = 500, seed: int = 0,
               with_triage: bool = True, top: int = 15, review_url: str | None = None,
               on_progress: StageProgress | None = None,
               on_triage: Callable[[int], None] | None = None, source: str = "") -> ReportRun:
        """The one-page HTML report's content (``.html()`` renders it) for items or an items
        file: agreement, the triage's top rows (``top`` each) unless ``with_triage`` is off,
        and the analysts' decisions linking to the review app at ``review_url``;
        ``use_guidelines`` as for ``triage``. See reporting.from_settings."""
        from llmqa.reporting.decisions import DEFAULT_REVIEW_URL
        from llmqa.reporting.from_settings import run_report

        return run_report(self, records, use_guidelines=use_guidelines,
                          n_boot=n_boot, seed=seed, with_triage=with_triage, top=top,
                          review_url=review_url or DEFAULT_REVIEW_URL, on_progress=on_progress,
                          on_triage=on_triage, source=source)

    def revise(self, items: list[Item] | None = None, options: RevisionOptions | None = None,
               *, use_judge: bool = True, seam: ChatSeam | None = None,
               source: str = "", on_progress: StageProgress | None = None) -> RevisionRun:
        """Draft revisions for the clauses annotators disagree on in ``items`` (default: every
        item the store holds a verdict for); ``on_progress(stage, done, total)`` follows it."""
        from llmqa.errors import REVIEW, Hint, InputError
        from llmqa.revision.evidence import items_from_store, verdict_index
        from llmqa.revision.pipeline import RevisionOptions, run_revision

        if items is None and not (items := items_from_store(self.verdicts())):
            raise InputError("no items given, and the store holds no reviewed item",
                             hint=Hint("name an items file, or review a batch first ({})",
                                       (REVIEW,)))
        options = options or RevisionOptions()
        verdicts = verdict_index(self.verdicts({i.id for i in items})) if use_judge else {}
        gold, first = self.best_truth(items, options.queue, options.check_first)
        local = seam is None and self.backend(Purpose.WRITING).is_local  # one model, in turn
        return run_revision(self.guidelines, items, verdicts, options, seam,
                            seam_factory=lambda: self.seam(self.backend(Purpose.WRITING)),
                            guidelines_path=self.settings.guidelines, source=source,
                            gold=gold, check_first=first, on_progress=on_progress,
                            concurrency=1 if local else self.settings.concurrency)

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

    def import_decisions(self, path: str | Path, analyst: str | None = None,
                         require_guidelines: bool = False) -> GoldImport:
        """Record a gold file's decisions; its bad rows (labels and clause IDs outside the
        guidelines, when there are some, included) come back, named."""
        from llmqa.store.gold import import_gold

        chosen = self.chosen_guidelines(require_guidelines)
        labels, clauses = (chosen.labels, set(chosen.by_id)) if chosen else (None, None)
        with self.open_store() as store:
            return import_gold(store, path, analyst, labels, clauses)
