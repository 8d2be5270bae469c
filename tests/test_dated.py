"""Staleness for a plan year: corpus/rules/dated.toml + dated.py."""
from __future__ import annotations

import pytest

from ghplan.corpus.numerals import to_int
from ghplan.corpus.rules import dated
from ghplan.corpus.rules.engine import default_catalogue
from ghplan.corpus.rules.normalize import normalise

STALE_RULES = [r for r in default_catalogue().rules if r.category == "stale"]
_COMPUTED = ("year", "year-claim", "title-year", "anniversary",
             # undatable or computed: each has its own tests below and in test_dated_families.py
             "local", "year-campaign", "year-history", "year-phrase", "signature", "event-year")


def hits(text: str, year: int) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in dated.check(text, year):
        assert text[f.start:f.end] == f.text          # positions exact, every time
        out.setdefault(f.rule, []).append(f)
    return out


def only(text: str, year: int, rule: str):
    found = hits(text, year).get(rule, [])
    assert len(found) == 1, (rule, hits(text, year))
    return found[0]


@pytest.mark.parametrize("rule", [r for r in STALE_RULES if r.extra.get("kind") not in _COMPUTED],
                         ids=lambda r: r.id)
def test_every_dated_example_is_stale_after_its_time_and_silent_while_current(rule):
    assert rule.example and rule.until and rule.dated <= rule.until, rule.id
    assert rule.id in hits(rule.example, rule.until + 2), f"{rule.id} misses {rule.example!r}"
    assert rule.id not in hits(rule.example, rule.until)


@pytest.mark.parametrize("rule", [r for r in STALE_RULES if r.extra.get("kind") == "anniversary"],
                         ids=lambda r: r.id)
def test_every_anniversary_example_belongs_to_base_plus_n(rule):
    import re
    # the number right before 周年/个 (五四运动100周年 is 100, not 五四)
    n = to_int(re.findall(r"\d+|[一二三四五六七八九十百零〇]+", rule.example.replace("第", "", 1))[-1])
    held = rule.extra["base"] + n
    assert rule.id in hits(rule.example, held + 1)
    assert rule.id not in hits(rule.example, held)


def test_anniversaries_in_any_numerals_and_the_recurring_one_is_rewritten():
    assert only("庆祝新中国成立七十五周年", 2027, "GH-STALE-ANNIV-PRC").text == "新中国成立七十五周年"
    assert hits("庆祝建军100周年", 2027) == {}                 # 1927 + 100: this very year
    f = only("借庆祝第二十五个教师节之际", 2027, "GH-STALE-ANNIV-TEACHERS-DAY")
    assert (f.text, f.suggestion, f.fixable) == ("第二十五个教师节", "第四十三个教师节", True)
    assert hits("庆祝第43个教师节", 2027) == {}
    assert hits("纪念五四运动100周年", 2019) == {}          # 1919 + 100, not 1919 + 五四
    assert "GH-STALE-ANNIV-MAY4" in hits("纪念五四运动100周年", 2020)
    assert [to_int(s) for s in ("一百零五", "一百〇五", "二十五", "十", "九十五", "105")] == \
        [105, 105, 25, 10, 95, 105]


def test_every_stale_finding_carries_the_year_it_dates_from():
    f = only("全面贯彻党的17大精神。", 2027, "GH-STALE-PARTY-17")
    assert (f.dated, f.category, f.severity) == (2007, "stale", "error")


# ---------------------------------------------------------------- congresses: Party or union
def test_words_in_front_tell_party_from_union_congress():
    text = "深入学习贯彻党的十九大和中国工会十七大精神。"
    found = hits(text, 2027)
    party, union = found["GH-STALE-PARTY-19"][0], found["GH-STALE-UNION-17"][0]
    assert (party.text, party.suggestion) == ("十九大", "二十大")
    assert (union.text, union.suggestion) == ("十七大", "十八大")
    assert text[party.start - 2:party.start] == "党的" and text[union.start - 4:union.start] == "中国工会"
    assert "GH-STALE-UNION-19" not in found and "GH-STALE-PARTY-17" not in found


def test_current_union_congress_is_not_stale_but_the_party_congress_of_that_number_is():
    assert hits("认真学习贯彻中国工会十八大精神。", 2027) == {}
    f = only("认真学习贯彻党的十八大精神。", 2027, "GH-STALE-PARTY-18")
    assert f.severity == "error" and f.suggestion == "二十大" and f.fixable


def test_bare_ordinal_that_is_current_for_the_union_is_a_warning_not_a_fix():
    f = only("认真学习贯彻十八大精神。", 2027, "GH-STALE-PARTY-18")
    assert f.severity == "warning" and not f.fixable and "ambiguous" in f.message


def test_looking_back_since_a_congress_is_not_stale():
    assert hits("党的十八大以来，工会工作取得新进展。", 2027) == {}


def test_digit_form_and_its_glued_lookalike():
    f = only("全面贯彻党的17大精神", 2027, "GH-STALE-PARTY-17")
    assert f.text == "17大" and f.suggestion == "20大"
    assert "GH-STALE-PARTY-17" not in hits("参加2017大学生运动会", 2027)


def test_congress_suggestion_follows_the_plan_year():
    assert only("贯彻党的十九大精神", 2023, "GH-STALE-PARTY-19").suggestion == "二十大"
    assert only("贯彻党的二十大精神", 2028, "GH-STALE-PARTY-20").suggestion == "二十一大"
    assert hits("贯彻党的十九大精神", 2022) == {}
    assert only("贯彻中国工会十七大精神", 2024, "GH-STALE-UNION-17").suggestion == "十八大"


def test_congress_is_fixed_only_in_the_study_formula():
    assert only("贯彻党的十九大精神", 2027, "GH-STALE-PARTY-19").fixable
    assert not only("党的十九大报告提出", 2027, "GH-STALE-PARTY-19").fixable


# ---------------------------------------------------------------- five-year plans, plenums
def test_five_year_plan_successor_is_the_current_one_in_the_same_form():
    f = only("建功“十四五”，争当主力军。", 2027, "GH-STALE-FYP-14")
    assert (f.text, f.suggestion, f.fixable) == ("十四五", "十五五", True)
    assert only("研究制定“十二五”规划", 2024, "GH-STALE-FYP-12").suggestion == "十四五"
    g = only("落实第十四个五年规划", 2027, "GH-STALE-FYP-14")
    assert (g.text, g.suggestion) == ("第十四个五年", "第十五个五年")
    assert hits("建功“十四五”", 2025) == {}
    assert hits("在“十四五”圆满收官的基础上", 2027) == {}


def test_old_plenums_are_stale_and_the_suggestion_names_the_latest_ones():
    f = only("学习贯彻党的十九届四中全会精神", 2027, "GH-STALE-PLENUM-19")
    assert f.text == "十九届四中全会"
    assert "二十届三中全会" in f.suggestion and "二十届四中全会" in f.suggestion
    assert only("十八届三中、四中全会", 2027, "GH-STALE-PLENUM-18").text == "十八届三中、四中全会"
    assert hits("党的二十届三中、四中全会精神", 2027) == {}
    assert "GH-STALE-PLENUM-20" in hits("党的二十届三中、四中全会精神", 2028)


# ---------------------------------------------------------------- guiding framing
def test_old_theory_as_the_guiding_line_is_one_fixable_clause():
    text = "坚持以邓小平理论和“三个代表”重要思想为指导，推动工作。"
    f = only(text, 2027, "GH-STALE-GUIDING")
    assert f.text == "以邓小平理论和“三个代表”重要思想为指导"
    assert f.suggestion == "以习近平新时代中国特色社会主义思想为指导" and f.fixable


def test_full_constitutional_list_naming_the_current_thought_is_fine():
    text = ("坚持以马克思列宁主义、毛泽东思想、邓小平理论、“三个代表”重要思想、科学发展观、"
            "习近平新时代中国特色社会主义思想为指导。")
    assert hits(text, 2027) == {}


def test_old_theory_outside_a_guiding_clause_is_flagged_but_not_rewritten():
    f = only("全面落实科学发展观。", 2027, "GH-STALE-GUIDING")
    assert f.text == "科学发展观" and not f.fixable
    assert f.suggestion == "习近平新时代中国特色社会主义思想"
    assert hits("全面落实科学发展观。", 2016) == {}


# ---------------------------------------------------------------- campaigns and slogans
def test_campaign_ended_last_year_is_a_warning_then_an_error():
    assert only("扎实开展党纪学习教育。", 2025, "GH-STALE-CAMPAIGN-DJXX").severity == "warning"
    assert only("扎实开展党纪学习教育。", 2026, "GH-STALE-CAMPAIGN-DJXX").severity == "error"
    assert hits("扎实开展党纪学习教育。", 2024) == {}


def test_consolidating_a_campaigns_results_is_current_for_a_while():
    assert hits("巩固拓展党纪学习教育成果。", 2025) == {}
    assert "GH-STALE-CAMPAIGN-DJXX" in hits("巩固拓展党纪学习教育成果。", 2027)
    assert hits("巩固拓展脱贫攻坚成果。", 2025) == {}


def test_slogan_theme_education_needs_the_campaign_not_the_slogan():
    assert hits("不忘初心、牢记使命，团结奋斗。", 2027) == {}
    assert "GH-STALE-CAMPAIGN-BWCX" in hits("开展“不忘初心、牢记使命”主题教育", 2027)


# ---------------------------------------------------------------- explicit years
def test_a_year_claim_for_another_year_is_an_error():
    f = only("2023年是全面贯彻党的二十大精神的开局之年。", 2027, "GH-STALE-YEAR-CLAIM")
    assert (f.text, f.severity, f.suggestion, f.fixable) == ("2023", "error", "2027", False)
    assert hits("2027年是“十五五”规划承上启下的关键之年。", 2027) == {}


@pytest.mark.parametrize("text", [
    "2024年7月，党的二十届三中全会召开。",     # a date is history
    "落实《工会法》（2021年修正）的规定。",   # a law's version
    "到2030年，建成一流职工之家。",           # a target
    "对照2021—2025年规划。",                  # a range
    "2019年以来，坚持开展劳动竞赛。",          # since then
    "2026年底前完成换届。",                    # last year: a look back
    "中华全国总工会成立于1925年。",            # old history
])
def test_years_that_are_history_targets_or_ranges_are_fine(text):
    assert "GH-STALE-YEAR" not in hits(text, 2027)


def test_a_year_left_by_an_old_plan_is_a_warning():
    f = only("2021年重点工作如下。", 2027, "GH-STALE-YEAR")
    assert (f.text, f.severity) == ("2021", "warning")


def test_title_year_other_than_the_plan_year_is_a_certain_fix():
    text = "2023年工会工作计划\n全年工作安排如下。"
    f = only(text, 2027, "GH-STALE-TITLE-YEAR")
    assert (f.start, f.end, f.suggestion, f.fixable) == (0, 4, "2027", True)
    assert hits(text, 2023) == {}
    assert hits("2026—2027学年度工会工作计划\n安排如下。", 2027) == {}


def test_positions_point_into_traditional_full_width_text():
    text = "深入學習貫徹黨的十九大精神，建功“十四五”，２０２３年是關鍵之年。"
    found = hits(text, 2027)
    assert found["GH-STALE-PARTY-19"][0].text == "十九大"
    assert found["GH-STALE-FYP-14"][0].text == "十四五"
    assert found["GH-STALE-YEAR-CLAIM"][0].text == "２０２３"


def test_shared_matches_give_the_same_findings_as_a_fresh_scan():
    text = "坚持以科学发展观为指导，贯彻党的十七大精神，2021年是关键之年。"
    norm = normalise(text)
    assert dated.check(text, 2027) == dated.check(text, 2027, norm, default_catalogue().match(norm.text))


def test_series_are_ordered_and_the_current_member_is_the_first_still_current():
    t = dated.table()
    assert [r.words[0] for r in t.series["five-year-plan"]] == ["十一五", "十二五", "十三五", "十四五", "十五五"]
    assert t.current("party-congress", 2022).words[0] == "十九大"
    assert t.current("party-congress", 2023).words[0] == "二十大"
    assert t.current("union-congress", 2023).words[0] == "十七大"
    assert t.current("union-congress", 2024).words[0] == "十八大"
    for series in t.series.values():     # aligned word forms: a stale word always has a successor form
        assert len({len(r.words) for r in series}) == 1
