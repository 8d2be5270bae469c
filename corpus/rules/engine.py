"""The detection engine: the whole rule catalogue compiled once, matched in one pass.

Literal word lists go into one Aho-Corasick automaton; regex rules go into one combined
alternation with a named group per rule. A scan is therefore two passes over the
normalised text however many rules there are, not one pass per rule.

Rule data lives in the TOML files beside this module; this file knows no Chinese.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ghplan.corpus import cache
from ghplan.corpus.rules import prefilter
from ghplan.corpus.rules.model import Finding, Rule, direct_init
from ghplan.corpus.rules.normalize import Normalised, normalise
from ghplan.corpus.rules.windows import WINDOW as _WINDOW, char_triggers as _char_triggers, \
    char_windows as _char_windows, gate, spans_near

RULE_FILES = ("boilerplate.toml", "dated.toml")
CJK = "\u4e00-\u9fff"
MANY_CHARS = 8      # a rule triggered by this many characters or more: see `Catalogue._many_chars`


def load_toml(name: str) -> dict:
    """Read one of the bundled data files (works from a non-editable install). Parsed once per
    content and kept parsed on disk (corpus/cache.py): dated.toml is read by four modules and
    every process; every caller gets its own copy."""
    return cache.load_toml(name, cache.bundled("ghplan.corpus.rules").joinpath(name).read_text("utf-8"))


def _rule_from(entry: dict, category: str, defaults: dict) -> Rule:
    merged = {**defaults, **entry}
    known = {f for f in Rule.__dataclass_fields__} - {"extra", "words", "category"}
    extra = {k: v for k, v in merged.items() if k not in known and k not in ("words", "category")}
    return Rule(
        id=merged["id"],
        category=merged.get("category", category),
        severity=merged.get("severity", "error"),
        reason=merged["reason"],
        example=merged.get("example", ""),
        message=merged.get("message", ""),
        message_zh=merged.get("message_zh", ""),
        action=merged.get("action", "delete"),
        pattern=merged.get("pattern", ""),
        words=tuple(normalise(w).text for w in merged.get("words", ())),
        dated=int(merged.get("dated", 0)),
        until=int(merged.get("until", 0)),
        successor=merged.get("successor", ""),
        extra=extra,
    )


def parse_rules(data: dict) -> list[Rule]:
    """TOML layout: [[category]] tables, each entry one rule; [defaults.category] optional."""
    defaults = data.get("defaults", {})
    rules: list[Rule] = []
    for category, entries in data.items():
        if category == "defaults" or not isinstance(entries, list):
            continue
        for entry in entries:
            rules.append(_rule_from(entry, category, defaults.get(category, {})))
    return rules


@direct_init             # ~7,000 a rot-heavy megabyte: see model.direct_init
@dataclass(frozen=True)
class Match:
    """A raw hit in normalised coordinates, before mapping back to the original."""
    rule: Rule
    start: int
    end: int


class Catalogue:
    """All rules, compiled. Build once (see `default_catalogue`) and reuse: compiling is the cost.

    One Aho-Corasick pass over the text finds every literal: the words of word rules (hits
    as they are) and the triggers of regex rules (a regex rule can only match near one of its
    triggers, so it is verified in a small window there, never scanned over the whole text).
    Regex rules without triggers are joined into one alternation and run as one more pass;
    keep those few and anchored (^…), since they are tried at every position.
    """

    def __init__(self, rules: Iterable[Rule], lazy: bool = False):
        """`lazy`: compile a triggered rule's regex when its trigger is first seen, not here (the
        bundled catalogue: a short review then compiles only the few rules its text triggers;
        tests/test_engine.py checks every bundled pattern compiles). Otherwise every pattern is
        compiled now and a bad one is an error naming its rule (user rule files)."""
        self.rules: list[Rule] = list(rules)
        self.by_id: dict[str, Rule] = {r.id: r for r in self.rules}
        if len(self.by_id) != len(self.rules):
            seen: set[str] = set()
            dup = [r.id for r in self.rules if r.id in seen or seen.add(r.id)]
            raise ValueError(f"duplicate rule ids: {dup}")
        self._compiled: dict[str, re.Pattern] = {}
        self._cores: dict[str, re.Pattern] = {}             # per rule with a `core`: see `_verify`
        self._gates: dict[str, tuple | None] = {}           # per rule with a `core_back`: windows.gate
        self._finders: dict[str, prefilter.Finder] = {}    # per rule: where it can start
        if not lazy:
            self.compile_all()
        self._char_triggers = _char_triggers(self.rules)
        self._lits: tuple | None = None                     # (automaton, values, slot ids): `_literals`
        self._many: re.Pattern | None | bool = False        # see `_many_chars`
        self._variants: dict[frozenset[str], tuple] = {}     # see `_literals`
        self._regex, self._groups = self._build_regex()
        self._regex_scan: tuple[re.Pattern, bool] | None | bool = False    # built on a first long text
        self._checked: dict[str, tuple[str, ...]] | None = None            # see `_checked_chars`
        self._facts: dict[str, tuple] = {}                                  # see `_finding_facts`

    def _pattern(self, rule: Rule) -> re.Pattern:
        rx = self._compiled.get(rule.id)
        if rx is None:
            try:
                rx = self._compiled[rule.id] = re.compile(rule.pattern, re.MULTILINE)
            except re.error as exc:
                raise ValueError(f"rule {rule.id}: bad pattern: {exc}") from None
        return rx

    def _core(self, rule: Rule) -> re.Pattern | None:
        """The rule's `core` compiled (None when it declares none): a regex of which every match
        of the rule, as found in its window, holds a match inside that window (see `_verify`)."""
        core = rule.extra.get("core")
        if not core:
            return None
        rx = self._cores.get(rule.id)
        if rx is None:
            try:
                rx = re.compile(core, re.MULTILINE)
            except re.error as exc:
                raise ValueError(f"rule {rule.id}: bad core: {exc}") from None
            if (prefilter.widths(core, re.MULTILINE) or (0, 0))[0] == 0:
                raise ValueError(f"rule {rule.id}: its core may match empty text")
            self._cores[rule.id] = rx
        return rx

    def compile_all(self) -> None:
        """Compile every rule's regex and core now (a bad one raises ValueError naming its rule)."""
        for r in self.rules:
            if r.pattern:
                self._pattern(r)
                self._core(r)

    def _build_automaton(self, skip: frozenset[str] = frozenset()):
        """(automaton, per literal: (word rules it is a hit of, slots of the regex rules it
        triggers), rule id per slot); the triggers of the rules in `skip` left out."""
        import ahocorasick_rs

        # rules triggered by single characters only are windowed by `_char_windows` instead
        table: dict[str, tuple[list[Rule], list[str]]] = {}
        for r in self.rules:
            for w in r.words:
                if w:
                    table.setdefault(w, ([], []))[0].append(r)
            if r.pattern and r.id not in self._char_triggers and r.id not in skip:
                for t in r.extra.get("triggers", ()):
                    table.setdefault(normalise(t).text, ([], []))[1].append(r.id)
        if not table:
            return None, [], []
        # ahocorasick_rs: one call returns every (overlapping) hit as a list, in the order
        # pyahocorasick's iter gave them (by end, the longest first at one end), ~7x faster than
        # its per-character walk (tests/test_engine_fastpath.py pins the order)
        # a triggered rule is a slot number here (a list index in the pass, not a dict lookup)
        slot_ids = list(dict.fromkeys(t for _, triggers in table.values() for t in triggers))
        slot = {rid: k for k, rid in enumerate(slot_ids)}
        values = [(tuple(words), tuple(slot[t] for t in triggers)) for words, triggers in table.values()]
        return ahocorasick_rs.AhoCorasick(list(table)), values, slot_ids

    @property
    def _automaton(self):
        """The automaton of every literal (bench/bench_review.py times a pass of it)."""
        return self._literals(frozenset())[0]

    def _literals(self, idle: frozenset[str]):
        """`_build_automaton` without the idle rules' triggers, built once per idle set: their
        literals (发, 制度 … for a Traditional-character check) come thousands of times a
        megabyte, each a hit to hand back and a spot to merge for nothing. Long texts only
        (a short review keeps the one automaton rather than build a second, ~3 ms)."""
        if self._lits is None:      # built on a first match: a catalogue only read for its rules
            self._lits = self._build_automaton()    # (review matches a joint one) never builds it
        if not idle:
            return self._lits
        got = self._variants.get(idle)
        if got is None:
            got = self._variants[idle] = self._build_automaton(idle)
        return got

    def _build_regex(self) -> tuple[re.Pattern | None, dict[str, Rule]]:
        groups: dict[str, Rule] = {}
        parts: list[str] = []
        for i, r in enumerate(self.rules):
            if r.pattern and not r.extra.get("triggers"):
                groups[f"r{i}"] = r
                parts.append(f"(?P<r{i}>{r.pattern})")
        if not parts:
            return None, groups
        # The alternation sits inside a lookahead so every start position is tried: a rule whose
        # match begins inside another rule's match is still found (plain finditer skips it).
        return re.compile("(?=(?:" + "|".join(parts) + "))", re.MULTILINE), groups

    def _build_regex_scan(self) -> tuple[re.Pattern, bool] | None:
        """The alternation tried only after the characters its rules must follow (all of the
        bundled ones start a line: after a line break, or at 0) instead of at every position,
        when every rule in it is so bounded (prefilter.before_class): (scan, position 0 too)."""
        if self._regex is None:
            return None
        inner = self._regex.pattern[len("(?="):-len(")")]
        before = prefilter.before_class(inner, re.MULTILINE)
        if before is None:
            return None
        return re.compile(before[0] + "(?=" + inner + ")", re.MULTILINE), before[1]

    def _regex_matches(self, norm: str):
        """`self._regex.finditer(norm)`: the same matches, in order (see `_build_regex_scan`; a
        short text is searched as it is rather than pay for building the scan)."""
        if self._regex_scan is False and len(norm) >= prefilter.SCAN_MIN:
            self._regex_scan = self._build_regex_scan()
        if not self._regex_scan:
            yield from self._regex.finditer(norm)
            return
        scan, bos = self._regex_scan
        first = self._regex.match(norm, 0) if bos else None
        if first is not None:
            yield first
        yield from scan.finditer(norm)

    def match(self, norm: str, original: str | None = None, skip: frozenset[str] = frozenset()) -> list[Match]:
        """Every hit on normalised text, sorted by position. Hits of different rules may overlap.

        `original`: the text `norm` was normalised from, when the caller makes findings with
        `scan`; a rule no hit of which can become a finding there or drop another hit (see
        `_idle_rules`) is then not verified (it would only make hits `scan` drops). `skip`: ids
        of triggered regex rules whose hits the caller will not read, left out the same way."""
        hits: list[Match] = []
        idle = self._idle_rules(original) if original is not None else frozenset()
        idle = idle | skip if skip else idle
        windows = self._literal_pass(norm, hits, idle if len(norm) >= prefilter.SCAN_MIN else frozenset())
        for rule_id, spans in windows.items():
            if rule_id not in idle:
                hits.extend(self._verify(self.by_id[rule_id], norm, spans))
        if self._regex is not None:
            reach: dict[str, int] = {}   # per rule: end of its last hit, to drop nested re-hits
            for m in self._regex_matches(norm):
                name = m.lastgroup
                if name not in self._groups:   # an unnamed inner group closed last
                    name = next(g for g, v in m.groupdict().items() if v is not None and g in self._groups)
                start, end = m.span(name)
                if end > start and end > reach.get(name, -1):
                    reach[name] = end
                    hits.append(Match(self._groups[name], start, end))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start), h.rule.id))
        return hits

    def _idle_rules(self, original: str) -> frozenset[str]:
        """Rules checked against the original characters (`original`: a Traditional character
        that Simplified matching hides) none of whose possible first characters `original` holds:
        `scan` would drop every hit of theirs. Only rules whose hits cannot drop another in
        `_drop_nested` either (one character long, no rule yields to them): leaving their hits
        out then changes no finding. A rule pays one str.find per such character."""
        return frozenset(rid for rid, chars in self._checked_chars().items()
                         if not any(c in original for c in chars))

    def _checked_chars(self) -> dict[str, tuple[str, ...]]:
        """Rule id -> the characters its `original` pattern must start with, for the rules
        `_idle_rules` may leave out (built once)."""
        if self._checked is None:
            yielded = {y for r in self.rules for y in r.extra.get("yields_to", ())}
            self._checked = {}
            for r in self.rules:
                only = r.extra.get("original")
                if only and r.pattern and r.id not in yielded and prefilter.widths(r.pattern, re.MULTILINE) == (1, 1):
                    chars = prefilter.start_chars(only)
                    if chars is not None:
                        self._checked[r.id] = chars
        return self._checked

    def _literal_pass(self, norm: str, hits: list[Match],
                      idle: frozenset[str] = frozenset()) -> dict[str, list[list[int]]]:
        """The Aho-Corasick pass: word hits go into `hits`; returns, per triggered regex rule, the
        merged windows around its trigger spots ([start, end), in the order the spots come);
        none for the rules in `idle` (see `_idle_rules`).

        Windows are merged as the spots arrive (a spot inside the rule's open window only
        stretches it), not collected first: a text full of one trigger (digits) makes tens of
        thousands of spots, and this loop is the per-spot Python cost."""
        windows: dict[str, list[list[int]]] = {}
        by_chars: dict[str, list[list[int]]] = {}      # rules with the same characters share (read-only)
        many = self._many_chars()
        none_of_many = many is not None and many.search(norm) is None
        for rule_id, chars in self._char_triggers.items():
            if rule_id in idle or (none_of_many and len(chars) >= MANY_CHARS):
                continue
            spans = by_chars.get(chars)
            if spans is None:
                spans = by_chars[chars] = _char_windows(norm, chars)
            if spans:
                windows[rule_id] = spans
        automaton, values, slot_ids = self._literals(idle)
        if automaton is None:
            return windows
        slots: list[list[list[int]] | None] = [None] * len(slot_ids)   # per triggered rule
        open_: list[list[int] | None] = [None] * len(slot_ids)           # its last window
        W = _WINDOW
        append = hits.append
        # windows are kept unclipped here (a start may be below 0, an end past the text): merging
        # compares the same either way, and only a rule's first and last window need the clip
        for idx, start, end in automaton.find_matches_as_indexes(norm, overlapping=True):
            words, triggers = values[idx]
            if words:
                for r in words:
                    append(Match(r, start, end))
            for k in triggers:
                w = open_[k]
                if w is not None and start - W <= w[1]:
                    w[1] = end + W         # spots come by end: a window's end only grows
                else:
                    open_[k] = w = [start - W, end + W]
                    spans = slots[k]
                    if spans is None:
                        slots[k] = [w]
                    else:
                        spans.append(w)
        n = len(norm)
        for spans in slots:
            if spans is not None:
                if spans[0][0] < 0:
                    spans[0][0] = 0
                if spans[-1][1] > n:
                    spans[-1][1] = n
        windows.update((rid, spans) for rid, spans in zip(slot_ids, slots) if spans is not None)
        return windows

    def _many_chars(self) -> re.Pattern | None:
        """One class of the characters of every rule triggered by MANY_CHARS or more characters
        (mojibake: accented Latin, pinyin tones, box drawing, bopomofo), built once: one scan
        tells a text holds none of them, where a str.find each (~80 of them) reads it ~80 times."""
        if self._many is False:
            chars = sorted({c for cs in self._char_triggers.values() if len(cs) >= MANY_CHARS for c in cs})
            self._many = re.compile("[" + "".join(map(re.escape, chars)) + "]") if chars else None
        return self._many

    def _verify(self, rule: Rule, norm: str, windows: list[list[int]]) -> list[Match]:
        """Run one rule's regex only in its merged windows (see `_literal_pass`); where it can
        start is found by one C-level scan per window (prefilter.Finder).

        A rule with a `core` (rule data: a short regex, led by a literal where it can be, that
        every match holds, such as the title word and the numeral after it) first has that
        searched in each window, and a window without it is skipped: a trigger as common as
        工作计划 opens hundreds of windows a megabyte of plan text where the rule's own
        pattern, tried at every sentence start, costs ~5x that search. A skipped window holds
        no match, so the hits are those found without the core. With `core_back` as well, only
        the starts that far before a core match are tried (windows.spans_near)."""
        rx = self._pattern(rule)
        core = self._core(rule)
        if core is not None:
            search = core.search
            windows = [w for w in windows if search(norm, w[0], w[1])]
            back = rule.extra.get("core_back")
            if back is not None:
                gated = self._gates.get(rule.id, False)
                if gated is False:
                    gated = self._gates[rule.id] = gate(rule.pattern, re.MULTILINE)
                return [Match(rule, a, b) for a, b in spans_near(rx, core, int(back), norm, windows, gated)]
        find = self._finders.get(rule.id)
        if find is None:
            if sum(we - ws for ws, we in windows) < prefilter.SCAN_MIN:
                find = prefilter.Finder(rx, None)     # a short text: searching beats compiling a scan
            else:
                find = self._finders[rule.id] = prefilter.finder(rx)
        anchored_end = "$" in rule.pattern
        out: list[Match] = []
        reach = -1
        n = len(norm)
        for ws, we in windows:
            for s in find.starts(norm, max(ws, reach), we):
                m = rx.match(norm, s, we)
                if m is None or m.end() == s:
                    continue
                # `$` may have matched at the artificial window end instead of a real line end
                if anchored_end and m.end() == we < n and norm[we] != "\n":
                    continue
                if m.end() > reach:
                    out.append(Match(rule, s, m.end()))
                    reach = m.end()
        return out

    def scan(self, text: str, norm: Normalised | None = None,
             hits: list[Match] | None = None) -> list[Finding]:
        """Findings with offsets in the ORIGINAL text (no year logic; see dated.py for that).

        `hits` may be passed when the caller already matched `norm` (review shares one pass
        between this and dated.check)."""
        norm = norm or normalise(text)
        out: list[Finding] = []
        hits = _drop_nested(self.match(norm.text) if hits is None else hits)
        facts = self._facts
        for h in hits:
            s, e = norm.span(h.start, h.end)
            r = h.rule
            f = facts.get(r.id)
            if f is None or f[0] is not r:
                f = facts[r.id] = _finding_facts(r)
            _, rid, category, severity, message, fixable, dated, zh, only, repair = f
            matched = text[s:e]
            if only is not None and not only.fullmatch(matched):
                continue  # e.g. a real full-width ？ that normalised to the ASCII ? a rule targets
            out.append(Finding(rid, category, severity, s, e, matched, message,
                               _suggestion(r, matched) if repair else "", fixable, dated, zh))
        return out


def _finding_facts(r: Rule) -> tuple:
    """What `scan` copies from a rule into each of its findings, read once per rule: (the rule,
    id, category, severity, message, fixable, dated, message_zh, `original` compiled or None,
    whether a suggestion is made)."""
    only = r.extra.get("original")
    return (r, r.id, r.category, r.severity, r.message or r.reason, r.action != "keep", r.dated,
            r.message_zh, _original(only) if only else None, r.action == "repair")


def _suggestion(rule: Rule, matched: str) -> str:
    if rule.action != "repair":
        return ""
    if rule.extra.get("unwrap"):
        return matched[2:-2]
    if rule.extra.get("halve"):          # a word written twice back to back: keep one copy
        return matched[:len(matched) // 2]
    return rule.successor


def _drop_nested(hits: list[Match]) -> list[Match]:
    """Drop a hit lying inside a hit of the same category, or of a rule it yields to.

    Hits are sorted by start (longest first), so the only hits that can contain the current
    one are earlier hits still open at its start: a short "active" list keeps this linear.
    """
    keep: list[Match] = []
    active: list[Match] = []
    closes = -1                          # the earliest end among `active`: none closed before it
    for h in _yielders_last(hits):
        if closes <= h.start and active:
            active = [o for o in active if o.end > h.start]
            closes = min(o.end for o in active) if active else -1
        if active:                       # the test below only where something is open
            yields = h.rule.extra.get("yields_to", ())
            if any(o.end >= h.end and (o.rule.id in yields or (
                    o.rule.category == h.rule.category and (o.end - o.start) > (h.end - h.start)))
                    for o in active):
                active.append(h)
                closes = min(closes, h.end)
                continue
        keep.append(h)
        active.append(h)
        closes = h.end if closes < 0 else min(closes, h.end)
    return keep


def _yielders_last(hits: list[Match]) -> list[Match]:
    """Within a run of hits on the very same span, a rule that yields to another rule of the run
    goes after it (the sort by rule id alone let it come first, and so never be dropped)."""
    out: list[Match] = []
    i, n = 0, len(hits)
    while i < n:
        h = hits[i]
        j = i + 1
        while j < n and hits[j].start == h.start and hits[j].end == h.end:
            j += 1
        if j == i + 1:                   # the common case: a span of its own
            out.append(h)
        else:
            run = hits[i:j]
            ids = {x.rule.id for x in run}
            run.sort(key=lambda x: bool(ids & set(x.rule.extra.get("yields_to", ()))))
            out.extend(run)
        i = j
    return out


@lru_cache(maxsize=256)
def _original(pattern: str) -> re.Pattern:
    return re.compile(pattern)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    rules: list[Rule] = []
    for name in RULE_FILES:
        rules.extend(parse_rules(load_toml(name)))
    return Catalogue(rules, lazy=True)
