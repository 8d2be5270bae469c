"""Staleness: which dated references in a text are out of date for a plan year.

The catalogue (engine.py) finds every dated reference in one pass; this module decides, for a
given plan year, which hits are stale, what the current reference is, and whether replacing one
with the other is certain. All facts come from dated.toml; the year logic lives only here.

    check(text, 2027) -> [Finding(rule="GH-STALE-PARTY-17", suggestion="二十大", dated=2007, ...)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from ghplan.corpus.markers import CN
from ghplan.corpus.numerals import to_cn, to_int
from ghplan.corpus.rules.engine import Match, default_catalogue, load_toml
from ghplan.corpus.rules.messages import Template, templates
from ghplan.corpus.rules.model import Finding, Rule
from ghplan.corpus.rules.normalize import Normalised, normalise

CATEGORY = "stale"
_SENTENCE_END = "。!?;\n"
_CLAUSE_END = ",。!?;\n"
_CLOSE_QUOTES = "”\"’'』」》) "
_YEAR_RE = re.compile(r"(?<![\d.])(19[5-9]\d|20\d\d)(?=\s*(?:年|学年|-|—|~|～))")
_MONTH_AFTER = re.compile(rf"\s*年\s*(?:\d{{1,2}}|{CN})\s*月")


# ---------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Table:
    """dated.toml: its [meta] and its rules (the same Rule objects the catalogue matches)."""
    meta: dict
    rules: tuple[Rule, ...]
    series: dict[str, tuple[Rule, ...]] = field(hash=False)

    def current(self, series: str, year: int) -> Rule | None:
        """The member of `series` a plan for `year` should cite: the first one still current."""
        for r in self.series.get(series, ()):
            if year <= r.until:
                return r
        return None

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


@lru_cache(maxsize=1)
def table() -> Table:
    meta = load_toml("dated.toml").get("meta", {})
    rules = tuple(r for r in default_catalogue().rules if r.category == CATEGORY)
    series: dict[str, list[Rule]] = {}
    for r in rules:
        if r.extra.get("series"):
            series.setdefault(r.extra["series"], []).append(r)
    return Table(meta, rules, {k: tuple(sorted(v, key=lambda r: r.dated)) for k, v in series.items()})


@lru_cache(maxsize=1)
def messages() -> dict[str, Template]:
    """dated.toml [messages]: what review says about a stale hit, in English and Chinese."""
    return templates(load_toml("dated.toml").get("messages", {}))


def _say(key: str, **values: object) -> tuple[str, str]:
    return messages()[key].render(**values)


def year_range() -> tuple[int, int]:
    """Plan years the table can speak for."""
    m = table().meta
    return int(m.get("min_year", 2000)), int(m.get("max_year", 2100))


def is_stale(rule: Rule, year: int) -> bool:
    return bool(rule.until) and year > rule.until


# ---------------------------------------------------------------------------- small text helpers
def _after(norm: str, end: int, n: int = 8) -> str:
    """Text following a hit, past closing quotes (“十四五”规划 -> 规划)."""
    i = end
    while i < len(norm) and norm[i] in _CLOSE_QUOTES:
        i += 1
    return norm[i:i + n]


_REACH = 300   # how far a sentence or clause is looked for around a hit (keeps big texts linear)


def _sentence(norm: str, start: int, end: int) -> tuple[int, int]:
    lo, hi = max(0, start - _REACH), min(len(norm), end + _REACH)
    s = max(lo - 1, *(norm.rfind(c, lo, start) for c in _SENTENCE_END)) + 1
    ends = [i for i in (norm.find(c, end, hi) for c in _SENTENCE_END) if i >= 0]
    return s, (min(ends) if ends else hi)


def _line(norm: str, pos: int) -> tuple[int, int]:
    s = norm.rfind("\n", 0, pos) + 1
    e = norm.find("\n", pos)
    return s, (len(norm) if e < 0 else e)


def _digit_glued(norm: str, start: int, end: int) -> bool:
    """A digit-form word (17大) glued to more digits (2017大…) is not the word."""
    return (norm[start].isdigit() and start > 0 and norm[start - 1].isdigit()) or \
           (norm[end - 1].isdigit() and end < len(norm) and norm[end].isdigit())


_TITLE_MAX = 60


def title_span(norm: str) -> tuple[int, int]:
    """The title: a short first line that is not a sentence, or, on a page without line breaks,
    its start up to a title word (…工作计划) within 60 characters. (i, i) when there is none."""
    i = 0
    while i < len(norm) and norm[i].isspace():
        i += 1
    s, e = _line(norm, i)
    line = norm[s:e].rstrip()
    if line and len(line) <= _TITLE_MAX and line[-1] not in "。!?;,":
        return s, s + len(line)
    words = table().meta.get("title_words", ())
    ends = [j + len(w) for w in words if 0 <= (j := norm.find(w, s, s + _TITLE_MAX)) ]
    return (s, min(ends)) if ends else (i, i)


def title_years(text: str) -> list[int]:
    """Years named in the title line ("2026—2027学年" names two)."""
    norm = normalise(text).text
    s, e = title_span(norm)
    return [int(m.group(1)) for m in _YEAR_RE.finditer(norm, s, e)]


# ---------------------------------------------------------------------------- resolution
def _congress_reading(norm: str, start: int, rules: Sequence[Rule]) -> tuple[Rule, bool]:
    """Pick the Party or union reading of a congress ordinal by the nearest cue before it.

    Returns (rule, cued): cued is False when no cue was found and the Party reading is a default.
    """
    if len(rules) == 1:
        return rules[0], True
    meta = table().meta
    window = int(meta.get("cue_window", 8))
    lo = start - window
    for c in _SENTENCE_END:   # never look into the previous sentence
        lo = max(lo, norm.rfind(c, max(0, lo), start) + 1)
    before = norm[max(lo, 0):start]
    # nearest cue wins: "党的十九大和中国工会十七大" reads 十七大 as the union's
    found = [(i + len(cue), series) for series, cues in meta.get("cues", {}).items()
             for cue in cues if (i := before.rfind(cue)) >= 0]
    by_series = {r.extra.get("series"): r for r in rules}
    if found:
        series = max(found)[1]
        if series in by_series:
            return by_series[series], True
    return by_series.get("party-congress", rules[0]), False


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
@dataclass(frozen=True)
class _Hit:
    """One stale hit in normalised coordinates, ready to become a Finding."""
    rule: Rule
    start: int
    end: int
    severity: str
    message: str
    suggestion: str = ""
    fixable: bool = False
    message_zh: str = ""


def _finding(text: str, norm: Normalised, h: _Hit) -> Finding:
    s, e = norm.span(h.start, h.end)
    return Finding(rule=h.rule.id, category=CATEGORY, severity=h.severity, start=s, end=e,
                   text=text[s:e], message=h.message, suggestion=h.suggestion,
                   fixable=h.fixable, dated=h.rule.dated, message_zh=h.message_zh)


def _history(norm: str, end: int) -> bool:
    tail = _after(norm, end)
    return any(tail.startswith(w) for w in table().meta.get("history_after", ()))


def _series_hit(norm: str, m: Match, rule: Rule, year: int, cued: bool, other: Rule | None) -> _Hit | None:
    if not is_stale(rule, year) or _history(norm, m.end):
        return None
    word = norm[m.start:m.end]
    name = rule.extra.get("name", word)
    succ = _successor_word(rule, word, year)
    current = _current_name(rule, year)
    severity = rule.severity
    when = f"{rule.dated}" if rule.extra.get("kind") == "congress" else f"{rule.dated}–{rule.until}"
    if current:
        en, zh = _say("series_cite", name=name, when=when, year=year, current=current)
    else:
        en, zh = _say("series", name=name, when=when, year=year)
    if not cued and other is not None and not is_stale(other, year):
        # a bare 十八大: stale if it is the Party's, current if it is the union's
        severity = "warning"
        en, zh = _say("congress_ambiguous", word=word, name=name, dated=rule.dated, year=year,
                      other=other.extra.get("name", word))
    fix_after = rule.extra.get("fix_after")
    fixable = bool(succ) and cued and rule.extra.get("fixable", True) and (
        not fix_after or any(_after(norm, m.end).startswith(w) for w in fix_after))
    return _Hit(rule, m.start, m.end, severity, en, succ or current, fixable, zh)


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


def _guiding_hits(norm: str, hits: list[Match], year: int) -> list[_Hit]:
    meta = table().meta
    framing = meta.get("current_framing", ())
    successor = meta.get("guiding_successor", "")
    opener = meta["guiding_open"]
    out: list[_Hit] = []
    clauses: dict[tuple[int, int], _Hit] = {}
    for m in hits:
        if not is_stale(m.rule, year):
            continue
        s, e = _sentence(norm, m.start, m.end)
        if any(f in norm[s:e] for f in framing):
            continue   # the full constitutional list, naming the current thought as well
        clause = _guiding_clause(norm, m.start, m.end)
        if clause is not None:
            cs, ce, close = clause
            if (cs, ce) not in clauses:
                en, zh = _say("guiding_clause", successor=successor)
                clauses[(cs, ce)] = _Hit(m.rule, cs, ce, m.rule.severity, en,
                                         f"{opener}{successor}{close}", True, zh)
            continue
        en, zh = _say("guiding_word", word=norm[m.start:m.end], successor=successor)
        out.append(_Hit(m.rule, m.start, m.end, m.rule.severity, en, successor, False, zh))
    # a word hit inside a reported clause is the same problem
    spans = list(clauses)
    out = [h for h in out if not any(cs <= h.start and h.end <= ce for cs, ce in spans)]
    return out + list(clauses.values())


def _campaign_hit(norm: str, m: Match, year: int) -> _Hit | None:
    r = m.rule
    if not is_stale(r, year) or _history(norm, m.end):
        return None
    results_until = int(r.extra.get("results_until", r.until + 1))
    tail = _after(norm, m.end, 12)
    if year <= results_until and any(w in tail[:8] for w in table().meta.get("results_after", ())):
        return None   # 巩固…成果: consolidating last year's campaign is current talk
    name = r.extra.get("name", norm[m.start:m.end])
    span = f"{r.dated}" if r.dated == r.until else f"{r.dated}–{r.until}"
    severity = "warning" if year == r.until + 1 else r.severity
    en, zh = _say("campaign", name=name, span=span, year=year)
    return _Hit(r, m.start, m.end, severity, en, r.successor,
                bool(r.successor) and r.extra.get("fixable", True), zh)


def _plenum_hit(norm: str, m: Match, year: int) -> _Hit | None:
    r = m.rule
    if not is_stale(r, year) or _history(norm, m.end):
        return None
    from_facts = latest_plenums(year)
    hint = "、".join(from_facts) if from_facts else ""
    en, zh = _say("plenum_cite" if hint else "plenum", word=norm[m.start:m.end], dated=r.dated,
                  until=r.until, year=year, hint=hint)
    return _Hit(r, m.start, m.end, r.severity, en, hint, False, zh)


def latest_plenums(year: int, n: int = 2) -> tuple[str, ...]:
    """The latest plenums of the central committee elected by the congress current in `year`."""
    cur = table().current("party-congress", year)
    term = int(cur.extra.get("ordinal", 0)) if cur else 0
    ps = [p for p in table().meta.get("plenums", ()) if int(p["term"]) == term and int(p["dated"]) < year]
    return tuple(p["name"] for p in ps[-n:])


_NUMBER = re.compile(r"\d+|[一二三四五六七八九十百零〇两]+")


def _anniversary_hit(norm: str, m: Match, year: int) -> _Hit | None:
    """建党N周年 belongs to base + N: stale once that year is past (第N个教师节 is every year)."""
    r = m.rule
    matched = norm[m.start:m.end]
    # the number is the last numeral in the match, right before 周年/个 (五四运动100周年: 100, not 五四)
    nums = list(_NUMBER.finditer(matched, 1 if matched.startswith("第") else 0))
    if not nums:
        return None
    num = nums[-1]
    n = to_int(num.group(0))
    held = int(r.extra.get("base", 0)) + n
    if not n or held >= year:
        return None
    if r.extra.get("recurring"):
        now = year - int(r.extra.get("base", 0))
        digits = num.group(0).isdigit()
        new = matched[:num.start()] + (str(now) if digits or now >= 100 else to_cn(now)) + matched[num.end():]
        en, zh = _say("anniversary_recurring", matched=matched, held=held, year=year, new=new)
        return _Hit(r, m.start, m.end, r.severity, en, new, True, zh)
    en, zh = _say("anniversary", matched=matched, held=held, year=year)
    return _Hit(r, m.start, m.end, r.severity, en, "", False, zh)


def _ignored_year(norm: str, m: Match) -> bool:
    ys = table().meta.get("years", {})
    before = norm[max(0, m.start - 2):m.start].rstrip()
    after_year = norm[m.end:m.end + 8]
    after = after_year.lstrip()
    if after.startswith("年"):
        after = after[1:].lstrip()
    if after.startswith("度"):
        after = after[1:].lstrip()
    if _MONTH_AFTER.match(after_year):
        return True   # a date (2024年7月…) is history
    if any(after.startswith(w) for w in ys.get("ignore_after", ())):
        return True
    return any(before.endswith(w) for w in ys.get("ignore_before", ()))


def _year_hit(norm: str, m: Match, year: int, allowed: set[int]) -> _Hit | None:
    ys = table().meta.get("years", {})
    x = int(norm[m.start:m.end])
    if m.rule.extra.get("kind") == "year-claim":
        if x in allowed:
            return None
        en, zh = _say("year_claim", x=x, year=year)
        return _Hit(m.rule, m.start, m.end, m.rule.severity, en, str(year), False, zh)
    if x in allowed or x >= year - int(ys.get("lookback", 1)) or x < int(ys.get("oldest", 2000)):
        return None
    if _ignored_year(norm, m):
        return None
    en, zh = _say("year", x=x, year=year)
    return _Hit(m.rule, m.start, m.end, m.rule.severity, en, str(year), False, zh)


def _title_hit(norm: str, year: int) -> tuple[_Hit | None, tuple[int, int]]:
    s, e = title_span(norm)
    found = [(mm.start(1), mm.end(1), int(mm.group(1))) for mm in _YEAR_RE.finditer(norm, s, e)]
    if not found or any(y == year for _, _, y in found):
        return None, (s, e)
    a, b, y = found[0]
    rule = table().rule("GH-STALE-TITLE-YEAR")
    en, zh = _say("title_year", y=y, year=year)
    return _Hit(rule, a, b, rule.severity, en, str(year), True, zh), (s, e)


def check(text: str, year: int, norm: Normalised | None = None,
          matches: Iterable[Match] | None = None) -> list[Finding]:
    """Stale references in `text` for a plan for `year`, in original offsets, sorted.

    `matches` may be passed when the caller already ran the catalogue over `norm` (review does,
    so the text is scanned once); non-stale matches are ignored.
    """
    norm = norm or normalise(text)
    nt = norm.text
    if matches is None:
        matches = default_catalogue().match(nt)
    stale = [m for m in matches if m.rule.category == CATEGORY]

    title_hit, (ts, te) = _title_hit(nt, year)
    allowed = {year} | {int(y.group(1)) for y in _YEAR_RE.finditer(nt, ts, te)}
    hits: list[_Hit] = [title_hit] if title_hit else []

    # group word hits by span: a congress ordinal hits its Party and its union entry at once
    by_span: dict[tuple[int, int], list[Rule]] = {}
    guiding: list[Match] = []
    for m in stale:
        kind = m.rule.extra.get("kind", "")
        if m.rule.words and _digit_glued(nt, m.start, m.end):
            continue
        if kind == "guiding":
            guiding.append(m)
        elif kind in ("year", "year-claim"):
            if not (ts <= m.start < te):   # the title's year is the title rule's business
                h = _year_hit(nt, m, year, allowed)
                hits.append(h) if h else None
        elif kind == "campaign":
            h = _campaign_hit(nt, m, year)
            hits.append(h) if h else None
        elif kind == "plenum":
            h = _plenum_hit(nt, m, year)
            hits.append(h) if h else None
        elif kind == "anniversary":
            h = _anniversary_hit(nt, m, year)
            hits.append(h) if h else None
        else:
            by_span.setdefault((m.start, m.end), []).append(m.rule)
    for (s, e), rules in by_span.items():
        m = Match(rules[0], s, e)
        if rules[0].extra.get("kind") == "congress":
            rule, cued = _congress_reading(nt, s, rules)
            other = next((r for r in rules if r is not rule), None)
        else:
            rule, cued, other = rules[0], True, None
        h = _series_hit(nt, Match(rule, s, e), rule, year, cued, other) if rule.extra.get("series") \
            else _campaign_hit(nt, m, year)
        hits.append(h) if h else None
    hits.extend(_guiding_hits(nt, guiding, year))
    hits = _drop_nested(hits)
    return sorted((_finding(text, norm, h) for h in hits), key=lambda f: (f.start, f.end, f.rule))


def _drop_nested(hits: list[_Hit]) -> list[_Hit]:
    """One finding per place: a hit inside a longer hit is the same problem; at one span the
    more severe reading wins (a year claim over a plain year)."""
    rank = {"error": 0, "warning": 1, "info": 2}
    hits = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), rank.get(h.severity, 3)))
    out: list[_Hit] = []
    for h in hits:
        if out and h.start >= out[-1].start and h.end <= out[-1].end:
            continue
        out.append(h)
    return out
