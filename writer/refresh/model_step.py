"""The model step of a refresh: only paragraphs that need more than a mechanical change (an
ended campaign, a year claim that says more, a look back at last year) go to the model, one
request per paragraph, with the year facts, the organisation profile and the facts to keep.
Its answer is reviewed before it is accepted: it must carry nothing stale, add no error, keep
every own fact of the paragraph, and stay one paragraph. A rejected answer leaves the
paragraph for a person."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from ghplan.corpus.rules.model import Finding
from ghplan.writer.draft.backends.base import Backend
from ghplan.writer.draft.requests import Brief, RewriteRequest
from ghplan.writer.refresh import rules
from ghplan.writer.refresh.changes import Change, to_old
from ghplan.writer.refresh.survival import Fact
from ghplan.writer.review.reviewer import ReviewResult

_NOT_FOR_MODEL = frozenset({"GH-STALE-SIGNATURE-DATE"})
_ALSO = frozenset({"GH-STRUCT-LOOKBACK"})


@dataclass(frozen=True)
class Rewrite:
    start: int                 # the paragraph in the text it was asked on
    end: int
    before: str
    after: str
    accepted: bool
    why: str                   # why it was rejected ("" when accepted)
    rules: tuple[str, ...]     # what it was asked to fix

    def to_json(self) -> dict:
        return {"before": self.before, "after": self.after, "accepted": self.accepted,
                "why": self.why, "rules": list(self.rules)}


def needs_model(f: Finding) -> bool:
    """A finding no certain change fixes, which a rewrite of its sentence can."""
    if f.rule in _ALSO:
        return True
    return f.category == "stale" and not f.fixable and f.severity in ("error", "warning") \
        and f.rule not in _NOT_FOR_MODEL


def paragraphs_to_rewrite(text: str, findings: Sequence[Finding]) -> list[tuple[int, int, list[Finding]]]:
    """(start, end, findings) of each line of `text` that holds a finding for the model."""
    out: dict[tuple[int, int], list[Finding]] = {}
    for f in findings:
        if needs_model(f):
            s = text.rfind("\n", 0, f.start) + 1
            e = text.find("\n", f.start)
            out.setdefault((s, len(text) if e < 0 else e), []).append(f)
    return [(s, e, fs) for (s, e), fs in sorted(out.items())]


def _errors(r: ReviewResult, s: int, e: int, inside: bool) -> list[Finding]:
    return [f for f in r.findings if f.severity == "error" and (s <= f.start < e) == inside]


def _judge(answer: str, keep: Sequence[str], before: ReviewResult, after: ReviewResult,
           old: tuple[int, int], new: tuple[int, int]) -> str:
    """Why the answer (at `new` in the reviewed candidate, replacing `old`) is rejected, or ""."""
    if not answer.strip() or "\n" in answer.strip():
        return "not one paragraph"
    lost = [k for k in keep if k not in answer]
    if lost:
        return "dropped " + "、".join(lost)
    inside = [f for f in after.findings if new[0] <= f.start < new[1]]
    stale = [f.text for f in inside if f.category == "stale" and f.severity in ("error", "warning")]
    if stale:
        return "still stale: " + "、".join(stale)
    was = [f for f in _errors(before, *old, True) if f.category != "stale"]
    if len(_errors(after, *new, True)) > len(was):
        return "adds review errors: " + "、".join(f.rule for f in _errors(after, *new, True))
    if len(_errors(after, *new, False)) > len(_errors(before, *old, False)):
        return "adds review errors elsewhere"
    return ""


def rewrite(text: str, result: ReviewResult, brief: Brief, backend: Backend,
            changes: Sequence[Change], facts: Sequence[Fact],
            review: Callable[[str], ReviewResult]) -> tuple[list[Change], list[Rewrite]]:
    """Ask the model for each paragraph that needs it; return the accepted rewrites as edits of
    `text` (source "model") and every rewrite with its verdict."""
    title = text.split("\n", 1)[0].strip()
    edits: list[Change] = []
    done: list[Rewrite] = []
    for s, e, fs in paragraphs_to_rewrite(text, result.findings):
        para = text[s:e]
        old_s, old_e = to_old(changes, s), to_old(changes, e)
        keep = tuple(dict.fromkeys(f.text for f in facts if old_s <= f.start and f.end <= old_e))
        local = tuple(Finding(**{**f.__dict__, "start": f.start - s, "end": f.end - s}) for f in fs)
        answer = backend.complete(RewriteRequest(brief, para, local, keep, title)).text.strip()
        candidate = text[:s] + answer + text[e:]
        after = review(candidate)
        why = _judge(answer, keep, result, after, (s, e), (s, s + len(answer)))
        ids = tuple(dict.fromkeys(f.rule for f in fs))
        done.append(Rewrite(s, e, para, answer, not why, why, ids))
        if not why:
            en, zh = rules.say("model", year=brief.year, rules=", ".join(ids))
            edits.append(Change(s, e, answer, "GH-REFRESH-MODEL", en, zh, source="model"))
    return edits, done
