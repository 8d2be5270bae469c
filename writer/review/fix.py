"""--fix: apply the fixes that are certain, leave the rest for a person.

Certain: deleting boilerplate, watermarks, chatbot leftovers and Markdown marks (how much text
goes with a hit is the rule's action, as in ingest); replacing a stale reference that has one
right successor (十四五 → 十五五 in a 2027 plan); rewriting a year-bound phrase whole from the
year facts ("2025年是“十四五”规划的收官之年" → "2027年是“十五五”规划的深入实施之年"; a phrase that
says more is left for a person, and nothing inside it is fixed on its own: corpus/rules/dated.py
marks such findings unfixable); renumbering a broken heading sequence.
Not certain, so never touched: placeholders, censor marks, mojibake, wrong-organisation words,
copied runs. Findings arrive already filtered by config and inline markers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

from ghplan.corpus import clean
from ghplan.corpus.headings import find_headings
from ghplan.corpus.rules.engine import default_catalogue
from ghplan.corpus.rules.model import Finding
from ghplan.writer.review import numbering
from ghplan.writer.review.rules import review_data

if TYPE_CHECKING:
    from ghplan.writer.review.reviewer import ReviewResult

_SEQUENCE_RULES = frozenset({"GH-NUM-GAP", "GH-NUM-REPEAT", "GH-NUM-ORDER"})
_MANY_NEWLINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t\u3000]+\n")


@dataclass(frozen=True)
class FixResult:
    text: str
    applied: tuple[Finding, ...]     # findings acted on (renumbering included)
    renumbered: int                  # heading markers rewritten

    @property
    def count(self) -> int:
        return len(self.applied)


@lru_cache(maxsize=1)
def _action_override() -> dict[str, str]:
    return dict(review_data().get("fix", {}).get("action", {}))


def _line_with_break(text: str, start: int, end: int) -> tuple[int, int]:
    s, e = clean.line_span(text, start, end)
    if s == text.rfind("\n", 0, start) + 1 and e < len(text) and text[e] == "\n":
        e += 1        # a whole line goes with its line break
    return s, e


def _edit(text: str, f: Finding, stops: list[int]) -> clean.Edit | None:
    """The text change one fixable finding asks for, or None."""
    rule = default_catalogue().by_id.get(f.rule)
    if f.category == "stale" and not f.suggestion:
        return None   # a stale reference is replaced by its successor, never just deleted
    if rule is None or f.category == "stale":
        # review-family and stale findings: replace the span with the suggestion
        return clean.Edit(f.start, f.end, f.suggestion, f.category, f.rule)
    action = _action_override().get(f.rule, rule.action)
    if action in ("delete", "split"):
        return clean.Edit(f.start, f.end, "", f.category, f.rule)
    if action == "repair":
        return clean.Edit(f.start, f.end, f.suggestion, f.category, f.rule)
    if action == "delete-sentence":
        s, e = clean.sentence_span(text, f.start, f.end, stops)
        line_s, line_e = text.rfind("\n", 0, s) + 1, text.find("\n", e)
        line_e = len(text) if line_e < 0 else line_e
        if not text[line_s:s].strip() and not text[e:line_e].strip():
            s, e = line_s, min(len(text), line_e + 1)    # the sentence was the whole line
        return clean.Edit(s, e, "", f.category, f.rule)
    if action == "delete-line":
        return clean.Edit(*_line_with_break(text, f.start, f.end), "", f.category, f.rule)
    if action == "delete-to-end":
        return clean.Edit(f.start, len(text), "", f.category, f.rule)
    return None


def _tidy(before: str, after: str) -> str:
    """Blank lines left by deleted lines, without touching anything else the author wrote."""
    out = _TRAILING_SPACE.sub("\n", after) if after != before else after
    out = _MANY_NEWLINES.sub("\n\n", out)
    out = out.lstrip("\n")
    if before.endswith("\n") and not out.endswith("\n"):
        out = out.rstrip() + "\n"
    return out


def certain_edits(text: str, findings: list[Finding]) -> list[tuple[Finding, clean.Edit]]:
    """The text change each certain, non-renumbering fix among `findings` asks for, with the
    finding it comes from (positions into `text`; overlaps are left to clean.apply_edits)."""
    stops = sorted({b for h in find_headings(text) for b in (h.start, h.end)})
    out = []
    for f in findings:
        if f.fixable and f.rule not in _SEQUENCE_RULES:
            e = _edit(text, f, stops)
            if e is not None:
                out.append((f, e))
    return out


def fix_text(text: str, findings: list[Finding], renumber: bool = True) -> FixResult:
    """Apply every certain fix among `findings` (positions into `text`); renumber last
    (unless `renumber` is False)."""
    todo = [f for f in findings if f.fixable and f.rule not in _SEQUENCE_RULES]
    edits = [e for _, e in certain_edits(text, todo)]
    fixed, _ = clean.apply_edits(text, edits)
    fixed = _tidy(text, fixed) if edits else fixed
    applied = list(todo)
    renumbered = 0
    sequence = [f for f in findings if f.fixable and f.rule in _SEQUENCE_RULES]
    if sequence and renumber:
        # positions moved: find the headings again in the fixed text and renumber them
        marks = numbering.renumber_edits(fixed)
        if marks:
            fixed, _ = clean.apply_edits(fixed, [clean.Edit(s, e, new, "numbering", "renumber")
                                                 for s, e, new in marks])
            renumbered = len(marks)
            applied += sequence
    return FixResult(fixed, tuple(applied), renumbered)


def fix_until_stable(text: str, review: Callable[[str], "ReviewResult"], rounds: int = 3
                     ) -> tuple[str, int, "ReviewResult"]:
    """Fix, review again, and repeat while certain fixes remain (a deletion can uncover a hit
    it overlapped). Returns (fixed text, fixes applied, the final review).

    A round never leaves more errors than it started with. Renumbering is the one fix whose
    effect reaches beyond its own span: in a copied 范文 whose first section was deleted,
    renumbering 二、三、… to 一、二、… makes every heading differ from the source and splits one
    copied run into many. Such a round is retried without renumbering (the numbering errors stay for a person);
    if it is still worse, it is not applied at all."""
    result = review(text)
    applied = 0
    for _ in range(rounds):
        if not any(f.fixable for f in result.findings):
            break
        fixed, again = _round(text, result, review, renumber=True)
        if again is not None and again.errors > result.errors:
            fixed, again = _round(text, result, review, renumber=False)
        if again is None or again.errors > result.errors:
            break
        text, applied, result = fixed.text, applied + fixed.count, again
    return text, applied, result


def _round(text: str, result: "ReviewResult", review: Callable[[str], "ReviewResult"],
           renumber: bool) -> tuple[FixResult, "ReviewResult | None"]:
    """One round of fixes and the review of its result (None when it changes nothing)."""
    fixed = fix_text(text, result.findings, renumber=renumber)
    return fixed, (review(fixed.text) if fixed.text != text else None)
