"""The engine's fast paths give what the straightforward ones give.

- `prefilter.search` (jump between the characters a match can start with) equals `rx.search`
  for every bundled rule pattern, on generated texts and on the review fixtures;
- `Catalogue.match` (windows merged while the literals stream, prefiltered verification)
  equals a plain reference: every trigger spot collected, windows merged after, each window
  searched with `rx.search`.
"""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings, strategies as st

from ghplan.corpus.rules import prefilter
from ghplan.corpus.rules.engine import _WINDOW, Catalogue, Match, default_catalogue
from ghplan.corpus.rules.normalize import normalise
from ghplan.writer.review.generated import catalogue as review_catalogue

FIXTURES = Path(__file__).parent / "fixtures"


def test_start_chars_of_hand_written_patterns():
    assert prefilter.start_chars(r"(?<![\d一二])第(?=次|届)|党的(?=精神)") == frozenset("第党")
    assert prefilter.start_chars(r"(?:(?<=^)|(?<=[。;]))[ \t]*[（(]图") == frozenset(" \t（(")
    assert prefilter.start_chars(r"^[ \t]*X{1,3}年") == frozenset(" \tX")
    # may start anywhere, or match empty: no bound
    assert prefilter.start_chars(r"\d{3}") is None
    assert prefilter.start_chars(r"[^。]+。") is None
    assert prefilter.start_chars(r"[\u4e00-\u9fff]\.") is None
    assert prefilter.start_chars(r"(?=年)") is None
    assert prefilter.start_chars(r"a*") is None
    assert prefilter.start_chars(r"(?i)ab") is None


def _patterns() -> list[re.Pattern]:
    rules = list(default_catalogue().rules) + list(review_catalogue().rules)
    return [re.compile(r.pattern, re.MULTILINE) for r in rules
            if r.pattern and prefilter.start_chars(r.pattern, re.MULTILINE)]


PATTERNS = _patterns()
# the characters the bundled patterns start with, plus what sits around them in a plan
ALPHABET = "".join(sorted({c for rx in PATTERNS for c in prefilter.start_chars(rx.pattern, re.MULTILINE)}
                          | set("工会年第届次大精神，。、\n 1203（）()*X_图计划")))


def test_most_bundled_patterns_are_bounded():
    assert len(PATTERNS) > 40


def _every_search(rx, starts, text):
    out, pos = [], 0
    while pos <= len(text):
        m = prefilter.search(rx, starts, text, pos, len(text)) if starts is not False \
            else rx.search(text, pos, len(text))
        if m is None:
            break
        out.append(m.span())
        pos = m.start() + 1
    return out


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=120), st.integers(0, 200), st.integers(0, 200))
def test_prefiltered_search_equals_search(text, pos, end):
    for rx in PATTERNS:
        starts = prefilter.starts_regex(rx.pattern, re.MULTILINE)
        got = prefilter.search(rx, starts, text, pos, end)
        want = rx.search(text, pos, end)
        assert (got and (got.span(), got.group())) == (want and (want.span(), want.group())), rx.pattern


def test_prefiltered_search_equals_search_on_plans():
    text = normalise("\n".join(p.read_text("utf-8") for p in sorted(FIXTURES.rglob("*.txt")))).text
    for rx in PATTERNS:
        starts = prefilter.starts_regex(rx.pattern, re.MULTILINE)
        assert _every_search(rx, starts, text) == _every_search(rx, False, text), rx.pattern


def test_dense_start_characters_fall_back_to_the_plain_search():
    rx = re.compile(r"(?<=。)第(?=届)")
    starts = prefilter.starts_regex(rx.pattern)
    text = "第" * 500 + "。第届"
    assert prefilter.search(rx, starts, text, 0, len(text)).start() == 501


def _reference_match(cat: Catalogue, norm: str) -> list[Match]:
    """The engine's first version: spots collected, windows merged after, `rx.search` in each."""
    hits, triggered = [], {}
    for end_idx, (length, words, triggers) in cat._automaton.iter(norm):
        start = end_idx - length + 1
        hits += [Match(r, start, end_idx + 1) for r in words]
        for rid in triggers:
            triggered.setdefault(rid, []).append((start, end_idx + 1))
    n = len(norm)
    for rid, spots in triggered.items():
        rule = cat.by_id[rid]
        rx = re.compile(rule.pattern, re.MULTILINE)
        windows: list[list[int]] = []
        for s, e in spots:
            ws, we = max(0, s - _WINDOW), min(n, e + _WINDOW)
            if windows and ws <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], we)
            else:
                windows.append([ws, we])
        reach = -1
        for ws, we in windows:
            pos = max(ws, reach)
            while pos < we:
                m = rx.search(norm, pos, we)
                if m is None:
                    break
                if m.end() == m.start():
                    pos = m.end() + 1
                    continue
                if "$" in rule.pattern and m.end() == we < n and norm[we] != "\n":
                    pos = m.start() + 1
                    continue
                if m.end() > reach:
                    hits.append(Match(rule, m.start(), m.end()))
                    reach = m.end()
                pos = m.start() + 1
    if cat._regex is not None:                       # the untriggered rules' alternation, unchanged
        reach_of: dict[str, int] = {}
        for m in cat._regex.finditer(norm):
            name = next(g for g, v in m.groupdict().items() if v is not None and g in cat._groups) \
                if m.lastgroup not in cat._groups else m.lastgroup
            start, end = m.span(name)
            if end > start and end > reach_of.get(name, -1):
                reach_of[name] = end
                hits.append(Match(cat._groups[name], start, end))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), h.rule.id))
    return hits


def test_catalogue_match_equals_the_reference():
    seeds = Path(__file__).parent.parent / "corpus" / "seeds"
    texts = [p.read_text("utf-8") for p in sorted(FIXTURES.rglob("*.txt")) + sorted(seeds.glob("*.txt"))]
    for cat in (default_catalogue(), review_catalogue()):
        for text in texts + ["".join(texts).replace("\n", "")]:
            norm = normalise(text).text
            assert cat.match(norm) == _reference_match(cat, norm)
