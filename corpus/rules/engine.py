"""The detection engine: the whole rule catalogue compiled once, matched in one pass.

Literal word lists go into one Aho-Corasick automaton; regex rules go into one combined
alternation with a named group per rule. A scan is therefore two passes over the
normalised text however many rules there are, not one pass per rule.

Rule data lives in the TOML files beside this module; this file knows no Chinese.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

from corpus.rules.model import Finding, Rule
from corpus.rules.normalize import Normalised, normalise

RULE_FILES = ("boilerplate.toml", "dated.toml")
CJK = "\u4e00-\u9fff"


def load_toml(name: str) -> dict:
    """Read one of the bundled data files (works from a non-editable install)."""
    return tomllib.loads(resources.files("corpus.rules").joinpath(name).read_text("utf-8"))


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


@dataclass(frozen=True)
class Match:
    """A raw hit in normalised coordinates, before mapping back to the original."""
    rule: Rule
    start: int
    end: int


class Catalogue:
    """All rules, compiled. Build once (see `default_catalogue`) and reuse: compiling is the cost."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules: list[Rule] = list(rules)
        self.by_id: dict[str, Rule] = {r.id: r for r in self.rules}
        if len(self.by_id) != len(self.rules):
            seen: set[str] = set()
            dup = [r.id for r in self.rules if r.id in seen or seen.add(r.id)]
            raise ValueError(f"duplicate rule ids: {dup}")
        self._automaton = self._build_automaton()
        self._regex, self._groups = self._build_regex()

    def _build_automaton(self):
        import ahocorasick

        words = [(w, r) for r in self.rules for w in r.words if w]
        if not words:
            return None
        automaton = ahocorasick.Automaton()
        table: dict[str, list[Rule]] = {}
        for w, r in words:
            table.setdefault(w, []).append(r)
        for w, rs in table.items():
            automaton.add_word(w, (len(w), tuple(rs)))
        automaton.make_automaton()
        return automaton

    def _build_regex(self) -> tuple[re.Pattern | None, dict[str, Rule]]:
        groups: dict[str, Rule] = {}
        parts: list[str] = []
        for i, r in enumerate(self.rules):
            if not r.pattern:
                continue
            try:
                re.compile(r.pattern)
            except re.error as exc:
                raise ValueError(f"rule {r.id}: bad pattern: {exc}") from None
            name = f"r{i}"
            groups[name] = r
            parts.append(f"(?P<{name}>{r.pattern})")
        if not parts:
            return None, groups
        return re.compile("|".join(parts), re.MULTILINE), groups

    def match(self, norm: str) -> list[Match]:
        """Every hit on normalised text, sorted by position. Word hits may overlap regex hits."""
        hits: list[Match] = []
        if self._automaton is not None:
            for end_idx, (length, rules) in self._automaton.iter(norm):
                start = end_idx - length + 1
                for r in rules:
                    hits.append(Match(r, start, end_idx + 1))
        if self._regex is not None:
            for m in self._regex.finditer(norm):
                name = m.lastgroup
                # lastgroup names the innermost-closing group; find the rule group that matched
                rule = self._groups.get(name) if name else None
                if rule is None:
                    rule = next(self._groups[g] for g, v in m.groupdict().items()
                                if v is not None and g in self._groups)
                if m.end() > m.start():
                    hits.append(Match(rule, m.start(), m.end()))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        return hits

    def scan(self, text: str, norm: Normalised | None = None) -> list[Finding]:
        """Findings with offsets in the ORIGINAL text (no year logic; see dated.py for that)."""
        norm = norm or normalise(text)
        out: list[Finding] = []
        for h in self.match(norm.text):
            s, e = norm.span(h.start, h.end)
            out.append(Finding(
                rule=h.rule.id, category=h.rule.category, severity=h.rule.severity,
                start=s, end=e, text=text[s:e], message=h.rule.message or h.rule.reason,
                suggestion="", fixable=h.rule.action != "keep",
            ))
        return out


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    rules: list[Rule] = []
    for name in RULE_FILES:
        rules.extend(parse_rules(load_toml(name)))
    return Catalogue(rules)
