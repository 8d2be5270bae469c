"""Refresh's own certain rewrites, beyond review's --fix: each returns changes on the text it is
given, with the reason, and the items a person should confirm.

- the signature date's year moves to Y (or Y-1 for a December signature; month and day kept),
  listed for a person to confirm;
- a year placeholder (20xx年) in a plan for Y is Y (outside the signature line);
- the Party line “党的二十大和二十届二中、三中全会精神” is rebuilt from Y's facts, and so is a stale
  plenum cited alone (深入学习贯彻党的二十届三中全会精神, in a 2028 plan);
- a year claim that says more than where its year stands in the five-year plan
  (“2025年是“十四五”规划的收官之年，也是……的关键之年”) is rebuilt clause by clause: the
  five-year-plan clause from the facts, any other clause kept when it carries nothing stale,
  and listed for a person to confirm. A clause whose stale congress review would fix with certainty
  gets the current one; any other stale reference in a clause leaves the claim alone.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from ghplan.corpus.rules import dated_years
from ghplan.corpus.rules.model import Finding
from ghplan.corpus.rules.normalize import normalise
from ghplan.writer.draft.facts import YearFacts
from ghplan.writer.refresh.changes import Change

_CN_DIGIT = "〇零○一二三四五六七八九"
_SIG_DATE = re.compile(rf"^(\s*)((?:19|20)\d\d|[一二][{_CN_DIGIT}]{{3}})(\s*[年.\-/]\s*)(\d{{1,2}}|[一二三四五六七八九十]{{1,3}})"
                       r"(?=\s*(?:月|[.\-/]))")
_PH_YEAR = re.compile(r"20(?:[xX×Ｘｘ]{2}|_{2}|＿{2})|20[0-9][xX×Ｘｘ]")
_PARTY_LINE = re.compile(
    r"(?:党的)?(?:十[六七八九]|二十一?)大(?:和|以及|及|、)(?:党的)?"
    r"(?:(?:十[六七八九]|二十一?)届)?(?:[一二三四五六七八九]中(?:全会)?[、和及]?(?:(?:十[六七八九]|二十一?)届)?)+"
    r"全会(?:精神)?")
_LONE_PLENUM = re.compile(r"(党的)?(?:十[六七八九]|二十一?)届[一二三四五六七八九]中全会精神")
_CLAUSE_SPLIT = re.compile(r"(\s*[,，、]\s*)(?=(?:也是|又是|更是|还是|同时也是|同时是))")
_LEAD_YEAR = re.compile(r"\s*(?:(?:19|20)\d\d\s*年度?|[一二][〇零○一二三四五六七八九]{3}\s*年)")


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return tomllib.loads(resources.files("ghplan.writer").joinpath("data/refresh.toml").read_text("utf-8"))


def say(key: str, **values: Any) -> tuple[str, str]:
    m = data()["messages"][key]
    return m["en"].format(**values), m["zh"].format(**values)


# ---------------------------------------------------------------------------- signature date
def _month(s: str) -> int:
    if s.isdigit():
        return int(s)
    n = "一二三四五六七八九十"
    return n.index(s) + 1 if len(s) == 1 else 10 + (n.index(s[1]) + 1 if len(s) == 2 else 0) \
        if s.startswith("十") else 0


def signature_change(text: str, year: int) -> Change | None:
    """The 落款 date among the last three lines, its year moved for a plan for `year`."""
    lines = text.rstrip().split("\n")
    end = len(text.rstrip())
    for ln in reversed([x for x in lines[-3:] if x.strip()]):
        start = text.rfind(ln, 0, end)
        end = start
        m = _SIG_DATE.match(ln)
        if not m or not dated_years._is_date_line(normalise(ln).text):
            continue
        raw = m.group(2)
        old_year = int(raw) if raw.isdigit() else dated_years.cn_year(raw)
        new_year = year - 1 if _month(m.group(4)) == 12 else year
        if old_year == new_year:
            return None
        new = str(new_year) if raw.isdigit() else "".join("〇一二三四五六七八九"[int(d)] for d in str(new_year))
        s = start + m.start(2)
        en, zh = say("signature", old=ln.strip(), new=ln.strip().replace(raw, new, 1), year=year)
        return Change(s, s + len(raw), new, "GH-REFRESH-SIGNATURE", en, zh)
    return None


# ---------------------------------------------------------------------------- 20xx年
def year_placeholder_changes(text: str, year: int, findings: list[Finding]) -> list[Change]:
    """GH-PH-YEAR placeholders followed by 年, outside the last three lines (the signature)."""
    tail = len(text.rstrip()) - len("\n".join(text.rstrip().split("\n")[-3:]))
    out = []
    for f in findings:
        if f.category != "placeholder" or f.start >= tail:
            continue
        for m in _PH_YEAR.finditer(text, f.start, f.end):
            if text[m.end():m.end() + 2].lstrip().startswith("年"):
                en, zh = say("year_placeholder", old=m.group(), year=year)
                out.append(Change(m.start(), m.end(), str(year), "GH-REFRESH-YEAR-PLACEHOLDER", en, zh))
    return out


# ---------------------------------------------------------------------------- the Party line
def party_line_changes(text: str, facts: YearFacts) -> list[Change]:
    """“党的二十大和二十届二中、三中全会精神” → Y's congress and plenums, when they differ."""
    out = []
    new = facts.party_spirit
    for m in _PARTY_LINE.finditer(text):
        old = m.group()
        with_spirit = old.endswith("精神")
        after = new if with_spirit else new.removesuffix("精神")
        if not old.startswith("党的"):
            after = after.removeprefix("党的")
        if _plenum_set(old) == _plenum_set(after) and facts.party_congress in old:
            continue
        en, zh = say("party_spirit", old=old, new=after, year=facts.year)
        out.append(Change(m.start(), m.end(), after, "GH-REFRESH-PARTY-LINE", en, zh))
    return out


def lone_plenum_changes(text: str, facts: YearFacts, stale: list[Finding]) -> list[Change]:
    """A plenum cited alone as the line to study (深入学习贯彻党的二十届三中全会精神) that review
    reports stale → Y's Party line from the facts; outside the full Party line, which the rule
    above rebuilds."""
    lines = [m.span() for m in _PARTY_LINE.finditer(text)]
    out = []
    for m in _LONE_PLENUM.finditer(text):
        s, e = m.span()
        if any(a < e and s < b for a, b in lines) or \
                not any(f.rule.startswith("GH-STALE-PLENUM") and s <= f.start < e for f in stale):
            continue
        after = facts.party_spirit if m.group(1) else facts.party_spirit.removeprefix("党的")
        en, zh = say("party_spirit", old=m.group(), new=after, year=facts.year)
        out.append(Change(s, e, after, "GH-REFRESH-PARTY-LINE", en, zh))
    return out


def _plenum_set(s: str) -> set[str]:
    return set(re.findall(r"[一二三四五六七八九]中", s))


# ---------------------------------------------------------------------------- year claims
def claim_changes(text: str, year: int, stale: list[Finding]) -> tuple[list[Change], list[tuple[int, int, str]]]:
    """Year claims for another year that review cannot rewrite whole, rebuilt clause by clause.
    Returns the changes and (start, end, clause) of each kept clause for a person to confirm."""
    norm = normalise(text)
    changes, kept = [], []
    for hit, (ns, ne) in dated_years.phrase_hits(norm.text, year):
        if hit is None or hit.fixable:
            continue
        s, e = norm.span(ns, ne)
        built = _rebuild(text[s:e], year, [f for f in stale if s <= f.start < e and f.rule != hit.rule.id], s)
        if built is None:
            continue
        new, clauses = built
        en, zh = say("claim", old=text[s:e], new=new, year=year)
        changes.append(Change(s, e, new, "GH-REFRESH-YEAR-CLAIM", en, zh))
        kept += [(s, e, c) for c in clauses]
    return changes, kept


def _rebuild(phrase: str, year: int, stale_inside: list[Finding], at: int) -> tuple[str, list[str]] | None:
    """The phrase (at offset `at` of the text) for `year`, and the clauses kept as they were;
    None when a kept clause carries something stale (a person or a model rewrites it)."""
    parts = _CLAUSE_SPLIT.split(phrase)        # [head, sep, clause, sep, clause, …]
    head = parts[0]
    rebuilt = [h for h, _ in dated_years.phrase_hits(normalise(head).text, year) if h is not None and h.fixable]
    kept: list[tuple[int, int, str]] = []
    if rebuilt:
        out = [rebuilt[0].suggestion]
    else:
        m = _LEAD_YEAR.match(head)
        if m is None:
            return None
        out = [f"{year}年" + head[m.end():]]
        kept.append((at + m.end(), at + len(head), out[0]))
    if kept and any(kept[0][0] <= f.start < kept[0][1] for f in stale_inside):
        return None
    pos = len(head)
    for sep, clause in zip(parts[1::2], parts[2::2]):
        s, e = at + pos + len(sep), at + pos + len(sep) + len(clause)
        if any(s <= f.start < e for f in stale_inside):
            clause = _fresh_clause(clause, year)
            if clause is None:
                return None
        out += [sep, clause]
        kept.append((s, e, clause))
        pos = e - at
    return "".join(out), [c for _, _, c in kept]


def _fresh_clause(clause: str, year: int) -> str | None:
    """A kept clause with its stale congress replaced by the current one (深入贯彻党的二十大精神
    → 二十一大), when review would fix each of its stale references with certainty on its own and
    each is of a kind refresh.toml [claims] allows; else None."""
    from ghplan.corpus.rules.dated import check, table

    allowed = set(data()["claims"]["clause_fix_kinds"])
    found = [f for f in check(clause, year) if f.severity in ("error", "warning")]
    if not found or not all(f.fixable and f.suggestion and
                            table().by_id[f.rule].extra.get("kind") in allowed for f in found):
        return None
    for f in sorted(found, key=lambda f: -f.start):
        clause = clause[:f.start] + f.suggestion + clause[f.end:]
    return clause
