"""Changes to the old plan and their algebra.

Every change is a span of the OLD text and what replaces it, so the change log can be checked
against the document: `apply(old, changes) == new`. Later rounds (a fix that an earlier
deletion uncovered, a model rewrite of a paragraph) are found in the current text and composed
back onto the old one (`compose`); a new edit that touches text an earlier change inserted is
merged with it into one change.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import Any, Iterable, Sequence


@dataclass(frozen=True)
class Change:
    start: int                 # offsets into the old text
    end: int
    after: str                 # what replaces old[start:end]
    rule: str
    reason: str
    reason_zh: str = ""
    source: str = "rules"      # rules | model
    before: str = ""           # old[start:end], filled by `settle`
    paragraph: int = 0         # 1-based paragraph of `start` in the old document, filled by `settle`

    def to_json(self) -> dict[str, Any]:
        return {"paragraph": self.paragraph, "before": self.before, "after": self.after,
                "rule": self.rule, "reason": self.reason, "reason_zh": self.reason_zh,
                "source": self.source, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class PersonItem:
    """Something refresh did not (or not certainly) get right: a person fixes or confirms it."""
    paragraph: int             # 1-based paragraph in the old document
    text: str                  # the words concerned, as they stand in the new plan
    rule: str
    severity: str              # error | warning | info | confirm
    reason: str
    reason_zh: str = ""
    kind: str = "fix"          # fix: still wrong or unknown; confirm: changed, a person checks it

    def to_json(self) -> dict[str, Any]:
        return {"paragraph": self.paragraph, "text": self.text, "rule": self.rule,
                "severity": self.severity, "kind": self.kind, "reason": self.reason,
                "reason_zh": self.reason_zh}


def apply(text: str, changes: Iterable[Change]) -> str:
    """`text` with every change made (changes must not overlap)."""
    out, pos = [], 0
    for c in sorted(changes, key=lambda c: (c.start, c.end)):
        if c.start < pos:
            raise ValueError(f"overlapping changes at {c.start}")
        out += [text[pos:c.start], c.after]
        pos = c.end
    out.append(text[pos:])
    return "".join(out)


def drop_overlaps(changes: Sequence[Change]) -> list[Change]:
    """Keep the first of overlapping changes (callers order them by priority)."""
    kept: list[Change] = []
    for c in changes:
        if not any(c.start < k.end and k.start < c.end or
                   (c.start == c.end == k.start == k.end) for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: (c.start, c.end))


def _current_spans(changes: Sequence[Change]) -> list[tuple[int, int, Change]]:
    """Where each change's inserted text sits in the current text."""
    out, shift = [], 0
    for c in sorted(changes, key=lambda c: (c.start, c.end)):
        s = c.start + shift
        out.append((s, s + len(c.after), c))
        shift += len(c.after) - (c.end - c.start)
    return out


def to_old(changes: Sequence[Change], pos: int) -> int:
    """The old-text offset of current-text offset `pos` (inside a change: the change's start)."""
    shift = 0
    for s, e, c in _current_spans(changes):
        if pos < s:
            break
        if pos < e or (pos == e and pos == s):
            return c.start
        shift = e - c.end
    return pos - shift


def compose(old: str, changes: Sequence[Change], current: str, edits: Sequence[Change]) -> list[Change]:
    """Changes on `old` equal to making `changes` and then `edits` (spans of `current`, which is
    apply(old, changes); edits do not overlap each other). An edit that overlaps text an earlier
    change inserted merges with it into one change."""
    result = list(changes)
    for ed in sorted(edits, key=lambda c: (-c.start, -c.end)):   # right to left: offsets stay valid
        spans = _current_spans(result)
        touched = [(s, e, c) for s, e, c in spans if s < ed.end and ed.start < e or
                   (s <= ed.end and ed.start <= e and (ed.start == ed.end or s == e))]
        others = [(s, e, c) for s, e, c in spans if all(c is not t for _, _, t in touched)]
        delta = lambda group, upto: sum(len(c.after) - (c.end - c.start)   # noqa: E731
                                        for _, e, c in group if e <= upto)
        if not touched:
            shift = delta(others, ed.start)
            result.append(replace(ed, start=ed.start - shift, end=ed.end - shift))
            continue
        first, last = touched[0], touched[-1]
        cs, ce = min(ed.start, first[0]), max(ed.end, last[1])
        old_s = first[2].start if cs == first[0] else cs - delta(others, cs)
        old_e = last[2].end if ce == last[1] else ce - delta(others, ce) - delta(touched, ce)
        after = current[cs:ed.start] + ed.after + current[ed.end:ce]
        base = ed if ed.source == "model" else first[2]
        reason = base.reason if base is ed else f"{base.reason} {ed.reason}"
        reason_zh = base.reason_zh if base is ed else f"{base.reason_zh}{ed.reason_zh}"
        result = [c for _, _, c in others]
        result.append(replace(base, start=old_s, end=old_e, after=after, reason=reason,
                              reason_zh=reason_zh))
        current = apply(old, result)
    return sorted(result, key=lambda c: (c.start, c.end))


# ---------------------------------------------------------------------------- paragraphs
class Paragraphs:
    """1-based paragraph numbers of offsets into the old text: a document's own blocks when it
    has them (a .docx), else its lines."""

    def __init__(self, text: str, starts: Sequence[int] | None = None):
        self.starts = list(starts) if starts is not None else \
            [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def number(self, offset: int) -> int:
        return max(1, bisect.bisect_right(self.starts, offset))

    def span(self, number: int, text: str) -> tuple[int, int]:
        """[start, end) of paragraph `number` in `text`, its line break left out."""
        s = self.starts[number - 1]
        e = self.starts[number] - 1 if number < len(self.starts) else len(text)
        return s, max(s, e)


def settle(old: str, changes: Sequence[Change], paras: Paragraphs) -> list[Change]:
    """Fill in each change's `before` and `paragraph`, in document order."""
    return [replace(c, before=old[c.start:c.end], paragraph=paras.number(c.start))
            for c in sorted(changes, key=lambda c: (c.start, c.end))]
