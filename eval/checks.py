"""The eval's assertions: small pure functions, each returning one `Check`.

A check never raises for a failed assertion: it returns `Check(status="fail", reason=...)`,
with a reason a person can act on and, where there is a number, a `score`. The harness
(eval/harness.py) gathers the inputs (drafts, reviews, prompts, retrieval results) and calls
these; nothing here touches the disk, a model or the index.

Text metrics are character based: Chinese has no spaces to split on, so overlap and similarity
are measured on character n-grams of the text with its whitespace removed, never on
whitespace tokens.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

PASS, FAIL, WARN, SKIP, ERROR = "pass", "fail", "warn", "skip", "error"
STATUSES = (PASS, FAIL, WARN, SKIP, ERROR)
REQUIRED_ROLES = ("guiding", "goals", "tasks", "safeguards")


@dataclass
class Check:
    name: str
    status: str                 # pass | fail | warn (a failed optional check) | skip | error
    reason: str
    score: float | None = None
    required: bool = True

    @property
    def failed(self) -> bool:
        """A failure that counts against the run (required and failed, or an error)."""
        return self.status in (FAIL, ERROR)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "required": self.required,
                "score": None if self.score is None else round(float(self.score), 4),
                "reason": self.reason}


def verdict(name: str, ok: bool, reason: str, score: float | None = None,
            required: bool = True) -> Check:
    """pass when ok; otherwise fail (required) or warn (optional)."""
    status = PASS if ok else (FAIL if required else WARN)
    return Check(name, status, reason, score, required)


def skipped(name: str, reason: str, required: bool = True) -> Check:
    return Check(name, SKIP, f"skipped: {reason}", None, required)


def errored(name: str, reason: str) -> Check:
    return Check(name, ERROR, reason, None, True)


def optional(check: Check) -> Check:
    """The same check, not counted against the run (a fail becomes a warn)."""
    status = WARN if check.status == FAIL else check.status
    return Check(check.name, status, check.reason, check.score, False)


# ---------------------------------------------------------------- character n-grams
_WS = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def compact(text: str) -> str:
    """The text without whitespace (a reflowed copy is still a copy)."""
    return _WS.sub("", text)


def char_ngrams(text: str, n: int) -> Counter:
    """Character n-grams of the whitespace-free text (a multiset)."""
    t = compact(text)
    return Counter(t[i:i + n] for i in range(len(t) - n + 1))


def ngram_set(texts: Iterable[str], n: int) -> set[str]:
    out: set[str] = set()
    for t in texts:
        out.update(char_ngrams(t, n))
    return out


def ngram_overlap(text: str, reference: set[str], n: int) -> float:
    """Share of the text's character n-grams (by occurrence) that occur in `reference`."""
    grams = char_ngrams(text, n)
    total = sum(grams.values())
    if not total:
        return 0.0
    return sum(c for g, c in grams.items() if g in reference) / total


def ngram_jaccard(a: str, b: str, n: int = 5) -> float:
    """Jaccard similarity of the two texts' character n-gram sets."""
    sa, sb = set(char_ngrams(a, n)), set(char_ngrams(b, n))
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def cjk_length(text: str) -> int:
    """Length of the text without whitespace: what a person counts as 字数."""
    return len(compact(text))


def estimate_tokens(text: str) -> int:
    """A conservative token estimate: 1.5 per CJK character (BPE vocabularies often split them),
    one per 3 other characters."""
    cjk = len(_CJK.findall(text))
    return math.ceil(cjk * 1.5 + (len(text) - cjk) / 3)


# ---------------------------------------------------------------- generic floors
def at_least(name: str, value: float | None, floor: float, what: str, *, required: bool = True,
             detail: str = "") -> Check:
    if value is None:
        return skipped(name, f"no {what} to measure{': ' + detail if detail else ''}", required)
    ok = value >= floor - 1e-9
    rel = "≥" if ok else "<"
    return verdict(name, ok, f"{what} {value:.3f} {rel} {floor:g}{' — ' + detail if detail else ''}",
                   value, required)


def at_most(name: str, value: float | None, ceiling: float, what: str, *, required: bool = True,
            detail: str = "") -> Check:
    if value is None:
        return skipped(name, f"no {what} to measure", required)
    ok = value <= ceiling + 1e-9
    rel = "≤" if ok else ">"
    return verdict(name, ok, f"{what} {value:.3f} {rel} {ceiling:g}{' — ' + detail if detail else ''}",
                   value, required)


# ---------------------------------------------------------------- drafts
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
_HEADING_LINE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|"
                           r"\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）])")
_DATE_LINE = re.compile(r"^(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,2}月"
                        r"(?:[\d一二三四五六七八九十]{1,3}日)?$")


def _is_heading(line: str) -> bool:
    m = _HEADING_LINE.match(line)
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
        if i == 0 or _is_heading(ln) or _DATE_LINE.match(ln) or (union and ln == union):
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


# ---------------------------------------------------------------- prompts
Messages = Sequence[Mapping[str, str]]


def prompt_facts(system: str, facts: Mapping[str, str]) -> Check:
    """The system prompt carries every current fact of the plan year."""
    missing = [f"{k}={v}" for k, v in facts.items() if v and v not in system]
    if missing:
        return verdict("facts", False, f"system prompt lacks {', '.join(missing)}",
                       1 - len(missing) / max(1, len(facts)))
    return verdict("facts", True, "has " + "、".join(v for v in facts.values() if v), 1.0)


def prompt_vocab(system: str, type_name: str, belongs: Sequence[str], betray: Sequence[str]) -> Check:
    missing = [w for w in belongs if w not in system]
    if missing:
        return verdict("vocabulary", False, f"system prompt lacks the {type_name} words "
                       f"{'、'.join(missing)}", 1 - len(missing) / max(1, len(belongs)))
    extra = f"; warns off {'、'.join(betray[:4])}" if betray and all(w in system for w in betray) else ""
    return verdict("vocabulary", True, f"all {len(belongs)} {type_name} words{extra}", 1.0)


def _flat(text: str) -> str:
    return _WS.sub(" ", text).strip()


def prompt_references(requests: Sequence[Messages], ref_texts: Sequence[str], probe: int = 40) -> Check:
    """Every retrieved reference reaches the model: its opening words appear in some prompt."""
    if not ref_texts:
        return skipped("references", "no references were retrieved")
    users = [_flat(m.get("content", "")) for msgs in requests for m in msgs if m.get("role") == "user"]
    joined = "\n".join(users)
    lost = [t for t in ref_texts if _flat(t)[:probe] not in joined]
    if lost:
        return verdict("references", False, f"{len(lost)} of {len(ref_texts)} retrieved references "
                       f"never reach a prompt, e.g. “{_flat(lost[0])[:20]}…”",
                       1 - len(lost) / len(ref_texts))
    return verdict("references", True, f"all {len(ref_texts)} retrieved references are in the prompts", 1.0)


def prompt_anti_copy(requests: Sequence[Messages], phrases: Sequence[str], ref_marker: str = "参考") -> Check:
    """The system prompt forbids copying, and so does every request that shows references."""
    systems = [m.get("content", "") for msgs in requests for m in msgs if m.get("role") == "system"]
    if not systems or not all(any(p in s for p in phrases) for s in systems):
        return verdict("anti_copy", False, f"a system prompt lacks an anti-copy instruction "
                       f"({' / '.join(phrases)})")
    bare = 0
    with_refs = 0
    for msgs in requests:
        for m in msgs:
            if m.get("role") == "user" and ref_marker in m.get("content", ""):
                with_refs += 1
                if not any(p in m["content"] for p in phrases):
                    bare += 1
    if bare:
        return verdict("anti_copy", False, f"{bare} of {with_refs} requests show references "
                       f"without saying not to copy them")
    return verdict("anti_copy", True, f"system prompt and all {with_refs} requests with references "
                   f"forbid copying")


def prompt_budget(requests: Sequence[Messages], params: Sequence[Mapping[str, Any]],
                  context_tokens: int) -> Check:
    """No request (prompt plus the completion it asks for) exceeds the model's context."""
    worst = 0
    for msgs, p in zip(requests, params):
        need = sum(estimate_tokens(m.get("content", "")) for m in msgs) + int(p.get("max_tokens") or 0)
        worst = max(worst, need)
    if not requests:
        return skipped("budget", "no requests were made")
    return verdict("budget", worst <= context_tokens, f"largest request ≈{worst} tokens "
                   f"({'≤' if worst <= context_tokens else '>'} {context_tokens})", worst)


def prompt_current(stale_terms: Sequence[str]) -> Check:
    """No prompt carries a reference that is stale for the plan year (the stale terms are found
    by the harness with the review's dated table)."""
    if stale_terms:
        return verdict("current", False, f"prompts carry stale references: "
                       f"{'、'.join(sorted(set(stale_terms))[:6])}", len(stale_terms))
    return verdict("current", True, "no stale reference in any prompt", 0)


# ---------------------------------------------------------------- adversarial models
def caught(expect: Mapping[str, Any], checks: Sequence[Check], review: Mapping[str, Any] | None,
           error: str = "") -> Check:
    """The meta-check: the harness caught a bad model. `expect` says how:
    fail = [check names that must fail], categories = [finding categories that must be
    reported as errors or warnings], rules = [rule ids], error = "substring of the clean failure".
    Anything expected but not observed means the bad output slipped through."""
    slipped: list[str] = []
    seen: list[str] = []
    want_error = str(expect.get("error", "") or "")
    if want_error:
        if not error:
            slipped.append(f"the draft did not fail (expected “{want_error}”)")
        elif want_error.lower() not in error.lower():
            slipped.append(f"failed with “{error[:80]}”, expected “{want_error}”")
        else:
            seen.append(f"failed cleanly: {error[:80]}")
    elif error:
        slipped.append(f"the draft failed unexpectedly: {error[:80]}")
    by_name = {c.name: c for c in checks}
    for name in expect.get("fail", ()):
        c = by_name.get(name)
        if c is None:
            slipped.append(f"check {name} did not run")
        elif c.status in (FAIL, WARN):
            seen.append(f"{name} failed")
        else:
            slipped.append(f"{name} passed")
    findings = (review or {}).get("findings", [])
    cats = Counter(f["category"] for f in findings if f.get("severity") in ("error", "warning"))
    rules = Counter(f["rule"] for f in findings)
    for cat in expect.get("categories", ()):
        if cats.get(cat):
            seen.append(f"{cats[cat]} {cat}")
        else:
            slipped.append(f"no {cat} finding")
    for rid in expect.get("rules", ()):
        if rules.get(rid):
            seen.append(rid)
        else:
            slipped.append(f"no {rid} finding")
    if not (want_error or expect.get("fail") or expect.get("categories") or expect.get("rules")):
        return errored("caught", "the mock's [eval.expect] says nothing to catch")
    if slipped:
        return verdict("caught", False, "SLIPPED THROUGH: " + "; ".join(slipped)
                       + (f" (caught: {'; '.join(seen)})" if seen else ""), len(seen))
    return verdict("caught", True, "caught: " + "; ".join(seen), len(seen))


def failed_cleanly(code: int | None, stderr: str, expect_code: int = 3) -> Check:
    """`ghplan draft` with a failing model: the expected exit code, one line, no traceback."""
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    problems = []
    if code != expect_code:
        problems.append(f"exit {code}, expected {expect_code}")
    if "Traceback" in stderr:
        problems.append("a traceback on stderr")
    if len(lines) != 1 or not lines[0].startswith("ghplan: error:"):
        problems.append(f"{len(lines)} stderr lines, expected one “ghplan: error: …”")
    if problems:
        return verdict("cli_fails_cleanly", False, "; ".join(problems))
    return verdict("cli_fails_cleanly", True, f"exit {code}: {lines[0][:90]}")


# ---------------------------------------------------------------- the reviewer's own quality
LABEL = re.compile(r"⟦(?P<cat>[a-z_]+(?:\+[a-z_]+)*)(?:/(?P<rule>[A-Z0-9-]+))?:(?P<text>[^⟦⟧]*)⟧")


@dataclass(frozen=True)
class Label:
    category: str                 # the problem's category: its recall is counted here
    start: int
    end: int
    text: str
    rule: str = ""
    also: tuple[str, ...] = ()    # other categories a finding on this span may rightly have


def parse_labels(marked: str) -> tuple[str, list[Label]]:
    """A fixture text with inline labels → (plain text, labels with exact spans in it).

    `⟦stale:十七大⟧` marks 十七大 as a stale reference; `⟦structure/GH-STRUCT-SUMMARY:现将…⟧`
    also names the rule; `⟦promotion+download:…喜欢就复制下载支持吧!⟧` is a promotion blurb that is
    rightly reported as a download prompt too (recall counts under the first category, a finding
    of any listed category on the span is correct). The labels' spans are offsets into the
    returned plain text, exactly."""
    out: list[str] = []
    labels: list[Label] = []
    pos = 0
    length = 0
    for m in LABEL.finditer(marked):
        chunk = marked[pos:m.start()]
        out.append(chunk)
        length += len(chunk)
        body = m.group("text")
        cats = m.group("cat").split("+")
        labels.append(Label(cats[0], length, length + len(body), body, m.group("rule") or "",
                            tuple(cats[1:])))
        out.append(body)
        length += len(body)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    if "⟦" in text or "⟧" in text:
        raise ValueError("unbalanced label brackets ⟦ ⟧ in a reviewer fixture")
    return text, labels


@dataclass
class Tally:
    labels: int = 0          # labelled problems
    found: int = 0           # labelled problems some finding of the category overlaps (recall)
    findings: int = 0        # findings reported in the category
    correct: int = 0         # findings that overlap a label of their category (precision)
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    def recall(self) -> float | None:
        return self.found / self.labels if self.labels else None

    def precision(self) -> float | None:
        return self.correct / self.findings if self.findings else None

    def add(self, other: "Tally") -> None:
        self.labels += other.labels
        self.found += other.found
        self.findings += other.findings
        self.correct += other.correct
        self.missed += other.missed
        self.false += other.false


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def judge_spans(labels: Sequence[Label], doc_labels: Sequence[Mapping[str, str]],
                findings: Sequence[Mapping[str, Any]],
                severities: Sequence[str] = ("error", "warning")) -> tuple[list[bool], list[bool], list[bool | None]]:
    """(label found?, document label found?, finding correct? — None for a finding whose severity
    is not judged).

    A finding hits a label when both are of one category and their spans overlap (a label may
    name its rule; then the rule must match too; for precision, a label's `also` categories
    count as its own). A zero-width finding (a missing section) matches a document-level label
    of its category."""
    def hits(f: Mapping[str, Any], lab: Label, any_category: bool = False) -> bool:
        cats = (lab.category, *lab.also) if any_category else (lab.category,)
        return (f["category"] in cats and (not lab.rule or f["rule"] == lab.rule)
                and _overlaps(f["start"], max(f["end"], f["start"] + 1), lab.start, lab.end))

    def doc_hit(f: Mapping[str, Any], d: Mapping[str, str]) -> bool:
        return f["category"] == d["category"] and (not d.get("rule") or f["rule"] == d["rule"])

    judged = [f for f in findings if f.get("severity") in severities]
    found = [any(hits(f, lab) for f in judged) for lab in labels]
    doc_found = [any(doc_hit(f, d) for f in judged if f["start"] == f["end"]) for d in doc_labels]
    ok: list[bool | None] = []
    for f in findings:
        if f.get("severity") not in severities:
            ok.append(None)
        elif f["start"] == f["end"]:
            ok.append(any(doc_hit(f, d) for d in doc_labels))
        else:
            ok.append(any(hits(f, lab, any_category=True) for lab in labels))
    return found, doc_found, ok


def match_findings(labels: Sequence[Label], doc_labels: Sequence[Mapping[str, str]],
                   findings: Sequence[Mapping[str, Any]], fixture_id: str = "",
                   severities: Sequence[str] = ("error", "warning")) -> dict[str, Tally]:
    """Per category: labelled spans found (recall) and findings that hit a label (precision);
    see `judge_spans` for what counts as a hit. Findings below `severities` are ignored."""
    found, doc_found, ok = judge_spans(labels, doc_labels, findings, severities)
    tallies: dict[str, Tally] = {}

    def t(cat: str) -> Tally:
        return tallies.setdefault(cat, Tally())

    for lab, hit in zip(labels, found):
        t(lab.category).labels += 1
        if hit:
            t(lab.category).found += 1
        else:
            t(lab.category).missed.append(f"{fixture_id}: “{lab.text}” at {lab.start}")
    for d, hit in zip(doc_labels, doc_found):
        t(d["category"]).labels += 1
        if hit:
            t(d["category"]).found += 1
        else:
            t(d["category"]).missed.append(f"{fixture_id}: document-level {d.get('rule') or d['category']}")
    for f, good in zip(findings, ok):
        if good is None:
            continue
        tl = t(f["category"])
        tl.findings += 1
        if good:
            tl.correct += 1
        else:
            tl.false.append(f"{fixture_id}: {f['rule']} “{str(f.get('text', ''))[:24]}” at {f['start']}")
    return tallies
