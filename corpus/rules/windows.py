"""Where the engine verifies a regex rule: the windows around its triggers, and within them the
starts near a match of its core (engine.py uses these; they know nothing of rules' meaning)."""
from __future__ import annotations

import re
from itertools import repeat

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


def spans_near(rx: re.Pattern, core: re.Pattern, back: int, norm: str,
               windows: list[list[int]]) -> list[tuple[int, int]]:
    """The hits `Catalogue._verify` makes, for a rule every match of which starts at most `back`
    characters before a match of its core (rule data: `core_back`): each start from there to that
    core match's end is tried with `rx.match` to the window's end, in order, as `_verify` tries
    the starts its scan finds. A core match `finditer` passes over (it overlaps the one before)
    starts inside that one, so its starts are tried too. For a rule whose trigger is a common
    character (性, 、) whose windows cover most of the text while its core is rare."""
    anchored_end = "$" in rx.pattern
    match = rx.match
    out: list[tuple[int, int]] = []
    reach = -1
    n = len(norm)
    for ws, we in windows:
        s = max(ws, reach)             # the next start to try
        for c in core.finditer(norm, ws, we):
            if s < c.start() - back:
                s = c.start() - back
            stop = c.end()
            while s < stop:
                m = match(norm, s, we)
                if m is not None and m.end() > s and m.end() > reach and not (
                        anchored_end and m.end() == we < n and norm[we] != "\n"):
                    out.append((s, m.end()))
                    reach = m.end()
                s += 1
    return out
