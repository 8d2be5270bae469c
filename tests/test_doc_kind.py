"""Doc kind (plan / summary / mixed) on texts written for these tests, in several real styles each.

A careful reader's features: what a meeting in a news report did (reviewed, deployed), headings that
name results, an opening that announces both parts, where the looking-back part ends, and cue words
read as words (为了 is no completed action, 重要 no intention).
"""
from __future__ import annotations

import pytest

from ghplan.corpus import doc_kind

PLANS = {
    "chat-style plan with 为了 and 了解": (
        "桃溪社区工会2027年工作计划\n"
        "为了更好地服务辖区职工，进一步发挥社区工会的桥梁作用，结合社区实际，特制定本计划。\n"
        "一、夯实组织基础\n社区工会将逐户走访辖区小微企业，深入了解职工入会意愿，力争新增会员一百名。\n"
        "二、做实服务项目\n为了让快递员、外卖骑手歇脚有处，社区工会将在两处网点建成爱心驿站，确保全年开放。\n"
        "三、丰富文化生活\n组织职工趣味运动会和读书分享会，为了方便上班族参加，活动安排在周末。\n"
        "四、保障措施\n社区工会委员分片包干，每季度向社区党委汇报一次进展。"),
    "plan that opens with one recap sentence": (
        "去年，我园工会被评为区级模范职工小家。\n"
        "本学期，园工会将继续关心每一位教职工，组织青年教师开展说课比赛，力争人人过关。\n"
        "园工会将落实园务公开，每月公布一次工会经费使用情况。\n"
        "我们还将组织教职工健康体检，确保体检全覆盖，并为生病住院的教职工送去慰问。\n"
        "园工会将在教师节前后举办一次教工联谊活动，进一步增强集体凝聚力。"),
    "plan with 十八大以来 framing and 重要/主要": (
        "党的十八大以来，以习近平同志为核心的党中央高度重视工人阶级和工会工作，为新时代工会工作指明了方向。\n"
        "一、指导思想\n坚持以习近平新时代中国特色社会主义思想为指导，把服务职工作为主要任务。\n"
        "二、主要工作\n1.加强思想引领。组织职工学习重要讲话精神，每季度举办一次专题讲座。\n"
        "2.推进民主管理。按时召开职代会，确保厂务公开事项按期公开。\n"
        "3.做好帮扶救助。建立困难职工档案，做到动态管理、应帮尽帮。\n"
        "三、保障措施\n工会委员会每半年检查一次计划落实情况，确保各项任务按期完成。"),
    "news of a meeting that only deploys work": (
        "4月8日上午，城西街道总工会召开基层工会主席会议，部署二季度工会工作。街道党工委副书记出席会议并讲话。\n"
        "会议要求，各基层工会要抓紧做好新就业形态劳动者入会工作，要在五月底前完成会员实名制信息核对。\n"
        "会议强调，要把职工服务阵地建设作为重点任务，每个社区至少建好一处户外劳动者服务站。"),
    "terse 工作要点": (
        "机关工会2027年工作要点\n"
        "一、强化政治引领。开展读书月活动，组织干部职工参加理论学习。\n"
        "二、深化机关效能建设。开展岗位练兵，举办公文写作比赛。\n"
        "三、关心干部职工。做好生日慰问、大病救助和金秋助学。\n"
        "四、加强自身建设。按期完成经费审查，健全工会财务制度。"),
}

SUMMARIES = {
    "现将…总结如下 with present-tense resolve": (
        "2026年，县医院工会在院党委领导下，紧扣医院中心工作，坚持服务医务人员、维护职工权益，"
        "各项工作扎实推进。现将全年工作总结如下：\n"
        "一、民主管理不断加强。全年召开职代会两次，征集提案二十三件，全部办结。\n"
        "二、关爱职工持续深化。坚持节日慰问和生日关怀，进一步健全困难职工帮扶机制，继续做好医护人员子女托管。\n"
        "三、文体活动丰富多彩。举办护士节文艺展演和职工羽毛球赛，参与职工五百余人次。"),
    "results headings without a single 了": (
        "一、年度工作概况\n"
        "本年度，公司工会围绕安全生产中心任务，以职工需求为导向，民主管理、劳动竞赛、帮扶救助等工作稳步推进，"
        "全年未发生一起侵害职工权益事件。\n"
        "二、主要成绩\n"
        "劳动竞赛覆盖全部班组，评出技术能手十二名；职工书屋新增图书两千册；困难职工帮扶实现建档对象全覆盖。\n"
        "三、存在的问题\n"
        "基层工会干部多为兼职，工作力量偏弱；职工文体活动场地仍显不足。"),
    "news of a visit that only reviews": (
        "11月20日下午，市总工会调研组一行到开发区总工会调研指导工作。\n"
        "调研组听取了开发区总工会关于年度重点工作开展情况的汇报，实地察看了园区职工服务中心和爱心驿站。"
        "调研组对开发区工会工作取得的成绩给予充分肯定。"),
}

MIXED = {
    "meeting news that reviews and deploys, no 了 anywhere": (
        "1月16日，东湖区总工会召开三届五次全委（扩大）会议，总结2026年全区工会工作，部署2027年重点任务。\n"
        "区总工会主席作工作报告。会议强调，各级工会要围绕中心、服务大局，聚焦职工急难愁盼，"
        "把服务阵地建设和产业工人队伍建设改革作为全年重点工作抓实抓好。"),
    "visit news: praise for past work, then requirements": (
        "9月3日，县总工会检查组一行到县人民法院检查机关工会规范化建设。\n"
        "检查组查阅了工会台账，对法院工会近年来的工作给予充分肯定。\n"
        "检查组提出三点建议：一要健全工会制度，二要丰富干警文体活动，三要进一步关心困难干警生活。"),
    "opening that announces both parts": (
        "今年以来，区水务局工会在局党委和区总工会的领导下，围绕中心、服务大局，圆满完成了上半年的目标任务。"
        "现就上半年完成的主要工作以及下半年的工作安排报告如下。\n"
        "一、上半年完成的主要工作\n1.开展了春送岗位、夏送清凉活动，慰问了一线职工二百余人。\n"
        "2.举办了职工技能比武，评选出技术能手八名。\n3.完成了职工之家的改造，新添了健身器材。"),
    "总结暨计划 title over a review body": (
        "供水公司工会2026年工作总结暨2027年工作计划\n"
        "一年来，公司工会在公司党委和上级工会的领导下，认真履行基本职责，团结带领广大职工完成了全年生产任务。\n"
        "一是组织了管网抢修劳动竞赛，涌现出一批技术骨干。二是开展了送温暖活动，慰问了困难职工三十户。"
        "三是举办了职工运动会，参赛职工三百余人。"),
    "half-year summary and 下半年工作打算": (
        "上半年，镇总工会开展了非公企业建会攻坚，新建工会组织十一家，发展会员六百余人，取得了较好成效。"
        "举办了农民工技能培训两期，走访慰问了困难职工四十户。\n"
        "下半年工作打算\n"
        "一是继续推进新就业形态劳动者入会，力争新增会员三百人。二是要办好金秋助学，确保应助尽助。"
        "三是将组织第二届职工技能大赛，进一步营造比学赶超氛围。四是要加强镇村工会干部培训，提高履职能力。"),
}


@pytest.mark.parametrize("name", sorted(PLANS))
def test_plans_are_plans(name):
    assert doc_kind.infer_doc_kind(PLANS[name]) == "plan"


@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_summaries_are_summaries(name):
    assert doc_kind.infer_doc_kind(SUMMARIES[name]) == "summary"


@pytest.mark.parametrize("name", sorted(MIXED))
def test_mixed_documents_are_mixed(name):
    assert doc_kind.infer_doc_kind(MIXED[name]) == "mixed"


def test_a_plan_that_schedules_meetings_is_not_news():
    text = ("新学年，学校工会将围绕立德树人根本任务开展工作。\n一、主要工作\n"
            "1.开好教代会。每学期召开一次教代会，会上审议学校发展规划，会后及时公开办理结果。\n"
            "2.组织教职工参加会议和培训，确保每名工会委员全年参加培训不少于两次。")
    assert not doc_kind.is_news(doc_kind._normalised(text))
    assert doc_kind.infer_doc_kind(text) == "plan"


def test_cue_words_inside_other_words_do_not_count():
    back, fwd, _, _ = doc_kind.tense_profile("为了方便职工就医，深入了解一线需求。这是一项重要而主要的基础工作。")
    assert back == 0.0 and fwd == 0.0


def test_a_plan_that_builds_on_last_years_summary_is_not_announcing_two_parts():
    body = doc_kind._normalised("在认真总结2026年工作的基础上，结合公司实际，制定2027年工作计划如下。")
    assert not doc_kind.announces_plan_part(body)
    assert doc_kind.announces_plan_part(doc_kind._normalised("汇报一年来的工会工作，并提出明年的工作意见，请审议。"))


def test_offline_drafts_and_clean_fixtures_stay_plans():
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("fixtures/clean_*.txt")):
        assert doc_kind.infer_doc_kind(path.read_text("utf-8")) == "plan", path.name


@pytest.mark.parametrize("org_type", ["school", "hospital", "township", "women"])
def test_offline_drafts_are_plans_and_review_sees_no_summary(org_type):
    from ghplan.writer.draft.backends.offline import OfflineBackend
    from ghplan.writer.draft.pipeline import draft
    from ghplan.writer.draft.profile import example_profile

    result = draft(example_profile(org_type), backend=OfflineBackend(), year=2027, retrieve=False)
    assert doc_kind.infer_doc_kind(result.text) == "plan"
    rules = {f.rule for f in result.review.findings}
    assert not rules & {"GH-STRUCT-SUMMARY", "GH-STRUCT-MIXED"}
    assert not [f for f in result.review.findings if f.severity == "error"]


def test_citing_the_national_federation_is_no_sign_of_a_federation():
    """Unions at every level cite 全总's congress and deployments: it says nothing about the type."""
    from ghplan.corpus.label import infer_org_type, org_scores

    assert org_scores("认真贯彻全总部署，落实全总要求，学习全总文件精神。")["federation"] == 0
    text = ("镇总工会认真贯彻全总和省总工会的部署，落实全总关于新就业形态劳动者入会的要求，"
            "在各村和社区推进非公企业建会，组织农民工入会，开展镇总工会困难职工帮扶。")
    assert infer_org_type(text) == "township"
