"""Generated drafts, broken model output, the declared organisation, messages that fit, labels.

Every text here is written for this project (none comes from a scraped page).
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from ghplan.corpus import doc_kind, label
from ghplan.eval.labels import judge_spans
from ghplan.eval.stages.reviewer import _fixtures_in
from ghplan.writer.review.report import finding_lines
from ghplan.writer.review.reviewer import review_text
from ghplan.writer.review.rules import review_rules

ROOT = Path(__file__).resolve().parents[1]
REVIEWER = ROOT / "eval" / "fixtures" / "reviewer"
CLEAN = sorted((ROOT / "tests" / "fixtures").glob("clean_*.txt"))


def review(text: str, **kw):
    kw.setdefault("year", 2027)
    kw.setdefault("copy", False)
    return review_text(text, **kw)


def rules(r) -> set[str]:
    return {f.rule for f in r.findings}


# ---------------------------------------------------------------- generated drafts
def test_generated_drafts_cover_every_org_type_and_review_finds_their_defects():
    fixtures = _fixtures_in(REVIEWER / "generated_drafts.toml")
    assert len(fixtures) >= 10
    assert {fx.type for fx in fixtures} >= {"school", "hospital", "enterprise", "township", "federation",
                                            "government", "women"}
    labels = found = 0
    for fx in fixtures:
        r = review(fx.text, org_type=fx.type, year=fx.year)
        spans, docs, _ = judge_spans(fx.labels, fx.doc_labels, r.to_json()["findings"])
        labels += len(spans) + len(docs)
        found += sum(spans) + sum(docs)
    assert labels >= 50 and found / labels >= 0.93, (found, labels)


@pytest.mark.parametrize("fx", _fixtures_in(REVIEWER / "generated_clean.toml"), ids=lambda fx: fx.id)
def test_clean_generated_plans_have_no_errors_given_or_inferred(fx):
    given = review(fx.text, org_type=fx.type, year=fx.year)
    assert given.errors == 0, [(f.rule, f.text) for f in given.findings if f.severity == "error"]
    inferred = review(fx.text)
    assert inferred.org_type == fx.type and inferred.errors == 0


def test_there_are_at_least_ten_clean_generated_plans():
    assert len(_fixtures_in(REVIEWER / "generated_clean.toml")) >= 10


@pytest.mark.parametrize("rule", [r for r in review_rules().values() if r.pattern], ids=lambda r: r.id)
def test_every_generated_draft_rule_fires_on_its_example(rule):
    r = review(rule.example)
    assert rule.id in rules(r) or any(f.category == rule.category and f.severity != "info" for f in r.findings)


# ---------------------------------------------------------------- broken model output
PLAN = """某机械有限公司工会2027年工作计划
公司工会将团结动员全体职工在提质增效中建功立业，特制定本计划。
一、指导思想
以习近平新时代中国特色社会主义思想为指导，坚持以职工为中心，围绕公司生产经营中心任务开展工作。
二、工作目标
职代会按期召开，厂务公开规范透明，集体合同签订率保持百分之百。
三、主要工作
（一）开展劳动竞赛
围绕安全生产开展班组劳动竞赛和技术比武，选树一批岗位能手和劳模工匠。
（二）维护职工权益
开展工资集体协商，监督劳动保护措施落实，做好困难职工帮扶和送温暖工作。
四、保障措施
公司工会委员会分工负责，定期检查落实情况，管好用好工会经费。
"""


def test_the_base_plan_has_no_broken_output_finding():
    assert not {r for r in rules(review(PLAN)) if r.startswith(("GH-STRUCT-TRUNC", "GH-STRUCT-EMPTY",
                                                                  "GH-STRUCT-REPEAT", "GH-STRUCT-TOO"))}


def test_a_plan_cut_off_mid_sentence_is_truncated_and_its_tail_is_shown():
    cut = PLAN[:PLAN.index("管好用好")] + "管好用好工会"
    r = review(cut)
    f = next(f for f in r.findings if f.rule == "GH-STRUCT-TRUNCATED")
    assert f.severity == "error" and cut.endswith(f.text)
    assert "GH-STRUCT-TRUNCATED" not in rules(review(PLAN + "\n某机械有限公司工会\n2027年1月8日\n"))


def test_the_eval_truncated_mock_is_caught_by_review_itself():
    mock = tomllib.loads((ROOT / "eval" / "mocks" / "truncated.toml").read_text("utf-8"))
    r = review(mock["plan"], org_type=mock["eval"]["type"])
    assert "GH-STRUCT-TRUNCATED" in rules(r)
    assert "GH-STRUCT-TRUNCATED" in mock["eval"]["expect"]["rules"]


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.stem)
def test_clean_fixtures_are_not_broken(path):
    assert not {r for r in rules(review(path.read_text("utf-8"))) if r.startswith("GH-STRUCT-")}


def test_a_heading_with_nothing_under_it():
    r = review(PLAN.replace("公司工会委员会分工负责，定期检查落实情况，管好用好工会经费。\n", ""))
    assert "GH-STRUCT-EMPTY-SECTION" in rules(r)


def test_a_looping_model_repeats_a_paragraph():
    para = "围绕安全生产开展班组劳动竞赛和技术比武，选树一批岗位能手和劳模工匠。\n"
    r = review(PLAN.replace("（二）维护职工权益\n", "（二）维护职工权益\n" + para))
    f = next(f for f in r.findings if f.rule == "GH-STRUCT-REPEAT")
    assert f.severity == "error" and "9" in f.message       # names the line said first


def test_far_under_the_length_target():
    assert "GH-STRUCT-TOO-SHORT" in rules(review(PLAN, length_target=2000))
    assert "GH-STRUCT-TOO-SHORT" not in rules(review(PLAN, length_target=300))


def test_two_topics_that_say_the_same_thing_and_a_lone_sub_item():
    same = PLAN.replace("（二）维护职工权益", "（二）深入开展劳动竞赛")
    assert "GH-STRUCT-SAME-TOPIC" in rules(review(same))
    lone = PLAN.replace("（二）维护职工权益\n开展工资集体协商，监督劳动保护措施落实，做好困难职工帮扶和送温暖工作。\n", "")
    f = next(f for f in review(lone).findings if f.rule == "GH-STRUCT-SINGLE-ITEM")
    assert f.text.startswith("（一）") and f.severity == "warning"


def test_a_looking_back_sentence_inside_a_plan():
    back = PLAN.replace("选树一批岗位能手和劳模工匠。", "选树一批岗位能手和劳模工匠。去年共组织技术比武八场，取得了良好效果。")
    assert "GH-STRUCT-LOOKBACK" in rules(review(back))


# ---------------------------------------------------------------- the declared organisation wins
SCHOOL = (ROOT / "tests" / "fixtures" / "clean_school.txt").read_text("utf-8")


def test_a_school_plan_retitled_for_a_hospital_is_reviewed_as_a_hospital_plan():
    first = SCHOOL.split("\n", 1)[0]
    retitled = SCHOOL.replace(first, "东岭县人民医院工会2027年工作计划", 1)
    r = review(retitled)
    assert (r.org_type, r.declared_type, r.declared_from, r.body_type) == ("hospital", "hospital", "title", "school")
    assert r.errors >= 10 and "GH-ORG-DECLARED-MISMATCH" in rules(r)
    j = r.to_json()
    assert (j["type"], j["declared_type"], j["body_type"]) == ("hospital", "hospital", "school")


def test_org_name_declares_the_type_and_a_company_gets_the_hospital_words_flagged():
    hospital = (ROOT / "tests" / "fixtures" / "clean_hospital.txt").read_text("utf-8")
    r = review(hospital, org_name="东岭机械制造有限公司工会")
    assert r.org_type == "enterprise" and r.declared_from == "org" and r.body_type == "hospital"
    flagged = {f.text for f in r.findings if f.rule == "GH-ORG-WRONG-VOCAB"}
    assert {"医务人员", "院务公开"} <= flagged


def test_a_womens_committee_of_a_school_is_not_a_mismatch():
    text = SCHOOL.replace(SCHOOL.split("\n", 1)[0], "青禾路小学工会女职工委员会2027年工作计划", 1)
    r = review(text)
    assert r.org_type == "women" and "GH-ORG-DECLARED-MISMATCH" not in rules(r)


def test_the_text_report_says_declared_and_body_types(tmp_path):
    from ghplan.writer.review.report import header

    r = review(SCHOOL.replace(SCHOOL.split("\n", 1)[0], "东岭县人民医院工会2027年工作计划", 1))
    assert "hospital" in header(r) and "body reads as school" in header(r)


# ---------------------------------------------------------------- messages that fit
def test_a_message_names_what_was_matched_not_another_rules_examples():
    r = review(PLAN + "以上内容仅供参考。\n")
    f = next(f for f in r.findings if "仅供参考" in f.text)
    assert "一起来看看吧" not in f.message and "仅供参考" in f.message
    assert "一起来看看吧" not in f.message_zh


def test_text_output_shows_the_matched_text():
    r = review(PLAN.replace("公司工会将", "xx公司工会将"))
    line = next(line for _, _, line in finding_lines(r) if "GH-PH-NAME" in line)
    assert "“xx”" in line


# ---------------------------------------------------------------- labels from the body
def test_a_youth_league_plan_under_a_union_title_is_other():
    text = ("团委2027年工作计划\n团委将团结带领全体团员青年，加强团组织建设，做好团员发展和团干部培训，"
            "开展青年志愿者服务活动，组织团支部书记培训。\n")
    assert label.infer_org_type(text) == "other"


def test_superiors_named_in_a_leadership_clause_do_not_label_the_plan():
    text = ("在镇党委和县总工会的正确领导下，我镇总工会将扎实推进非公企业建会，做好全镇职工服务，"
            "推动镇工会工作上台阶，服务全镇农民工和新就业形态劳动者。")
    assert label.infer_org_type(text) == "township"


def test_a_kindergarten_plan_is_a_school_plan_and_a_plan_is_a_plan():
    text = ("本学期我园工会将关心全园教职工，配合做好保教工作，开展幼儿教师技能比赛，组织教职工健康体检，"
            "认真落实园务公开制度，推动幼儿园民主管理。")
    assert label.infer_org_type(text) == "school"
    assert doc_kind.infer_doc_kind(text) == "plan"


def test_a_summary_that_turns_to_next_years_plans_is_mixed():
    text = ("一年来，公司工会开展了劳动竞赛，举办了职工运动会，慰问了困难职工，取得了较好成绩。"
            "全年共组织技能比武六场。职工书屋完成了改造。\n明年，公司工会将继续深化劳动竞赛，要进一步推进厂务公开，"
            "力争集体合同签订率保持百分之百，确保困难职工帮扶到位，要着力建设职工之家。")
    assert doc_kind.infer_doc_kind(text) == "mixed"


def test_json_lines_carry_the_added_fields():
    line = json.dumps(review(PLAN).to_json(), ensure_ascii=False)
    assert '"declared_type": "enterprise"' in line and '"body_type": "enterprise"' in line


def test_overlap_test_agrees_with_checking_every_span():
    import random

    from ghplan.writer.review.spans import overlap_test

    rng = random.Random(7)
    for _ in range(200):
        spans = [(a, a + rng.randint(0, 6)) for a in (rng.randint(0, 40) for _ in range(rng.randint(0, 8)))]
        test = overlap_test(spans)
        for start in range(0, 45, 3):
            end = start + rng.randint(0, 5)
            assert test(start, end) == any(s < end and start < e for s, e in spans), (spans, start, end)


def test_same_topics_are_judged_among_siblings():
    """Two sections may each have a topic on the same subject; within one list it is a repeat."""
    from ghplan.corpus.headings import find_headings
    from ghplan.writer.review.broken import same_topics

    text = ("一、主要工作\n（一）加强职工思想政治引领\n（二）加强职工思想政治引领工作\n"
            "二、保障措施\n（一）加强组织领导\n三、时间安排\n（一）加强组织领导工作\n")
    found = same_topics(text, find_headings(text))
    assert [text[f.start:f.end].strip() for f in found] == ["（二）加强职工思想政治引领工作"]
