"""The organisation's own facts and whether a refresh kept them.

A fact is a string of the old plan that belongs to the organisation, found by rules (no NER):
numbers with their unit (1268名, 98.5%, 12万元), dates other than years (3月8日, 12月20日),
numbered events (第三届“白衣天使”护理技能大赛), titles in 《》, quoted names (“五一”), people
(张建国同志, 主席张建国) and departments and bodies (护理部, 医务科, 某市第一人民医院工会).
Facts inside an excluded span (a year, a stale reference, rot a refresh removes) are not the
organisation's own and are not counted. Survival = the share of the remaining facts, counted
with multiplicity, that occur in the new plan.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Sequence

from ghplan.writer.refresh.rules import data

_YEAR = re.compile(r"(?<![\d.])(?:19|20)\d\d(?=\s*(?:年|学年|-|—|~|～|届)|(?!\d))")
_DATE = re.compile(r"(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*日|(?<![\d年])\d{1,2}\s*月(?:份|底|初|中旬|上旬|下旬)?(?!\d)")
_EVENT = re.compile(r"第[一二三四五六七八九十百\d]+(?:届|次|期)[^，。；、,;\n]{1,24}?"
                    r"(?:赛|运动会|论坛|节|会议|代表大会|活动|评选|展演|培训班)")
_BOOK = re.compile(r"《[^《》\n]{1,40}》")
_QUOTED = re.compile(r"“[^“”\n]{1,16}”")
_PERSON_AFTER = re.compile(r"([\u4e00-\u9fff]{2,3})同志")


@dataclass(frozen=True)
class Fact:
    text: str
    kind: str          # number | date | event | title | quoted | person | department
    start: int
    end: int


@dataclass
class Survival:
    total: int
    kept: int
    missing: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def figure(self) -> float:
        return 1.0 if self.total == 0 else round(self.kept / self.total, 4)

    def to_json(self) -> dict[str, Any]:
        return {"figure": self.figure, "facts": self.total, "kept": self.kept,
                "missing": self.missing, "by_kind": self.by_kind}


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, int]:
    d = data()["facts"]
    units = sorted(d["units"], key=len, reverse=True)
    number = re.compile(r"(?<![\d.])\d+(?:\.\d+)?\s*(?:" + "|".join(map(re.escape, units)) + ")?")
    depts = sorted(d["departments"], key=len, reverse=True)
    dept = re.compile("(?:" + "|".join(map(re.escape, depts)) + ")")
    titles = sorted(d["person_titles"], key=len, reverse=True)
    person = re.compile("(?:" + "|".join(map(re.escape, titles)) + r")([\u4e00-\u9fff]{2,3})(?=同志|[，、。；（(]|$)")
    return number, dept, person, int(d["department_max"])


def _departments(text: str) -> Iterable[Fact]:
    """Names ending a token (护理部) or followed by what a named body does (医务科配合)."""
    _, dept, _, most = _patterns()
    d = data()["facts"]
    delims = set(d["delimiters"]) | set("0123456789\n")
    starts, verbs = tuple(d["not_names_start"]), tuple(d["name_then"])
    start = 0
    for i in range(len(text) + 1):
        if i < len(text) and text[i] not in delims:
            continue
        token, at = text[start:i], start
        start = i + 1
        if token.startswith(starts):
            continue
        for m in dept.finditer(token):
            if 2 <= m.end() <= most and m.start() > 0 and \
                    (m.end() == len(token) or token[m.end():].startswith(verbs)):
                yield Fact(token[:m.end()], "department", at, at + m.end())
                break


def extract(text: str) -> list[Fact]:
    """Every fact of `text`, years and ordinal anniversaries left out."""
    number, _, person, _ = _patterns()
    years = [m.span() for m in _YEAR.finditer(text)]
    out: list[Fact] = []
    for rx, kind in ((_DATE, "date"), (_EVENT, "event"), (_BOOK, "title"), (_QUOTED, "quoted")):
        out += [Fact(m.group(), kind, *m.span()) for m in rx.finditer(text)]
    taken = [(f.start, f.end) for f in out if f.kind == "date"]
    for m in number.finditer(text):
        s, e = m.span()
        if any(a <= s < b for a, b in years + taken) or text[s - 1:s] == "第" or \
                (e < len(text) and text[e] in "月日年xX×_＿"):
            continue     # a year, a date, an ordinal (第3届 is part of its event)
        out.append(Fact(m.group().strip(), "number", s, s + len(m.group().strip())))
    out += [Fact(m.group(), "person", *m.span()) for m in _PERSON_AFTER.finditer(text)]
    out += [Fact(m.group(1), "person", *m.span(1)) for m in person.finditer(text)]
    out += list(_departments(text))
    return sorted(out, key=lambda f: (f.start, f.end))


def own_facts(text: str, excluded: Sequence[tuple[int, int]]) -> list[Fact]:
    """The facts of `text` that overlap no excluded span (years, stale references, rot)."""
    return [f for f in extract(text) if not any(f.start < e and s < f.end for s, e in excluded)]


def survival(facts: Sequence[Fact], new: str) -> Survival:
    """How many of `facts` (with multiplicity) the new text still holds."""
    need = Counter(f.text for f in facts)
    kept, missing = 0, []
    by_kind: dict[str, int] = {}
    for f in facts:
        by_kind[f.kind] = by_kind.get(f.kind, 0) + 1
    for fact, n in need.items():
        have = min(n, new.count(fact))
        kept += have
        missing += [fact] * (n - have)
    return Survival(total=sum(need.values()), kept=kept, missing=missing, by_kind=by_kind)
