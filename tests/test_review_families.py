"""Each review rule family fires on a small bad example and stays silent on clean text."""
from __future__ import annotations

from pathlib import Path

import pytest

from ghplan.writer.review.reviewer import ReviewResult, review_text

FIXTURES = Path(__file__).parent / "fixtures"
CLEAN_HOSPITAL = (FIXTURES / "clean_hospital.txt").read_text("utf-8")

# A small, clean, current plan to put bad lines into (all four roles, GB/T numbering).
PLAN = """星光社区工会2027年工作计划

一、指导思想
坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，团结服务社区职工。

二、工作目标
全年新发展会员一百人，建成职工之家一个。

三、主要工作
（一）加强组织建设
推动辖区小微企业建会，把快递员和外卖骑手吸收到工会中来，做好会员服务，为职工办实事解难题，让职工感受到组织的温暖。
（二）做好帮扶服务
开展送温暖和金秋助学活动，建立困难职工档案，落实医疗互助，帮助职工解决就医、子女入学等实际困难。
（三）丰富文体生活
组织职工健步走和读书分享会，用好社区职工书屋，每季度开展一次文体活动，增进职工之间的交流。

四、保障措施
社区党委加强领导，工会委员分工负责，经费专款专用。
"""


def review(text: str, **kw) -> ReviewResult:
    kw.setdefault("year", 2027)
    kw.setdefault("org_type", "township")
    kw.setdefault("copy", False)
    r = review_text(text, **kw)
    for f in r.findings:
        assert text[f.start:f.end] == f.text, f
    return r


def rules(r: ReviewResult) -> set[str]:
    return {f.rule for f in r.findings}


def with_line(extra: str, after: str = "全年新发展会员一百人，建成职工之家一个。") -> str:
    assert after in PLAN
    return PLAN.replace(after, after + extra, 1)


def test_the_base_plan_is_clean():
    r = review(PLAN)
    assert r.findings == []
    assert r.sections == {"guiding": True, "goals": True, "tasks": True, "safeguards": True, "schedule": False}


# ---------------------------------------------------------------- 1. structure
@pytest.mark.parametrize("heading, rule", [
    ("一、指导思想", "GH-STRUCT-MISSING-GUIDING"),
    ("二、工作目标", "GH-STRUCT-MISSING-GOALS"),
    ("四、保障措施", "GH-STRUCT-MISSING-SAFEGUARDS"),
])
def test_a_missing_role_is_an_error(heading, rule):
    start = PLAN.index(heading)
    end = PLAN.find("\n\n", start)
    r = review(PLAN[:start] + (PLAN[end + 2:] if end >= 0 else ""))
    assert rule in rules(r)
    f = next(f for f in r.findings if f.rule == rule)
    assert f.severity == "error" and (f.start, f.end) == (0, 0)


def test_role_is_found_whatever_the_heading_wording():
    text = PLAN.replace("一、指导思想", "一、总体要求").replace("四、保障措施", "四、工作要求")
    assert not {"GH-STRUCT-MISSING-GUIDING", "GH-STRUCT-MISSING-SAFEGUARDS"} & rules(review(text))


def test_guiding_line_in_the_opening_paragraph_counts_without_a_heading():
    body = PLAN.split("二、工作目标")[1]
    text = ("某镇总工会2027年工作计划\n坚持以习近平新时代中国特色社会主义思想为指导，服务全镇职工。\n\n一、工作目标" + body)
    text = text.replace("三、主要工作", "二、主要工作").replace("四、保障措施", "三、保障措施")
    r = review(text)
    assert r.sections["guiding"] and "GH-STRUCT-MISSING-GUIDING" not in rules(r)


def test_plan_without_tasks_and_thin_tasks():
    no_tasks = PLAN[:PLAN.index("三、主要工作")] + "三、保障措施\n加强领导。\n"
    assert "GH-STRUCT-MISSING-TASKS" in rules(review(no_tasks))
    padded = PLAN.replace("全年新发展会员一百人，建成职工之家一个。", "全年新发展会员一百人。" * 60)
    f = next(f for f in review(padded).findings if f.rule == "GH-STRUCT-TASKS-THIN")
    assert f.severity == "warning" and f.text.startswith("三、主要工作")
    assert "GH-STRUCT-TASKS-THIN" not in rules(review(PLAN))


def test_a_summary_is_not_a_plan():
    summary = ("某厂工会2026年工作总结\n一年来，厂工会在上级工会的领导下，开展了劳动竞赛，举办了职工运动会，"
               "走访了困难职工，取得了一定成绩。现将全年工作总结如下：\n一、加强组织建设\n发展了会员八十人，"
               "召开了职代会。\n二、维护职工权益\n签订了集体合同，慰问了困难职工二十人。\n")
    r = review(summary, org_type="enterprise", year=2027)
    f = next(f for f in r.findings if f.rule == "GH-STRUCT-SUMMARY")
    assert f.severity == "error" and f.text in ("取得了", "开展了", "现将", "总结如下")
    assert "GH-STRUCT-SUMMARY" not in rules(review(PLAN))


# ---------------------------------------------------------------- 2. boilerplate and damage
@pytest.mark.parametrize("bad, rule, fixable", [
    ("以下是小编整理的工会工作计划范文，希望对大家有所帮助。", "GH-CHAT-EDITOR", True),
    ("推进建会精编资料,供您参考工作。", "GH-WM-REFERENCE", True),
    ("xxx工会要做好服务。", "GH-PH-NAME", False),
    ("20xx年是关键之年。", "GH-PH-YEAR", False),
    ("落实厂务公开、*管理制度。", "GH-CENSOR-STAR", False),
    ("希望这篇文章符合您的需求。", "GH-BOT-SIGNOFF", True),
    ("工会锟斤拷工作。", "GH-MOJI-REPLACEMENT", False),
    ("做好**重点工作**。", "GH-MD-BOLD", True),
])
def test_boilerplate_and_damage_are_found_and_only_safe_deletions_are_fixable(bad, rule, fixable):
    r = review(with_line(bad))
    found = [f for f in r.findings if f.rule == rule]
    assert found, rules(r)
    assert all(f.fixable == fixable for f in found)
    assert {f.rule for f in r.findings} - {rule} <= {"GH-CHAT-XIAOBIAN", "GH-CHAT-HOPE", "GH-PH-YEAR",
                                                     "GH-STALE-YEAR-CLAIM", "GH-MD-BOLD", "GH-PH-STARS"}


def test_markdown_heading_in_a_printed_plan_is_a_warning():
    r = review(PLAN.replace("二、工作目标", "## 二、工作目标"))
    f = next(f for f in r.findings if f.rule == "GH-MD-HEADING")
    assert f.severity == "warning" and f.text.strip() == "##"


# ---------------------------------------------------------------- 3. staleness
def test_stale_references_are_found_with_suggestions_for_the_plan_year():
    text = with_line("深入学习贯彻党的十七大精神，建功“十四五”，扎实开展党史学习教育。")
    found = {f.rule: f for f in review(text).findings}
    assert found["GH-STALE-PARTY-17"].suggestion == "二十大" and "党的二十大" in found["GH-STALE-PARTY-17"].message
    assert found["GH-STALE-FYP-14"].suggestion == "十五五"
    assert "GH-STALE-CAMPAIGN-DSXX" in found
    in_2024 = rules(review(text.replace("2027年", "2024年"), year=2024))
    assert "GH-STALE-PARTY-17" in in_2024 and "GH-STALE-FYP-14" not in in_2024   # 十四五 was current then


def test_title_year_different_from_the_requested_year():
    r = review(PLAN, year=2028)
    f = next(f for f in r.findings if f.rule == "GH-STALE-TITLE-YEAR")
    assert f.text == "2027" and f.suggestion == "2028" and f.fixable


def test_year_defaults_to_the_title_then_next_year():
    r = review_text(PLAN, org_type="township", copy=False)
    assert (r.year, r.year_source) == (2027, "title")
    untitled = PLAN.replace("2027年", "")
    from datetime import date
    r = review_text(untitled, org_type="township", copy=False, today=date(2026, 11, 23))
    assert (r.year, r.year_source) == (2027, "default")


# ---------------------------------------------------------------- 4. wrong organisation
def test_school_words_in_a_hospital_plan():
    text = CLEAN_HOSPITAL.replace("凝聚全院职工力量", "凝聚全院教职工力量").replace("医德讲坛", "师德讲坛")
    found = [f for f in review(text, org_type="hospital").findings if f.rule == "GH-ORG-WRONG-VOCAB"]
    assert {(f.text, f.suggestion) for f in found} == {("教职工", "医务人员"), ("师德", "医德医风")}
    assert all(f.severity == "error" and not f.fixable for f in found)


def test_hospital_words_in_a_school_plan_and_exempt_longer_words():
    text = with_line("关心患者家属。")
    assert "GH-ORG-WRONG-VOCAB" in rules(review(text, org_type="school"))
    assert "GH-ORG-WRONG-VOCAB" not in rules(review(with_line("资助职工子女中的大学生。"), org_type="enterprise"))
    assert "GH-ORG-WRONG-VOCAB" in rules(review(with_line("关心学生成长。"), org_type="enterprise"))


def test_clean_hospital_plan_has_no_wrong_vocabulary_and_its_type_is_inferred():
    r = review_text(CLEAN_HOSPITAL, copy=False)
    assert r.org_type == "hospital" and r.org_type_inferred
    assert r.findings == []


# ---------------------------------------------------------------- 5. numbering
def _num(r: ReviewResult) -> list[tuple[str, str, str]]:
    return [(f.rule, f.text, f.suggestion) for f in r.findings if f.category == "numbering"]


def test_gap_repeat_and_backwards():
    assert _num(review(PLAN.replace("三、主要工作", "四、主要工作").replace("四、保障措施", "五、保障措施"))) == \
        [("GH-NUM-GAP", "四、", "三、")]
    assert _num(review(PLAN.replace("（三）丰富文体生活", "（二）丰富文体生活"))) == \
        [("GH-NUM-REPEAT", "（二）", "（三）")]
    backwards = PLAN.replace("三、主要工作", "X").replace("四、保障措施", "三、保障措施").replace("X", "四、主要工作")
    assert ("GH-NUM-ORDER", "三、", "四、") in _num(review(backwards))


def test_second_plan_glued_on_restarts_and_is_not_renumbered():
    f = [x for x in _num(review(PLAN + "\n" + PLAN.split("\n", 1)[1])) if x[0] == "GH-NUM-ORDER"]
    assert f == [("GH-NUM-ORDER", "一、", "")]


def test_skipped_level_is_one_warning_per_habit():
    text = PLAN.replace("（一）加强组织建设", "1.加强组织建设").replace("（二）做好帮扶服务", "2.做好帮扶服务") \
               .replace("（三）丰富文体生活", "3.丰富文体生活")
    found = [f for f in review(text).findings if f.rule == "GH-NUM-SKIP-LEVEL"]
    assert len(found) == 1 and found[0].severity == "warning" and found[0].text == "1."
    assert "(一)" in found[0].message and "3 places" in found[0].message


def test_mixed_styles_and_marker_punctuation():
    text = PLAN.replace("推动辖区小微企业建会", "1.推动辖区小微企业建会\n2、吸收新会员")
    assert ("GH-NUM-MIXED-STYLE", "2、", "2.") in _num(review(text))
    r = review(PLAN.replace("一、指导思想", "一、.指导思想"))
    assert ("GH-NUM-STRAY-DOT", ".", "") in _num(r)
    assert "GH-STRAY-DOT" not in rules(r)            # the numbering rule replaces the generic one
    assert ("GH-NUM-PUNCT", "（一）、", "（一）") in _num(review(PLAN.replace("（一）加强", "（一）、加强")))


# ---------------------------------------------------------------- 6. copying (see test_review_copy.py)
def test_copy_check_is_on_by_default_and_names_the_source():
    from ghplan.corpus.pipeline import build_corpus

    doc = max(build_corpus().documents, key=lambda d: len(d.text))
    passage = doc.text[200:320]
    r = review_text(with_line(passage), org_type="township", year=2027)
    f = next(f for f in r.findings if f.rule == "GH-COPY-RUN")
    assert f.severity == "error" and doc.doc_id in f.message and len(f.text) >= 100
