"""Staleness reads its settings once per table: the same readings as reading them per hit."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ghplan.corpus.rules import dated, dated_table
from ghplan.corpus.rules.model import Rule


def _reference_reading(norm: str, start: int, rules: list[Rule]) -> tuple[Rule | None, bool]:
    """dated._congress_reading as first written: every setting read from the table per call."""
    meta = dated.table().meta
    window = int(meta.get("cue_window", 8))
    lo = start - window
    for c in "。!?;\n":
        lo = max(lo, norm.rfind(c, max(0, lo), start) + 1)
    before = norm[max(lo, 0):start]
    found = [(i + len(cue), series) for series, cues in meta.get("cues", {}).items()
             for cue in cues if (i := before.rfind(cue)) >= 0]
    gap = int(meta.get("other_cue_gap", 1))
    found = [(end, series) for end, series in found if series != "other-congress" or len(before) - end <= gap]
    by_series = {r.extra.get("series"): r for r in rules}
    if found:
        series = max(found)[1]
        if series in by_series:
            return by_series[series], True
        if series == "other-congress":
            return None, True
    if len(rules) == 1:
        return rules[0], True
    return by_series.get("party-congress", rules[0]), False


def _congress_rules() -> list[Rule]:
    return [r for r in dated.table().rules if r.extra.get("kind") == "congress"]


_CUES = [c for cues in dated.table().meta.get("cues", {}).values() for c in cues]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CUES + ["学习", "和", "。", "\n", "贯彻", "的", "全国"]), max_size=8),
       st.lists(st.integers(0, 40), min_size=1, max_size=3))
def test_congress_reading_equals_reading_the_table_per_call(words, picks):
    rules = _congress_rules()
    chosen = [rules[i % len(rules)] for i in picks]
    text = "".join(words) + "十九大"
    start = len(text) - 3
    assert dated._congress_reading(text, start, chosen) == _reference_reading(text, start, chosen)


def test_latest_plenums_follow_the_table(tmp_path, monkeypatch):
    before = dated.latest_plenums(2027)
    p = tmp_path / "facts.toml"
    p.write_text('[meta]\nplenums = [{ name = "二十届五中全会", term = 20, dated = 2026 }]\n', "utf-8")
    monkeypatch.setenv("GHPLAN_FACTS", str(p))
    dated_table.reload()
    try:
        assert dated.latest_plenums(2027)[-1] == "二十届五中全会" != before[-1]
    finally:
        monkeypatch.delenv("GHPLAN_FACTS")
        dated_table.reload()
    assert dated.latest_plenums(2027) == before


import re  # noqa: E402
from unittest import mock  # noqa: E402

from ghplan.corpus.rules import dated_years  # noqa: E402
from pathlib import Path  # noqa: E402

_YEAR_PIECES = ["2026", "2027", "1999", "20", "二〇二七", "二零二六", "一九九九", "年", "年度", " ", "今年", "本年度",
                "本年", "是", "为", "也是", "关键之年", "的一年", "落实年", "，", "、", "。", "\n", "—", "至", "-",
                "工会", "十四五", "收官", "1", "."]


def _led_by_years(norm: str) -> tuple[list, list]:
    found = dated_years.year_spots(norm)
    phrases = [m.span() for m in dated_years._matches_at(dated_years._PHRASE, norm,
                                                         dated_years._phrase_starts(norm, found))]
    ranges = [m.span() for m in dated_years._matches_at(dated_years._RANGE, norm,
                                                        [m.start() for m in found if m.group(1)])]
    return phrases, ranges


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_YEAR_PIECES), max_size=40))
def test_phrases_and_ranges_tried_at_the_years_found_equal_a_scan(parts):
    norm = "".join(parts)
    assert _led_by_years(norm) == ([m.span() for m in dated_years._PHRASE.finditer(norm)],
                                   [m.span() for m in dated_years._RANGE.finditer(norm)])


def test_phrases_and_ranges_tried_at_the_years_found_equal_a_scan_on_plans():
    fixtures = Path(__file__).parent / "fixtures"
    for p in sorted(fixtures.glob("*.txt")):
        norm = dated.normalise(p.read_text("utf-8")).text
        phrases, ranges = _led_by_years(norm)
        assert phrases == [m.span() for m in dated_years._PHRASE.finditer(norm)]
        assert ranges == [m.span() for m in dated_years._RANGE.finditer(norm)]


def test_the_event_year_core_skips_only_texts_without_a_match():
    rule = dated.table().rule("GH-STALE-EVENT-YEAR")
    assert rule.extra.get("core")

    @settings(max_examples=200, deadline=None)
    @given(st.from_regex(re.compile(rule.extra["shape"])), st.sampled_from(_YEAR_PIECES))
    def check(text, piece):
        for t in (text, piece + text, text.replace("召开", "")):
            with_core = dated_years.event_year_hits(t, 2030)
            with mock.patch.dict(rule.extra, {"core": ""}):
                assert with_core == dated_years.event_year_hits(t, 2030)

    check()
    assert dated_years.event_year_hits("2022年是党的二十大召开之年。", 2027)
    assert dated_years.event_year_hits("党的二十大胜利召开的一年", 2027)
