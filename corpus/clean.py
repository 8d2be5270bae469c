"""Turn findings into deletions and apply them: the "strip" step of ingest.

Each rule's `action` (see boilerplate.toml) says how much text goes with a hit: the hit itself,
its sentence, its line, or the rest of the page. Censor marks are repaired only where the
repair is certain; placeholders are never left in clean text.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ghplan.corpus.model import Removed
from ghplan.corpus.rules.engine import Catalogue
from ghplan.corpus.rules.model import Finding

_SENTENCE_END = "。!！?？;；\n"
# a numbered heading at the start of the sentence a hit sits in (一、 (一) 1、 1. and full-width forms)
_RUN_IN_MARKER = re.compile(r"[ \t\u3000]*(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）]|"
                            r"\d{1,2}[、．]|\d{1,2}\.(?!\d))")
_RUN_IN_HEADING = 14    # characters, marker included: a run-in heading's words are this short
_MAX_SENTENCE = 200     # on one-line pages a "sentence" is capped so one hit never eats a page
_MAX_LINE = 120
PLACEHOLDER_CATEGORIES = ("placeholder", "censor")
RELATED_FLOOR = 0.3     # a related-articles list ends the page only in its back part


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str
    category: str
    rule: str


def sentence_span(text: str, start: int, end: int, stops: list[int] | None = None,
                  keep_run_in: bool = False) -> tuple[int, int]:
    """The sentence holding [start, end): from after the previous sentence end to the next one.

    `stops` are extra boundaries (heading starts and ends), sorted: deleting a damaged sentence
    must never take the heading in front of it on a page that lost its line breaks. They are
    bisected, not scanned: a scan per finding made cleaning a big page quadratic.

    `keep_run_in`: when the sentence opens with a numbered heading run into it ("二、工作目标本计划
    旨在…", a page that lost its breaks) and the hit starts at least two characters after the
    marker, the deletion starts at the hit: the heading's words are the page's, the hit is not.
    """
    stops = stops or []
    i = bisect.bisect_right(stops, start)          # the last stop <= start
    floor = stops[i - 1] if i else 0
    j = bisect.bisect_left(stops, end)             # the first stop >= end
    ceiling = stops[j] if j < len(stops) else len(text)
    lo = start
    while lo > floor and text[lo - 1] not in _SENTENCE_END and start - lo < _MAX_SENTENCE:
        lo -= 1
    m = _RUN_IN_MARKER.match(text, lo, start)
    if keep_run_in and m and start - m.end() >= 2:
        lo = start      # a run-in heading ("二、工作目标本计划旨在…"): its words stay, the hit goes
    hi = end
    while hi < ceiling and text[hi - 1:hi] not in ("。", "!", "！", "?", "？", ";", "；") \
            and text[hi] != "\n" and hi - end < _MAX_SENTENCE:
        hi += 1
    return lo, hi


def line_span(text: str, start: int, end: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    if hi - lo > _MAX_LINE:       # a long line is a one-line page: take only the hit
        return start, end
    return lo, hi


def _censor_repair(text: str, f: Finding, catalogue: Catalogue) -> str | None:
    rule = catalogue.by_id.get(f.rule)
    for r in (rule.extra.get("repairs", ()) if rule else ()):
        before, after = r.get("before", ""), r.get("after", "")
        if before and not text[:f.start].endswith(before):
            continue
        if after and not text[f.end:].startswith(after):
            continue
        return r["fill"]
    return None


def _past_heading(heads: list[tuple[int, int]], start: int, end: int) -> int:
    """A hit that begins on a heading's words and runs past them starts after them (a match
    that swept a run-in heading into site text must not take the heading along)."""
    i = bisect.bisect_right(heads, (start, 1 << 62)) - 1
    # only a short heading (a role word, 二、工作目标): a long inline span is a guess at where the
    # heading stops and may hold the site text itself
    if i >= 0 and heads[i][0] <= start < heads[i][1] < end and heads[i][1] - heads[i][0] <= _RUN_IN_HEADING:
        return heads[i][1]
    return start


def plan_edits(text: str, findings: list[Finding], catalogue: Catalogue) -> list[Edit]:
    """One edit per finding that ingest acts on (stale references are tagged, not removed)."""
    from ghplan.corpus.headings import find_headings

    heads = [(h.start, h.end) for h in find_headings(text)]
    stops = sorted({b for span in heads for b in span})
    edits: list[Edit] = []
    for f in findings:
        rule = catalogue.by_id.get(f.rule)
        action = rule.action if rule else "keep"
        if f.category == "censor":
            fill = _censor_repair(text, f, catalogue)
            if fill is not None:
                edits.append(Edit(f.start, f.end, fill, f.category, f.rule))
                continue
        if action in ("keep", "split") or f.category == "stale":
            continue
        if action == "repair":
            edits.append(Edit(f.start, f.end, f.suggestion, f.category, f.rule))
        elif action == "delete":
            edits.append(Edit(f.start, f.end, "", f.category, f.rule))
        elif action == "delete-sentence":
            # site text glued to a run-in heading leaves the heading; a damaged sentence
            # (censor, mojibake) still goes whole, its heading words are part of it
            run_in = f.category not in ("censor", "mojibake", "placeholder")
            start = _past_heading(heads, f.start, f.end) if run_in else f.start
            s, e = sentence_span(text, start, f.end, stops, keep_run_in=run_in)
            edits.append(Edit(s, e, "", f.category, f.rule))
        elif action == "delete-line":
            s, e = line_span(text, f.start, f.end)
            edits.append(Edit(s, e, "", f.category, f.rule))
        elif action == "delete-to-end":
            if f.start < len(text) * RELATED_FLOOR:
                # a list near the top is a sidebar or a title line above the text, not the page's
                # tail (split.related_cut applies the same floor): take its line only
                s, e = line_span(text, f.start, f.end)
                edits.append(Edit(s, _link_lines_after(text, e), "", f.category, f.rule))
            else:
                edits.append(Edit(f.start, len(text), "", f.category, f.rule))
    return edits


# A related list's links: short title lines with no sentence punctuation ending in a genre word.
_LINK_LINE = re.compile(r"[ \t]*[^\n。，,；;！!？?：:]{2,40}(?:计划|总结|要点|安排|方案|范文|报告|规划|打算|思路|心得|体会)"
                        r"[^\n。，,；;！!？?：:]{0,12}[ \t]*(?:\n|$)")


def _link_lines_after(text: str, end: int) -> int:
    """End of the link lines under a related list's header near the top. The last title line
    before the body is the page's own title and stays."""
    links: list[int] = []
    pos = end
    while pos < len(text):
        while pos < len(text) and text[pos] in "\n \t":
            pos += 1
        m = _LINK_LINE.match(text, pos)
        if not m:
            break
        links.append(pos)
        pos = m.end()
    return links[-1] if len(links) >= 2 else end


def apply_edits(text: str, edits: list[Edit], offset: int = 0) -> tuple[str, list[Removed]]:
    """Apply edits (overlaps merge into the widest deletion); report removals with page offsets."""
    out: list[str] = []
    removed: list[Removed] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, -e.end)):
        if e.end <= pos:
            continue                       # inside a deletion already made
        start = max(e.start, pos)
        if e.replacement and start != e.start:
            continue                       # a repair overlapped by a deletion: the deletion wins
        out.append(text[pos:start])
        out.append(e.replacement)
        removed.append(Removed(e.category, e.rule, text[start:e.end], start + offset, e.end + offset))
        pos = e.end
    out.append(text[pos:])
    return "".join(out), removed


_BLANKS = re.compile(r"[ \t\u3000]+\n")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_DOUBLE_PUNCT = re.compile(r"([,，;；、])\s*(?=[。!！,，;；])|^[,，;；、。]+", re.MULTILINE)


def tidy(text: str) -> str:
    """Whitespace and punctuation left dangling by deletions (repeated until nothing changes,
    so cleaning clean text changes nothing)."""
    while True:
        before = text
        text = _BLANKS.sub("\n", text)
        text = _DOUBLE_PUNCT.sub("", text)
        text = _MANY_NEWLINES.sub("\n\n", text)
        text = text.strip()
        if text == before:
            return text


def clean_text(text: str, catalogue: Catalogue, offset: int = 0,
               findings: list[Finding] | None = None, max_rounds: int = 10) -> tuple[str, list[Removed]]:
    """Strip boilerplate until a re-scan finds nothing to act on (deletions can expose new hits)."""
    removed: list[Removed] = []
    current = text
    for round_no in range(max_rounds):
        fs = findings if (round_no == 0 and findings is not None) else catalogue.scan(current)
        edits = plan_edits(current, fs, catalogue)
        if not edits:
            tidied = tidy(current)
            if tidied == current:
                break
            current = tidied      # tidying can expose a hit too ('、");' loses its 、, leaving '");')
            continue
        current, gone = apply_edits(current, edits, offset if round_no == 0 else 0)
        # after the first round offsets no longer point into the page; keep text and rule only
        removed.extend(gone if round_no == 0 else [Removed(r.category, r.rule, r.text, -1, -1) for r in gone])
        current = tidy(current)
    return tidy(current), removed
