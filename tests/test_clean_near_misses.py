"""A clean, current plan written to sit next to the word-damage and spinning rules: every word in
it looks like a damaged or spun form (首要, 奉献, 本质, 一起, 前述, 全域, 精力, 进步, 带领下, 引领下,
开展会员评家) but is used rightly, and its items start with months (1.3月上旬…). Review must report
nothing; its numbering reads 1.3月 as item 1, not as the number 1.3. A semicolon-closed （二）…； is a
list item, not an empty section. Written for this project."""
from __future__ import annotations

import pytest

from ghplan.corpus.headings import find_headings
from ghplan.writer.review.reviewer import review_text

PLAN = """某区实验小学工会2027年工作计划
2027年，学校工会在校党支部的坚强领导下，以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大和二十届三中全会、四中全会精神，落实中国工会十八大部署，把维护教职工合法权益放在首要位置，团结带领全体教职工为办好人民满意的教育贡献力量。
一、工作目标
教职工入会率保持百分之百；教代会提案办结率达到百分之九十五以上；年内建成“教工书屋”升级版。
二、主要工作
（一）加强思想政治引领
1.在党建引领下开展师德师风主题教育，弘扬爱岗敬业、无私奉献的精神，引导教职工把握教育的本质要求。
2.组织教职工一起参加“书香校园”读书分享，每月一期。
（二）推进民主管理
1.3月上旬召开教代会，审议学校年度工作要点。
2.落实前述教代会决议，做好提案办理和反馈。
（三）关心教职工身心健康
1.开展会员评家活动，倾听教职工心声。
2.组织教职工到区内全域旅游示范点开展春季健步走，让大家精力充沛地投入工作。
3.为患病教职工送去慰问，做到困难必帮。
（四）服务教师专业成长
1.举办青年教师教学基本功比赛，帮助青年教师取得新进步。
2.在老教师带领下开展“青蓝结对”。
三、保障措施
学校工会委员会定期研究工作，集中精力抓落实，经费使用按规定公开，工作情况向教代会报告。
某区实验小学工会委员会
2026年12月28日
"""


# A federation's 工作要点 next to the site-chrome rules: 阅读量, 评论区, 图文, 关键词, 标签, a (注:…) that is
# the plan's own note, month items (1.5月底前, 2.10月), and (一)…； list items with no body under them.
PLAN_FEDERATION = """某县总工会2027年工作要点
2027年是“十五五”规划深入实施的关键一年。县总工会将以习近平新时代中国特色社会主义思想为指导，深入贯彻党的二十大和二十届历次全会精神，认真落实中国工会十八大部署，团结动员全县职工建功新时代。
一、工作目标
全县新建基层工会二十家，发展会员三千人；职工技能大赛参赛人数比上年增加一成。
二、强化思想政治引领
深化“中国梦·劳动美”主题宣传，在县融媒体开设“劳动者之歌”专栏，全年阅读量力争突破十万人次，评论区及时回应职工关切。组织劳模工匠进企业宣讲，图文并茂展示一线职工风采。
三、推进产业工人队伍建设改革
（一）摸清底数
1.5月底前完成全县技能人才摸底，建立关键岗位人才台账。
2.10月举办全县职工职业技能大赛，设电工、焊工、育婴员三个项目。
（二）完善激励
推动企业落实技能人才薪酬激励，关键词是“技高者多得”。
四、维护职工合法权益
深化集体协商“要约行动”，推进区域性、行业性集体合同签订；完善劳动争议调解机制，发挥工会法律援助作用。
五、服务职工群众
（一）开展“两节”送温暖，走访慰问困难职工；
（二）实施金秋助学，资助困难职工子女；
（三）建设户外劳动者服务站点，做到标签统一、功能齐全。
六、月度重点安排
3月：召开县总工会全委会议，部署全年工作。
6月：开展“安康杯”竞赛中期检查。
9月：组织金秋助学集中发放。
12月：总结全年工作，表彰先进基层工会。
七、保障措施
落实经费审查制度，工会经费收支情况每半年公开一次（注：公开范围为县总工会机关和各基层工会）。
某县总工会
2026年12月20日
"""


# A women's committee plan in a chat model's fluent style: 十八大以来, 2027年是…之年, 第117个三八
# (1910 + 117 = 2027), 以下三个方面, 希望…积极参与, 本计划自印发之日起执行 — all right for 2027.
PLAN_WOMEN = """某医院女职工委员会2027年工作计划
2027年是“十五五”规划深入实施之年。党的十八大以来，医院女职工组织不断健全，女医务人员的特殊权益保障水平明显提高。医院女职工委员会将以习近平新时代中国特色社会主义思想为指导，团结引领全院女职工在健康中国建设中建功立业，结合医院实际，制定本计划。
一、工作目标
女职工专项集体合同续签率达到百分之百；“爱心妈咪小屋”在各院区全覆盖；全年开展女职工健康讲座不少于六场。
二、重点工作
（一）办好第117个“三八”国际妇女节系列活动
3月上旬举办“巾帼建功”先进表彰会，评选巾帼标兵十名；组织女医务人员开展义诊进社区活动。
（二）维护女职工特殊权益
重点从以下三个方面推进：一是做好孕期、产期、哺乳期女职工的岗位调整；二是落实女职工每年一次的专项体检；三是配合院工会把女职工权益条款纳入职代会审议。
（三）关爱女职工身心健康
开展心理健康沙龙，邀请专家讲解职业压力调适；组织“健步走”活动，鼓励女职工科学锻炼。
（四）推动家庭家教家风建设
评选“最美家庭”五户，引导女职工以好家风带动好院风。希望全院女职工积极参与，展现新时代女性风采。
三、保障措施
女职工委员会每季度召开一次会议，研究推进重点工作；活动经费列入院工会年度预算；本计划自印发之日起执行。
某医院工会女职工委员会
2027年1月6日
"""


@pytest.mark.parametrize("plan", [PLAN, PLAN_FEDERATION, PLAN_WOMEN], ids=["school", "federation", "women"])
def test_the_near_miss_plan_has_no_findings(plan):
    result = review_text(plan, year=2027, copy=False)
    assert [(f.rule, f.text) for f in result.findings] == []


def test_the_near_miss_plans_lose_nothing_in_cleaning():
    from ghplan.corpus.pipeline import inspect_text

    for plan in (PLAN, PLAN_FEDERATION, PLAN_WOMEN):
        assert inspect_text(plan, year=2027).removed == []


def test_an_item_that_starts_with_a_month_is_numbered_by_its_marker():
    heads = find_headings("（二）推进民主管理\n1.3月上旬召开教代会，审议要点。\n2.10月底前完成提案办理。\n")
    assert [h.title.split("，")[0] for h in heads][1:] == ["3月上旬召开教代会", "10月底前完成提案办理"]
    assert not any(h.title.startswith("3月上旬") for h in find_headings("职工工资增长1.3月均值。"))


def test_the_same_women_plan_is_stale_a_year_later():
    rules = {f.rule for f in review_text(PLAN_WOMEN, year=2028, copy=False).findings}
    assert {"GH-STALE-TITLE-YEAR", "GH-STALE-YEAR-CLAIM", "GH-STALE-ANNIV-WOMENS-DAY"} <= rules
