"""writer/facts.py: what is current in a plan year, read off dated.toml."""
from __future__ import annotations

import pytest

from ghplan.corpus.rules import dated
from ghplan.writer.draft.facts import YearOutOfRange, year_facts


def test_facts_for_2027():
    f = year_facts(2027)
    assert (f.party_congress, f.party_congress_name, f.party_congress_year) == ("二十大", "党的二十大", 2022)
    assert f.plenums == ("二十届三中全会", "二十届四中全会")
    assert (f.five_year_plan, f.five_year_plan_span) == ("十五五", (2026, 2030))
    assert (f.union_congress, f.union_congress_name, f.union_congress_year) == ("十八大", "中国工会十八大", 2023)
    assert f.guiding == "习近平新时代中国特色社会主义思想"
    assert f.campaigns == () and f.recent_campaigns == ()
    assert "党的十九大" in f.stale and "“十四五”规划" in f.stale and "党的二十大" not in f.stale


@pytest.mark.parametrize("year, party, fyp, union", [
    (2012, "十七大", "十二五", "十五大"),
    (2013, "十八大", "十二五", "十五大"),
    (2016, "十八大", "十三五", "十六大"),
    (2023, "二十大", "十四五", "十七大"),
    (2024, "二十大", "十四五", "十八大"),
    (2026, "二十大", "十五五", "十八大"),
    (2028, "二十一大", "十五五", "十八大"),
    (2029, "二十一大", "十五五", "十九大"),
])
def test_current_references_move_with_the_plan_year(year, party, fyp, union):
    f = year_facts(year)
    assert (f.party_congress, f.five_year_plan, f.union_congress) == (party, fyp, union)


def test_expected_congress_is_marked_and_has_no_plenums_yet():
    f = year_facts(2028)
    assert f.party_congress_expected and f.plenums == ()
    assert not year_facts(2027).party_congress_expected


def test_plenums_only_once_held_before_the_plan_year():
    assert year_facts(2025).plenums == ("二十届三中全会",)
    assert year_facts(2024).plenums == ()


def test_running_and_recent_campaigns():
    assert year_facts(2024).campaigns == ("党纪学习教育",)
    assert year_facts(2026).recent_campaigns == ("深入贯彻中央八项规定精神学习教育",)


def test_facts_agree_with_what_review_calls_stale():
    # whatever facts call current, the stale check accepts for that year, and vice versa
    for year in range(2013, 2031):
        f = year_facts(year)
        text = f"全面贯彻党的{f.party_congress}精神，深入学习贯彻中国工会{f.union_congress}精神，建功“{f.five_year_plan}”。"
        assert dated.check(text, year) == [], (year, text)
        assert f.study_line() and dated.check(f.study_line() + "。", year) == []


def test_out_of_range_years_are_refused():
    lo, hi = dated.year_range()
    with pytest.raises(YearOutOfRange):
        year_facts(lo - 1)
    with pytest.raises(YearOutOfRange):
        year_facts(hi + 1)
