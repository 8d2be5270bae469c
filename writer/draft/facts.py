"""What is current in a plan year: congress, plenums, five-year plan, union congress, framing,
campaigns, and the references that are stale by then.

Everything is read off corpus/rules/dated.toml merged with the user's facts file (the same
table review uses to call a reference stale, see corpus/rules/dated_table.py), so a draft and its
review can never disagree about what year it is. The phrases a plan
builds from them (“全面贯彻党的二十大和……精神”) are templates in prompts/fragments.toml.

    year_facts(2027).party_congress_name == "党的二十大"
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from ghplan import prompts
from ghplan.corpus.rules import dated, dated_years
from ghplan.corpus.rules.model import Rule
from ghplan.writer.errors import UsageError


class YearOutOfRange(UsageError):
    """A plan year the dated table cannot speak for."""


class BadFactsFile(UsageError):
    """The user's facts file cannot be read or merged (one line, exit 2)."""


def _table() -> dated.Table:
    try:
        return dated.table()
    except dated.FactsError as exc:
        raise BadFactsFile(str(exc)) from None


def reload() -> None:
    """Read the facts again (after the user's facts file or $GHPLAN_FACTS changed)."""
    dated.reload()
    year_facts.cache_clear()


@dataclass(frozen=True)
class YearFacts:
    year: int
    party_congress: str            # short form, e.g. 二十大
    party_congress_name: str       # e.g. 党的二十大
    party_congress_year: int
    party_congress_expected: bool  # True while the congress is scheduled but not yet held
    plenums: tuple[str, ...]       # latest plenums of the current central committee, oldest first
    five_year_plan: str            # e.g. 十五五
    five_year_plan_name: str       # e.g. “十五五”规划
    five_year_plan_span: tuple[int, int]
    fyp_stage: str                 # the year within its five-year plan, e.g. 深入实施之年
    union_congress: str            # short form, e.g. 十八大
    union_congress_name: str       # e.g. 中国工会十八大
    union_congress_year: int
    acftu_committee: str           # e.g. 全总十八届执委会
    legal_education: str           # e.g. “九五”普法
    guiding: str                   # the guiding framing: 习近平新时代中国特色社会主义思想
    campaigns: tuple[str, ...]     # campaigns running in the plan year
    recent_campaigns: tuple[str, ...]   # ended, but consolidating their results is still current
    stale: tuple[str, ...]         # names of dated references that are stale this year
    party_spirit: str              # 党的二十大和二十届三中、四中全会精神
    union_spirit: str              # 中国工会十八大精神

    def study_line(self) -> str:
        """The usual opening clause: what the plan studies and follows."""
        return prompts.fragment("facts", "study_line", guiding=self.guiding,
                                party_spirit=self.party_spirit, union_spirit=self.union_spirit)

    def phrases(self) -> dict[str, str]:
        """The values catalogue sentences are written with ({framing}, {party_spirit} …)."""
        return {"framing": self.guiding, "party": self.party_congress_name,
                "party_spirit": self.party_spirit, "union_spirit": self.union_spirit,
                "fyp": self.five_year_plan, "fyp_stage": self.fyp_stage}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _name(rule: Rule | None) -> str:
    return rule.extra.get("name", rule.words[0] if rule.words else "") if rule else ""


def _short(rule: Rule | None) -> str:
    return rule.words[0] if rule and rule.words else ""


def check_year(year: int) -> int:
    _table()
    lo, hi = dated.year_range()
    if not lo <= year <= hi:
        raise YearOutOfRange(f"year {year} is outside what ghplan's dated table covers ({lo}–{hi})")
    return year


def _spirits(party_name: str, plenums: tuple[str, ...], union_name: str) -> tuple[str, str]:
    party = (prompts.fragment("facts", "party_spirit", party_congress_name=party_name,
                              plenums="、".join(plenums)) if plenums else
             prompts.fragment("facts", "party_spirit_no_plenums", party_congress_name=party_name))
    return party, prompts.fragment("facts", "union_spirit", union_congress_name=union_name)


@lru_cache(maxsize=64)
def year_facts(year: int) -> YearFacts:
    """Facts for a plan for `year` (raises YearOutOfRange outside the table)."""
    check_year(year)
    t = _table()
    party = t.current("party-congress", year)
    union = t.current("union-congress", year)
    fyp = t.current("five-year-plan", year)
    campaigns = [r for r in t.rules if r.extra.get("kind") == "campaign"]
    running = tuple(_name(r) for r in campaigns if r.dated <= year <= r.until)
    recent = tuple(_name(r) for r in campaigns
                   if r.until < year <= int(r.extra.get("results_until", r.until + 1)))
    stale = tuple(dict.fromkeys(_name(r) for r in t.rules if dated.is_stale(r, year)))
    plenums = dated.latest_plenums(year)
    span = (fyp.dated, fyp.until) if fyp else (0, 0)
    party_spirit, union_spirit = _spirits(_name(party), plenums, _name(union))
    return YearFacts(
        year=year,
        party_congress=_short(party), party_congress_name=_name(party),
        party_congress_year=party.dated if party else 0,
        party_congress_expected=bool(party and party.extra.get("expected")),
        plenums=plenums,
        five_year_plan=_short(fyp), five_year_plan_name=_name(fyp), five_year_plan_span=span,
        fyp_stage=dated_years.stage(year),
        union_congress=_short(union), union_congress_name=_name(union),
        union_congress_year=union.dated if union else 0,
        acftu_committee=_name(t.current("acftu-committee", year)),
        legal_education=_name(t.current("legal-education", year)),
        guiding=t.meta.get("guiding_successor", ""),
        campaigns=running, recent_campaigns=recent, stale=stale,
        party_spirit=party_spirit, union_spirit=union_spirit,
    )


# ---------------------------------------------------------------------------- `ghplan facts`
def _fact(key: str, rule: Rule | None, value: str = "") -> dict[str, Any]:
    return {"fact": key, "value": value or _name(rule), "dated": rule.dated if rule else 0,
            "until": rule.until if rule else 0, "expected": bool(rule and rule.extra.get("expected")),
            "source": dated.source_of(rule) if rule else ""}


def facts_report(year: int) -> dict[str, Any]:
    """The facts a plan for `year` is held to, each with the year it dates from, whether it is
    an expectation (scheduled, not yet held) rather than an event, and where it comes from; and
    the expectations due by the plan year (二十一大 in 2027: plans from 2028 cite it)."""
    f = year_facts(year)
    t = _table()
    cur = {k: t.current(k, year) for k in ("party-congress", "union-congress", "five-year-plan",
                                           "acftu-committee", "legal-education", "women-congress")}
    facts = [_fact(k, r) for k, r in cur.items() if r is not None]
    plenums = {p["name"]: p for p in t.meta.get("plenums", ())}
    facts += [{"fact": "plenum", "value": name, "dated": int(plenums[name]["dated"]), "until": 0,
               "expected": bool(plenums[name].get("expected")),
               "source": plenums[name].get("source", dated.BUNDLED)} for name in f.plenums]
    facts.append({"fact": "guiding", "value": f.guiding, "dated": 0, "until": 0, "expected": False,
                  "source": dated.BUNDLED})
    facts.append({"fact": "fyp-stage", "value": f.fyp_stage, "dated": 0, "until": 0,
                  "expected": False, "source": dated.BUNDLED})
    facts += [_fact("campaign", r) for r in t.rules
              if r.extra.get("kind") == "campaign" and r.dated <= year <= r.until]
    upcoming = [_fact(r.extra.get("series", ""), r) for r in t.rules
                if r.extra.get("expected") and r.dated <= year + 1]
    return {"year": year, "facts_file": t.source, "facts": facts, "expected": upcoming,
            "party_spirit": f.party_spirit, "union_spirit": f.union_spirit,
            "stale": list(f.stale)}
