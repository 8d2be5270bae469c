"""--fix: certain fixes applied, the rest left for a person."""
from __future__ import annotations

from pathlib import Path

import pytest

from ghplan.writer.review.fix import fix_text
from ghplan.writer.review.reviewer import review_text

FIXTURES = Path(__file__).parent / "fixtures"

OLD = """2026年枫林中学工会工作计划
以下是小编整理的学校工会工作计划，希望对大家有所帮助。
一、指导思想
坚持以科学发展观为指导，深入学习贯彻党的十九大精神，围绕“十四五”教育规划，团结全校教职工。
三、工作目标
全年召开教代会两次，校务公开栏按月更新。
四、主要工作
（一）加强师德建设。组织教职工学习**先进事迹**，开展师德讲堂。
（二）关心教职工生活。做好xx慰问工作，落实*管理制度。
五、保障措施
校党支部加强领导，工会委员分工负责。希望这篇文章符合您的需求。
"""

EXPECTED = """2027年枫林中学工会工作计划
一、指导思想
坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大精神，围绕“十五五”教育规划，团结全校教职工。
二、工作目标
全年召开教代会两次，校务公开栏按月更新。
三、主要工作
（一）加强师德建设。组织教职工学习先进事迹，开展师德讲堂。
（二）关心教职工生活。做好xx慰问工作，落实*管理制度。
四、保障措施
校党支部加强领导，工会委员分工负责。
"""


def review(text: str, **kw):
    return review_text(text, org_type="school", year=2027, copy=False, **kw)


def test_refreshing_last_years_plan():
    before = review(OLD)
    fixed = fix_text(OLD, before.findings)
    assert fixed.text == EXPECTED
    assert fixed.renumbered == 3
    after = review(fixed.text)
    left = {f.rule for f in after.findings}
    # what needs a person stays: a placeholder and a censored word
    assert left == {"GH-PH-NAME", "GH-CENSOR-STAR"}
    assert all(not f.fixable for f in after.findings)


def test_fix_is_idempotent():
    once = fix_text(OLD, review(OLD).findings).text
    assert fix_text(once, review(once).findings).text == once


def test_wrong_organisation_words_and_copied_runs_are_never_rewritten():
    text = OLD.replace("校党支部", "院党委")
    hospital = review_text(text, org_type="hospital", year=2027, copy=False)
    assert any(f.rule == "GH-ORG-WRONG-VOCAB" for f in hospital.findings)
    fixed = fix_text(text, hospital.findings).text
    assert fixed.count("教职工") == text.count("教职工")


def test_a_one_line_page_loses_only_the_rot():
    page = ("2026年工会工作计划精编资料,供您参考一、指导思想坚持以习近平新时代中国特色社会主义思想为指导。"
            "二、主要工作开展劳动竞赛，建功“十四五”。")
    r = review_text(page, org_type="enterprise", year=2027, copy=False)
    fixed = fix_text(page, r.findings).text
    assert fixed == ("2027年工会工作计划一、指导思想坚持以习近平新时代中国特色社会主义思想为指导。"
                     "二、主要工作开展劳动竞赛，建功“十五五”。")


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("clean_*.txt")))
def test_fixing_a_clean_plan_changes_nothing(name):
    text = (FIXTURES / name).read_text("utf-8")
    r = review_text(text, year=2027, copy=False)
    assert fix_text(text, r.findings).text == text


SEEDS = sorted((Path(__file__).parent.parent / "corpus" / "seeds").glob("*.txt"))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_fixing_a_seed_page_until_stable_leaves_only_work_for_a_person(seed):
    from ghplan.writer.review.fix import fix_until_stable

    text = seed.read_text("utf-8")
    first = review(text)
    fixed, count, final = fix_until_stable(text, review)
    assert count > 5 and len(fixed) < len(text)
    assert not any(f.fixable for f in final.findings)
    assert final.errors < first.errors
    assert "小编" not in fixed and "精编资料" not in fixed and "希望对大家有所帮助" not in fixed


# ---------------------------------------------------------------- year-bound phrases: whole or not at all
from ghplan.writer.draft.facts import year_facts  # noqa: E402


def review_for(text: str, year: int):
    return review_text(text, org_type="school", year=year, copy=False)

_STAGE = {2026: "开局之年", 2027: "深入实施之年", 2028: "深入实施之年", 2029: "攻坚之年", 2030: "收官之年"}
_PHRASES = [
    # (text, rewritten whole for the plan year? )
    ("2025年是“十四五”规划的收官之年。", True),
    ("2021年是“十四五”规划的开局之年。", True),
    ("今年是“十四五”规划的收官之年。", True),
    ("2024年是“十四五”规划的攻坚之年。", True),
    ("2023年是全面贯彻党的二十大精神的开局之年，也是实施“十四五”规划承上启下的关键一年。", False),
    ("2025年是“十四五”规划收官之年，也是谋划“十五五”的关键之年。", False),
    ("庆祝第112个“三八”国际劳动妇女节。", True),
]


@pytest.mark.parametrize("year", range(2026, 2031))
@pytest.mark.parametrize("text, whole", _PHRASES)
def test_year_bound_phrases_are_rewritten_whole_or_left(text, whole, year):
    found = review_for(text, year).findings
    fixed = fix_text(text, found).text
    fyp = year_facts(year).five_year_plan
    if "三八" in text:
        assert fixed == text.replace("112", str(year - 1910))
    elif whole:
        lead = "今年" if text.startswith("今年") else f"{year}年"
        assert fixed == f"{lead}是“{fyp}”规划的{_STAGE[year]}。"
    else:
        assert fixed == text      # never half-fixed: 十四五 inside stays for a person
    assert "十四五" not in fixed or fixed == text
    # and what is left is reported for a person, not silently passed
    if not whole:
        assert any(f.rule == "GH-STALE-YEAR-CLAIM" and not f.fixable for f in review_for(fixed, year).findings)


@pytest.mark.parametrize("year", range(2026, 2031))
def test_a_right_phrase_for_the_plan_year_is_untouched(year):
    text = f"{year}年是“十五五”规划的{_STAGE[year]}。"
    assert [f for f in review_for(text, year).findings if f.category == "stale"] == []
    wrong = f"{year}年是“十五五”规划的{'收官之年' if year != 2030 else '开局之年'}。"
    fixed = fix_text(wrong, review_for(wrong, year).findings).text
    assert fixed == text


def test_old_title_body_and_signature_are_all_reported_at_once():
    text = ("2025年工会工作计划\n一、指导思想\n以习近平新时代中国特色社会主义思想为指导。\n"
            "二、主要工作\n2025年重点抓好职工之家建设。\n某厂工会\n2024年12月\n")
    found = {f.rule: f for f in review_for(text, 2027).findings if f.category == "stale"}
    assert {"GH-STALE-TITLE-YEAR", "GH-STALE-YEAR", "GH-STALE-SIGNATURE-DATE"} <= set(found)
    assert not found["GH-STALE-SIGNATURE-DATE"].fixable    # the real date is for a person


def test_certain_edits_are_the_edits_fix_text_applies():
    # refresh builds its change log from certain_edits; fix_text must apply exactly those
    from ghplan.corpus import clean
    from ghplan.writer.review.fix import _tidy, certain_edits, fix_text
    from ghplan.writer.review.reviewer import review_text

    text = ("某区总工会2025年工作计划\n\n一、指导思想\n坚持以科学发展观为指导，贯彻“十四五”规划。本文由小编整理。\n"
            "二、工作目标\n庆祝第115个国际护士节。\n")
    result = review_text(text, org_type="federation", year=2027, copy=False)
    pairs = certain_edits(text, result.findings)
    assert pairs and all(f.fixable for f, _ in pairs)
    applied, _ = clean.apply_edits(text, [e for _, e in pairs])
    assert fix_text(text, result.findings, renumber=False).text == _tidy(text, applied)
