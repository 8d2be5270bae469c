"""refresh(): last year's plan → this year's.

    year facts (YearOutOfRange stops it) → review the old plan for Y → certain changes, round
    after round (plan.py) → with a model backend, the paragraphs that need more (model_step.py),
    each answer reviewed → final review → what is left for a person → fact survival.

Every change is a span of the old text, so `changes.apply(old, result.changes) == result.text`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from ghplan.writer.draft.facts import YearFacts, year_facts
from ghplan.writer.refresh.changes import Change, Paragraphs, PersonItem, apply, compose, settle, to_old
from ghplan.writer.refresh.model_step import Rewrite, rewrite
from ghplan.writer.refresh.plan import Plan, mechanical
from ghplan.writer.refresh.survival import Survival, own_facts, survival
from ghplan.writer.review.reviewer import ReviewResult, review_text

_LISTED_INFO = frozenset({"stale", "placeholder"})


@dataclass
class RefreshResult:
    old: str
    text: str
    year: int
    org_type: str
    changes: list[Change]
    left_for_person: list[PersonItem]
    review: ReviewResult               # of the refreshed plan, for the plan year
    survival: Survival
    rewrites: list[Rewrite] = field(default_factory=list)
    backend: str = "offline"

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "type": self.org_type, "backend": self.backend,
                "changes": [c.to_json() for c in self.changes],
                "left_for_person": [p.to_json() for p in self.left_for_person],
                "review": self.review.to_json(), "survival": self.survival.to_json(),
                "model_rewrites": [r.to_json() for r in self.rewrites]}


def _reviewer(org_type: str | None, year: int, org_name: str | None, settings: Any):
    def review(text: str) -> ReviewResult:
        return review_text(text, org_type=org_type, year=year, settings=settings, copy=False,
                           org_name=org_name)
    return review


def _brief(plan: Plan, facts: YearFacts, org: str | None, profile: Any):
    from ghplan.writer.draft.profile import minimal_profile
    from ghplan.writer.draft.requests import Brief

    if profile is None:
        title = plan.old.strip().split("\n", 1)[0]
        name = org or title.split(str(facts.year - 2))[0].split(str(facts.year - 1))[0].strip() or title
        profile = minimal_profile(name, plan.first.org_type if plan.first.org_type != "other"
                                  else "enterprise", year=facts.year)
    return Brief(profile, facts.year, facts)


def _left(plan_text_review: ReviewResult, changes: Sequence[Change], paras: Paragraphs,
          plan: Plan, rewrites: Sequence[Rewrite]) -> list[PersonItem]:
    """Confirm items, every finding the final review still reports (errors, warnings, stale and
    placeholder infos) and the model's rejected rewrites, each at its old paragraph."""
    items = [PersonItem(paras.number(c.start), plan.old[c.start:c.end], c.rule, "confirm",
                        c.reason, c.reason_zh, kind="confirm") for c in plan.confirm]
    for f in plan_text_review.findings:
        if f.severity == "info" and f.category not in _LISTED_INFO:
            continue
        items.append(PersonItem(paras.number(to_old(changes, f.start)), f.text, f.rule, f.severity,
                                f.message, f.message_zh))
    from ghplan.writer.refresh.rules import say
    for r in rewrites:
        if not r.accepted:
            en, zh = say("model_rejected", why=r.why)
            items.append(PersonItem(paras.number(to_old(plan.changes, r.start)), r.before,
                                    "GH-REFRESH-MODEL", "warning", en, zh))
    return sorted(items, key=lambda p: p.paragraph)


def refresh_text(old: str, year: int, *, org: str | None = None, org_type: str | None = None,
                 backend: Any = None, settings: Any = None, profile: Any = None,
                 paragraph_starts: Sequence[int] | None = None) -> RefreshResult:
    """Refresh the text of last year's plan for `year`. `backend` None or offline: rules only;
    another backend rewrites the paragraphs that need more than a mechanical change.
    `paragraph_starts` are the document's own paragraph offsets (a .docx), else its lines."""
    facts = year_facts(year)                 # YearOutOfRange: refresh says so and stops
    first_review = review_text(old, org_type=org_type, year=year, settings=settings, copy=False,
                               org_name=org)
    review = _reviewer(first_review.org_type, year, org, settings)
    plan = mechanical(old, facts, review)
    facts_old = own_facts(old, plan.excluded())
    changes, text, final = plan.changes, plan.text, plan.review
    rewrites: list[Rewrite] = []
    name = getattr(backend, "name", "offline") if backend is not None else "offline"
    if backend is not None and name != "offline":
        edits, rewrites = rewrite(text, final, _brief(plan, facts, org, profile), backend,
                                  changes, facts_old, review)
        if edits:
            changes = compose(old, changes, text, edits)
            text = apply(old, changes)
            final = review(text)
    paras = Paragraphs(old, paragraph_starts)
    settled = settle(old, changes, paras)
    return RefreshResult(old=old, text=text, year=year, org_type=final.org_type, changes=settled,
                         left_for_person=_left(final, changes, paras, plan, rewrites), review=final,
                         survival=survival(facts_old, text), rewrites=rewrites, backend=name)
