"""Normalise text for matching while keeping a map back to original offsets.

Rules are written against one spelling: Simplified characters (opencc t2s) and NFKC width
(full-width ， （ ） ： become , ( ) :). Findings must still point into the text the user gave,
so every normalised character remembers the original index it came from.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # C extension; cheap to import, built once per process

    return opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Normalised:
    text: str            # normalised text
    origin: list[int]    # origin[i] = index in the original of normalised char i; len(text)+1 entries

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) to the original [start, end)."""
        o_start = self.origin[start]
        # end maps to the first original char after the last matched one
        o_end = self.origin[end] if end < len(self.text) else self.origin[-1]
        if end > start and o_end <= o_start:
            o_end = o_start + 1
        return o_start, o_end


def normalise(text: str) -> Normalised:
    pieces: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            n = ch
        else:
            n = unicodedata.normalize("NFKC", ch)
            if n == "":  # NFKC drops nothing in practice; keep a slot so offsets stay mapped
                n = ch
        pieces.append(n)
        origin.extend([i] * len(n))
    flat = "".join(pieces)
    simp = _t2s().convert(flat)
    if len(simp) != len(flat):
        # phrase conversion changed length (rare); fall back to char-by-char to keep the map
        conv = _t2s().convert
        simp = "".join(c if len(conv(c)) != 1 else conv(c) for c in flat)
    origin.append(len(text))
    return Normalised(simp, origin)
