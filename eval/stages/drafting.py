"""Stage 3, drafting: the draft itself (offline backend, and a mocked model replaying the offline
plan through the full prompt path with references): required roles, zero review errors, no
verbatim run over the copy threshold, org name and year where they belong, length within the
target, the type's own words, no empty section, no sentence cut off, the stated fallback.

The same checks judge the adversarial stage's drafts (`judge_draft`)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from ghplan.corpus.markers import ANY_MARKER, DATE_LINE
from ghplan.eval import checks as C
from ghplan.eval import draft_api
from ghplan.eval.checks import Check, cjk_length, skipped, verdict
from ghplan.eval.context import RunContext
from ghplan.eval.results import CaseResult
from ghplan.eval.spec import CaseSpec, CheckSpec

REQUIRED_ROLES = ("guiding", "goals", "tasks", "safeguards")


# ---------------------------------------------------------------- assertions (pure)
def required_roles(sections: Mapping[str, bool], roles: Sequence[str] = REQUIRED_ROLES) -> Check:
    missing = [r for r in roles if not sections.get(r)]
    have = len(roles) - len(missing)
    if missing:
        return verdict("roles", False, f"missing section role(s): {', '.join(missing)}", have / len(roles))
    return verdict("roles", True, f"has {', '.join(roles)}", 1.0)


def no_errors(review: Mapping[str, Any]) -> Check:
    """Zero error-severity findings in a review (the review JSON contract)."""
    errors = [f for f in review.get("findings", []) if f.get("severity") == "error"]
    if not errors:
        s = review.get("summary", {})
        return verdict("no_errors", True, f"0 errors ({s.get('warnings', 0)} warnings)", 0)
    by_rule = Counter(f["rule"] for f in errors)
    top = ", ".join(f"{r}×{n}" if n > 1 else r for r, n in by_rule.most_common(4))
    more = f" and {len(by_rule) - 4} more rules" if len(by_rule) > 4 else ""
    first = errors[0]
    return verdict("no_errors", False,
                   f"{len(errors)} error finding(s): {top}{more}; first at {first.get('line')}:"
                   f"{first.get('col')} “{str(first.get('text', ''))[:20]}”", len(errors))


def no_copy(longest: int, source: str, threshold: int) -> Check:
    """The longest verbatim run shared with any corpus document stays under the threshold."""
    if longest >= threshold:
        return verdict("no_copy", False, f"{longest}-character verbatim run from {source} "
                       f"(threshold {threshold})", longest)
    src = f" (longest: {longest} from {source})" if longest else ""
    return verdict("no_copy", True, f"no verbatim run of {threshold}+ characters{src}", longest)


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def org_and_year(text: str, union: str, year: int, closing: bool) -> Check:
    """The title names the union and the year; with a sign-off, it names the union and year too."""
    lines = _lines(text)
    problems = []
    title = lines[0] if lines else ""
    if union not in title:
        problems.append(f"title “{title[:40]}” lacks the union name “{union}”")
    if f"{year}年" not in title:
        problems.append(f"title lacks “{year}年”")
    if closing:
        tail = "\n".join(lines[-3:])
        if union not in tail:
            problems.append("sign-off lacks the union name")
        if not re.search(rf"{year}年|{_cn_year(year)}年", tail):
            problems.append(f"sign-off lacks the year {year}")
    if problems:
        return verdict("org_year", False, "; ".join(problems))
    return verdict("org_year", True, f"title{' and sign-off' if closing else ''} name "
                   f"{union} and {year}")


def _cn_year(year: int) -> str:
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(year))


def length_within(text: str, target: int, lo: float = 0.8, hi: float = 1.25) -> Check:
    n = cjk_length(text)
    ratio = n / target if target else 0.0
    ok = lo <= ratio <= hi
    return verdict("length", ok, f"{n} characters, {ratio:.2f}× the target {target} "
                   f"(allowed {lo:g}–{hi:g}×)", ratio)


def speaks_type(text: str, type_name: str, belongs: Sequence[str], minimum: int = 3) -> Check:
    """The draft uses its own organisation type's words (at least `minimum` distinct ones)."""
    used = [w for w in belongs if w in text]
    need = min(minimum, len(belongs))
    if len(used) >= need:
        return verdict("vocabulary", True, f"{len(used)} {type_name} words: {'、'.join(used[:6])}",
                       len(used))
    return verdict("vocabulary", False, f"only {len(used)} of the {type_name} words "
                   f"({'、'.join(used) or 'none'}); need {need} of {'、'.join(belongs[:8])}",
                   len(used))


_TERMINAL = tuple("。！？；：…”’）)!?;:")
def _is_heading(line: str) -> bool:
    m = ANY_MARKER.match(line)
    if not m:
        return False
    rest = line[m.end():]
    # "1.抓好理论武装。具体……" is a numbered paragraph: judge it as a sentence
    return len(rest) <= 40 and not re.search(r"[。；！？]", rest)


def complete_sentences(text: str, union: str = "") -> Check:
    """Every paragraph ends a sentence: a plan cut off mid-sentence (a truncated completion,
    a model that hit its token limit) leaves a line without closing punctuation."""
    lines = _lines(text)
    bad: list[str] = []
    for i, ln in enumerate(lines):
        if i == 0 or _is_heading(ln) or DATE_LINE.match(ln) or (union and ln == union):
            continue
        if ln.endswith(_TERMINAL):
            continue
        bad.append(ln)
    if bad:
        return verdict("complete", False, f"{len(bad)} paragraph(s) end mid-sentence, e.g. "
                       f"“…{bad[-1][-24:]}”", len(bad))
    return verdict("complete", True, "every paragraph ends with closing punctuation", 0)


def sections_filled(text: str, headings: Sequence[Any], min_chars: int = 20) -> Check:
    """Every section heading (一、 and （一） levels) has body text under it: a model that returned
    nothing for a section leaves an empty heading. `headings` are corpus.model.Heading objects
    found in `text`."""
    headings = [h for h in headings if h.level in (1, 2)]     # 一、 and （一）; months are body
    empty: list[str] = []
    for i, h in enumerate(headings):
        nxt = headings[i + 1] if i + 1 < len(headings) else None
        if nxt is not None and nxt.level > h.level:
            continue          # a parent heading: its body is its children
        end = nxt.start if nxt is not None else len(text)
        if cjk_length(text[h.end:end]) < min_chars:
            empty.append(f"{h.marker}{h.title}")
    if empty:
        return verdict("filled", False, f"{len(empty)} section(s) with no body: "
                       f"{'; '.join(e[:20] for e in empty[:3])}", len(empty))
    return verdict("filled", True, f"all {len(headings)} headings have text under them", 0)


def fallback_types(org_type: str, ref_types: Sequence[str], allowed_order: Sequence[str],
                   own_available: bool) -> Check:
    """References for a type with no plans of its own come from its stated stand-ins only."""
    if not ref_types:
        return skipped("fallback", "no references retrieved")
    allowed = {org_type, *allowed_order}
    wrong = sorted({t for t in ref_types if t not in allowed})
    if wrong:
        return verdict("fallback", False, f"references from {', '.join(wrong)}, not in "
                       f"{org_type}'s fallback order ({', '.join(allowed_order)})")
    stand_ins = sorted({t for t in ref_types if t != org_type})
    if not own_available and not stand_ins:
        return verdict("fallback", False, f"no {org_type} plans in the index and no fallback used")
    if stand_ins:
        return verdict("fallback", True, f"fell back to {', '.join(stand_ins)} "
                       f"(allowed: {', '.join(allowed_order)})", len(stand_ins))
    return verdict("fallback", True, f"all references are {org_type} plans", 0)


# ---------------------------------------------------------------- the registry
@dataclass
class DraftRun:
    """One finished draft and what its checks need to judge it."""
    ctx: RunContext
    profile: Any
    result: Any                  # writer.draft.pipeline.DraftResult
    retrieve: bool

    @property
    def text(self) -> str:
        return self.result.text

    def review(self) -> dict[str, Any]:
        return self.result.review_json()

    def union(self) -> str:
        return draft_api.union_of(self.profile.org)


def _roles(d: DraftRun, p: Mapping[str, Any]) -> Check:
    return required_roles(d.review()["sections"])


def _no_errors(d: DraftRun, p: Mapping[str, Any]) -> Check:
    return no_errors(d.review())


def _no_copy(d: DraftRun, p: Mapping[str, Any]) -> Check:
    threshold = int(getattr(d.ctx.settings, "copy_threshold", 50) or 50)
    n, src = d.ctx.copy_index().longest(d.text)
    return no_copy(n, src.label() if src else "", threshold)


def _org_year(d: DraftRun, p: Mapping[str, Any]) -> Check:
    return org_and_year(d.text, d.union(), d.result.year, "closing" in d.profile.sections)


def _length(d: DraftRun, p: Mapping[str, Any]) -> Check:
    return length_within(d.text, d.profile.length, float(p["lo"]), float(p["hi"]))


def _vocabulary(d: DraftRun, p: Mapping[str, Any]) -> Check:
    name, belongs, _ = draft_api.type_words(d.profile.type)
    return speaks_type(d.text, name, belongs, int(p["min"]))


def _complete(d: DraftRun, p: Mapping[str, Any]) -> Check:
    return complete_sentences(d.text, d.union())


def _filled(d: DraftRun, p: Mapping[str, Any]) -> Check:
    from ghplan.corpus.headings import find_headings

    return sections_filled(d.text, find_headings(d.text), int(p["min_chars"]))


def _fallback(d: DraftRun, p: Mapping[str, Any]) -> Check:
    from ghplan.writer.index.retrieve import fallback_table

    if not d.retrieve:
        return skipped("fallback", "retrieval off for this case")
    h = d.ctx.index()
    if h is None:
        return skipped("fallback", d.ctx.index_skip)
    table = fallback_table()[0]
    t = d.profile.type
    order = table[t].order if t in table else ()
    own = h.retriever.available([t], None, d.result.year) > 0
    return fallback_types(t, [r.type for r in d.result.retrieved], order, own)


def _ngram_overlap(d: DraftRun, p: Mapping[str, Any]) -> Check:
    n = int(p["n"])
    share = C.ngram_overlap(d.text, d.ctx.corpus_grams(n), n)
    return C.at_most("ngram_overlap", share, float(p["max"]), f"share of character {n}-grams found in the seeds")


CHECKS: dict[str, Callable[[DraftRun, Mapping[str, Any]], Check]] = {
    "roles": _roles,
    "no_errors": _no_errors,
    "no_copy": _no_copy,
    "org_year": _org_year,
    "length": _length,
    "vocabulary": _vocabulary,
    "complete": _complete,
    "filled": _filled,
    "fallback": _fallback,
    "ngram_overlap": _ngram_overlap,
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "length": {"lo": 0.8, "hi": 1.25},
    "vocabulary": {"min": 3},
    "ngram_overlap": {"n": 8, "max": 0.25, "required": False},
    "filled": {"min_chars": 20},
}


# ---------------------------------------------------------------- the runner
def judge_draft(checks: Sequence[CheckSpec], ctx: RunContext, profile: Any, result: Any,
                retrieve: bool) -> list[Check]:
    """The drafting checks on one DraftResult (shared by the drafting and adversarial stages)."""
    return C.judge(checks, CHECKS, DraftRun(ctx, profile, result, retrieve))


def draft_artifacts(result: Any, profile: Any, backend_name: str) -> dict[str, Any]:
    review = result.review_json()
    return {"draft": {"text": result.text, "type": result.type, "year": result.year,
                      "org": profile.org, "backend": backend_name, "model": result.model,
                      "rounds": result.rounds, "notes": list(result.notes),
                      "seconds": round(result.seconds, 3), "usage": result.usage.to_json(),
                      "target_length": profile.length},
            "findings": review["findings"], "summary": review["summary"],
            "sections": review["sections"],
            "sources": [draft_api.ref_json(x) for x in result.retrieved]}


def run_drafting(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    backend = ctx.backend_for(spec)
    cid = spec.id if backend == spec.backend else spec.id.replace(f"/{spec.backend}/", f"/{backend}/", 1)
    res = CaseResult(cid, spec.stage)
    profile = ctx.profile(spec)
    retrieve = bool(spec.options.get("retrieve", True))
    d = ctx.draft(profile, spec.year, backend, retrieve=retrieve, rounds=spec.options.get("rounds"))
    if d.result is None:
        # a model that fails is a failed case (exit 100), an eval bug an error (exit 1)
        res.checks = [verdict("draft", False, f"the {backend} draft failed: {d.error}")]
        return [res]
    res.checks = judge_draft(spec.checks, ctx, profile, d.result, retrieve)
    res.artifacts.update(draft_artifacts(d.result, profile, backend))
    return [res]
