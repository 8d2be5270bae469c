"""Does a span overlap any of many spans? Answered by bisection, so checking every finding
against every other stays linear-logarithmic on long texts."""
from __future__ import annotations

import bisect
from itertools import accumulate
from typing import Callable, Iterable


def overlap_test(spans: Iterable[tuple[int, int]]) -> Callable[[int, int], bool]:
    """A predicate: does [start, end) overlap one of `spans` (half-open, possibly overlapping)?"""
    ordered = sorted(spans)
    starts = [s for s, _ in ordered]
    reach = list(accumulate((e for _, e in ordered), max))   # the furthest end among spans so far

    def overlaps(start: int, end: int) -> bool:
        i = bisect.bisect_left(starts, end) - 1               # spans that start before `end`
        return i >= 0 and reach[i] > start

    return overlaps
