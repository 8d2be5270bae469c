"""Where the engine verifies a regex rule: the windows around its triggers, and within them the
starts near a match of its core (engine.py uses these; they know nothing of rules' meaning)."""
from __future__ import annotations

import re
from itertools import repeat
from typing import Iterable

from ghplan.corpus.rules import prefilter
from ghplan.corpus.rules.model import Rule
from ghplan.corpus.rules.normalize import normalise

WINDOW = 240   # how far before / after a trigger a rule's match may reach


def char_triggers(rules: list[Rule]) -> dict[str, str]:
    """Regex rules whose triggers are all single characters (a line break, 、, a full stop): rule
    id -> the characters. Such characters come every few dozen characters; as automaton hits
    they cost a Python step each, 20-50 thousand a megabyte."""
    out: dict[str, str] = {}
    for r in rules:
        chars = [normalise(t).text for t in r.extra.get("triggers", ())] if r.pattern else []
        if chars and all(len(c) == 1 for c in chars):
            out[r.id] = "".join(sorted(set(chars)))
    return out


def char_windows(norm: str, chars: str) -> list[list[int]]:
    """The merged windows around every occurrence of one of `chars`, as the spot-by-spot merge
    makes them: two occurrences share a window when at most 2·WINDOW characters lie between
    them, so from an occurrence p the window reaches the last occurrence in (p, p + 2·WINDOW + 1],
    found with str.rfind; a dense character costs a step per ~2·WINDOW characters, not one each.
    The next window's first occurrence: the nearest of each character's next one, each kept
    until passed (str.find per character: ~60x a regex class scan, and most are absent)."""
    n = len(norm)
    out: list[list[int]] = []
    nxt = {c: i for c in chars if (i := norm.find(c)) >= 0}
    chars = "".join(nxt)                # only the characters the text holds: fewer rfinds a step
    rfind = norm.rfind
    while nxt:
        p = min(nxt.values())
        ws = p - WINDOW if p > WINDOW else 0
        while True:
            hi = p + 2 * WINDOW + 2
            q = norm.rfind(chars, p + 1, hi) if len(chars) == 1 else max(map(rfind, chars, repeat(p + 1), repeat(hi)))
            if q < 0:
                break
            p = q
        out.append([ws, min(n, p + 1 + WINDOW)])
        for c in [c for c, i in nxt.items() if i <= p]:
            i = norm.find(c, p + 1)
            if i < 0:
                del nxt[c]
            else:
                nxt[c] = i
    return out


def gate(pattern: str, flags: int) -> tuple[re.Pattern, bool, bool] | None:
    """(a class of one character, whether it is the character before a start rather than at it,
    whether position 0 is a start too): what every start of a non-empty match of `pattern`
    satisfies (prefilter.start_class / before_class), the sparser one; None when neither bounds."""
    start, before = prefilter.start_class(pattern, flags), prefilter.before_class(pattern, flags)
    if start is not None and (before is None or not prefilter.dense(start)):
        return re.compile(start), False, False
    if before is not None:
        return re.compile(before[0]), True, before[1]
    return None


def _starts(norm: str, lo: int, hi: int, gated: tuple[re.Pattern, bool, bool] | None) -> Iterable[int]:
    """The positions in [lo, hi) the gate lets through, in order (one class scan, bounded by hi:
    a one-character class reads nothing past the character it tests)."""
    if gated is None:
        return range(lo, hi)
    cls, after, bos = gated
    if not after:
        return [m.start() for m in cls.finditer(norm, lo, hi)]
    out = [0] if bos and lo == 0 < hi else []
    if hi > 1:
        out += [m.end() for m in cls.finditer(norm, lo - 1 if lo > 0 else 0, hi - 1)]
    return out


def spans_near(rx: re.Pattern, core: re.Pattern, back: int, norm: str, windows: list[list[int]],
               gated: tuple[re.Pattern, bool, bool] | None = None) -> list[tuple[int, int]]:
    """The hits `Catalogue._verify` makes, for a rule every match of which starts at most `back`
    characters before a match of its core (rule data: `core_back`): each start from there to that
    core match's end is tried with `rx.match` to the window's end, in order, as `_verify` tries
    the starts its scan finds (only those `gated` lets through: see `gate`). A core match
    `finditer` passes over (it overlaps the one before) starts inside that one, so its starts
    are tried too. For a rule whose trigger is a common character (性, 、) whose windows cover
    most of the text while its core is rare, or whose pattern opens with anything."""
    anchored_end = "$" in rx.pattern
    match = rx.match
    out: list[tuple[int, int]] = []
    reach = -1
    n = len(norm)
    for ws, we in windows:
        s = max(ws, reach)             # the next start to try
        for c in core.finditer(norm, ws, we):
            lo, stop = max(s, c.start() - back), c.end()
            for p in _starts(norm, lo, stop, gated):
                m = match(norm, p, we)
                if m is not None and m.end() > p and m.end() > reach and not (
                        anchored_end and m.end() == we < n and norm[we] != "\n"):
                    out.append((p, m.end()))
                    reach = m.end()
            s = max(s, stop)
    return out
