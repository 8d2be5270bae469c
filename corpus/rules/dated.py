"""Staleness: which dated references in a text are out of date for a plan year.

The catalogue (engine.py) finds every dated reference in one pass; this module decides, for a
given plan year, which hits are stale, what the current reference is, and whether replacing one
with the other is certain. All facts come from dated.toml; the year logic lives only here.

    check(text, 2027) -> [Finding(rule="GH-STALE-PARTY-17", suggestion="二十大", dated=2007, ...)]
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterable, Sequence

from ghplan.corpus.numerals import to_cn, to_int
from ghplan.corpus.rules import dated_years as years
from ghplan.corpus.rules.dated_table import (  # noqa: F401  (the module's public names)
    BUNDLED, CATEGORY, FactsError, Hit, Table, after, facts_path, is_stale, messages, reload, say,
    sentence, source_of, table, year_range,
)
from ghplan.corpus.rules.engine import Match, default_catalogue
from ghplan.corpus.rules.model import Finding, Rule
from ghplan.corpus.rules.normalize import Normalised, normalise

_SENTENCE_END = "。!?;\n"
_CLAUSE_END = ",。!?;\n"
_COMPUTED = ("year", "year-claim")   # the years module reads years itself


def _digit_glued(norm: str, start: int, end: int) -> bool:
    """A digit-form word (17大) glued to more digits (2017大…) is not the word."""
    return (norm[start].isdigit() and start > 0 and norm[start - 1].isdigit()) or \
           (norm[end - 1].isdigit() and end < len(norm) and norm[end].isdigit())


def title_years(text: str) -> list[int]:
    """Years named in the title line ("2026—2027学年" names two)."""
    return years.title_years(normalise(text).text)


# ---------------------------------------------------------------------------- resolution
def _congress_reading(norm: str, start: int, rules: Sequence[Rule]) -> tuple[Rule | None, bool]:
    """Pick the Party or union reading of a congress ordinal by the nearest cue before it.

    Returns (rule, cued): cued is False when no cue was found and the Party reading is a default;
    rule is None when the nearest cue names another body's congress (全国妇女十三大, 共青团…).
    """
    window, gap, cues = _cue_facts()
    lo = start - window
    for c in _SENTENCE_END:   # never look into the previous sentence
        lo = max(lo, norm.rfind(c, max(0, lo), start) + 1)
    before = norm[max(lo, 0):start]
    # nearest cue wins: "党的十九大和中国工会十七大" reads 十七大 as the union's; another body's
    # name must stand right before the ordinal (妇女十三大): 组织妇女学习十九大精神 is still the
    # Party's congress
    floor = len(before) - gap
    found = [(end, series) for cue, series, other in cues
             if (i := before.rfind(cue)) >= 0 and ((end := i + len(cue)) >= floor or not other)]
    if found:
        series = max(found)[1]
        for r in reversed(rules):          # the last rule of a series, as a dict by series keeps
            if r.extra.get("series") == series:
                return r, True
        if series == "other-congress":
            return None, True
    if len(rules) == 1:
        return rules[0], True
    return next((r for r in reversed(rules) if r.extra.get("series") == "party-congress"), rules[0]), False


_CUES: list = [None, None]     # [table, (window, gap, ((cue, series, another body's?), …))]


def _cue_facts() -> tuple[int, int, tuple[tuple[str, str, bool], ...]]:
    """dated.toml's cue settings, read once per table: every congress ordinal asks for them."""
    t = table()
    if _CUES[0] is not t:
        meta = t.meta
        cues = tuple((cue, series, series == "other-congress")
                     for series, words in meta.get("cues", {}).items() for cue in words)
        _CUES[:] = [t, (int(meta.get("cue_window", 8)), int(meta.get("other_cue_gap", 1)), cues)]
    return _CUES[1]


def _successor_word(rule: Rule, word: str, year: int) -> str:
    """The current member's word aligned with `word` (十四五 -> 十五五); "" when none."""
    series = rule.extra.get("series")
    if not series or word not in rule.words:
        return rule.successor
    cur = table().current(series, year)
    if cur is None or cur.id == rule.id:
        return ""
    i = rule.words.index(word)
    return cur.words[i] if i < len(cur.words) else cur.words[0]


def _current_name(rule: Rule, year: int) -> str:
    series = rule.extra.get("series")
    cur = table().current(series, year) if series else None
    return cur.extra.get("name", cur.words[0]) if cur else ""


# ---------------------------------------------------------------------------- findings
def _finding(text: str, norm: Normalised, h: Hit) -> Finding:
    s, e = norm.span(h.start, h.end)
    return Finding(rule=h.rule.id, category=CATEGORY, severity=h.severity, start=s, end=e,
                   text=text[s:e], message=h.message, suggestion=h.suggestion,
                   fixable=h.fixable, dated=h.rule.dated, message_zh=h.message_zh)


def _history(norm: str, end: int) -> bool:
    tail = after(norm, end)
    return tail.startswith(tuple(table().meta.get("history_after", ())))


def _series_hit(norm: str, m: Match, rule: Rule, year: int, cued: bool, other: Rule | None) -> Hit | None:
    if not is_stale(rule, year) or _history(norm, m.end):
        return None
    word = norm[m.start:m.end]
    name = rule.extra.get("name", word)
    succ = _successor_word(rule, word, year)
    current = _current_name(rule, year)
    severity = rule.severity
    when = f"{rule.dated}" if rule.extra.get("kind") == "congress" else f"{rule.dated}–{rule.until}"
    if current:
        en, zh = say("series_cite", name=name, when=when, year=year, current=current)
    else:
        en, zh = say("series", name=name, when=when, year=year)
    if not cued and other is not None and not is_stale(other, year):
        # a bare 十八大: stale if it is the Party's, current if it is the union's
        severity = "warning"
        en, zh = say("congress_ambiguous", word=word, name=name, dated=rule.dated, year=year,
                      other=other.extra.get("name", word))
    fix_after = rule.extra.get("fix_after")
    fixable = bool(succ) and cued and rule.extra.get("fixable", True) and (
        not fix_after or any(after(norm, m.end).startswith(w) for w in fix_after))
    return Hit(rule, m.start, m.end, severity, en, succ or current, fixable, zh)


def _guiding_clause(norm: str, start: int, end: int) -> tuple[int, int, str] | None:
    """The 以 … 为指导 clause around a hit: (start, end, closing words), or None."""
    meta = table().meta
    opener = meta["guiding_open"]
    floor = max(0, start - 60)
    lo = max(floor - 1, *(norm.rfind(c, floor, start) for c in _CLAUSE_END)) + 1
    o = norm.rfind(opener, lo, start)
    if o < 0:
        return None
    cap = min(len(norm), end + 40)
    hi = min([i for i in (norm.find(c, end, cap) for c in _CLAUSE_END) if i >= 0] or [cap])
    best: tuple[int, str] | None = None
    for close in meta.get("guiding_close", ()):
        i = norm.find(close, end, hi)
        if i >= 0 and (best is None or i < best[0]):
            best = (i, close)
    if best is None:
        return None
    return o, best[0] + len(best[1]), best[1]


def _guiding_hits(norm: str, hits: list[Match], year: int) -> list[Hit]:
    meta = table().meta
    framing = meta.get("current_framing", ())
    successor = meta.get("guiding_successor", "")
    opener = meta["guiding_open"]
    out: list[Hit] = []
    clauses: dict[tuple[int, int], Hit] = {}
    for m in hits:
        if not is_stale(m.rule, year):
            continue
        s, e = sentence(norm, m.start, m.end)
        if any(f in norm[s:e] for f in framing):
            continue   # the full constitutional list, naming the current thought as well
        clause = _guiding_clause(norm, m.start, m.end)
        if clause is not None:
            cs, ce, close = clause
            if (cs, ce) not in clauses:
                en, zh = say("guiding_clause", successor=successor)
                clauses[(cs, ce)] = Hit(m.rule, cs, ce, m.rule.severity, en,
                                         f"{opener}{successor}{close}", True, zh)
            continue
        en, zh = say("guiding_word", word=norm[m.start:m.end], successor=successor)
        out.append(Hit(m.rule, m.start, m.end, m.rule.severity, en, successor, False, zh))
    # a word hit inside a reported clause is the same problem
    spans = list(clauses)
    out = [h for h in out if not any(cs <= h.start and h.end <= ce for cs, ce in spans)]
    return out + list(clauses.values())


def _campaign_hit(norm: str, m: Match, year: int) -> Hit | None:
    r = m.rule
    if not is_stale(r, year) or _history(norm, m.end):
        return None
    results_until = int(r.extra.get("results_until", r.until + 1))
    tail = after(norm, m.end, 12)
    results = any(w in tail[:8] for w in table().meta.get("results_after", ()))
    if results and year <= results_until:
        return None   # 巩固…成果: consolidating last year's campaign is current talk
    name = r.extra.get("name", norm[m.start:m.end])
    span = f"{r.dated}" if r.dated == r.until else f"{r.dated}–{r.until}"
    # an error only when the plan certainly runs it again; the year after, it may be wrapping up
    key = "campaign_results" if results else "campaign" if _running(norm, m.start) else "campaign_named"
    severity = r.severity if key == "campaign" and year > r.until + 1 else \
        ("info" if r.severity == "info" else "warning")
    en, zh = say(key, name=name, span=span, year=year)
    return Hit(r, m.start, m.end, severity, en, r.successor,
                bool(r.successor) and r.extra.get("fixable", True), zh)


def _running(norm: str, start: int) -> bool:
    """A running verb (开展, 推进, …) in the clause right before a campaign's name."""
    meta = table().meta
    before = norm[max(0, start - int(meta.get("running_window", 10))):start]
    before = before[max(before.rfind(c) for c in _CLAUSE_END) + 1:]
    return any(v in before for v in meta.get("running_before", ()))


def _plenum_hit(norm: str, m: Match, year: int) -> Hit | None:
    r = m.rule
    if _history(norm, m.end):
        return None
    from_facts = latest_plenums(year)
    hint = "、".join(from_facts) if from_facts else ""
    word = norm[m.start:m.end]
    if not is_stale(r, year):
        return _older_plenum_hit(norm, m, year, from_facts)
    en, zh = say("plenum_cite" if hint else "plenum", word=word, dated=r.dated,
                 until=r.until, year=year, hint=hint)
    return Hit(r, m.start, m.end, r.severity, en, hint, False, zh)


_PLENUM_NO = re.compile(r"([一二三四五六七八九])中")


def _older_plenum_hit(norm: str, m: Match, year: int, latest: tuple[str, ...]) -> Hit | None:
    """A plenum of the current committee older than the ones a plan for `year` studies, cited
    as the line to follow (…二中全会精神) with no newer plenum beside it."""
    if not latest or not after(norm, m.end).startswith("精神"):
        return None
    word = norm[m.start:m.end]
    newest_cited = max((to_int(n) for n in _PLENUM_NO.findall(word)), default=0)
    oldest_studied = min(to_int(n) for p in latest for n in _PLENUM_NO.findall(p))
    if not newest_cited or newest_cited >= oldest_studied:
        return None               # the plan's own line cites a studied plenum: no sentence to read
    s, e = sentence(norm, m.start, m.end)
    others = [to_int(n) for n in _PLENUM_NO.findall(norm[s:m.start] + norm[m.end:e])]
    if any(n >= oldest_studied for n in others):
        return None
    hint = "、".join(latest)
    en, zh = say("plenum_older", word=word, year=year, hint=hint)
    return Hit(m.rule, m.start, m.end, "warning", en, hint, False, zh)


_LATEST: dict[tuple[int, int], tuple[object, tuple[str, ...]]] = {}   # (year, n) -> (table, plenums)


def latest_plenums(year: int, n: int = 2) -> tuple[str, ...]:
    """The latest plenums of the central committee elected by the congress current in `year`
    (those a plan studies: organisational plenums, `studied = false`, are left out). Read once
    per table and year: a plan citing 三中全会精神 asks at every citation."""
    t = table()
    got = _LATEST.get((year, n))
    if got is not None and got[0] is t:
        return got[1]
    cur = t.current("party-congress", year)
    term = int(cur.extra.get("ordinal", 0)) if cur else 0
    ps = [p for p in t.meta.get("plenums", ())
          if int(p["term"]) == term and int(p["dated"]) < year and p.get("studied", True)]
    _LATEST[(year, n)] = (t, names := tuple(p["name"] for p in ps[-n:]))
    return names


def _local_hit(norm: str, m: Match, year: int) -> Hit | None:
    """A local congress or plenum (省委十二届六次全会), or a campaign named for a year (医院服务年):
    ghplan cannot date it, so it asks a person to check it is this year's."""
    r = m.rule
    before = norm[max(0, m.start - 6):m.start]
    if any(w in before for w in r.extra.get("not_after", ())):
        return None
    en, zh = say("undated", matched=norm[m.start:m.end], name=r.extra.get("name", ""), year=year)
    return Hit(r, m.start, m.end, r.severity, en, "", False, zh)


_NUMBER = re.compile(r"\d+|[一二三四五六七八九十百零〇两]+")


def _anniversary_hit(norm: str, m: Match, year: int) -> Hit | None:
    """建党N周年 belongs to base + N: stale once that year is past (第N个教师节 is every year)."""
    r = m.rule
    matched = norm[m.start:m.end]
    # the number is the last numeral in the match, right before 周年/个 (五四运动100周年: 100, not 五四)
    nums = list(_NUMBER.finditer(matched, 1 if matched.startswith("第") else 0))
    if not nums:
        return None
    num = nums[0] if matched.startswith("第") else nums[-1]   # 第115个“三八”: 115, not 三八
    n = to_int(num.group(0))
    held = int(r.extra.get("base", 0)) + n
    if not n or held >= year:
        return None
    if r.extra.get("recurring"):
        now = year - int(r.extra.get("base", 0))
        digits = num.group(0).isdigit()
        new = matched[:num.start()] + (str(now) if digits or now >= 100 else to_cn(now)) + matched[num.end():]
        en, zh = say("anniversary_recurring", matched=matched, held=held, year=year, new=new)
        return Hit(r, m.start, m.end, r.severity, en, new, True, zh)
    en, zh = say("anniversary", matched=matched, held=held, year=year)
    return Hit(r, m.start, m.end, r.severity, en, "", False, zh)


def _matches(nt: str, matches: Iterable[Match] | None) -> list[Match]:
    """Stale matches, each with the merged table's rule (a user's facts file may override an
    entry's years), plus the matches of rules only the user's file has."""
    if matches is None:
        matches = default_catalogue().match(nt)
    t = table()
    by_id = t.by_id
    # a match whose rule the table keeps as it is (no facts file) is kept, not rebuilt
    out = [m if (r := by_id.get(m.rule.id, m.rule)) is m.rule else Match(r, m.start, m.end)
           for m in matches if m.rule.category == CATEGORY]
    if t.extra is not None:
        out += t.extra.match(nt)
    return out


def unread_rules() -> frozenset[str]:
    """Ids of the catalogue's rules whose hits `check` never reads (the years module reads years
    itself): a caller matching a text for `check` alone may leave them out (Catalogue.match's
    `skip`); 2027年 comes hundreds of times a megabyte of plan text."""
    return frozenset(r.id for r in table().rules if r.extra.get("kind") in _COMPUTED)


_HANDLERS = {
    "campaign": lambda nt, m, year: _campaign_hit(nt, m, year),
    "plenum": lambda nt, m, year: _plenum_hit(nt, m, year),
    "anniversary": lambda nt, m, year: _anniversary_hit(nt, m, year),
    "local": lambda nt, m, year: _local_hit(nt, m, year),
    "year-campaign": lambda nt, m, year: _local_hit(nt, m, year),
}


def check(text: str, year: int, norm: Normalised | None = None,
          matches: Iterable[Match] | None = None) -> list[Finding]:
    """Stale references in `text` for a plan for `year`, in original offsets, sorted.

    `matches` may be passed when the caller already ran the catalogue over `norm` (review does,
    so the text is scanned once); non-stale matches are ignored.
    """
    norm = norm or normalise(text)
    nt = norm.text
    stale = _matches(nt, matches)

    title_hit, (ts, te), allowed = years.title_hit(nt, year)
    allowed |= {year}
    hits: list[Hit] = [title_hit] if title_hit else []
    phrases: list[tuple[int, int]] = []
    found = years.year_spots(nt)
    for h, span in years.phrase_hits(nt, year, found):
        phrases.append(span)
        hits.append(h) if h else None
    hits += years.year_hits(nt, year, allowed, [(ts, te)] + phrases, found)
    sig = years.signature_hit(nt, year)
    hits += [sig] if sig else []
    hits += years.event_year_hits(nt, year)

    # group word hits by span: a congress ordinal hits its Party and its union entry at once
    by_span: dict[tuple[int, int], list[Rule]] = {}
    guiding: list[Match] = []
    for m in stale:
        kind = m.rule.extra.get("kind", "")
        if (m.rule.words and _digit_glued(nt, m.start, m.end)) or kind in _COMPUTED:
            continue
        if kind == "guiding":
            guiding.append(m)
        elif kind in _HANDLERS:
            h = _HANDLERS[kind](nt, m, year)
            hits.append(h) if h else None
        else:
            by_span.setdefault((m.start, m.end), []).append(m.rule)
    for (s, e), rules in by_span.items():
        m = Match(rules[0], s, e)
        if rules[0].extra.get("kind") == "congress":
            rule, cued = _congress_reading(nt, s, rules)
            if rule is None:
                continue          # another body's congress (全国妇女十三大): not dated here
            other = next((r for r in rules if r is not rule), None)
        else:
            rule, cued, other = rules[0], True, None
        h = _series_hit(nt, Match(rule, s, e), rule, year, cued, other) if rule.extra.get("series") \
            else _campaign_hit(nt, m, year)
        hits.append(h) if h else None
    hits.extend(_guiding_hits(nt, guiding, year))
    hits = _no_half_fixes(_drop_nested(hits), phrases)
    return sorted((_finding(text, norm, h) for h in hits), key=lambda f: (f.start, f.end, f.rule))


def _no_half_fixes(hits: list[Hit], phrases: list[tuple[int, int]]) -> list[Hit]:
    """Inside a year-bound phrase only the phrase's own rewrite may fix anything: replacing
    十四五 alone in "2025年是“十四五”规划的收官之年" would make a false sentence.

    `phrases` come from one finditer pass (disjoint, in order, never empty), so the one phrase
    that can hold a hit is the last one starting at or before it (bisection, not a scan each)."""
    out = []
    starts = [s for s, _ in phrases]
    for h in hits:
        i = bisect_right(starts, h.start) - 1
        s, e = phrases[i] if i >= 0 else (0, -1)
        inside = s <= h.start and h.end <= e and (h.start, h.end) != (s, e)
        out.append(Hit(h.rule, h.start, h.end, h.severity, h.message, h.suggestion, False, h.message_zh)
                   if inside and h.fixable and h.rule.id != "GH-STALE-YEAR-CLAIM" else h)
    return out


def _drop_nested(hits: list[Hit]) -> list[Hit]:
    """One finding per place: a hit inside a longer hit is the same problem; at one span the
    more severe reading wins (a year claim over a plain year)."""
    rank = {"error": 0, "warning": 1, "info": 2}
    hits = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), rank.get(h.severity, 3)))
    out: list[Hit] = []
    for h in hits:
        if out and h.start >= out[-1].start and h.end <= out[-1].end:
            continue
        out.append(h)
    return out
