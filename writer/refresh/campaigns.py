"""An ended campaign written as still running, rewritten the standard way: a plan for a later
year consolidates its results (“组织开展党纪学习教育，…” → “巩固拓展党纪学习教育成果，…”).

The rewrite is certain only in the sentence shapes refresh.toml [campaign] lists: a running verb
right before the campaign's full name and a clause end after it, a list the verb governs (the
verb is carried to the rest of the list), or a frame that holds the campaign as an occasion
(以…为契机). Any other shape is left for a person. Each rewrite keeps the rest of the sentence,
so it is also listed for a person to confirm that the sentence still reads right.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Sequence

from ghplan.corpus.rules.model import Finding
from ghplan.writer.refresh.changes import Change
from ghplan.writer.refresh.rules import data, say

RULE = "GH-REFRESH-CAMPAIGN"
_QUOTES_OPEN = "“\"‘「"
_QUOTES_CLOSE = "”\"’」"


@lru_cache(maxsize=1)
def _shape() -> tuple[dict[str, Any], re.Pattern, re.Pattern]:
    d = data()["campaign"]
    verbs = "|".join(map(re.escape, sorted(d["verbs"], key=len, reverse=True)))
    opens = "|".join(map(re.escape, sorted({f[0] for f in d["frames"]}, key=len, reverse=True)))
    # the rest of the campaign's name before its matched words (深入贯彻中央 before 八项规定…),
    # never across another verb (组织职工参加…: the verb is 参加)
    lead = rf"(?:(?!{verbs})[\u4e00-\u9fff{_QUOTES_OPEN}]){{0,{int(d['lead_max'])}}}"
    # the window before a campaign's words, up to them: a verb (dropped) or a frame's opening (kept)
    # (以开展X为契机: the frame's verb goes with the campaign)
    before = re.compile(rf"(?:(?P<open>{opens})(?:{verbs})?|(?P<verb>{verbs}))(?P<lead>{lead})$")
    ends = "|".join(map(re.escape, sorted(d["name_ends"], key=len, reverse=True)))
    tail = re.compile(rf"[{_QUOTES_CLOSE}]?(?:{ends})?[{_QUOTES_CLOSE}]?")
    return d, before, tail


def _is_campaign(f: Finding) -> bool:
    from ghplan.corpus.rules.dated import table

    rule = table().by_id.get(f.rule)
    return f.category == "stale" and rule is not None and rule.extra.get("kind") == "campaign"


def _after_shape(text: str, end: int, verb: str | None, frame_open: str | None) -> tuple[str, int] | None:
    """What follows the name in a certain shape: ("end" | "list" | "frame", where it starts)."""
    d, _, _ = _shape()
    rest = text[end:end + 8]
    if frame_open is not None:
        closes = [c for o, c in d["frames"] if o == frame_open and rest.startswith(c)]
        return ("frame", end) if closes else None
    if not rest or rest[0] in d["clause_ends"]:
        return "end", end
    joint = next((j for j in d["list_joints"] if rest.startswith(j)), None)
    if joint and verb and len(rest) > len(joint) and rest[len(joint)] not in d["clause_ends"]:
        return "list", end + len(joint)
    return None


def _rewrite(text: str, f: Finding, year: int) -> Change | None:
    d, before, tail = _shape()
    lo = max(0, f.start - 24)
    m = before.search(text, lo, f.start)
    if m is None:
        return None
    t = tail.match(text, f.end)
    name_end = t.end() if t else f.end
    name = text[m.start("lead"):name_end]
    shape = _after_shape(text, name_end, m.group("verb"), m.group("open"))
    if shape is None:
        return None
    kind, resume = shape
    new = d["template"].format(name=name)
    start = m.end("open") if kind == "frame" else m.start()
    if kind == "list":       # 开展X、Y → 巩固拓展X成果，开展Y: the verb still governs the rest
        new += "，" + m.group("verb")
    en, zh = say("campaign", name=name, year=year)
    return Change(start, resume, new, RULE, en, zh)


def campaign_changes(text: str, year: int, findings: Sequence[Finding]) -> list[Change]:
    """Rewrites of ended campaigns written as running (each also for a person to confirm: the
    rest of its sentence is kept); a campaign in any other shape is left as review reports it."""
    changes: list[Change] = []
    for f in findings:
        done = _rewrite(text, f, year) if _is_campaign(f) else None
        if done is not None and not any(c.start < done.end and done.start < c.end for c in changes):
            changes.append(done)
    return changes
