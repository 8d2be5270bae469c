"""Normalise text for matching while keeping a map back to original offsets.

Rules are written against one spelling: Simplified characters (opencc t2s) and NFKC width
(full-width ， （ ） ： become , ( ) :). Findings must still point into the text the user gave,
so every normalised character remembers the original index it came from.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # C++ converter, built once per process

    return opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Normalised:
    text: str                         # normalised text
    # Where normalised text is longer than the original (one char expanded, e.g. … -> ...):
    # sorted normalised positions at which a shift starts, and the cumulative shift there.
    _at: tuple[int, ...] = ()
    _shift: tuple[int, ...] = ()
    original_length: int = -1

    def origin(self, i: int) -> int:
        """Original index of normalised char i (i == len(text) maps to the original length)."""
        if i >= len(self.text):
            return self.original_length if self.original_length >= 0 else len(self.text)
        k = bisect_right(self._at, i)
        return i - (self._shift[k - 1] if k else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) to the original [start, end)."""
        n = len(self.text)
        if not self._at and self.original_length == n and end <= n:
            if end > start:                          # nothing expanded: offsets are the same
                return start, end
            return (start, start) if start < n else (n, n)
        o_start = self.origin(start)
        o_end = self.origin(end - 1) + 1 if end > start else o_start
        return o_start, max(o_end, o_start)


# Code point ranges where NFKC changes anything a plan might contain: Latin-1 symbols, general
# punctuation (… ‥), enclosed and circled numbers (① ㈠), Kangxi radicals, the ideographic space,
# compatibility ideographs, vertical and small forms, and the full-width block (，（） ： ０-９).
_RANGES = ((0x00A0, 0x00BF), (0x2000, 0x2BFF), (0x2E80, 0x2FDF), (0x3000, 0x3000), (0x3200, 0x33FF),
           (0xF900, 0xFAFF), (0xFB00, 0xFB4F), (0xFE10, 0xFE6F), (0xFF00, 0xFFEF))


def _compat_parts() -> tuple[dict[str, str], str, str]:
    """(the chars in _RANGES NFKC changes → what it makes of them, the regex class of those chars,
    the class of those it expands to several chars, "" when none)."""
    mapping: dict[str, str] = {}
    for lo, hi in _RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            n = unicodedata.normalize("NFKC", ch)
            if n and n != ch:
                mapping[ch] = n
    cls = "[" + "".join(re.escape(c) for c in mapping) + "]"
    expanding = [c for c, n in mapping.items() if len(n) > 1]
    return mapping, cls, "[" + "".join(re.escape(c) for c in expanding) + "]" if expanding else ""


@lru_cache(maxsize=1)
def _compat() -> tuple[re.Pattern, dict[str, str], re.Pattern | None]:
    """(regex of chars NFKC changes, their mapping, regex of those that expand to several chars).
    Kept on disk (corpus/cache.py) under the Unicode version and the ranges: building it asks
    unicodedata about ~20,000 code points, ~3 ms of every review."""
    from ghplan.corpus import cache

    key = f"{unicodedata.unidata_version} {_RANGES}"
    mapping, cls, expanding = cache.memo("nfkc-map-1", key, _compat_parts)
    return re.compile(cls), mapping, re.compile(expanding) if expanding else None


def _flatten(text: str, rx: re.Pattern, mapping: dict[str, str]) -> str:
    """`rx.sub(lambda m: mapping[m.group()], text)`. A plan has tens of thousands of full-width
    marks (，：（）) but a handful of distinct ones: one `str.replace` pass per distinct mark
    instead of a Python call per mark. Safe because no mapped-to text holds a mapped character
    (NFKC output is NFKC-stable; `_compat` is checked for it in tests/test_engine_fastpath.py)."""
    for ch in set(rx.findall(text)):
        text = text.replace(ch, mapping[ch])
    return text


# Review asks for the same long text's normalised form several times (the title's year, the
# labelling of the body, the review itself); a long text is normalised once. Words are asked for
# again and again too: a 2 KB review normalises ~2,100 rule words, triggers and lexicon phrases,
# ~1,200 of them distinct, at ~4-9 us each (the opencc call most of it): those have a memo of
# their own, so neither pushes the other out.
_MEMO_MIN = 4096
_WORD_MAX = 32


def normalise(text: str) -> Normalised:
    if len(text) >= _MEMO_MIN:
        return _normalise_long(text)
    if len(text) <= _WORD_MAX:
        return _normalise_word(text)
    return _normalise(text)


@lru_cache(maxsize=4)
def _normalise_long(text: str) -> Normalised:
    return _normalise(text)      # Normalised is frozen, its fields immutable: safe to share


@lru_cache(maxsize=16384)
def _normalise_word(text: str) -> Normalised:
    return _normalise(text)


def _normalise(text: str) -> Normalised:
    rx, mapping, exp_rx = _compat()
    flat = _flatten(text, rx, mapping)
    at: list[int] = []
    shift: list[int] = []
    if exp_rx is not None and len(flat) != len(text):
        total = 0
        for m in exp_rx.finditer(text):
            extra = len(mapping[m.group()]) - 1
            # chars after the expanded one sit `total + extra` further right; the expansion's
            # own extra chars map back onto the original char
            for j in range(1, extra + 1):
                at.append(m.start() + total + j)
                shift.append(total + j)
            total += extra
            at.append(m.start() + total + 1)
            shift.append(total)
    simp = _t2s().convert(flat)
    if len(simp) != len(flat):
        # a phrase conversion changed length (rare): convert char by char to keep offsets
        conv = _t2s().convert
        simp = "".join(c2 if len(c2 := conv(c)) == 1 else c for c in flat)
    return Normalised(simp, tuple(at), tuple(shift), len(text))
