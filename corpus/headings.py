"""Find headings, including inline ones on pages that lost their line breaks.

The numbering hierarchy is GB/T 9704-2012's: 一、 → (一) → 1. (often 1、) → (1). Pages also use
第一、 ordinals, month headings (一月份) and, from chatbots, Markdown (## …).

A heading counts only where a heading can start: at a line start, or right after a sentence
end on a one-line page. Offsets are in the text given (callers pass original text; numerals and
brackets are matched in both full-width and ASCII forms).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from operator import attrgetter, gt

from ghplan.corpus.lexicon import cue_words
from ghplan.corpus.markers import CN, LP, RP
from ghplan.corpus.model import Heading
from ghplan.corpus.numerals import to_int

_CN, _LP, _RP = CN, LP, RP               # corpus/markers.py's fragments: 一…九十九, ( or （, ) or ）
_NUM = "(?:[1-9]|[1-4][0-9])"            # item numbers 1..49, never a year or an amount
# Where a heading may begin: line start, or after a sentence end / closing quote on one-line pages.

# A heading's words, from where they begin, in one match: up to _MAX_TITLE + 1 characters before
# the first stop character (a line break among them: the words never run past their line), with a
# heading-ending 。 or : kept when the line ends right after it. Group `short` takes part when a
# line break (or the text's end) comes within 2 * _MAX_TITLE characters: else the line is too long
# to be a heading's alone and `_inline_title_end` decides (bounded: on a one-line page an unbounded
# look made this quadratic). One C match a heading, where a search and a find were two and the
# checks between them Python.
_MAX_TITLE = 30
_WORDS = re.compile(r"(?=(?P<words>[^。！!？?；;：:\n“\"]{0,%d}(?:[。:：](?=\n|\Z))?))"
                    r"(?P<short>(?=[^\n]{0,%d}(?:\n|\Z)))?" % (_MAX_TITLE + 1, 2 * _MAX_TITLE))


def _inline_title_end(text: str, start: int, end: int) -> int:
    """Where an inline heading's words stop on a page with no line breaks.

    Such headings run straight into their body ("围绕中心,推进创先争优20xx年是…"). They are
    a role word (指导思想) or one or two short parallel clauses (四字,六字), so: stop after a
    role word, else after the second clause, which is rarely much longer than the first.
    """
    words = text[start:end]
    roles = cue_words("inline_heading")             # roles.toml [cues.inline_heading]
    if words.startswith(roles):                     # one test in C; the first listed word wins
        for role_word in roles:
            if words.startswith(role_word):
                return start + len(role_word)
    m = _TWO_CLAUSES.match(words)
    if m:
        return start + m.start(2) + min(len(m.group(2)), max(len(m.group(1)) + 2, 6))
    stop = _BODY_START.search(words)
    return start + stop.start() if stop and stop.start() >= 2 else end


_TWO_CLAUSES = re.compile(r"([\u4e00-\u9fff]{2,10})[,，]([\u4e00-\u9fff]{2,})")
_BODY_START = re.compile(r"[0-9０-９“\"(（]")


def _title_span(text: str, start: int, line_start: bool) -> int:
    """End offset of a heading's words that begin at `start`."""
    m = _WORDS.match(text, start)
    if not line_start or m.lastindex == 1:          # inline, or a line too long for a heading alone
        return _inline_title_end(text, start, m.end(1))
    return m.end(1)


# All markers in one alternation; whether a hit may start a heading is decided in Python from
# the character before it (one regex pass, no lookbehind tried at every position).
# The leading lookahead lets the regex engine skip, in C, every position that cannot start a
# marker (8x faster than trying each alternative everywhere). The plain reading (`_candidates`,
# tests) of what `_MARKS` finds: compiled when first asked for, not by every process.
_MARKERS_PATTERN = ("(?=[#一二三四五六七八九十(（第0-9])(?:" + "|".join((
    r"(?P<md>#{1,6})[ \t]*",
    rf"(?P<cn_dun>{_CN})(?P<cn_sep>[、，,．.])(?![、])",
    rf"{_LP}(?P<cn_paren>{_CN}){_RP}[、，,]?",
    rf"第(?P<ordinal>{_CN})[、，,：:]",
    rf"(?<![0-9.])(?P<arabic_dun>{_NUM})、(?![、0-9])",
    # 1.3月上旬…: a digit after the dot starts a date (a decimal never counts months), not 1.3
    rf"(?<![0-9.])(?P<arabic_dot>{_NUM})[.．](?:(?![0-9０-９.])|(?=[0-9]{{1,2}}月))",
    rf"{_LP}(?P<arabic_paren>{_NUM}){_RP}(?![0-9])",
    rf"(?P<month>{_CN}|{_NUM})月份?(?:[：:、]|[ \t]*$)",
)) + ")")


@lru_cache(maxsize=1)
def _markers() -> re.Pattern:
    return re.compile(_MARKERS_PATTERN, re.MULTILINE)


_STYLES = {"md": ("md", 0), "cn_dun": ("cn-dun", 1), "cn_paren": ("cn-paren", 2), "ordinal": ("ordinal", 3),
           "arabic_dun": ("arabic-dun", 3), "arabic_dot": ("arabic-dot", 3),
           "arabic_paren": ("arabic-paren", 4), "month": ("month", 0)}
# `_markers()` with the first character taken by a class (each alternative checks it by a one-
# character lookbehind): a pattern led by a class lets `re` skip, in its scan loop, every position
# that cannot start a marker (the leading lookahead was a match attempt at each: ~30% of the
# pass). The numeral groups of 一、, 1、, 1. and months start after that character (their numeral
# is text[start:group end]); ## counts it (`_FIRST_IN`). Tests hold the hits to `_markers()`'.
_CN1 = "[一二三四五六七八九十]"
_NUM_REST = r"(?<=[1-9])|(?<=[1-4])[0-9]"       # _NUM after its first digit, its alternatives in order
_MARKS = re.compile("[#一二三四五六七八九十(（第0-9](?:" + "|".join((
    r"(?<=#)(?P<md>#{0,5})[ \t]*",
    rf"(?<={_CN1})(?P<cn_dun>{_CN1}{{0,2}})(?P<cn_sep>[、，,．.])(?![、])",
    rf"(?<=[(（])(?P<cn_paren>{_CN}){_RP}[、，,]?",
    rf"(?<=第)(?P<ordinal>{_CN})[、，,：:]",
    rf"(?<![0-9.].)(?P<arabic_dun>{_NUM_REST})、(?![、0-9])",
    rf"(?<![0-9.].)(?P<arabic_dot>{_NUM_REST})[.．](?:(?![0-9０-９.])|(?=[0-9]{{1,2}}月))",
    rf"(?<=[(（])(?P<arabic_paren>{_NUM}){_RP}(?![0-9])",
    rf"(?P<month>(?<={_CN1}){_CN1}{{0,2}}|{_NUM_REST})月份?(?:[：:、]|[ \t]*$)",
)) + ")", re.MULTILINE)
_FIRST_IN = frozenset(("md", "cn_dun", "arabic_dun", "arabic_dot", "month"))
_SENTENCE_END = set("。！!？?；;：:”」』）)")
_AFTER_WORD = re.compile(r"[\u4e00-\u9fff”」』》]")
_SPACE = " \t\u3000"


def _before(text: str, s: int) -> str:
    """The character before `s`, skipping spaces; "\n" at the start of the text."""
    i = s - 1
    while i >= 0 and text[i] in _SPACE:
        i -= 1
    return "\n" if i < 0 else text[i]


_NUMBERS: dict[str, int] = {}      # numeral as written -> value: a long text repeats a few dozen


def _number(numeral: str) -> int:
    """`to_int(numeral)`, remembered (markers are at most three characters: the table stays small)."""
    n = _NUMBERS.get(numeral)
    if n is None:
        n = to_int(numeral)
        if len(_NUMBERS) < 4096:
            _NUMBERS[numeral] = n
    return n


def _candidates(text: str) -> list[tuple[int, int, int, str, int, bool]]:
    """(start, body_start, level, style, number, strict) for every marker-looking spot.

    Strict: at a line start or after a sentence end. Loose (one-line pages, "…竞赛2、筹备…"):
    right after a word, only for 一、 (一) 第一、 1、, and only kept if it continues a sequence.
    """
    out: list[tuple[int, int, int, str, int, bool]] = []
    for m in _markers().finditer(text):
        last = m.lastgroup          # 一、's separator group closes last: its style without a search
        group = last if last in _STYLES else "cn_dun" if last == "cn_sep" else \
            next(g for g in _STYLES if m.group(g) is not None)
        if group == "cn_sep":
            group = "cn_dun"
        style, level = _STYLES[group]
        s = m.start()
        prev = text[s - 1] if s else "\n"
        if prev in _SPACE:
            prev = _before(text, s)
        line_start = prev == "\n"
        if style in ("md", "month"):
            if not line_start:
                continue
            num = _number(m.group("month")) if style == "month" else 0
            level = len(m.group("md")) if style == "md" else 0
            out.append((s, m.end(), level, style, num, True))
            continue
        strict = line_start or prev in _SENTENCE_END
        if not strict:
            loose_ok = (style == "cn-paren"
                        or (style in ("cn-dun", "ordinal", "arabic-dun") and _AFTER_WORD.match(prev)
                            and not (style == "cn-dun" and (prev == "第" or m.group("cn_sep") != "、"))))
            if not loose_ok:
                continue
        out.append((s, m.end(), level, style, _number(m.group(group)), strict))
    return out


_NEED_WORDS = frozenset(("cn-dun", "arabic-dot", "arabic-dun", "ordinal"))   # a bare "1." is no heading
_MAY_BE_BARE = frozenset(("md", "month"))


def _loose_ok(style: str, prev: str, m: re.Match) -> bool:
    """May a marker right after a word (`prev`) start a heading: (一) anywhere; 一、 第一、 1、
    after a CJK word or closing quote (一、 only with 、, and not in 第一、)."""
    return (style == "cn-paren"
            or (style in ("cn-dun", "ordinal", "arabic-dun") and _AFTER_WORD.match(prev) is not None
                and not (style == "cn-dun" and (prev == "第" or m.group("cn_sep") != "、"))))


def _continues(found: list[Heading], last: dict, last_pos: dict, kind: tuple[int, str], num: int) -> bool:
    """A loose marker counts when it continues its kind's sequence, or restarts it at 1 under a
    heading of a higher level found since that kind's last one (among the last three found)."""
    prev = last.get(kind, 0)
    if prev and num == prev + 1:
        return True
    seen = last_pos.get(kind, -1)
    return num == 1 and any(h.level < kind[0] and h.start > seen for h in found[-3:])


# per style group: (style, level, the (level, style) kind the sequences are kept by); 一、's
# separator group closes its match last, so it stands for 一、
_KINDS = {g: (style, level, (level, style), g in _FIRST_IN) for g, (style, level) in _STYLES.items()}
_KINDS["cn_sep"] = _KINDS["cn_dun"]


def find_headings(text: str) -> list[Heading]:
    """All headings in reading order; at one position the most specific pattern wins.

    One pass over `_MARKS`' hits deciding each where it is found (what `_candidates` lists from
    `_markers()`, then the loop over that list, as one loop: no tuple a candidate, the kind's key
    made once)."""
    found: list[Heading] = []
    last: dict[tuple[int, str], int] = {}          # number of the last heading of each kind
    last_pos: dict[tuple[int, str], int] = {}      # start of the last heading of each kind
    deepest = -1                                   # the deepest level among `last`'s kinds
    n = len(text)
    words = _WORDS.match
    for m in _MARKS.finditer(text):
        group = m.lastgroup
        k = _KINDS.get(group)
        if k is None:
            group = next(g for g in _STYLES if m.group(g) is not None)
            k = _KINDS[group]
        elif group == "cn_sep":
            group = "cn_dun"
        style, level, kind, first_in = k
        s, b = m.span()
        prev = text[s - 1] if s else "\n"
        if prev in _SPACE:
            prev = _before(text, s)
        if prev == "\n":                           # at a line start: strict
            if style == "md":
                num, level = 0, m.end("md") - s    # the #s, the first one taken by the class
                kind = (level, style)
            else:
                numeral = text[s:m.end(group)] if first_in else m.group(group)
                num = _NUMBERS.get(numeral) or _number(numeral)     # the call only for a new one
        elif style in _MAY_BE_BARE:
            continue
        else:
            num = _number(text[s:m.end(group)] if first_in else m.group(group))
            if prev not in _SENTENCE_END and not (_loose_ok(style, prev, m)
                                                  and _continues(found, last, last_pos, kind, num)):
                continue
        if style in _NEED_WORDS and (b >= n or text[b] == "\n"):
            continue
        w = words(text, b)                         # `_title_span`, inline
        end = w.end(1)
        # most markers open their line: the call only for the others (its own first test)
        if w.lastindex == 1 or not (not s or text[s - 1] == "\n" or _at_line_start(text, s)):
            end = _inline_title_end(text, b, end)
        title = text[b:end].strip().rstrip("。:：.")
        if style in _MAY_BE_BARE:                  # bare allowed; only these markers take spaces (## , 3月 )
            marker = text[s:b].strip()
        elif not title:
            continue
        else:
            marker = text[s:b]
        found.append(Heading(level, marker, num, style, title, s, end))
        last_pos[kind] = s
        if num:
            if deepest > level:                    # a heading closes the counts of deeper levels
                for k in [k for k in last if k[0] > level]:
                    del last[k]
            last[kind] = num
            deepest = level
    # an inline heading's words stop where the next heading starts
    ends = list(map(attrgetter("end"), found))
    starts = list(map(attrgetter("start"), found[1:]))
    for i in list(compress(range(len(starts)), map(gt, ends, starts))):
        h, nxt = found[i], starts[i]
        found[i] = Heading(h.level, h.marker, h.number, h.style,
                           text[h.start + len(h.marker):nxt].strip().rstrip("。:：."), h.start, nxt)
    return found


def _at_line_start(text: str, s: int) -> bool:
    """Only whitespace between the line's start and `s` (walks back over that whitespace only:
    slicing from the line start made one-line pages quadratic)."""
    i = s - 1
    if i < 0 or text[i] == "\n":
        return True
    while i >= 0 and text[i] != "\n" and text[i].isspace():
        i -= 1
    return i < 0 or text[i] == "\n"


@dataclass(frozen=True)
class SequenceIssue:
    heading: Heading
    problem: str      # "gap" | "repeat" | "restart"
    expected: int


def check_sequence(headings: list[Heading]) -> list[SequenceIssue]:
    """Numbers must run 1, 2, 3 within a level; a deeper level restarts under each new parent."""
    issues: list[SequenceIssue] = []
    last: dict[tuple[int, str], int] = {}
    for h in headings:
        if h.style in ("md", "month") or h.number == 0:
            continue
        # a heading resets the counters of every deeper level
        for key in [k for k in last if k[0] > h.level]:
            del last[key]
        key = (h.level, "")   # one count per level: mixing 1. and 1、 is a style issue, not a gap
        prev = last.get(key, 0)
        expected = prev + 1
        if h.number == 1 and prev > 1 and h.level > 1:
            pass  # a new list under a parent we did not see as a heading (inline pages)
        elif h.number == prev:
            issues.append(SequenceIssue(h, "repeat", expected))
        elif h.number > expected:
            issues.append(SequenceIssue(h, "gap", expected))
        elif h.number < prev:
            issues.append(SequenceIssue(h, "restart", expected))
        last[key] = h.number
    return issues
