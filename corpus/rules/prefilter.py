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
from functools import lru_cache
from typing import Iterator

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


def start_class(pattern: str, flags: int = 0) -> str | None:
    """A character class (regex text) holding every character a non-empty match of `pattern`
    can start with; None when that is unbounded. A superset is sound, so `\\d` stands for
    itself even under re.ASCII."""
    if _P is None:
        return None
    try:
        parsed = _P.parse(pattern, flags)
        if parsed.state.flags & (_C.SRE_FLAG_IGNORECASE | _C.SRE_FLAG_VERBOSE):
            return None
        items, empty = _sequence(parsed)
    except (_Unbounded, re.error, TypeError, ValueError, IndexError):
        return None
    if empty or not items:
        return None
    return "[" + "".join(sorted(items)) + "]"


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
    """`rx.finditer(text)`, each search through `search`: the same matches, since a bounded
    pattern never matches empty (each search starts where the last match ended)."""
    starts = starts_regex(rx.pattern, rx.flags)
    if starts is None:
        yield from rx.finditer(text)
        return
    pos, end = 0, len(text)
    while True:
        m = search(rx, starts, text, pos, end)
        if m is None:
            return
        yield m
        pos = m.end()
