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


@lru_cache(maxsize=65536)
def _nfkc(ch: str) -> str:
    n = unicodedata.normalize("NFKC", ch)
    return n or ch   # never let a character vanish: offsets must stay mappable


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
        o_start = self.origin(start)
        o_end = self.origin(end - 1) + 1 if end > start else o_start
        return o_start, max(o_end, o_start)


def normalise(text: str) -> Normalised:
    table: dict[int, str] = {}
    for ch in set(text):
        if not ch.isascii():
            n = _nfkc(ch)
            if n != ch:
                table[ord(ch)] = n
    flat = text.translate(table) if table else text
    at: list[int] = []
    shift: list[int] = []
    expanding = {chr(k): v for k, v in table.items() if len(v) > 1}
    if expanding:
        total = 0
        rx = re.compile("|".join(map(re.escape, expanding)))
        for m in rx.finditer(text):
            extra = len(expanding[m.group()]) - 1
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
