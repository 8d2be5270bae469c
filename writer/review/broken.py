"""Broken model output: what a model that ran out of tokens, looped or skipped a section leaves.

Rules (ids, severities, reasons in writer/data/review.toml [[broken]]; numbers in [broken_cues]):
a text cut off mid-sentence at its end, a heading with nothing under it, a sentence or paragraph
said twice, a plan far under its length target or under a floor, two topics that say the same
thing, a lone sub-item where numbering implies a list. They judge plan-shaped texts only (at least
`min_headings` headings): a sentence under review on its own is not a broken plan.
"""
from __future__ import annotations

import bisect
import math
import re
from functools import lru_cache
from itertools import compress, repeat
from operator import and_, attrgetter, eq, lt

from ghplan.corpus.markers import ANY_MARKER, DATE_LINE
from ghplan.corpus.model import Heading
from ghplan.corpus.rules.model import Finding
from ghplan.corpus.rules.normalize import Normalised
from ghplan.writer.review.rules import review_data, review_rules, say

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_CLAUSE = re.compile(r"[，,、]")
_STOP = re.compile(r"[。；！？]")
_KEY_DROP = re.compile(r"[\s，,、。！？!?；;：:“”\"'（）()]")
# a line's words without the spaces around them (\S and str.strip agree on what a space is)
_STRIPPED_LINE = re.compile(r"[^\S\n]*(\S(?:[^\n]*\S)?)")


@lru_cache(maxsize=1)
def cues() -> dict:
    return review_data().get("broken_cues", {})


def _finding(rule_id: str, text: str, start: int, end: int, message: tuple[str, str]) -> Finding:
    r = review_rules()[rule_id]
    return Finding(rule=rule_id, category="structure", severity=r.severity, start=start, end=end,
                   text=text[start:end], message=message[0], message_zh=message[1])


def cjk_length(text: str) -> int:
    """How many CJK characters `text` holds (deleting the runs of others: no list of matches)."""
    return len(_NOT_CJK.sub("", text))


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, stripped (one regex pass, no Python per line)."""
    return [m.span(1) for m in _STRIPPED_LINE.finditer(text)]


class _Lines:
    """A text's stripped lines, their words and which are headings (each distinct line judged
    once: a looping text brings the same lines again and again), read by `truncated` and `repeats`."""
    __slots__ = ("spans", "raws", "heading")

    def __init__(self, text: str, spans: list[tuple[int, int]] | None = None):
        self.spans = _lines(text) if spans is None else spans
        self.raws = [text[a:b] for a, b in self.spans]
        self.heading = {raw: _is_heading_line(raw) for raw in set(self.raws)}


def _is_heading_line(line: str) -> bool:
    m = ANY_MARKER.match(line)
    return bool(m) and len(line) - m.end() <= 40 and not _STOP.search(line, m.end())


def _is_sign_off(line: str) -> bool:
    """A 落款 line: a date, or a short name ending in what a union calls itself."""
    if DATE_LINE.match(line) or re.fullmatch(r"\s*(?:\d{4}|[〇零一二三四五六七八九]{4})年.{0,8}", line):
        return True
    return len(line) <= 30 and not _CLAUSE.search(line) and line.endswith(tuple(cues().get("sign_off_ends", ())))


def _prose(line: str) -> bool:
    """A line written as running sentences (long, with clauses), not a table row or list item."""
    return _cjk_at_least(line, int(cues().get("prose_min_chars", 20))) and bool(_CLAUSE.search(line))


def _cjk_at_least(s: str, k: int) -> bool:
    """cjk_length(s) >= k, by a match that stops at the k-th CJK character (no count of a long line)."""
    return k <= 0 or _cjk_run(k).match(s) is not None


def _cut_off(text: str, line: str, habit: bool) -> bool:
    terminal = tuple(cues().get("terminal", ()))
    if line.endswith(terminal) or _is_sign_off(line) or _is_heading_line(line):
        return False
    if line.endswith(tuple(cues().get("dangling", ()))):
        return True
    return habit and (_prose(line) or not _CLAUSE.search(line))


def truncated(text: str, lines: list[tuple[int, int]] | None = None) -> list[Finding]:
    """A paragraph that stops mid-sentence where the text's other prose lines end theirs: at the
    end of the text, or at the end of a section (a model's section answer cut off by its limit).
    `lines`: `_lines(text)` when the caller has them."""
    return _truncated(text, _Lines(text, lines))


def _truncated(text: str, table: _Lines) -> list[Finding]:
    lines, raws = table.spans, table.raws
    if len(lines) < 2:
        return []
    terminal = tuple(cues().get("terminal", ()))
    # per distinct line: a heading? prose? prose that counts (not a heading)? and ends its sentence?
    judged = {}
    for raw, h in table.heading.items():
        p = _prose(raw)
        judged[raw] = h, p, p and not h, p and not h and raw.endswith(terminal)
    heading, prose, counts, closes = zip(*map(judged.__getitem__, raws))      # per line, in C
    last = len(lines) - 1
    # the prose lines after the title (headings aside), and those that end their sentence
    n_counted, n_closed = sum(counts[1:]), sum(closes[1:])
    share = float(cues().get("closed_share", 0.8))
    # only a section's or the text's last line can be cut off
    ends = list(compress(range(1, last), map(and_, prose[1:last], heading[2:]))) + [last]
    out = []
    for i in ends:
        own = counts[i]                                    # the line's own ending aside
        n_others = n_counted - own
        habit = n_others > 0 and n_closed - closes[i] >= share * n_others
        if _cut_off(text, raws[i], habit if i == last else habit and prose[i]):
            s, e = lines[i]
            tail = max(s, e - 12)
            out.append(_finding("GH-STRUCT-TRUNCATED", text, tail, e, say("broken_truncated", tail=text[tail:e])))
    return out


def empty_sections(text: str, headings: list[Heading]) -> list[Finding]:
    """A 一、 or (一) heading with no words under it and no sub-headings."""
    out = []
    minimum = int(cues().get("empty_max_chars", 6))
    runner = _cjk_run(minimum).match if 0 < minimum <= _RUN_MAX else None     # `_cjk_below`'s match
    levels = list(map(attrgetter("level"), headings))
    # a 一、 or (一) not followed by sub-headings or month lines (1月：…, level 0: its body); the
    # last heading is followed by nothing (-1)
    lone = [i for i, (level, after) in enumerate(zip(levels, levels[1:] + [-1]))
            if (level == 1 or level == 2) and after <= level and after != 0]
    for i in lone:
        h = headings[i]
        if h.style == "md":                      # "## 主要工作": its level is its #s, not the plan's
            continue
        end = headings[i + 1].start if i + 1 < len(headings) else len(text)
        if text[h.end:h.end + 1] in ("；", ";"):
            continue          # "（二）…；": a list item closed by its semicolon, not a heading
        title = h.title
        if _CLAUSE.search(title) and cjk_length(title) > 20:        # its own words count toward it
            empty = _cjk_below(text, minimum - cjk_length(title), h.end, end)
        else:                                        # the body's count, up to the limit (one match)
            empty = _cjk_below(text, minimum, h.end, end) if runner is None else runner(text, h.end, end) is None
        if empty:
            out.append(_finding("GH-STRUCT-EMPTY-SECTION", text, h.start, h.end,
                                say("broken_empty", heading=text[h.start:h.end].strip())))
    return out


def _key(s: str) -> str:
    return _KEY_DROP.sub("", s)


class _LineCounter:
    """offset -> 1-based line number, the line breaks counted (in C) from the nearest offset
    already asked about: a looping text's repeats point into its first stretch, and the lines of
    the rest are never indexed (building the index of every line start cost ~3 ms a megabyte)."""

    def __init__(self, text: str):
        self.text, self.offsets, self.numbers = text, [0], [1]

    def __call__(self, offset: int) -> int:
        i = bisect.bisect_right(self.offsets, offset) - 1
        at = self.offsets[i]
        if at == offset:
            return self.numbers[i]
        n = self.numbers[i] + self.text.count("\n", at, offset)
        self.offsets.insert(i + 1, offset)
        self.numbers.insert(i + 1, n)
        return n


def _repeated_lines(table: _Lines, minimum: int) -> list[tuple[int, int]]:
    """(line, its key's first line) for every line said before, as indices into `table`, in text
    order. Each distinct line is judged and keyed once (only one that counts is keyed; a key
    holds the line's CJK characters, so the line's own count decides), and each key's first line
    is found in one pass (a dict keeps the last of a key)."""
    judged: dict[str, str | None] = {       # line -> its key, None when it does not count
        raw: None if heading or not _cjk_at_least(raw, minimum) else _key(raw)
        for raw, heading in table.heading.items()}
    keys = list(map(judged.__getitem__, table.raws))
    first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))
    return [(i, first[k]) for i, k in enumerate(keys) if k is not None and first[k] != i]


_ASCII_BREAK = re.compile(r"[!?;]")


def _sentence_stretches(text: str, table: _Lines, again: list[tuple[int, int]],
                        minimum: int) -> list[tuple[int, int]]:
    """The stretches, each of whole lines, whose sentences `repeats` must read (minimum >= 1):
    the lines not said before that may hold a sentence of `minimum` CJK characters. Not a line
    with fewer, nor a heading line without an ASCII break: its one sentence is the heading, which
    never counts (a heading line has no full-width break after its marker)."""
    may_hold = {raw: _cjk_at_least(raw, minimum) and (not heading or _ASCII_BREAK.search(raw) is not None)
                for raw, heading in table.heading.items()}
    skip = {i for i, _ in again}
    out: list[tuple[int, int]] = []
    prev = -2
    for i in compress(range(len(table.raws)), map(may_hold.__getitem__, table.raws)):
        if i in skip:
            continue
        if i == prev + 1:                  # the next line: one stretch (blank lines between hold nothing)
            out[-1] = (out[-1][0], table.spans[i][1])
        else:
            out.append(table.spans[i])
        prev = i
    ends = [text.find("\n", b) for _, b in out]          # whole lines: a sentence keeps its margins
    return [(text.rfind("\n", 0, a) + 1, len(text) if e < 0 else e) for (a, _), e in zip(out, ends)]


def repeats(text: str, lines: list[tuple[int, int]] | None = None) -> list[Finding]:
    """Text said twice word for word: a whole paragraph again, or a sentence a third time, is a
    looping model (error); one sentence said twice is a warning (a stock phrase reused).
    `lines`: `_lines(text)` when the caller has them."""
    return _repeats(text, _Lines(text, lines))


def _repeats(text: str, table: _Lines) -> list[Finding]:
    minimum = int(cues().get("repeat_min_chars", 16))
    line_of = _LineCounter(text)
    said: dict[str, list[int]] = {}
    sentence_memo: dict[str, str | None] = {}     # sentence -> its key (None: not counted), once each
    said_at: dict[int, tuple[str, str]] = {}            # each "said first on line N" made once

    def repeat_message(first: int) -> tuple[str, str]:
        n = line_of(first)
        if n not in said_at:
            said_at[n] = say("broken_repeat", line=n)
        return said_at[n]

    again = _repeated_lines(table, minimum)
    # a looping text repeats thousands of lines: each first saying's message looked up once by
    # its offset (no bisection per line), the rule's severity read once, findings built positionally
    severity = review_rules()["GH-STRUCT-REPEAT"].severity
    by_first: dict[int, tuple[str, str]] = {}
    out = []
    spans, raws = table.spans, table.raws                  # a line's words: its text[a:b], sliced once
    for i, first in again:
        msg = by_first.get(first)
        if msg is None:
            msg = by_first[first] = repeat_message(spans[first][0])
        a, b = spans[i]
        out.append(Finding("GH-STRUCT-REPEAT", "structure", severity, a, b, raws[i], msg[0], "", False, 0, msg[1]))
    repeated = [spans[i] for i, _ in again]
    # A sentence never crosses a line break, so those in a repeated line (not counted again) are
    # skipped line by line, and so are lines that cannot hold one that counts; a blank sentence
    # (in no line) counts only when nothing is too short to count. Sentences too short to count
    # are passed over in C (`_counting_sentence`).
    if minimum > 0:
        stretches, finder = _sentence_stretches(text, table, again, minimum), _counting_sentence(minimum)
    else:
        stretches, finder = [(0, len(text))], _SENTENCE
    for lo, hi in stretches:
        for m in finder.finditer(text, lo, hi):
            raw = m.group()
            key = sentence_memo.get(raw, False)
            if key is False:
                key = sentence_memo[raw] = None if _is_heading_line(raw.strip()) else _key(raw)
            if key is None:
                continue
            s = m.start() + len(raw) - len(raw.lstrip())
            if minimum <= 0 and _inside(repeated, s):
                continue
            said.setdefault(key, []).append(s)
            if len(said[key]) > 1:
                rule = "GH-STRUCT-REPEAT" if len(said[key]) > 2 else "GH-STRUCT-REPEAT-SENTENCE"
                out.append(_finding(rule, text, s, m.end(), repeat_message(said[key][0])))
    return out


@lru_cache(maxsize=8)
def _counting_sentence(k: int) -> re.Pattern:
    """The matches of `_SENTENCE` holding at least k (>= 1) CJK characters: a match starts only
    where `_SENTENCE`'s do (after a break, or where the search starts: a stretch starts at a line
    start or a line break) and, past its k-th CJK character, ends where theirs does."""
    return re.compile(r"(?<![^。！？!?；;\n])(?:[^。！？!?；;\n\u4e00-\u9fff]*+[\u4e00-\u9fff]){%d}"
                      r"[^。！？!?；;\n]*+[。！？!?；;]?" % k)


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    """Is `at` within one of `spans` (in order, not overlapping)?"""
    i = bisect.bisect_right(spans, (at, float("inf"))) - 1
    return i >= 0 and at < spans[i][1]


@lru_cache(maxsize=64)
def _cjk_run(k: int) -> re.Pattern:
    """Matches from where it is tried to the k-th CJK character (the possessive runs of other
    characters give nothing back: one pass, stopping at that character)."""
    return re.compile(r"(?:[^\u4e00-\u9fff]*+[\u4e00-\u9fff]){%d}" % k)


_RUN_MAX = 64       # up to this limit a section's count stops at its limit's character, in C


def _cjk_below(text: str, limit: float, start: int = 0, end: int | None = None) -> bool:
    """cjk_length(text[start:end]) < limit, counted over growing prefixes: a long text (or
    section) reaches the limit in its first few hundred characters (counting all of a megabyte
    cost ~10 ms a review, and every section's body as much again). A small limit (an empty
    section's handful of characters, for each of thousands of headings) is one match instead."""
    end = len(text) if end is None else min(end, len(text))
    if limit <= _RUN_MAX:
        if end < 0:                        # as text[start:end] reads a negative end
            end = max(0, len(text) + end)
        return limit > 0 and _cjk_run(math.ceil(limit)).match(text, start, end) is None
    stop = start + max(256, int(limit) * 2)
    while True:
        if cjk_length(text[start:min(stop, end)]) >= limit:
            return False
        if stop >= end:
            return True
        stop = start + (stop - start) * 4


def too_short(text: str, length_target: int | None) -> list[Finding]:
    """Far under the length target when one is known, else under the floor for a whole plan."""
    share = float(cues().get("target_min_share", 0.5))
    floor = int(cues().get("floor_chars", 300))
    if not _cjk_below(text, share * length_target if length_target else floor):
        return []                      # long enough: neither finding can apply
    n = cjk_length(text)
    if length_target and n < share * length_target:
        return [_finding("GH-STRUCT-TOO-SHORT", text, 0, 0,
                         say("broken_short_target", chars=n, target=length_target))]
    if not length_target and n < floor:
        return [_finding("GH-STRUCT-TOO-SHORT", text, 0, 0, say("broken_short_floor", chars=n, floor=floor))]
    return []


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"[^\u4e00-\u9fff]", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def same_topics(text: str, headings: list[Heading]) -> list[Finding]:
    """Two sibling topic headings (same level, same parent) that say the same thing (bigram
    overlap). Comparing siblings only keeps it linear in long texts: topics repeat within a list."""
    out = []
    limit = float(cues().get("same_topic_overlap", 0.6))
    level2: list[tuple[str, Heading, set[str]]] = []     # (title, heading, bigrams) since their parent
    level3: list[tuple[str, Heading, set[str]]] = []
    topics: dict[str, set[str] | None] = {}     # title -> its bigrams (None: too short), once per title
    alike: dict[tuple[str, str], bool] = {}     # (earlier title, title) -> the same topic? once per pair
    for h in headings:
        level = h.level
        if level == 3:
            siblings = level3
        elif level == 2:
            siblings = level2
            level3 = []                          # a new parent closes deeper lists
        else:
            if level < 2:
                level2, level3 = [], []
            continue
        title = h.title
        gb = topics.get(title, False)
        if gb is False:
            gb = topics[title] = _bigrams(title) if cjk_length(title) >= 4 else None
        if gb is None:
            continue
        same = None
        for a_title, a, ga in siblings:
            pair = (a_title, title)
            hit = alike.get(pair)
            if hit is None:
                hit = alike[pair] = bool(ga and gb and len(ga & gb) / len(ga | gb) >= limit)
            if hit:
                same = a
                break
        if same is not None:
            out.append(_finding("GH-STRUCT-SAME-TOPIC", text, h.start, h.end,
                                say("broken_same_topic", first=same.title, second=title)))
        siblings.append((title, h, gb))
    return out


def single_items(text: str, headings: list[Heading]) -> list[Finding]:
    """A parent whose numbered sub-items are just one: numbering a lone item implies a list.

    A heading's items are the headings of its first item's level up to the next heading at or
    above its own level (or a level-0 line): just one when the next heading at the first item's
    level comes at or after that end. Each heading's end is found by one pass over a stack
    (`_children` walked every subtree per parent), the next heading at each level in C."""
    levels = list(map(attrgetter("level"), headings))
    stop = _next_at_or_above(levels)
    n = len(levels)
    after: dict[int, int] = {}                   # heading -> the next one at its level (n: none)
    for level in set(levels):
        at = list(compress(range(n), map(eq, levels, repeat(level))))
        after.update(zip(at, at[1:] + [n]))
    out = []
    for i in compress(range(n), map(lt, range(1, n + 1), stop)):     # those with a heading under them
        if after[i + 1] < stop[i]:
            continue                             # its first item has a sibling: a list
        h, k = headings[i], headings[i + 1]
        if h.level != 0 and h.style != "md" and k.level >= 2:
            out.append(_finding("GH-STRUCT-SINGLE-ITEM", text, k.start, k.end,
                                say("broken_single", marker=k.marker, parent=h.marker + h.title[:12])))
    return out


def _next_at_or_above(levels: list[int]) -> list[int]:
    """Per heading, the index of the next one at its level or above, or of level 0 (a month line
    or Markdown heading closes every list); len(levels) when none follows."""
    stop = [len(levels)] * len(levels)
    open_: list[int] = []                            # levels rise from bottom to top
    for j, level in enumerate(levels):
        while open_ and (level == 0 or level <= levels[open_[-1]]):
            stop[open_.pop()] = j
        open_.append(j)
    return stop


@lru_cache(maxsize=8)
def _any_of(words: tuple[str, ...]) -> re.Pattern | None:
    """One alternation of `words` (None for none): does a text hold any of them."""
    words = tuple(w for w in words if w)
    return re.compile("|".join(map(re.escape, words))) if words else None


def lookback(text: str) -> list[Finding]:
    """Sentences of a plan that report what was done (去年…共组织…取得了…): summary material."""
    from ghplan.corpus import doc_kind

    if doc_kind.infer_doc_kind(text) != "plan":
        return []          # a summary or mixed text is reported as a whole (GH-STRUCT-SUMMARY/MIXED)
    when, done = tuple(cues().get("lookback_when", ())), tuple(cues().get("lookback_done", ()))
    any_when = _any_of(when)
    out = []
    for a, b in _sentences_holding(text, any_when):
        sentence = text[a:b]
        cue = next((w for w in when if w in sentence), None)
        if cue and any(d in sentence for d in done) and not _is_heading_line(sentence.strip()):
            s = a + len(sentence) - len(sentence.lstrip())
            out.append(_finding("GH-STRUCT-LOOKBACK", text, s, b, say("broken_lookback", cue=cue)))
    return out


_BREAKS = "。！？!?；;\n"                  # what `_SENTENCE` stops at (the first six it keeps)
_SENTENCE_STOP = re.compile(r"[。！？!?；;\n]")


def _sentences_holding(text: str, words: re.Pattern | None) -> list[tuple[int, int]]:
    """The spans `_SENTENCE.finditer(text)` gives, only those where `words` finds a hit, in
    order: the hits are found over the whole text (one pass in C, not a search per sentence)
    and each is widened to its sentence. Sound for words without a sentence break in them: a
    sentence runs from just after the last break before a hit to its next break (that break
    kept unless a line break)."""
    out: list[tuple[int, int]] = []
    if words is None:
        return out
    done = 0
    for m in words.finditer(text):
        p = m.start()
        if p < done:
            continue                   # in the sentence just taken
        start = max(map(text.rfind, _BREAKS, repeat(0), repeat(p))) + 1
        stop = _SENTENCE_STOP.search(text, p)
        end = len(text) if stop is None else stop.end() if stop.group() != "\n" else stop.start()
        out.append((start, end))
        done = end
    return out


def check(text: str, ol, norm: Normalised | None = None, length_target: int | None = None) -> list[Finding]:
    headings = [h for h in ol.headings]
    if len(headings) < int(cues().get("min_headings", 2)):
        return []
    out: list[Finding] = []
    table = _Lines(text)
    out += _truncated(text, table)
    out += empty_sections(text, headings)
    out += _repeats(text, table)
    out += too_short(text, length_target)
    out += same_topics(text, headings)
    out += single_items(text, headings)
    out += lookback(text)
    return out
