"""Stale shapes seen on real pages (issue 12), own texts: a plenum whose 全 was lost in copying,
a Hu-era 和谐X slogan with a longer qualifier run before it, and one-year national events that
date a plan (the 2010 Expo, the 2016 G20 summit). Near misses of the same look stay silent."""
from __future__ import annotations

import pytest

from ghplan.corpus.rules import dated


def found(text: str, year: int = 2027) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in dated.check(text, year):
        out.setdefault(f.rule, []).append(f.text)
    return out


@pytest.mark.parametrize("text,rule,matched", [
    ("深入学习贯彻党的十七届五中会精神。", "GH-STALE-PLENUM-17", "十七届五中会"),
    ("认真学习十九届六中会和中国工会十八大精神。", "GH-STALE-PLENUM-19", "十九届六中会"),
    ("为建设平安富裕和谐东山村贡献力量。", "GH-STALE-SLOGAN-HARMONY-X", "建设平安富裕和谐东山村"),
    ("组织职工参与“迎世博、讲文明”活动。", "GH-STALE-EVENT-EXPO", "迎世博"),
    ("全力服务保障G20杭州峰会,做好职工安全教育。", "GH-STALE-EVENT-G20", "G20杭州峰会"),
    ("组织教职工学习第四次全国教育工作会议精神。", "GH-STALE-MEETING-EDU-WORK", "第四次全国教育工作会议"),
])
def test_stale_shape_is_found_for_a_2027_plan(text, rule, matched):
    got = found(text)
    assert any(matched in t for t in got.get(rule, [])), f"{rule} missed {matched!r}: {got}"


@pytest.mark.parametrize("text", [
    "全面贯彻党的二十大和二十届三中全会、二十届四中全会精神。",
    "为建设富强民主文明和谐美丽的社会主义现代化强国而奋斗。",
    "构建和谐劳动关系,维护职工合法权益。",
    "组织职工观看进博会主题展览。",
    "组织教职工学习全国教育大会精神和全省教育工作会议部署。",
])
def test_current_text_of_the_same_look_stays_silent(text):
    got = {r: t for r, t in found(text).items()
           if r in {"GH-STALE-PLENUM-20", "GH-STALE-SLOGAN-HARMONY-X", "GH-STALE-EVENT-EXPO", "GH-STALE-EVENT-G20",
                       "GH-STALE-MEETING-EDU-WORK"}}
    assert not got, got


def test_the_expo_is_current_in_its_own_year():
    assert "GH-STALE-EVENT-EXPO" not in found("开展迎世博岗位练兵。", year=2010)
    assert "GH-STALE-EVENT-EXPO" in found("开展迎世博岗位练兵。", year=2012)


@pytest.mark.parametrize("text,rule,matched", [
    ("举办纪念三八国际劳动妇女节一百一十周年座谈会。", "GH-STALE-ANNIV-WOMENS-DAY", "妇女节一百一十周年"),
    ("组织女职工参加“学党史、悟思想、办实事”活动。", "GH-STALE-CAMPAIGN-DSXX", "学党史、悟思想、办实事"),
    ("落实甲流防控措施,保障职工健康。", "GH-STALE-EVENT-H1N1", "甲流防控"),
])
def test_more_dated_shapes(text, rule, matched):
    got = found(text)
    assert any(matched in t for t in got.get(rule, [])), f"{rule} missed {matched!r}: {got}"


def test_the_womens_day_anniversary_is_current_in_its_own_year():
    # 1910 + 117 = 2027: the plan year's own number is right, last year's is not
    assert "GH-STALE-ANNIV-WOMENS-DAY" not in found("纪念国际妇女节117周年。", 2027)
    assert "GH-STALE-ANNIV-WOMENS-DAY" in found("纪念国际妇女节116周年。", 2027)


def test_cleaning_reports_a_stale_word_split_by_pinyin_damage():
    from ghplan.corpus.pipeline import inspect_text

    page = ("某鎮婦聯(lián)工作計劃\n一、圍繞中心工作\n堅持以科學(xué)發(fā)展觀統領婦女工作,"
            "推進社會主義新農(nóng)村建設(shè),組織婦女參加技能培訓,幫助留守婦女增收致富。\n")
    res = inspect_text(page, source="t", year=2027)
    got = {t for s in res.stale for t in [s.text]}
    assert "科學(xué)發(fā)展觀" in got, got                   # the damage inside stays in the span
    assert any(t.startswith("新農(nóng)村建設") for t in got), got
    for s in res.stale:                               # offsets point into the page as given
        assert page[s.start:s.end] == s.text


def test_welcoming_a_congress_dates_a_plan_to_that_congress_year():
    text = "开展“喜迎二十大、建功新时代”劳动竞赛,以迎接党的十九大胜利召开为主线。"
    got = found(text, 2027)
    assert "GH-STALE-WELCOME-CONGRESS-20" in got and "GH-STALE-WELCOME-CONGRESS-19" in got
    assert "GH-STALE-WELCOME-CONGRESS-20" not in found("开展喜迎二十大劳动竞赛。", 2022)
    # the congress's own line stays current; welcoming the next congress is not the old one
    assert not {r for r in found("学习贯彻党的二十大精神,喜迎党的二十一大胜利召开。", 2027)
                if r.startswith("GH-STALE-WELCOME")}

