"""Stale families on text shaped like real pages (own texts): each family is found, the
current and the retrospective stay clean, and the year facts decide — never a hand list."""
from __future__ import annotations

import pytest

from ghplan.corpus.rules import dated


def rules(text: str, year: int = 2027) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in dated.check(text, year):
        assert text[f.start:f.end] == f.text
        out.setdefault(f.rule, []).append(f)
    return out


@pytest.mark.parametrize("text, rule, found", [
    # explicit years in every form
    ("2019社区工会工作计划范文\n一、指导思想", "GH-STALE-TITLE-YEAR", "2019"),
    ("首页 > 范文\n\n2020街道工会工作计划 篇1\n正文", "GH-STALE-YEAR", "2020"),
    ("某厂工会工作计划\n一、二〇一一年主要工作回顾", "GH-STALE-YEAR", "二〇一一"),
    ("执行《职工服务三年行动方案(2021—2024年)》。", "GH-STALE-YEAR-HISTORY", "2021—2024年"),
    ("自2021年5月起在全系统开展。", "GH-STALE-YEAR-HISTORY", "2021"),
    ("下发《关于2020年度先进集体的通报》。", "GH-STALE-YEAR", "2020"),
    ("某厂工会委员会\n2023年12月20日\n", "GH-STALE-SIGNATURE-DATE", "2023"),
    # congresses and plenums
    ("认真学习贯彻全国工会十四大精神。", "GH-STALE-UNION-14", "十四大"),
    ("认真落实中国妇女十一大精神。", "GH-STALE-WOMEN-11", "中国妇女十一大"),
    ("传达市委五届八次全会精神。", "GH-STALE-LOCAL-PLENUM", "五届八次全会"),
    ("贯彻浙江工会十三大精神。", "GH-STALE-LOCAL-CONGRESS", "浙江工会十三大"),
    ("深入学习贯彻党的二十大和二十届二中全会精神。", "GH-STALE-PLENUM-20", "二十届二中全会"),
    # five-year-plan stages
    ("“十五”期间，公司产值翻番。", "GH-STALE-FYP-10", "“十五”期间"),
    ("组织学习“四五”普法读本。", "GH-STALE-PUFA-4", "四五”普法"),
    # Hu-era slogans and their family
    ("努力建设和谐企业，争创文明单位。", "GH-STALE-SLOGAN-HARMONY-X", "和谐企业"),
    ("为构建平安和谐城区贡献力量。", "GH-STALE-SLOGAN-HARMONY-X", "构建平安和谐城区"),
    ("开展八荣八耻和荣辱观教育。", "GH-STALE-SLOGAN-RONGRU", "八荣八耻"),
    ("推动经济又好又快发展。", "GH-STALE-SLOGAN-HAOKUAI", "又好又快"),
    ("为全镇三个文明建设作贡献。", "GH-STALE-SLOGAN-THREE-CIVILISATIONS", "三个文明建设"),
    # finished and year-named campaigns
    ("以“质量效能提升年”活动为抓手。", "GH-STALE-YEAR-CAMPAIGN", "质量效能提升年"),
    ("结合先教活动开展岗位练兵。", "GH-STALE-CAMPAIGN-XJX", "先教活动"),
    ("扎实开展主题教育，推动工作落实。", "GH-STALE-CAMPAIGN-BARE-THEME", "开展主题教育"),
    # obsolete items
    ("配合做好计划生育工作。", "GH-STALE-OBSOLETE-FAMILY-PLANNING", "计划生育"),
    ("组织学习《婚姻法》。", "GH-STALE-OBSOLETE-MARRIAGE-LAW", "婚姻法"),
    ("帮助下岗职工再就业。", "GH-STALE-OBSOLETE-LAID-OFF", "下岗职工"),
    ("鼓励教师建立个人网页。", "GH-STALE-OBSOLETE-BLOG", "个人网页"),
    ("团结职工奔小康。", "GH-STALE-SLOGAN-XIAOKANG-GOAL", "奔小康"),
    # ordinal anniversaries, counted from the founding year
    ("迎接第一百一十个国际妇女节。", "GH-STALE-ANNIV-WOMENS-DAY", "第一百一十个国际妇女节"),
    ("庆祝第130个“五一”国际劳动节。", "GH-STALE-ANNIV-LABOUR-DAY", "第130个“五一”国际劳动节"),
    ("纪念第110个国际护士节。", "GH-STALE-ANNIV-NURSES-DAY", "第110个国际护士节"),
    ("庆祝第5个中国医师节。", "GH-STALE-ANNIV-DOCTORS-DAY", "第5个中国医师节"),
    ("喜迎建党一百零三周年。", "GH-STALE-ANNIV-PARTY", "建党一百零三周年"),
    ("2024年是党的二十大召开之后的第二年，也是党的二十大召开之年的后一年。", "GH-STALE-YEAR-CLAIM", "2024"),
])
def test_each_family_is_found_in_a_2027_plan(text, rule, found):
    got = rules(text)
    assert rule in got, got
    assert any(found in f.text for f in got[rule]), [f.text for f in got[rule]]


def test_anniversary_numbers_follow_the_plan_year_not_a_list():
    for year in range(2026, 2031):
        n = year - 1910
        assert rules(f"迎接第{n}个“三八”国际劳动妇女节。", year) == {}
        f = rules(f"迎接第{n - 2}个“三八”国际劳动妇女节。", year)["GH-STALE-ANNIV-WOMENS-DAY"][0]
        assert f.fixable and str(n) in f.suggestion


@pytest.mark.parametrize("text", [
    "党的十八大以来，工会工作取得新进展。",
    "深入学习贯彻中国工会十八大精神。",
    "2027年是“十五五”规划承上启下的关键之年。",
    "2027年是“十五五”规划的深入实施之年。",
    "构建和谐劳动关系，促进劳动关系和谐稳定。",
    "推动人与自然和谐共生，营造温馨和谐的职工之家。",
    "开展“书香三八”主题教育活动。",
    "贯彻《中华人民共和国人口与计划生育法》。",
    "深入学习贯彻党的二十大和二十届三中、四中全会精神。",
    "传达全总十八届五次执委会议精神。",
    "迎接第117个“三八”国际劳动妇女节。",
    "落实《工会法》（2021年修正）。",
    "某厂工会委员会\n2026年12月\n",
    "会计、统计人员参加培训，设计生产流程。",
])
def test_current_and_retrospective_text_stays_clean_in_2027(text):
    assert rules(text) == {}


def test_a_stale_title_does_not_license_its_year_in_the_body():
    text = "2025年工会工作计划\n一、主要工作\n2025年重点抓好职工之家建设。\n某厂工会\n2024年12月\n"
    got = rules(text)
    assert got["GH-STALE-TITLE-YEAR"][0].text == "2025"
    assert got["GH-STALE-YEAR"][0].text == "2025"            # the body's, in the same review
    assert got["GH-STALE-SIGNATURE-DATE"][0].text == "2024"
    assert rules(text.replace("2025年工会", "2027年工会").replace("2025年重点", "重点")
                 .replace("2024年12月", "2026年12月")) == {}


def test_a_timestamp_first_line_is_not_a_title():
    assert "GH-STALE-TITLE-YEAR" not in rules("2017年09月19日 12:20 阅读 300\n某厂工会工作计划\n")


def test_local_bodies_are_info_and_national_ones_are_not_local():
    f = rules("贯彻省总工会十五届三次全委会议精神。")["GH-STALE-LOCAL-PLENUM"][0]
    assert f.severity == "info" and not f.fixable
    assert "GH-STALE-LOCAL-PLENUM" not in rules("贯彻全国总工会第十五届三次执委会议精神。")
