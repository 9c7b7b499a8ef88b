"""Policy CI: judge a batch under the old and the new guideline, and say what the edit changed.

Both versions go through the ordinary review runner and the same store, so the old version's
verdicts are usually already stored (from the review that preceded the edit) and the new
version costs a model call only for the items whose retrieved clauses changed: the store key
holds the clause context, so every other item reuses its verdict. The comparison itself is in
``policy.compare``; this module only drives the two reviews and gathers the rows.

A cost limit covers both reviews together; a run that reaches it stops with what it has
stored (a re-run resumes) and reports no comparison, since half-judged versions would show
flips that are only missing verdicts. ``PolicyCheck.estimate`` is the dry run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from llmqa.guidelines.model import GuidelineSet, VersionDiff
from llmqa.index.embedders import Embedder
from llmqa.index.retriever import Retriever
from llmqa.items import Item
from llmqa.judge.judge import Judge
from llmqa.judge.render import consensus_label
from llmqa.policy.compare import Flip, KappaChange, clauses_of, flips, kappa_change
from llmqa.progress import StageProgress
from llmqa.runner.review import ReviewOptions, ReviewRunner, ReviewSummary
from llmqa.store.vector_cache import VectorCache
from llmqa.store.verdicts import VerdictStore

JudgeFactory = Callable[[GuidelineSet], Judge]


@dataclass
class PolicyReport:
    old_version: str
    new_version: str
    model: str
    diff: VersionDiff
    items: int
    affected: list[str]  # items judged differently under the new version (new store key)
    baseline: ReviewSummary
    candidate: ReviewSummary
    flips: list[Flip]
    agreement: list[KappaChange]
    max_kappa_drop: float | None = None
    gate_failures: list[KappaChange] = field(default_factory=list)
    gold_items: int = 0
    clause_items: dict[str, int] = field(default_factory=dict)  # items judged against each
    gold_problems: list[Any] = field(default_factory=list)  # gold rows that could not be used
    budget_reached: bool = False  # stopped at the cost limit: no comparison was made

    @property
    def changed_clauses(self) -> list[str]:
        return sorted({*self.diff.added, *self.diff.removed, *self.diff.changed})

    @property
    def passed(self) -> bool:
        return not self.gate_failures and not self.budget_reached

    @property
    def spent_usd(self) -> float | None:
        costs = (self.baseline.cost_usd, self.candidate.cost_usd)
        return None if None in costs else sum(c or 0.0 for c in costs)

    def markdown(self) -> str:
        """The report as markdown, fit for a pull-request comment (see policy.markdown); a
        run stopped at the cost limit has only its headline."""
        from llmqa.policy.markdown import render_markdown

        if self.budget_reached:
            return self.headline + "\n"

        return render_markdown(self)

    @property
    def headline(self) -> str:
        if self.budget_reached:
            spent = "?" if self.spent_usd is None else f"${self.spent_usd:.4f}"
            return (f"stopped at the cost limit after {self.baseline.reviewed} calls under the "
                    f"old guidelines and {self.candidate.reviewed} under the new ({spent}); "
                    "no comparison made: re-run to resume, stored verdicts are reused")
        label = ("no-violation label {} -> {}, ".format(*self.diff.no_violation_label)
                 if self.diff.no_violation_label else "")
        return (f"{len(self.changed_clauses)} changed clause(s), {label}{len(self.affected)} "
                f"item(s) re-judged, {len(self.flips)} flip(s)")

    @property
    def gate_message(self) -> str | None:
        """Why the gate failed, or ``None`` when no clause failed it."""
        if not self.gate_failures:
            return None
        return (f"kappa fell by more than {self.max_kappa_drop} on "
                + ", ".join(k.scope for k in self.gate_failures))

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version, "new_version": self.new_version,
            "model": self.model,
            "clauses": {"added": list(self.diff.added), "removed": list(self.diff.removed),
                        "changed": list(self.diff.changed)},
            "no_violation_label": (list(self.diff.no_violation_label)
                                   if self.diff.no_violation_label else None),
            "items": self.items, "affected_items": len(self.affected),
            "calls": {"baseline": self.baseline.reviewed, "new": self.candidate.reviewed},
            "cost_usd": {"baseline": self.baseline.cost_usd, "new": self.candidate.cost_usd},
            "gold_items": self.gold_items, "clause_items": self.clause_items,
            "flips": [f.to_dict() for f in self.flips],
            "agreement": [k.to_dict() for k in self.agreement],
            "gate": {"max_kappa_drop": self.max_kappa_drop, "passed": self.passed,
                     "failures": [k.to_dict() for k in self.gate_failures]},
            "budget_reached": self.budget_reached,
        }


@dataclass
class PolicyEstimate:
    """What a policy check would ask the model, from a dry run: under the old guidelines the
    items the store holds no verdict for, under the new those whose prompt the edit changes."""

    items: int
    baseline: ReviewSummary
    candidate: ReviewSummary

    @property
    def cost_usd(self) -> float | None:
        costs = (self.baseline.estimated_cost_usd, self.candidate.estimated_cost_usd)
        return None if None in costs else sum(c or 0.0 for c in costs)

    def to_dict(self) -> dict[str, Any]:
        b, c = self.baseline, self.candidate
        return {"items": self.items, "calls": {"baseline": b.to_review, "new": c.to_review},
                "estimated_input_tokens": b.estimated_input_tokens + c.estimated_input_tokens,
                "estimated_output_tokens": b.estimated_output_tokens + c.estimated_output_tokens,
                "estimated_cost_usd": {"baseline": b.estimated_cost_usd,
                                       "new": c.estimated_cost_usd, "total": self.cost_usd}}

    def text(self) -> str:
        payload = self.to_dict()
        cost = "unknown (no price)" if self.cost_usd is None else f"${self.cost_usd:.4f}"
        return (f"dry run: {self.items} items; {self.baseline.to_review} calls under the old "
                f"guidelines (the rest are stored), {self.candidate.to_review} under the new "
                f"(items whose clauses the edit changes)\nestimated tokens: "
                f"{payload['estimated_input_tokens']} in, {payload['estimated_output_tokens']} "
                f"out; estimated cost {cost}")


class PolicyCheck:
    """Drives the two reviews; ``make_judge`` builds the same judge for either guideline."""

    def __init__(self, make_judge: JudgeFactory, embedder: Embedder, store: VerdictStore,
                 options: ReviewOptions | None = None, n_boot: int = 1000,
                 on_progress: StageProgress | None = None) -> None:
        """``on_progress(stage, done, total)`` follows each review's model calls (the stage
        names the guideline version)."""
        self.make_judge = make_judge
        self.embedder = embedder
        self.store = store
        self.options = options or ReviewOptions()
        self.n_boot = n_boot
        self.on_progress = on_progress

    def _runner(self, guidelines: GuidelineSet, stage: str = "", **options: Any) -> ReviewRunner:
        retriever = Retriever.from_guidelines(
            guidelines, self.embedder, documents=VectorCache(self.embedder, self.store))
        counts = [0, 0]  # calls answered, calls planned

        def plan(total: int) -> None:
            counts[1] = total
            if self.on_progress:
                self.on_progress(stage, *counts)

        def step(done: int) -> None:
            counts[0] += done
            if self.on_progress:
                self.on_progress(stage, *counts)

        return ReviewRunner(self.make_judge(guidelines), retriever, self.store,
                            replace(self.options, **options), on_progress=step, on_plan=plan)

    def estimate(self, old: GuidelineSet, new: GuidelineSet, items: list[Item]) -> PolicyEstimate:
        """The dry run: prompts are built and keys looked up in the store; nothing is asked."""
        summaries = []
        before, after = self._runner(old, dry_run=True), self._runner(new, dry_run=True)
        prepared = before.prepare(items)
        # Under the new guidelines an item whose prompt is unchanged gets the baseline's
        # verdict (the same key), whether stored now or asked for just before.
        for runner, (todo, _) in ((before, before.plan(prepared)),
                                  (after, after.plan(after.prepare(items),
                                                     seen={p.key for p in prepared}))):
            tokens_in, tokens_out, cost = runner.estimate(todo)
            summaries.append(ReviewSummary(
                items=len(items), to_review=len(todo), reused=len(items) - len(todo),
                estimated_input_tokens=tokens_in, estimated_output_tokens=tokens_out,
                estimated_cost_usd=cost, status="dry_run"))
        return PolicyEstimate(len(items), *summaries)

    async def _judge_all(self, guidelines: GuidelineSet, items: list[Item], source: str,
                         version: str, max_cost: float | None = None) -> tuple[
                             dict[str, str], dict[str, dict[str, Any]], ReviewSummary, str]:
        runner = self._runner(guidelines, f"{version} guidelines", max_cost=max_cost)
        judge = runner.judge
        summary = await runner.run(items, source)
        # The keys the run computed; items it never reached (a budget stop) are prepared here.
        missing = [item for item in items if item.id not in runner.keys]
        keys = {**runner.keys, **{p.item.id: p.key for p in runner.prepare(missing)}}
        keys = {item.id: keys[item.id] for item in items}
        stored = self.store.verdicts_by_key(list(keys.values()))
        rows = {item_id: stored[key] for item_id, key in keys.items() if key in stored}
        return keys, rows, summary, judge.seam.name

    async def run(self, old: GuidelineSet, new: GuidelineSet, items: list[Item],
                  gold: Mapping[str, str] | None = None, source: str = "policy-ci",
                  max_kappa_drop: float | None = None,
                  max_cost: float | None = None) -> PolicyReport:
        diff = old.diff(new)
        old_keys, old_rows, baseline, model = await self._judge_all(
            old, items, f"{source} (old)", "old", max_cost)
        candidate = ReviewSummary(items=len(items), status="not_run")
        if not baseline.budget_reached:
            left = None if max_cost is None else max(0.0, max_cost - baseline.spent_usd)
            new_keys, new_rows, candidate, model = await self._judge_all(
                new, items, f"{source} (new)", "new", left)
        if baseline.budget_reached or candidate.budget_reached:
            return PolicyReport(old_version=old.version, new_version=new.version, model=model,
                                diff=diff, items=len(items), affected=[], baseline=baseline,
                                candidate=candidate, flips=[], agreement=[],
                                max_kappa_drop=max_kappa_drop, budget_reached=True)
        affected = sorted(i for i in new_keys if old_keys.get(i) != new_keys[i])
        changed = {*diff.added, *diff.removed, *diff.changed}
        humans = {i.id: c.label for i in items
                  if (c := consensus_label(i)).label is not None and not c.tie}
        gold = {k: v for k, v in (gold or {}).items() if k in new_keys}
        ids = list(new_keys)
        references = [("gold", gold)] if gold else []
        references.append(("humans", humans))
        agreement = [kappa_change("overall", name, ids, ref, old_rows, new_rows, self.n_boot)
                     for name, ref in references]
        per_clause: dict[str, list[str]] = {c: [] for c in sorted(changed)}
        for item_id in ids:
            for clause in (clauses_of(old_rows.get(item_id))
                           | clauses_of(new_rows.get(item_id))) & changed:
                per_clause[clause].append(item_id)
        gate: list[KappaChange] = []
        for clause, clause_ids in per_clause.items():
            scores = [kappa_change(clause, name, clause_ids, ref, old_rows, new_rows,
                                   self.n_boot) for name, ref in references]
            agreement += scores
            # Gold decides where it can; the annotators only where no gold says anything.
            decisive = next((s for s in scores if s.change is not None), None)
            if (max_kappa_drop is not None and decisive is not None
                    and decisive.change is not None and -decisive.change > max_kappa_drop):
                gate.append(decisive)
        return PolicyReport(
            old_version=old.version, new_version=new.version,
            model=model, diff=diff, items=len(items),
            affected=affected, baseline=baseline, candidate=candidate,
            flips=flips(old_rows, new_rows, changed), agreement=agreement,
            max_kappa_drop=max_kappa_drop, gate_failures=gate, gold_items=len(gold),
            clause_items={c: len(v) for c, v in per_clause.items()})
