"""Explicit years: the title's, the body's, the signature date's, and year-bound phrases.

A year is read in every form: 2024年, 2024 年, ２０２４年, 二〇二四年, a bare 2024 in a title
(2024社区工会工作计划), a range (2023—2025年). What a year means depends on its place:

- the title's year other than the plan year: error, a certain fix (the title is the plan's);
- "X年是…之年" (and its 也是… continuation) for another year: error; rewritten whole from the
  year facts when it only says where X stands in its five-year plan, else left for a person;
  the same phrase for the plan year that names a finished five-year plan or the wrong stage
  (2027年是“十五五”开局之年) is wrong too, rewritten whole or left, never half-fixed;
- the 落款 date (the last lines) of a year other than the plan year or the one before: error;
- a year two or more before the plan year in plain text: warning (left by an old plan);
- the same as a date, a range or a target already past (2022年9月, 2023—2025年, 到2025年):
  info (usually copied, sometimes history: a person decides);
- history that stays true (以来, a law's 修正, 成立) and years before [meta.years] oldest: nothing.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Callable, Iterator

from ghplan.corpus.markers import CN
from ghplan.corpus.rules import prefilter  # year scans jump between the digits a year starts with
from ghplan.corpus.rules.dated_table import Hit, line, say, table

_Y = r"(?:19[5-9]\d|20\d\d)"
_CN_DIGIT = "〇零○一二三四五六七八九"
_CN_YEAR = rf"[一二][{_CN_DIGIT}]{{3}}"
YEAR_RE = re.compile(rf"(?<![\d.])({_Y})(?=\s*(?:年|学年|-|—|~|～))")
_TITLE_YEAR = re.compile(rf"(?<![\d.])({_Y})(?!\d)")
_ANY_YEAR = re.compile(rf"(?<![\d.])({_Y})(?!\d)|(?<![{_CN_DIGIT}])({_CN_YEAR})(?=\s*年)")
_RANGE = re.compile(rf"(?<![\d.])({_Y})\s*年?\s*[-—~～至到]\s*({_Y})\s*年")
_MONTH_AFTER = re.compile(rf"\s*年\s*(?:\d{{1,2}}|{CN})\s*月")
_DATE_LINE = re.compile(rf"^\s*(?:{_Y}|{_CN_YEAR})\s*[年.\-/]\s*(?:\d{{1,2}}|{CN})\s*(?:月|[.\-/])"
                        rf"(?:\s*(?:\d{{1,2}}|{CN})\s*日?)?[\s\d:：星期一二三四五六日天]*$")
_VERB = r"(?:是|为|既是|将是|也是|更是)"
_END = r"(?:之年|的一年|关键一年|关键年|攻坚年|落实年|提升年|建设年)"
_THIS_YEAR = ("今年", "本年度", "本年")     # a phrase's year named in words
_PHRASE = re.compile(
    rf"(?:(?<![\d.])({_Y})\s*年(?:度)?|(?<![{_CN_DIGIT}])({_CN_YEAR})\s*年|({'|'.join(_THIS_YEAR)}))\s*{_VERB}"
    rf"[^。!?;\n]{{0,40}}?{_END}"
    rf"(?:\s*[,、]\s*(?:也是|又是|更是|还是|同时也是|同时是)[^。!?;\n]{{0,40}}?{_END})*")
_FYP_SHAPE = re.compile(
    r"\s*(?:是|为)\s*([“\"「]?)(十[一二三四五六七八九]?五)([”\"」]?)\s*(规划)?\s*(?:的)?\s*"
    r"(?:承上启下的关键之年|关键之年|[一-龥]{2,4}之年)")
TITLE_MAX = 60


def cn_year(s: str) -> int:
    """二〇二四 -> 2024 (digit by digit)."""
    return int("".join(str("〇一二三四五六七八九".index(c.replace("零", "〇").replace("○", "〇"))) for c in s))


def _year_value(m: re.Match) -> int:
    return int(m.group(1)) if m.group(1) else cn_year(m.group(2))


# ---------------------------------------------------------------------------- the title
_DATE_START = re.compile(rf"^\s*{_Y}\s*[年.\-/]\s*\d{{1,2}}\s*[月.\-/]\s*\d{{1,2}}")


def _is_date_line(text: str) -> bool:
    return bool(_DATE_LINE.match(text))


def title_span(norm: str) -> tuple[int, int]:
    """The title: a short first line that is not a sentence (nor a timestamp), or, on a page
    without line breaks, its start up to a title word within 60 characters. (i, i): none."""
    i = 0
    while i < len(norm) and norm[i].isspace():
        i += 1
    s, e = line(norm, i)
    text = norm[s:e].rstrip()
    if _is_date_line(text) or _DATE_START.match(text):
        return i, i     # a timestamp line (page metadata) is not a title
    if text and len(text) <= TITLE_MAX and text[-1] not in "。!?;,":
        return s, s + len(text)
    words = table().meta.get("title_words", ())
    ends = [j + len(w) for w in words if 0 <= (j := norm.find(w, s, s + TITLE_MAX))]
    return (s, min(ends)) if ends else (i, i)


def years_in(norm: str, s: int, e: int) -> list[tuple[int, int, int]]:
    """(start, end, year) of the years named in norm[s:e], with or without 年."""
    return [(m.start(1), m.end(1), int(m.group(1))) for m in _TITLE_YEAR.finditer(norm, s, e)]


def title_hit(norm: str, year: int) -> tuple[Hit | None, tuple[int, int], set[int]]:
    """The title's stale year, the title's span, and the years the body may name because the
    title does (a 2026—2027学年 plan). A stale title allows nothing: its year is the copy."""
    s, e = title_span(norm)
    found = years_in(norm, s, e)
    if not found or any(y == year for _, _, y in found):
        return None, (s, e), {y for _, _, y in found}
    a, b, y = found[0]
    rule = table().rule("GH-STALE-TITLE-YEAR")
    en, zh = say("title_year", y=y, year=year)
    return Hit(rule, a, b, rule.severity, en, str(year), True, zh), (s, e), set()


def title_years(norm: str) -> list[int]:
    s, e = title_span(norm)
    return [y for _, _, y in years_in(norm, s, e)]


# ---------------------------------------------------------------------------- year-bound phrases
def stage(year: int) -> str:
    """Where `year` stands in its five-year plan, as plans say it ([meta.fyp_stages])."""
    fyp = table().current("five-year-plan", year)
    stages = table().meta.get("fyp_stages", {})
    if fyp is None:
        return ""
    key = ("first" if year == fyp.dated else "last" if year == fyp.until
           else "second_last" if year == fyp.until - 1 else "middle")
    return stages.get(key, "")


def _rewrite(norm: str, m: re.Match, year: int) -> str:
    """The whole phrase rewritten for `year` when it only says where its year stands in its
    five-year plan; "" when it says more (a person rewrites that)."""
    tail = norm[m.end(1) if m.group(1) else m.end(2) if m.group(2) else m.end(3):m.end()]
    tail = tail.lstrip()
    tail = tail[1:].lstrip() if tail.startswith("年") else tail
    tail = tail[1:] if tail.startswith("度") else tail
    shape = _FYP_SHAPE.fullmatch(tail)
    fyp = table().current("five-year-plan", year)
    if not shape or fyp is None or not stage(year):
        return ""
    lead = m.group(3) or f"{year}年"
    q1, q2 = shape.group(1) or "“", shape.group(3) or "”"
    return f"{lead}是{q1}{fyp.words[0]}{q2}{shape.group(4) or ''}的{stage(year)}"


def _wrong_for_year(phrase: str, year: int) -> bool:
    """A phrase about the plan year that names a finished five-year plan or a wrong stage."""
    t = table()
    fyp = t.current("five-year-plan", year)
    for r in t.series.get("five-year-plan", ()):
        if r is not fyp and any(w in phrase for w in r.words):
            return True
    words = t.meta.get("fyp_stage_words", {})
    now = stage(year)
    for key, ws in words.items():
        if any(w in phrase for w in ws) and t.meta.get("fyp_stages", {}).get(key) != now:
            return True
    return False


def year_spots(norm: str) -> list[re.Match]:
    """Every year `_ANY_YEAR` finds (one scan): the body's years, and where a year-bound phrase
    or a range of years can start (`phrase_hits` and `year_hits` take them from here)."""
    return list(prefilter.finditer(_ANY_YEAR, norm))


def _matches_at(rx: re.Pattern, norm: str, starts: list[int]) -> Iterator[re.Match]:
    """`rx.finditer(norm)` for a pattern that never matches empty and can only start at one of
    `starts` (sorted): each tried in turn, one inside the last match passed over. A pattern
    led by a year is tried at the years found already instead of scanning the text again."""
    pos = 0
    for s in starts:
        if s >= pos and (m := rx.match(norm, s)) is not None:
            yield m
            pos = m.end()


def _phrase_starts(norm: str, found: list[re.Match]) -> list[int]:
    """Where `_PHRASE` can start: a year (digits or Chinese numerals before 年, as `_ANY_YEAR`
    finds it) or 今年 / 本年 (本年度 starts as 本年)."""
    out = [m.start() for m in found]
    for w in _THIS_YEAR:
        i = norm.find(w)
        while i >= 0:
            out.append(i)
            i = norm.find(w, i + 1)
    return sorted(set(out))


def phrase_hits(norm: str, year: int,
                found: list[re.Match] | None = None) -> Iterator[tuple[Hit | None, tuple[int, int]]]:
    """Year-bound phrases wrong for `year`, each with the phrase's span (no other stale hit in
    it may be fixed on its own: that would make the sentence false). `found`: `year_spots(norm)`."""
    t = table()
    found = year_spots(norm) if found is None else found
    for m in _matches_at(_PHRASE, norm, _phrase_starts(norm, found)):
        x = year if m.group(3) else (int(m.group(1)) if m.group(1) else cn_year(m.group(2)))
        new = _rewrite(norm, m, year)
        if x != year:
            rule = t.rule("GH-STALE-YEAR-CLAIM")
            en, zh = say("year_claim", x=x, year=year)
            if new:
                yield Hit(rule, m.start(), m.end(), rule.severity, en, new, True, zh), m.span()
            else:
                ys = m.start(1) if m.group(1) else m.start(2)
                ye = m.end(1) if m.group(1) else m.end(2)
                yield Hit(rule, ys, ye, rule.severity, en, str(year), False, zh), m.span()
        elif _wrong_for_year(m.group(0), year):
            rule = t.rule("GH-STALE-YEAR-PHRASE")
            en, zh = say("year_phrase", phrase=m.group(0), year=year, stage=stage(year))
            yield Hit(rule, m.start(), m.end(), rule.severity, en, new, bool(new), zh), m.span()
        else:
            yield None, m.span()   # a right phrase: still no half-fixes inside it


# ---------------------------------------------------------------------------- the body's years
def _history_kind(norm: str, start: int, end: int) -> str:
    """"clean" (stays true), "history" (a date, range, target or document: maybe copied) or ""."""
    ys = table().meta.get("years", {})
    before = norm[max(0, start - 2):start].rstrip()
    after_year = norm[end:end + 8]
    after = after_year.lstrip()
    after = after[1:].lstrip() if after.startswith("年") else after
    after = after[1:].lstrip() if after.startswith("度") else after
    # str.startswith/endswith with a tuple: any of them, in C
    if after.startswith(tuple(ys.get("ignore_after", ()))):
        return "clean"
    if before.endswith(tuple(ys.get("not_before", ()))):
        return ""
    if before.endswith(tuple(ys.get("ignore_before", ()))):
        return "clean"
    if _MONTH_AFTER.match(after_year) or before.endswith(tuple(ys.get("history_before", ()))) \
            or after.startswith(tuple(ys.get("history_after", ()))):
        return "history"
    return ""


def _titleish(norm: str, end: int) -> bool:
    """A bare year (no 年) opening a title-like line: 2024社区工会工作计划."""
    s, e = line(norm, end)
    meta = table().meta
    words = tuple(meta.get("title_words", ())) + tuple(meta.get("years", {}).get("more_title_words", ()))
    return e - s <= TITLE_MAX and any(w in norm[end:e] for w in words)


def covered(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    """`pos -> any(s <= pos < e for s, e in spans)` by bisection over the spans' union (a text
    full of years and year-bound phrases made that test years × phrases)."""
    union: list[list[int]] = []
    for s, e in sorted(sp for sp in spans if sp[0] < sp[1]):
        if union and s <= union[-1][1]:
            union[-1][1] = max(union[-1][1], e)
        else:
            union.append([s, e])
    starts = [s for s, _ in union]

    def inside(pos: int) -> bool:
        i = bisect_right(starts, pos) - 1
        return i >= 0 and pos < union[i][1]
    return inside


def year_hits(norm: str, year: int, allowed: set[int], skip: list[tuple[int, int]],
              found: list[re.Match] | None = None) -> list[Hit]:
    """Years in the body (outside `skip` spans: the title, year-bound phrases). `found`:
    `year_spots(norm)`; a range of years starts at a year in digits found there."""
    skipped = covered(skip)
    found = year_spots(norm) if found is None else found
    t = table()
    ys = t.meta.get("years", {})
    oldest, lookback = int(ys.get("oldest", 2000)), int(ys.get("lookback", 1))
    out: list[Hit] = []
    ranged: set[int] = set()
    for m in _matches_at(_RANGE, norm, [y.start() for y in found if y.group(1)]):
        a, b = int(m.group(1)), int(m.group(2))
        ranged.update((m.start(1), m.start(2)))
        if b < year and a >= oldest and not skipped(m.start()):
            rule = t.rule("GH-STALE-YEAR-HISTORY")
            en, zh = say("year_history", x=m.group(0), year=year)
            out.append(Hit(rule, m.start(), m.end(), rule.severity, en, "", False, zh))
    for m in found:
        s = m.start(1) if m.group(1) else m.start(2)
        e = m.end(1) if m.group(1) else m.end(2)
        x = _year_value(m)
        if s in ranged or x in allowed or x >= year - lookback or x < oldest:
            continue
        if skipped(s):
            continue
        with_nian = norm[e:e + 3].lstrip().startswith("年")
        if not with_nian and not _titleish(norm, e):
            continue
        kind = _history_kind(norm, s, e) if with_nian else ""
        if kind == "clean":
            continue
        rule = t.rule("GH-STALE-YEAR-HISTORY" if kind == "history" else "GH-STALE-YEAR")
        en, zh = say("year_history" if kind == "history" else "year", x=x, year=year)
        out.append(Hit(rule, s, e, rule.severity, en, str(year) if not kind else "", False, zh))
    return out


def signature_hit(norm: str, year: int) -> Hit | None:
    """The 落款 date: a date line among the last three lines, of a year other than the plan
    year or the one before (plans are signed in the autumn before their year)."""
    lines = [ln for ln in norm.rstrip().rsplit("\n", 3)[-3:] if ln.strip()]   # not a split of every line
    end = len(norm.rstrip())
    for ln in reversed(lines):
        start = norm.rfind(ln, 0, end)
        end = start
        if not _is_date_line(ln):
            continue
        m = _ANY_YEAR.search(ln)
        if not m:
            return None
        x = _year_value(m)
        if x in (year, year - 1):
            return None
        s = start + (m.start(1) if m.group(1) else m.start(2))
        e = start + (m.end(1) if m.group(1) else m.end(2))
        rule = table().rule("GH-STALE-SIGNATURE-DATE")
        en, zh = say("signature", x=x, year=year)
        return Hit(rule, s, e, rule.severity, en, "", False, zh)
    return None


@lru_cache(maxsize=16)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def event_year_hits(norm: str, year: int) -> list[Hit]:
    """"党的二十大召开之年" names the congress's year: stale in any other plan year."""
    t = table()
    rule = t.rule("GH-STALE-EVENT-YEAR")
    out = []
    if rule.extra.get("core") and _compiled(rule.extra["core"]).search(norm) is None:
        return out                     # no match can be there (rule data: every match holds it)
    for m in prefilter.finditer(_compiled(rule.extra["shape"]), norm):
        word = m.group(1) + "大"
        held = next((r for r in t.series.get("party-congress", ()) if r.words and r.words[0] == word), None)
        if held is None or held.dated == year:
            continue
        en, zh = say("event_year", matched=m.group(0), held=held.dated, year=year)
        out.append(Hit(rule, m.start(), m.end(), rule.severity, en, "", False, zh))
    return out

