"""Which clauses are in trouble, and the items that show it.

Three sources, each optional but the items:

- **agreement**: per-clause pooled agreement among annotators (``agreement_report`` by
  clause; an item belongs to every clause an annotator or the judge cited for it), and the
  items of the clause on which the annotators did not all agree;
- **the judge**: the newest stored verdict per item, where ``likely_error`` and
  ``ambiguous`` flag an item under every clause it cites (and that its annotators cited);
- **triage**: the clause summary of the triage queue (flagged item ids per clause).

The label an item shows is the best truth available (``ItemEvidence.resolved``): an
analyst's gold decision first; an undecided item triage ranks as a likely label error
(``check_first``) shows none, so it is never proposed as an example, and the draft lists it
under "check first" instead.

A clause is troubled when it has enough items and its agreement is below the threshold, or
when the judge or triage flags enough of its items. Each ``ClauseEvidence`` keeps the
reasons, the figures and the items, so every proposed change can show what it rests on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from llmqa.guidelines.model import GuidelineSet
from llmqa.items import Item
from llmqa.revision.clause_summary import TriageClause

FLAG_VERDICTS = ("likely_error", "ambiguous")


@dataclass(frozen=True)
class Thresholds:
    min_items: int = 3  # items a clause needs before its agreement figure counts
    max_agreement: float = 0.75  # percent agreement below this: the wording may be unclear
    min_flags: int = 2  # judge or triage flags that make a clause troubled on their own
    max_clauses: int = 10


@dataclass
class ItemEvidence:
    item: Item
    verdict: dict[str, Any] | None = None  # the newest stored verdict row, when there is one
    clause_ids: tuple[str, ...] = ()
    gold: str | None = None  # an analyst's gold label, on the item's current content
    check_first: float | None = None  # triage's likely-error score, when it says check first

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def label_counts(self) -> Counter[str]:
        return Counter(self.item.labels())

    @property
    def consensus(self) -> tuple[str | None, bool]:
        """(plurality label, tie)."""
        counts = self.label_counts.most_common()
        if not counts:
            return None, False
        tie = len(counts) > 1 and counts[0][1] == counts[1][1]
        return (None if tie else counts[0][0]), tie

    @property
    def disagreed(self) -> bool:
        return len(self.item.annotations) >= 2 and len(self.label_counts) > 1

    @property
    def judge_flag(self) -> str | None:
        if self.verdict and self.verdict.get("status") == "ok" and \
                self.verdict.get("verdict") in FLAG_VERDICTS:
            return str(self.verdict["verdict"])
        return None

    def resolved(self) -> tuple[str | None, str]:
        """The label the policy most likely requires, and who says so.

        An analyst's gold label first; no label for an undecided item triage ranks as a likely
        error (its labels are in doubt: check it first); the judge's suggestion where it
        judged the item (agree or likely_error); no label where it found the item ambiguous;
        otherwise the annotators' plurality, if not a tie.
        """
        if self.gold:
            return self.gold, "an analyst"
        if self.check_first is not None:
            return None, f"triage: likely error ({self.check_first:.2f}), check first"
        if self.verdict and self.verdict.get("status") == "ok":
            if self.verdict.get("verdict") == "ambiguous":
                return None, "judge: ambiguous"
            if self.verdict.get("suggested_label"):
                return str(self.verdict["suggested_label"]), "judge"
        label, tie = self.consensus
        return (None, "annotators tied") if tie else (label, "annotators' majority")

    def summary(self) -> str:
        labels = "/".join(f"{label} {n}" for label, n in sorted(self.label_counts.items()))
        flag = f"; judge: {self.judge_flag}" if self.judge_flag else ""
        if self.verdict and self.judge_flag == "likely_error":
            flag += f" → {self.verdict.get('suggested_label')}"
        return f"{self.id} ({labels}{flag})"


@dataclass
class ClauseEvidence:
    clause_id: str
    items: list[ItemEvidence] = field(default_factory=list)
    n_pairable: int = 0
    percent_agreement: float | None = None
    fleiss_kappa: float | None = None
    triage: TriageClause | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def disagreed(self) -> list[ItemEvidence]:
        return [e for e in self.items if e.disagreed]

    @property
    def check_first(self) -> list[ItemEvidence]:
        return [e for e in self.items if e.check_first is not None and not e.gold]

    @property
    def flagged(self) -> list[ItemEvidence]:
        return [e for e in self.items if e.judge_flag]

    @property
    def triage_ids(self) -> tuple[str, ...]:
        return self.triage.item_ids if self.triage else ()

    @property
    def troubled(self) -> bool:
        return bool(self.reasons)

    @property
    def weight(self) -> tuple[float, ...]:
        """Sort key: most evidence of trouble first, then lowest agreement."""
        agreement = self.percent_agreement if self.percent_agreement is not None else 1.0
        triage = self.triage.count if self.triage else 0
        return (-(len(self.disagreed) + len(self.flagged) + triage), agreement)

    def evidence_items(self, limit: int = 8) -> list[ItemEvidence]:
        """The items that best show the problem: judge-flagged and triage-flagged first,
        then the most split, then by id (deterministic)."""
        triage = set(self.triage_ids)

        def rank(e: ItemEvidence) -> tuple[int, int, str]:
            split = len(e.label_counts)
            flagged = 0 if (e.judge_flag == "likely_error") else 1 if (
                e.judge_flag or e.id in triage) else 2
            return (flagged, -split, e.id)

        chosen = [e for e in self.items if e.disagreed or e.judge_flag or e.id in triage]
        return sorted(chosen, key=rank)[:limit]

    def figures(self) -> str:
        def num(value: float | None) -> str:
            return "undefined" if value is None else f"{value:.2f}"

        parts = [f"{len(self.items)} items ({self.n_pairable} with 2+ ratings)",
                 f"percent agreement {num(self.percent_agreement)}",
                 f"Fleiss' kappa {num(self.fleiss_kappa)}",
                 f"{len(self.disagreed)} with split labels"]
        if any(e.verdict for e in self.items):
            flags = Counter(e.judge_flag for e in self.flagged)
            parts.append("judge: " + (", ".join(f"{n} {k}" for k, n in sorted(flags.items()))
                                      or "no flags"))
        if self.triage:
            parts.append(f"triage: {self.triage.describe()}")
        return "; ".join(parts)


def verdict_index(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Item id → newest verdict row (``VerdictStore.verdicts(latest=True)`` rows)."""
    return {str(row["item_id"]): dict(row) for row in rows}


def gather_evidence(items: list[Item], guidelines: GuidelineSet,
                    verdicts: Mapping[str, Mapping[str, Any]] | None = None,
                    triage: Mapping[str, TriageClause] | None = None,
                    thresholds: Thresholds | None = None,
                    gold: Mapping[str, str] | None = None,
                    check_first: Mapping[str, float] | None = None) -> list[ClauseEvidence]:
    """Evidence for every clause that has any, troubled clauses first. ``gold``: item id →
    an analyst's label; ``check_first``: item id → triage's likely-error score."""
    gold = gold or {}
    check_first = check_first or {}
    from llmqa.agreement import Ratings, agreement_report

    thresholds = thresholds or Thresholds()
    verdicts = verdicts or {}
    triage = triage or {}
    known = set(guidelines.by_id)
    judge_clauses = {item_id: [c for c in row.get("cited_clause_ids") or [] if c in known]
                     for item_id, row in verdicts.items() if row.get("status") == "ok"}
    per_clause: dict[str, ClauseEvidence] = {}
    # Triage may flag an item under a clause nobody cited for it: it belongs there too.
    flagged_under: dict[str, set[str]] = {}
    for clause_id, entry in triage.items():
        for item_id in entry.item_ids:
            flagged_under.setdefault(item_id, set()).add(clause_id)
    for item in items:
        cited = {a.clause_id for a in item.annotations if a.clause_id in known}
        cited.update(judge_clauses.get(item.id, ()))
        cited.update(c for c in flagged_under.get(item.id, ()) if c in known)
        evidence = ItemEvidence(item, dict(verdicts[item.id]) if item.id in verdicts else None,
                                tuple(sorted(cited)), gold.get(item.id),
                                check_first.get(item.id))
        for clause_id in evidence.clause_ids:
            per_clause.setdefault(clause_id, ClauseEvidence(clause_id)).items.append(evidence)
    for clause_id, entry in triage.items():
        if clause_id in known:
            per_clause.setdefault(clause_id, ClauseEvidence(clause_id)).triage = entry

    ratings = Ratings.from_items(items, labels=list(guidelines.labels),
                                 judge_clauses=judge_clauses)
    report = agreement_report(ratings, n_boot=0)
    for group in report.by_clause:
        if group.group in per_clause:
            clause = per_clause[group.group]
            clause.n_pairable = group.n_items
            clause.percent_agreement = group.percent_agreement.value
            clause.fleiss_kappa = group.fleiss_kappa.value

    for clause in per_clause.values():
        clause.reasons = _reasons(clause, thresholds)
    ordered = sorted(per_clause.values(), key=lambda e: (not e.troubled, e.weight, e.clause_id))
    return ordered


def _reasons(evidence: ClauseEvidence, thresholds: Thresholds) -> list[str]:
    reasons: list[str] = []
    agreement = evidence.percent_agreement
    if (evidence.n_pairable >= thresholds.min_items and agreement is not None
            and agreement < thresholds.max_agreement):
        reasons.append(f"percent agreement {agreement:.2f} < {thresholds.max_agreement:.2f} on "
                       f"{evidence.n_pairable} items")
    flagged = len(evidence.flagged)
    if flagged >= thresholds.min_flags:
        reasons.append(f"the judge flags {flagged} items (likely_error or ambiguous)")
    if evidence.triage and evidence.triage.count >= thresholds.min_flags:
        reasons.append(f"triage flags {evidence.triage.count} items")
    return reasons


def troubled_clauses(evidence: list[ClauseEvidence],
                     thresholds: Thresholds | None = None) -> list[ClauseEvidence]:
    thresholds = thresholds or Thresholds()
    return [e for e in evidence if e.troubled][: thresholds.max_clauses]


def items_from_store(rows: Iterable[Mapping[str, Any]]) -> list[Item]:
    """The items a review stored with its verdicts (for runs without the items file)."""
    items: list[Item] = []
    for row in rows:
        data = row.get("item_data")
        if data:
            items.append(Item.model_validate_json(data))
    return items
