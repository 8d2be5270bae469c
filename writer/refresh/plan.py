"""The mechanical plan of a refresh: review the old plan for Y, make every certain change
(review's --fix edits and refresh's own rules), review again, repeat while certain changes
remain; every change is kept as a span of the old text (changes.compose)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ghplan.corpus.rules.model import Finding
from ghplan.writer.draft.facts import YearFacts
from ghplan.writer.refresh import campaigns, rules
from ghplan.writer.refresh.changes import Change, apply, compose, drop_overlaps
from ghplan.writer.review import numbering
from ghplan.writer.review.fix import certain_edits
from ghplan.writer.review.reviewer import ReviewResult

Reviewer = Callable[[str], ReviewResult]
_SEQUENCE_RULES = frozenset({"GH-NUM-GAP", "GH-NUM-REPEAT", "GH-NUM-ORDER"})


@dataclass(frozen=True)
class Confirm:
    """A change a person should check (a moved signature date, a kept clause of a year claim)."""
    start: int          # old-text offsets
    end: int
    rule: str
    reason: str
    reason_zh: str


@dataclass
class Plan:
    old: str
    changes: list[Change]
    text: str                           # apply(old, changes)
    review: ReviewResult                # of `text`
    first: ReviewResult                 # of `old`
    confirm: list[Confirm] = field(default_factory=list)

    def excluded(self) -> list[tuple[int, int]]:
        """Old-text spans that are not the organisation's own: stale references and what the
        changes replaced (rot, placeholders, dated phrases)."""
        spans = [(f.start, f.end) for f in self.first.findings if f.category == "stale"]
        return spans + [(c.start, c.end) for c in self.changes]


def _from_fix(text: str, findings: list[Finding]) -> list[Change]:
    pairs = certain_edits(text, findings)
    pairs.sort(key=lambda p: (p[1].replacement != "", p[1].start, -p[1].end))   # deletions first
    return [Change(e.start, e.end, e.replacement, f.rule, f.message, f.message_zh) for f, e in pairs]


def round_changes(text: str, result: ReviewResult, facts: YearFacts) -> tuple[list[Change], list[Confirm]]:
    """The certain changes to `text` (reviewed as `result`) and what a person should confirm."""
    fixes = _from_fix(text, result.findings)
    deletions = [c for c in fixes if not c.after]
    own: list[Change] = []
    sig = rules.signature_change(text, facts.year)
    own += [sig] if sig else []
    own += rules.year_placeholder_changes(text, facts.year, result.findings)
    own += rules.party_line_changes(text, facts)
    stale = [f for f in result.findings if f.category == "stale"]
    own += rules.lone_plenum_changes(text, facts, stale)
    claims, kept = rules.claim_changes(text, facts.year, stale)
    own += claims
    runs = campaigns.campaign_changes(text, facts.year, stale)
    own += runs
    chosen = drop_overlaps(deletions + own + [c for c in fixes if c.after])
    confirm = []
    if sig is not None and sig in chosen:
        confirm.append(Confirm(sig.start, sig.end, sig.rule, sig.reason, sig.reason_zh))
    for s, e, clause in kept:
        if any(c.start == s and c.rule == "GH-REFRESH-YEAR-CLAIM" for c in chosen):
            en, zh = rules.say("claim_clause", clause=clause, year=facts.year)
            confirm.append(Confirm(s, e, "GH-REFRESH-YEAR-CLAIM", en, zh))
    confirm += [Confirm(c.start, c.end, c.rule, c.reason, c.reason_zh) for c in runs if c in chosen]
    return chosen, confirm


def _renumber(text: str, result: ReviewResult) -> list[Change]:
    if not any(f.fixable and f.rule in _SEQUENCE_RULES for f in result.findings):
        return []
    why = next(f for f in result.findings if f.fixable and f.rule in _SEQUENCE_RULES)
    return [Change(s, e, new, "renumber", why.message, why.message_zh)
            for s, e, new in numbering.renumber_edits(text)]


def mechanical(old: str, facts: YearFacts, review: Reviewer, rounds: int = 3) -> Plan:
    """Every certain change to `old` for the plan year, round after round until none is left.
    A round that would leave more errors than it started with is not made."""
    first = review(old)
    changes: list[Change] = []
    confirm: list[Confirm] = []
    text, result = old, first
    for _ in range(rounds):
        edits, more = round_changes(text, result, facts)
        edits = edits or _renumber(text, result)
        if not edits:
            break
        trial = compose(old, changes, text, edits)
        new_text = apply(old, trial)
        again = review(new_text)
        if new_text == text or again.errors > result.errors:
            break
        confirm += [_confirm_on_old(c, changes) for c in more]
        changes, text, result = trial, new_text, again
    return Plan(old, changes, text, result, first, confirm)


def _confirm_on_old(c: Confirm, before: list[Change]) -> Confirm:
    """A confirm item found in a later round's text, mapped onto the old text."""
    from ghplan.writer.refresh.changes import to_old

    if not before:
        return c
    s = to_old(before, c.start)
    return Confirm(s, max(s, to_old(before, c.end)), c.rule, c.reason, c.reason_zh)
