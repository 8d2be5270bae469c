"""Split a compilation page into its documents; cut off related-article lists and teasers.

Content farms glue several plans into one page (【篇一】, 工会工作计划1, 【第二篇】). The
compilation rules find the markers; a document starts at the beginning of the sentence that
holds a marker, and the words before the marker in that sentence are its title.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ghplan.corpus.rules.model import Finding

RELATED_FLOOR = 0.3     # (clean.py holds the same floor for lists found after a first deletion)

_TITLE_BACK = 40
_BOUNDARY = "。!！?？;；\n”\""


@dataclass(frozen=True)
class Segment:
    start: int        # page offsets of the document's body (title excluded)
    end: int
    title: str
    title_start: int  # where the document begins on the page (its title, if any)


def page_title(text: str) -> str:
    """A short first line without sentence punctuation is the page's own title."""
    first = text.lstrip().split("\n", 1)[0].strip()
    if 0 < len(first) <= 40 and not re.search(r"[。!！?？;；,，]", first):
        return first
    return ""


def _title_before(text: str, marker_start: int) -> int:
    lo = marker_start
    while lo > 0 and text[lo - 1] not in _BOUNDARY and marker_start - lo < _TITLE_BACK:
        lo -= 1
    if marker_start - lo >= _TITLE_BACK:
        return marker_start
    return lo


def split_page(text: str, findings: list[Finding], end: int | None = None) -> list[Segment]:
    """Documents on a page, in order. `end` cuts the page (a related-articles list starts there)."""
    end = len(text) if end is None else end
    markers = sorted((f for f in findings
                      if f.category == "compilation" and f.rule != "GH-COMP-COUNT-TITLE" and f.start < end),
                     key=lambda f: f.start)
    if not markers:
        return [Segment(0, end, page_title(text), 0)]
    segments: list[Segment] = []
    cuts: list[tuple[int, int, str]] = []     # (doc start, body start, title)
    for f in markers:
        if f.rule == "GH-COMP-NUMBERED-TITLE":
            lo = f.start
            while lo < f.end and text[lo] in _BOUNDARY + " \t":
                lo += 1
            cuts.append((lo, f.end, text[lo:f.end].strip()))
        else:
            lo = _title_before(text, f.start)
            cuts.append((lo, f.end, text[lo:f.start].strip()))
    # what comes before the first marker is the page's preamble (title, blurbs); keep it as a
    # document only if it has substance of its own (cleaning decides; here just pass it on)
    first = cuts[0][0]
    if text[:first].strip():
        segments.append(Segment(0, first, page_title(text), 0))
    for i, (lo, body, title) in enumerate(cuts):
        nxt = cuts[i + 1][0] if i + 1 < len(cuts) else end
        if nxt > body:
            segments.append(Segment(body, nxt, title, lo))
    return segments


def related_cut(findings: list[Finding], length: int) -> int:
    """Page offset where other pages' material begins (a related list), or `length`.

    Only a list in the back part of the page counts: an early "相关" is more likely text.
    """
    for f in findings:
        if f.rule == "GH-REL-LIST" and f.start > length * RELATED_FLOOR:
            return f.start
    return length
