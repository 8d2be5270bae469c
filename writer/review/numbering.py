"""Heading numbering by GB/T 9704-2012: 一、 → (一) → 1. → (1).

Numbers run 1, 2, 3 within a level and restart under each new parent; a level is not skipped;
one level keeps one style; nothing trails a marker (一、.指导思想). Headings come from
corpus/headings.py (the same finder the corpus pipeline uses).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import repeat
from operator import add, attrgetter, gt

from ghplan.corpus.headings import find_headings
from ghplan.corpus.model import Heading
from ghplan.corpus.numerals import to_cn
from ghplan.corpus.rules.model import Finding
from ghplan.writer.review.rules import review_data, review_rules, say

# styles that take part in the hierarchy; ordinals (第一、), months and Markdown do not
_CHECKED = {"cn-dun": 1, "cn-paren": 2, "arabic-dun": 3, "arabic-dot": 3, "arabic-paren": 4}
_NUMERAL = re.compile(r"[一二三四五六七八九十]+|[0-9０-９]+")
_STRAY = ".．"
_STRAYS = tuple(_STRAY)             # for str.startswith (False past the end)
_LIST_MARKS = ("、", "，", ",")      # a list item's mark, stray after (一)


@dataclass(frozen=True)
class Renumber:
    """A marker whose number must change to keep its level in sequence."""
    heading: Heading
    expected: int
    problem: str          # gap | repeat | order


def _finding(rule_id: str, text: str, start: int, end: int, message: tuple[str, str],
             suggestion: str = "", fixable: bool = False) -> Finding:
    """`message` is (English, Chinese), as rules.say renders it."""
    r = review_rules()[rule_id]
    return Finding(rule=rule_id, category="numbering", severity=r.severity, start=start, end=end,
                   text=text[start:end], message=message[0], suggestion=suggestion, fixable=fixable,
                   message_zh=message[1])


def checked(headings: list[Heading]) -> list[Heading]:
    return [h for h in headings if h.style in _CHECKED and h.number > 0]


def with_number(text: str, h: Heading, n: int) -> str:
    """The heading's marker with its number replaced by n, in the same script."""
    m = _NUMERAL.search(h.marker)
    if not m:
        return h.marker
    num = to_cn(n) if not m.group(0)[0].isdigit() else str(n)
    return h.marker[:m.start()] + num + h.marker[m.end():]


# the levels below each level (a heading closes the lists of every deeper one)
_DEEPER = {lv: tuple(d for d in sorted(set(_CHECKED.values())) if d > lv) for lv in set(_CHECKED.values())}
_DEEPEST = max(_CHECKED.values())


def sequence(headings: list[Heading]) -> tuple[list[Renumber], list[Renumber]]:
    """(issues, renumbering): issues compare with the previous number (one slip, one finding);
    renumbering compares with a running count, so fixing it leaves 1, 2, 3 everywhere."""
    return _sequence(checked(headings))


def _sequence(checked_headings: list[Heading]) -> tuple[list[Renumber], list[Renumber]]:
    """`sequence` of headings already `checked`."""
    issues: list[Renumber] = []
    fixes: list[Renumber] = []
    # per level (index), the last number and the running count of its open list; 0: none open.
    # Only the level just handled and those above it are ever open, so a heading closes the
    # deeper lists only when the one before it was deeper.
    prev = [0] * (_DEEPEST + 1)
    count = [0] * (_DEEPEST + 1)
    last_level = _DEEPEST
    for h in checked_headings:
        level = _CHECKED[h.style]
        if last_level > level:
            for deeper in _DEEPER[level]:
                prev[deeper] = count[deeper] = 0
        last_level = level
        p, c, number = prev[level], count[level], h.number
        if number == 1 and p > 1:
            # a fresh list: under a parent the finder did not see (level > 1) or a second plan
            # glued onto the first (level 1, reported but never renumbered across)
            if level == 1:
                issues.append(Renumber(h, p + 1, "order"))
            prev[level] = count[level] = 1
            continue
        if number == p:
            issues.append(Renumber(h, p + 1, "repeat"))
        elif number > p + 1:
            issues.append(Renumber(h, p + 1, "gap"))
        elif number < p:
            issues.append(Renumber(h, p + 1, "order"))
        if number != c + 1:
            fixes.append(Renumber(h, c + 1, "renumber"))
        prev[level], count[level] = number, c + 1
    return issues, fixes


def _marker_span(text: str, h: Heading) -> tuple[int, int]:
    return h.start, h.start + len(h.marker)


def _at_line_start(text: str, h: Heading) -> bool:
    i = h.start
    if i == 0 or text[i - 1] == "\n":
        return True
    while i > 0 and text[i - 1] in " \t\u3000":   # only blanks may stand between it and a line break
        i -= 1
    return i == 0 or text[i - 1] == "\n"


def renumbering_is_certain(text: str, headings: list[Heading]) -> bool:
    """Only where every heading starts a line: on a page that lost its line breaks a marker
    may hide mid-sentence, so a gap may be a heading the finder could not see."""
    return all(_at_line_start(text, h) for h in checked(headings))


def _sequence_findings(text: str, headings: list[Heading]) -> list[Finding]:
    """Gaps, repeats and restarts; `headings` already `checked` (as in all the `_*_findings`)."""
    issues, fixes = _sequence(headings)
    certain: bool | None = None       # renumbering_is_certain, asked only of a slip with a fix
    renumber = {r.heading.start: r.expected for r in fixes}
    out: list[Finding] = []
    rule_for = {"gap": "GH-NUM-GAP", "repeat": "GH-NUM-REPEAT", "order": "GH-NUM-ORDER"}
    for r in issues:
        h = r.heading
        s, e = _marker_span(text, h)
        target = renumber.get(h.start)
        prev = with_number(text, h, r.expected - 1)
        if r.problem == "order" and target is None:
            msg = say("num_restart", marker=h.marker)
        elif r.problem == "gap" and r.expected == 1:
            msg = say("num_gap_first", marker=h.marker, first=with_number(text, h, 1))
        elif r.problem == "gap":
            msg = say("num_gap", marker=h.marker, prev=prev, missing=with_number(text, h, r.expected))
        elif r.problem == "repeat":
            msg = say("num_repeat", marker=h.marker)
        else:
            msg = say("num_order", marker=h.marker, prev=prev)
        if target is not None and certain is None:
            certain = all(_at_line_start(text, h) for h in headings)
        out.append(_finding(rule_for[r.problem], text, s, e, msg,
                            with_number(text, h, target) if target else "", target is not None and certain))
    return out


def _level_marks() -> tuple[list[str], str]:
    """How each level is written (review.toml [numbering_marks]) and how several are joined."""
    marks = review_data()["numbering_marks"]
    return list(marks["levels"]), marks["join"]


def _skip_level_findings(text: str, headings: list[Heading]) -> list[Finding]:
    """One finding per kind of skip (一、 straight to 1.), at its first place: a habit, not N slips.

    A text with no skip is told in C: a heading can skip only below a parent that is either the
    heading before it or itself skipped, so the first skip is a heading more than one level
    deeper than the one before it; without such a step there is none."""
    levels = list(map(_CHECKED.__getitem__, map(attrgetter("style"), headings)))
    if not any(map(gt, levels[1:], map(add, levels, repeat(1)))):
        return []
    skips: dict[tuple[int, int], list[tuple[Heading, Heading]]] = {}
    stack: list[tuple[int, Heading]] = []
    for h in headings:
        level = _CHECKED[h.style]
        while stack and stack[-1][0] >= level:
            stack.pop()
        if stack and level - stack[-1][0] > 1:
            skips.setdefault((stack[-1][0], level), []).append((stack[-1][1], h))
        stack.append((level, h))
    out: list[Finding] = []
    for (parent_level, level), places in skips.items():
        parent, h = places[0]
        s, e = _marker_span(text, h)
        levels, join = _level_marks()
        missing = join.join(levels[lv - 1] for lv in range(parent_level + 1, level))
        if len(places) > 1:
            msg = say("num_skip_level_many", marker=h.marker, parent=parent.marker, count=len(places),
                      missing=missing)
        else:
            msg = say("num_skip_level", marker=h.marker, parent=parent.marker, missing=missing)
        out.append(_finding("GH-NUM-SKIP-LEVEL", text, s, e, msg))
    return out


def _style_findings(text: str, headings: list[Heading]) -> list[Finding]:
    out: list[Finding] = []
    arabic = [h for h in headings if h.style in ("arabic-dun", "arabic-dot")]
    dots = sum(h.style == "arabic-dot" for h in arabic)
    duns = len(arabic) - dots
    if dots and duns:
        minority = "arabic-dun" if duns < dots or (duns == dots) else "arabic-dot"
        want = "." if minority == "arabic-dun" else "、"
        for h in arabic:
            if h.style == minority:
                s, e = _marker_span(text, h)
                good = f"{h.number}{want}"
                out.append(_finding("GH-NUM-MIXED-STYLE", text, s, e,
                                    say("num_mixed_style", marker=h.marker, good=good), good))
    return out


def _punct_findings(text: str, headings: list[Heading]) -> list[Finding]:
    # the few headings with a finding picked out first (a comprehension, no call per heading);
    # whether any marker has a stray dot after it is asked in C first (most plans: none)
    ends = map(add, map(attrgetter("start"), headings), map(len, map(attrgetter("marker"), headings)))
    if any(map(text.startswith, repeat(_STRAYS), ends)):
        suspects = [h for h in headings if text.startswith(_STRAYS, h.start + len(h.marker))
                    or h.style == "cn-dun" and h.marker[-1:] != "、"
                    or h.style == "cn-paren" and h.marker[-1:] in _LIST_MARKS]
    else:
        suspects = [h for h in headings if h.style == "cn-dun" and h.marker[-1:] != "、"
                    or h.style == "cn-paren" and h.marker[-1:] in _LIST_MARKS]
    out: list[Finding] = []
    for h in suspects:
        s, e = _marker_span(text, h)
        if e < len(text) and text[e] in _STRAY:
            out.append(_finding("GH-NUM-STRAY-DOT", text, e, e + 1,
                                say("num_stray_dot", char=text[e], marker=h.marker), "", True))
        if h.style == "cn-dun" and h.marker[-1:] not in ("、",):
            good = h.marker[:-1] + "、"
            out.append(_finding("GH-NUM-PUNCT", text, s, e, say("num_punct_first", good=good, marker=h.marker),
                                good, True))
        elif h.style == "cn-paren" and h.marker[-1:] in _LIST_MARKS:
            good = h.marker[:-1]
            out.append(_finding("GH-NUM-PUNCT", text, s, e, say("num_punct_second", good=good), good, True))
    return out


def check(text: str, headings: list[Heading] | None = None) -> list[Finding]:
    hs = checked(find_headings(text) if headings is None else headings)
    return (_sequence_findings(text, hs) + _skip_level_findings(text, hs)
            + _style_findings(text, hs) + _punct_findings(text, hs))


def renumber_edits(text: str, headings: list[Heading] | None = None) -> list[tuple[int, int, str]]:
    """(start, end, new marker) for every marker out of its running sequence."""
    hs = find_headings(text) if headings is None else headings
    if not renumbering_is_certain(text, hs):
        return []
    _, fixes = sequence(hs)
    return [(r.heading.start, r.heading.start + len(r.heading.marker), with_number(text, r.heading, r.expected))
            for r in fixes]
