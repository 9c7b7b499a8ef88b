"""Recurring annotation error themes, for the QA analyst to send to the annotation team.

Deterministic and model-free: the same items and store give the same report, word for word.

Which annotations were wrong is decided per item against a reference label:

- where an analyst decided the item (a gold label in the store, on its current content), that
  label is the reference: the best truth there is;
- an item triage ranks as a likely label error (``check_first``, from a triage queue file)
  and nobody has decided yet is left out and listed under "Check first": its labels are in
  doubt, so it blames no one until a person has looked;
- where the judge has a usable verdict in the store, ``likely_error`` makes its suggested
  label the reference and ``ambiguous`` leaves the item out (nobody was clearly wrong);
  ``agree`` confirms the consensus;
- elsewhere the consensus label (majority by default, as ``llmqa agreement`` computes it,
  with ties left without a label) is the reference; tied or unrated items are left out.

An annotation is wrong when its label differs from the reference. A theme is one confusion
(``labelled hate, should be allowed``) under the clause it concerns: the clause the
reference rests on (the judge's citation, else the clause most annotators with the reference
label cited), else the clause the wrong annotator cited. By annotator, themes are directions of
error (flagging allowed content, missing violations, picking the wrong violation label) with
the confusions and clauses behind them, since a habit often spans clauses; when no label is
``allowed`` (offensive / not_offensive, say) the confusions themselves are the themes.
Annotators are ranked by the lower 95% bound of their error rate, so a handful of annotations
does not outrank a habit shown hundreds of times. Each theme comes with two or three
representative items, the clearest first (``_representatives``), anonymized and trimmed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmqa.agreement.proportion import wilson_interval
from llmqa.errors import InputError
from llmqa.guidelines.model import NO_VIOLATION_LABEL, GuidelineSet
from llmqa.items import Item
from llmqa.revision.anonymize import item_excerpt
from llmqa.text import md_inline

if TYPE_CHECKING:
    from llmqa.workspace import Workspace

NO_CLAUSE = "(no clause)"


@dataclass(frozen=True)
class Reference:
    label: str
    by: str  # "gold", "judge" or "consensus"
    clause_id: str | None


@dataclass(frozen=True)
class Mistake:
    item_id: str
    annotator: str
    given: str
    expected: str
    clause_id: str  # the clause the theme is filed under (NO_CLAUSE when none)
    cited: str | None  # what the annotator cited
    by: str


@dataclass
class ThemeSummary:
    items: dict[str, Item]
    references: dict[str, Reference]
    mistakes: list[Mistake]
    left_out: dict[str, int]  # reason → items without a reference
    annotations: Counter[str] = field(default_factory=Counter)  # annotator → ratings
    check_first: dict[str, float] = field(default_factory=dict)  # item → likely-error score
    guidelines: GuidelineSet | None = None  # clause titles and the label set, when known

    @property
    def n_annotations(self) -> int:
        return sum(self.annotations.values())


def _consensus(items: list[Item], labels: list[str] | None, method: str) -> dict[str, str | None]:
    from llmqa.agreement import Ratings, compute_consensus

    ratings = Ratings.from_items(items, labels=labels)
    if ratings.n_items == 0:
        return {}
    consensus = compute_consensus(ratings, method, "none", 0)
    return {item_id: ratings.label_of(int(code))
            for item_id, code in zip(ratings.item_ids, consensus.labels, strict=True)}


def _reference_clause(item: Item, label: str, verdict: Mapping[str, Any] | None,
                      known: set[str] | None) -> str | None:
    if verdict is not None:
        cited = [c for c in verdict.get("cited_clause_ids") or [] if known is None or c in known]
        if cited:
            return str(cited[0])
    counts = Counter(a.clause_id for a in item.annotations if a.label == label and a.clause_id
                     and (known is None or a.clause_id in known))
    if not counts:
        return None
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def workspace_themes(ws: Workspace, items: Iterable[Item], *,
                     projects: Iterable[str] | None = None, method: str = "majority",
                     use_judge: bool = True, queue: Path | None = None,
                     check_first: float | None = None,
                     require_guidelines: bool = False) -> ThemeSummary:
    """``find_mistakes`` with what the workspace knows: its guidelines (when they exist, or
    ``require_guidelines``), the store's verdicts unless not ``use_judge``, the analysts' gold
    and a triage ``queue``'s likely errors (see ``Workspace.best_truth``). ``projects`` keeps
    only their items; none left is an error."""
    items = list(items)
    if projects:
        wanted = set(projects)
        items = [i for i in items if (i.project or "") in wanted]
        if not items:
            raise InputError(f"no items in project(s) {', '.join(sorted(wanted))}")
    verdicts = {}
    if use_judge:
        from llmqa.revision.evidence import verdict_index

        verdicts = verdict_index(ws.verdicts({i.id for i in items}))
    gold, first = ws.best_truth(items, queue, check_first)
    return find_mistakes(items, verdicts, ws.chosen_guidelines(require_guidelines), method,
                         gold=gold, check_first=first)


def find_mistakes(items: Iterable[Item], verdicts: Mapping[str, Mapping[str, Any]] | None = None,
                  guidelines: GuidelineSet | None = None,
                  method: str = "majority", gold: Mapping[str, str] | None = None,
                  check_first: Mapping[str, float] | None = None) -> ThemeSummary:
    """``gold``: item id → an analyst's label; ``check_first``: item id → triage's
    likely-error score for items to leave out until decided."""
    by_id: dict[str, Item] = {}
    for item in items:
        by_id.setdefault(item.id, item)  # the first row wins, as in agreement
    ordered = [by_id[k] for k in sorted(by_id)]
    labels = list(guidelines.labels) if guidelines is not None else None
    known = set(guidelines.by_id) if guidelines is not None else None
    consensus = _consensus(ordered, labels, method)
    verdicts = verdicts or {}
    summary = ThemeSummary(by_id, {}, [], Counter(), guidelines=guidelines)
    for item in ordered:
        for annotation in item.annotations:
            summary.annotations[annotation.annotator] += 1
        verdict = verdicts.get(item.id)
        usable = verdict if verdict is not None and verdict.get("status") == "ok" else None
        if gold and item.id in gold:
            label, by = str(gold[item.id]), "gold"
        elif check_first and item.id in check_first:
            summary.check_first[item.id] = float(check_first[item.id])
            summary.left_out["triage ranks it a likely error: check first"] += 1
            continue
        elif usable is not None and usable.get("verdict") == "ambiguous":
            summary.left_out["the judge found it ambiguous"] += 1
            continue
        elif usable is not None and usable.get("verdict") == "likely_error" and \
                usable.get("suggested_label"):
            label, by = str(usable["suggested_label"]), "judge"
        elif consensus.get(item.id):
            label, by = str(consensus[item.id]), "consensus"
        else:
            summary.left_out["no consensus (tie or no rating)"] += 1
            continue
        if labels is not None and label not in labels:
            summary.left_out["reference label not in the label set"] += 1
            continue
        clause = _reference_clause(item, label, usable, known)
        summary.references[item.id] = Reference(label, by, clause)
        for annotation in item.annotations:
            if annotation.label == label:
                continue
            cited = annotation.clause_id
            filed = clause or (cited if cited and (known is None or cited in known) else None)
            summary.mistakes.append(Mistake(item.id, annotation.annotator, annotation.label,
                                            label, filed or NO_CLAUSE, cited, by))
    summary.left_out = dict(sorted(summary.left_out.items()))  # type: ignore[assignment]
    return summary


# --- rendering ------------------------------------------------------------------------------

def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def _md(value: object) -> str:
    # Labels, names, ids and words all come from the batch; the report goes to wikis.
    return md_inline(value, strict=False)


def _confusion(m: Mistake) -> str:
    return f"labelled {_md(m.given)}, should be {_md(m.expected)}"


def _direction(m: Mistake, benign: str | None) -> str:
    """The kind of error. ``benign``: the no-violation label, when the mistakes use it; without
    it (a task of other labels, such as positive / negative) the confusion is the kind."""
    if benign is None:
        return _confusion(m)
    if m.expected == benign:
        return f"flags {_md(benign)} content as a violation"
    if m.given == benign:
        return f"misses violations (labels them {_md(benign)})"
    return "picks the wrong violation label"


def _top_counts(counter: Counter[str], limit: int = 5) -> str:
    ranked = _ranked(counter)
    text = ", ".join(f"{_md(key)} ×{n}" for key, n in ranked[:limit])
    return text + (f", +{len(ranked) - limit} more" if len(ranked) > limit else "")


def _rate_low(part: int, whole: int) -> float:
    """Wilson's lower 95% bound of part / whole: 4 wrong of 5 is weaker evidence of a habit
    than 380 of 1,674, and a plain rate would rank it first."""
    bounds = wilson_interval(part, whole)
    return bounds[0] if bounds else 0.0


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _item_line(summary: ThemeSummary, item_id: str, chars: int) -> str:
    item = summary.items[item_id]
    modality, excerpt = item_excerpt(item, chars)
    labels = ", ".join(f"{_md(a.annotator)} {_md(a.label)}" for a in item.annotations)
    ref = summary.references[item_id]
    return (f"  - `{item_id.replace('`', chr(39))}` [{modality}] {_md(excerpt)} — "
            f"annotators: {labels}; expected **{_md(ref.label)}** ({ref.by})")


_FIRMNESS = {"gold": 0, "judge": 1, "consensus": 2}


def _representatives(summary: ThemeSummary, mistakes: list[Mistake], count: int) -> list[str]:
    """The clearest cases of the theme: analyst-decided items first, then the judge's, then
    consensus ones. Against a decision or the judge, the more annotators erred the better the
    item shows a shared misreading; against the consensus, the more annotators gave the
    reference label the firmer it is, so a 4-1 item comes before a 3-2 one, where "should
    be" is two annotators' word against three. Ties by id."""
    per_item = Counter(m.item_id for m in mistakes)

    def key(item_id: str) -> tuple[int, float, str]:
        ref = summary.references[item_id]
        if ref.by != "consensus":
            return _FIRMNESS.get(ref.by, 2), -per_item[item_id], item_id
        votes = [a.label for a in summary.items[item_id].annotations]
        return _FIRMNESS["consensus"], -votes.count(ref.label) / len(votes), item_id

    return sorted(per_item, key=key)[:count]


def render_themes(summary: ThemeSummary, guidelines: GuidelineSet | None = None, *,
                  title: str = "Recurring annotation error themes", min_count: int = 2,
                  examples: int = 3, top: int = 10, excerpt_chars: int = 160) -> str:
    """The markdown report: overview, by project, by clause, by annotator; clause titles from
    ``guidelines``, else the summary's own."""
    guidelines = guidelines or summary.guidelines
    clauses = guidelines.by_id if guidelines is not None else {}
    mistakes = summary.mistakes
    wrong_items = {m.item_id for m in mistakes}
    judged = sum(1 for r in summary.references.values() if r.by == "judge")
    decided = sum(1 for r in summary.references.values() if r.by == "gold")
    out = [f"# {title}", ""]
    out.append(f"{len(summary.items)} items, {summary.n_annotations} annotations. "
               f"{len(mistakes)} annotations ({_pct(len(mistakes), summary.n_annotations)}) on "
               f"{len(wrong_items)} items differ from the expected label.")
    out.append("")
    out.append(f"Expected label: an analyst's decision where one was made ({decided} items), "
               f"else the LLM judge's suggestion where it flagged the consensus as a likely "
               f"error ({judged} items), otherwise the annotators' consensus.")
    if summary.left_out:
        left = "; ".join(f"{n} {reason}" for reason, n in summary.left_out.items())
        out.append(f"Left out (no expected label): {left}.")
    out.append(f"A theme is listed when it recurs at least {min_count} times. Quoted content is "
               "anonymized and trimmed.")

    projects = sorted({item.project or "(none)" for item in summary.items.values()})
    if len(projects) > 1:
        out += ["", "## By project", "", "| project | items | annotations | differ | rate |",
                "|---|---|---|---|---|"]
        for project in projects:
            ids = {i for i, item in summary.items.items() if (item.project or "(none)") == project}
            n_ann = sum(len(summary.items[i].annotations) for i in ids)
            n_wrong = sum(1 for m in mistakes if m.item_id in ids)
            out.append(f"| {_md(project)} | {len(ids)} | {n_ann} | {n_wrong} | "
                       f"{_pct(n_wrong, n_ann)} |")

    by_clause: dict[str, list[Mistake]] = defaultdict(list)
    for m in mistakes:
        by_clause[m.clause_id].append(m)
    # Without a clause anywhere (no guidelines, no clause IDs) the themes are the confusions.
    unfiled = set(by_clause) == {NO_CLAUSE}
    out += ["", "## By label confusion" if unfiled else "## By clause", ""]
    if unfiled:
        out += ["No annotation or judge's verdict names a clause, so the themes are the labels "
                "confused.", ""]
    ranked_clauses = sorted(by_clause.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    shown = 0
    for clause_id, group in ranked_clauses:
        themes = Counter(_confusion(m) for m in group)
        recurring = [(t, n) for t, n in _ranked(themes) if n >= min_count]
        if not recurring or shown >= top:
            continue
        shown += 1
        clause = clauses.get(clause_id)
        name = f"{clause_id} {clause.title}" if clause else clause_id
        items = len({m.item_id for m in group})
        out += [] if unfiled else [f"### {_md(name)}", ""]
        out += [f"{len(group)} annotations on {items} items differ from the expected label.", ""]
        for theme, n in recurring:
            members = [m for m in group if _confusion(m) == theme]
            who = Counter(m.annotator for m in members)
            out.append(f"- **{theme}**: {n} ({_top_counts(who, 10)})")
            out += [_item_line(summary, i, excerpt_chars)
                    for i in _representatives(summary, members, examples)]
        out.append("")
    if not shown:
        out += ["No recurring theme by clause.", ""]

    out += ["## By annotator", ""]
    by_annotator: dict[str, list[Mistake]] = defaultdict(list)
    for m in mistakes:
        by_annotator[m.annotator].append(m)
    ranked_people = sorted(by_annotator.items(), key=lambda kv: (
        -_rate_low(len(kv[1]), summary.annotations[kv[0]]), kv[0]))
    no_violation = guidelines.no_violation_label if guidelines is not None else NO_VIOLATION_LABEL
    benign = (no_violation if any(no_violation in (m.given, m.expected) for m in mistakes)
              else None)
    shown = 0
    for annotator, group in ranked_people:
        # An annotator's habit often spans clauses (flagging every news report, say), so
        # themes here are directions of error, with the confusions and clauses behind them.
        directions = Counter(_direction(m, benign) for m in group)
        recurring = [(d, n) for d, n in _ranked(directions) if n >= min_count]
        if not recurring or shown >= top:
            continue
        shown += 1
        total = summary.annotations[annotator]
        out += [f"### {_md(annotator)}", "",
                f"{len(group)} of {total} annotations ({_pct(len(group), total)}) differ from the "
                "expected label.", ""]
        for direction, n in recurring:
            members = [m for m in group if _direction(m, benign) == direction]
            confusions = Counter(f"{m.given} → {m.expected}" for m in members)
            where = "" if unfiled else f"; {_top_counts(Counter(m.clause_id for m in members))}"
            out.append(f"- **{direction}**: {n} ({_top_counts(confusions)}{where})")
            out += [_item_line(summary, i, excerpt_chars)
                    for i in _representatives(summary, members, examples)]
        out.append("")
    if not shown:
        out += ["No recurring theme by annotator.", ""]
    if summary.check_first:
        out += ["## Check first", "",
                f"{len(summary.check_first)} items triage ranks as likely label errors that no "
                "analyst has decided: nobody is blamed for them above. Decide them first "
                "(llmqa serve or llmqa decide).", ""]
        ranked = sorted(summary.check_first.items(), key=lambda kv: (-kv[1], kv[0]))
        out += [f"- {item_id} (likely error {score:.2f})" for item_id, score in ranked[:top * 3]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
