"""Where a rule's regex can start: the characters its first consumed character may be.

Python's `re` skips ahead to a pattern's possible first characters only when the pattern opens
with a literal or a character class. Most catalogue rules open with a lookbehind
(`(?<![\\d一二三])第(?=次|届)`) or an alternation of such branches, so `re` tries every position of
a window with the whole pattern (~40 ns a character). Reading the parsed pattern gives the set of
characters a non-empty match must start with; a search then jumps between those characters (one
C scan of a character class) and tries the pattern only there, with the same result as
`rx.search` by construction: every match starts at one of them.

Patterns this cannot bound (a match may start anywhere: `.`, negated classes, `\\w`, wide ranges,
case-insensitive flags, or a pattern that can match the empty string) get None and are searched
as before; where the start characters turn out dense, the search falls back to `rx.search`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator

try:                      # the parser moved from sre_parse (deprecated) to re._parser in 3.11
    import re._constants as _C
    import re._parser as _P
except ImportError:       # pragma: no cover - another interpreter: no prefilter, same findings
    _C = _P = None

MAX_RANGE = 32            # a class range wider than this ([\u4e00-\u9fff]) is as good as "anything"
# a dense spot for the start characters: after this many misses at under this many characters
# apart, the rest of the window goes to the plain search (a Python step per miss costs more)
DENSE_MISSES = 8
DENSE_SPACING = 32
# below this many characters a plain search costs less than compiling a `Finder` scan (~0.5 ms a
# rule, ~40 ns a character searched): a short review compiles none
SCAN_MIN = 12000


# \d and \s are sparse enough in plan text to skip between; \w (every CJK character) is not
_CATEGORIES = {} if _C is None else {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_SPACE: r"\s"}


class _Unbounded(Exception):
    """The pattern's first character is not a small known set."""


def _item(op, av) -> tuple[set[str], bool]:
    """(class items this item can start with, whether it can match empty). An item is one
    member of a character class as regex text: an escaped character, a range, \\d or \\s."""
    if op is _C.LITERAL:
        return {re.escape(chr(av))}, False
    if op in (_C.ASSERT, _C.ASSERT_NOT, _C.AT):      # zero-width: consumes nothing
        return set(), True
    if op is _C.IN:
        items: set[str] = set()
        for o, a in av:
            if o is _C.LITERAL:
                items.add(re.escape(chr(a)))
            elif o is _C.RANGE and a[1] - a[0] < MAX_RANGE:
                items.add(re.escape(chr(a[0])) + "-" + re.escape(chr(a[1])))
            elif o is _C.CATEGORY and a in _CATEGORIES:
                items.add(_CATEGORIES[a])
            else:                                     # NEGATE, \\w, a wide RANGE
                raise _Unbounded
        return items, False
    if op is _C.SUBPATTERN:
        _, add_flags, _, sub = av
        if add_flags & (_C.SRE_FLAG_IGNORECASE | _C.SRE_FLAG_VERBOSE | _C.SRE_FLAG_DOTALL):
            raise _Unbounded
        return _sequence(sub)
    if op is getattr(_C, "ATOMIC_GROUP", None):
        return _sequence(av)
    if op is _C.BRANCH:
        items, empty = set(), False
        for sub in av[1]:
            c, e = _sequence(sub)
            items |= c
            empty = empty or e
        return items, empty
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None)):
        low, _, sub = av
        c, e = _sequence(sub)
        return c, e or low == 0
    raise _Unbounded                                  # ANY, NOT_LITERAL, back-references, …


def _sequence(items) -> tuple[set[str], bool]:
    out: set[str] = set()
    for op, av in items:
        c, empty = _item(op, av)
        out |= c
        if not empty:
            return out, False
    return out, True


@lru_cache(maxsize=64)
def _parse(pattern: str, flags: int):
    """The parsed pattern, shared by the readings below (`_read`, `widths`; each only reads it):
    one parse instead of one per reading."""
    return _P.parse(pattern, flags)


def _read(pattern: str, flags: int, reader: Callable, stop: type[Exception] = _Unbounded):
    """`reader(parsed pattern)`; None when this Python's re parser is not at hand, when case or
    layout flags make a reading of characters unsound, or when the reader stops (`stop`)."""
    if _P is None:
        return None
    try:
        parsed = _parse(pattern, flags)
        if parsed.state.flags & (_C.SRE_FLAG_IGNORECASE | _C.SRE_FLAG_VERBOSE):
            return None
        return reader(parsed)
    except (stop, re.error, TypeError, ValueError, IndexError):
        return None


def _start_items(pattern: str, flags: int) -> set[str] | None:
    """The class items (regex text) a non-empty match can start with; None when unbounded or
    when the pattern can match empty (see `_read` for the rest)."""
    got = _read(pattern, flags, _sequence)
    if got is None:
        return None
    items, empty = got
    return None if empty or not items else items


def start_class(pattern: str, flags: int = 0) -> str | None:
    """A character class (regex text) holding every character a non-empty match of `pattern`
    can start with; None when that is unbounded. A superset is sound, so `\\d` stands for
    itself even under re.ASCII."""
    items = _start_items(pattern, flags)
    return None if items is None else "[" + "".join(sorted(items)) + "]"


def start_chars(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """The characters of `start_class` one by one, when it is made of single characters only
    (no ranges, \\d or \\s); None otherwise."""
    items = _start_items(pattern, flags)
    if items is None or items & set(_CATEGORIES.values()):
        return None
    chars = [i[-1] if len(i) == 2 and i[0] == "\\" else i for i in items]    # re.escape of one character
    return tuple(sorted(chars)) if all(len(c) == 1 for c in chars) else None


def widths(pattern: str, flags: int = 0) -> tuple[int, int] | None:
    """(shortest, longest) match of `pattern` in characters, or None when it does not parse."""
    if _P is None:
        return None
    try:
        return tuple(_parse(pattern, flags).getwidth())
    except (re.error, TypeError, ValueError, IndexError):
        return None


@lru_cache(maxsize=512)
def starts_regex(pattern: str, flags: int = 0) -> re.Pattern | None:
    """`start_class` compiled, or None."""
    cls = start_class(pattern, flags)
    return None if cls is None else re.compile(cls)


def search(rx: re.Pattern, starts: re.Pattern | None, text: str, pos: int, end: int) -> re.Match | None:
    """`rx.search(text, pos, end)`, trying `rx` only where `starts` (see `starts_regex`) finds
    a character a match can start with."""
    if starts is None:
        return rx.search(text, pos, end)
    first, misses = pos, 0
    while True:
        c = starts.search(text, pos, end)
        if c is None:
            return None
        p = c.start()
        m = rx.match(text, p, end)
        if m is not None:
            return m
        pos = p + 1
        misses += 1
        if misses >= DENSE_MISSES and pos - first < misses * DENSE_SPACING:
            return rx.search(text, pos, end)


def finditer(rx: re.Pattern, text: str) -> Iterator[re.Match]:
    """`rx.finditer(text)`, the matches found through `finder`: the same matches for a pattern
    that never matches empty (each search starts where the last match ended); any other
    pattern is left to `rx.finditer` (its rules for empty matches next to others).

    One scan over the whole text gives every start where `rx` matches, in order; a start inside
    the last match is passed over, so the next match is the first start at or after its end,
    as a search from there would find (a scan begun afresh at each match cost ~3 µs a match)."""
    find = finder(rx) if len(text) >= SCAN_MIN else None
    if find is None or find.scan is None or _may_be_empty(rx.pattern, rx.flags):
        yield from rx.finditer(text)
        return
    pos, end = 0, len(text)
    match = rx.match
    for s in find.starts(text, 0, end):
        if s >= pos:
            m = match(text, s, end)
            yield m
            pos = m.end()


@lru_cache(maxsize=512)
def _may_be_empty(pattern: str, flags: int) -> bool:
    w = widths(pattern, flags)
    return w is None or w[0] == 0


# ---------------------------------------------------------------------------- candidate scans
# `search` above still steps in Python from one start character to the next (two C calls and a
# loop turn each, ~0.5 µs). `Finder` hands the whole walk to `re`: a scan pattern that opens with
# a character class (so `re` skips between its characters in C) and tries the rule's pattern, as
# a lookahead, only there. Two shapes:
#   "[S](?<=(?=P)(?s:.))": S = `start_class`; the lookbehind steps back over the class character
#       so P is tried from where it starts (P's groups keep their numbers: no group is added);
#   "[B](?=P)": B = the characters a match must come right after (a leading `(?<=[。\n])`, or `^`
#       under re.MULTILINE, with position 0 as well), for patterns whose start is unbounded or
#       dense (\d, spaces, line breaks) while what precedes it is sparse;
#   "[N](?<=(?=P)(?s:..))": N = the characters a match's second character may be, for patterns
#       bounded neither way whose every branch consumes exactly one (any) character first
#       (`[\u4e00-\u9fff][ \t]*\n…`): a match starts one character before an N.

_DENSE = ("\\d", "\\s", " ", "\\\t", "\\\n", "0-9")   # start-class items common in plan text


class _Stop(Exception):
    """A leading item may consume characters: nothing before the match is known."""


def _last_char(items, multiline: bool) -> tuple[set[str], bool] | None:
    """The characters a lookbehind's content ends with (its last consumed character), and
    whether it may also hold at the text's start (`(?<=^)`); None when not a small set."""
    if not items:
        return None
    op, av = items[-1]
    if op is _C.AT and av is _C.AT_BEGINNING and len(items) == 1:
        return ({"\\n"} if multiline else set()), True
    if op in (_C.LITERAL, _C.IN):
        try:
            return _item(op, av)[0], False
        except _Unbounded:
            return None
    if op is _C.SUBPATTERN and not av[1] & _C.SRE_FLAG_IGNORECASE:
        return _last_char(av[3], multiline)
    if op is _C.BRANCH:
        out, bos = set(), False
        for alt in av[1]:
            got = _last_char(alt, multiline)
            if got is None:
                return None
            out |= got[0]
            bos = bos or got[1]
        return out, bos
    return None


def _before(items, multiline: bool) -> tuple[set[str], bool] | None:
    """From a pattern's leading zero-width items: (the characters that must stand right before
    a match, whether position 0 qualifies too); None when they bound nothing. Raises _Stop at
    the first item that may consume."""
    for op, av in items:
        if op is _C.AT:
            if av is _C.AT_BEGINNING:
                return ({"\\n"} if multiline else set()), True
            if av is _C.AT_BEGINNING_STRING:
                return set(), True
            continue                                   # \b, \B, $: say nothing of the char before
        if op is _C.ASSERT and av[0] < 0:
            got = _last_char(av[1], multiline)
            if got is not None:
                return got
            continue
        if op in (_C.ASSERT, _C.ASSERT_NOT):
            continue
        if op is _C.SUBPATTERN and not av[1] & (_C.SRE_FLAG_IGNORECASE | _C.SRE_FLAG_MULTILINE):
            got = _before(av[3], multiline)           # raises _Stop if the group consumes
            if got is not None:
                return got
            continue
        if op is _C.BRANCH:
            out, bos = set(), False
            for alt in av[1]:
                got = _before(alt, multiline)
                if got is None:                        # a zero-width alternative bounding nothing
                    raise _Stop
                out |= got[0]
                bos = bos or got[1]
            return out, bos
        raise _Stop
    return None


def _after_first(items) -> set[str]:
    """The class items a match's second character can be, when the first thing every branch
    consumes is exactly one character (zero-width items before it aside); raises _Unbounded
    otherwise, or when what follows it may match empty."""
    items = list(items)
    i = 0
    while i < len(items) and items[i][0] in (_C.ASSERT, _C.ASSERT_NOT, _C.AT):
        i += 1
    if i == len(items):
        raise _Unbounded
    op, av = items[i]
    rest = items[i + 1:]
    if op is _C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            out |= _after_first(list(alt) + rest)
        return out
    if op is _C.SUBPATTERN and not av[1] & (_C.SRE_FLAG_IGNORECASE | _C.SRE_FLAG_VERBOSE):
        return _after_first(list(av[3]) + rest)
    if op not in (_C.LITERAL, _C.IN, _C.ANY, _C.NOT_LITERAL):
        raise _Unbounded                              # a repeat, a back-reference: width not one
    second, empty = _sequence(rest)
    if empty or not second:
        raise _Unbounded
    return second


def second_class(pattern: str, flags: int = 0) -> str | None:
    """A character class holding every character a match's second character can be (see
    `_after_first`); None when that is unbounded."""
    items = _read(pattern, flags, _after_first)
    return None if items is None else "[" + "".join(sorted(items)) + "]"


def before_class(pattern: str, flags: int = 0) -> tuple[str, bool] | None:
    """(a character class holding every character that can stand right before a match of
    `pattern`, whether a match may also start at position 0); None when unbounded."""
    got = _read(pattern, flags, lambda p: _before(list(p), bool(p.state.flags & _C.SRE_FLAG_MULTILINE)), _Stop)
    if got is None or not got[0]:
        return None
    return "[" + "".join(sorted(got[0])) + "]", got[1]


@dataclass(frozen=True)
class Finder:
    """Every position where a pattern matches, found by one C-level scan (see above)."""
    rx: re.Pattern
    scan: re.Pattern | None      # None: no bound known, plain `rx.search`
    after: bool = False          # the scan's hit is the character before the start
    bos: bool = False            # `after`: position 0 is a start to try as well
    second: bool = False         # the scan's hit is the match's second character

    def starts(self, text: str, pos: int, end: int) -> Iterator[int]:
        """Every s, pos <= s <= end, where `rx.match(text, s, end)` matches, in order."""
        rx, scan = self.rx, self.scan
        if scan is None:
            while pos <= end:
                m = rx.search(text, pos, end)
                if m is None:
                    return
                yield m.start()
                pos = m.start() + 1
            return
        if self.second:          # a hit at p in [pos + 1, end): a start p - 1 in [pos, end - 2]
            for c in scan.finditer(text, pos + 1, end):
                yield c.start() - 1
            return
        if not self.after:
            for c in scan.finditer(text, pos, end):
                yield c.start()
            return
        if pos == 0 and self.bos and rx.match(text, 0, end) is not None:
            yield 0
        for c in scan.finditer(text, pos - 1 if pos > 0 else 0, end):
            yield c.end()


def dense(cls: str) -> bool:
    """Whether a start class holds characters common in plan text (digits, spaces, line breaks)."""
    return any(d in cls for d in _DENSE)


@lru_cache(maxsize=1024)
def _shapes(pattern: str, flags: int) -> tuple[tuple[str, bool, bool, bool], ...]:
    """(scan pattern, after, bos, second) for `finder`, best first."""
    start = start_class(pattern, flags)
    before = before_class(pattern, flags)
    shapes = []
    if start is not None:
        shapes.append((start + "(?<=(?=" + pattern + ")(?s:.))", False, False, False))
    if before is not None:
        after = (before[0] + "(?=" + pattern + ")", True, before[1], False)
        shapes.insert(0 if start is None or dense(start) else 1, after)
    if not shapes and not _may_be_empty(pattern, flags):
        second = second_class(pattern, flags)      # bounded neither way: try every position
        if second is not None:                     # before the next possible second character
            shapes.append((second + "(?<=(?=" + pattern + ")(?s:..))", False, False, True))
    return tuple(shapes)


def finder(rx: re.Pattern) -> Finder:
    """The `Finder` of a compiled pattern: plain search when nothing bounds where it starts or
    no scan compiles (`re` refuses a back-reference inside the lookbehind of the first shape)."""
    for scan, after, bos, second in _shapes(rx.pattern, rx.flags):
        try:
            return Finder(rx, re.compile(scan, rx.flags), after, bos, second)
        except re.error:
            continue
    return Finder(rx, None)
