"""Org type from the body (issue 12): the superiors a plan names (按照…的部署, a visiting body) are not
the plan's own union, and a state enterprise that kept the name 局 is a company union.
The texts are invented for this test."""
from __future__ import annotations

from ghplan.corpus.label import infer_org_type, org_scores


def test_the_superior_a_deployment_comes_from_is_not_the_writer():
    # two federations named only as the source of the year's deployment: a street union's plan
    text = "本街道工会按照区总工会的工作部署,按照市总工会的要求,推进辖区非公企业建会,组织快递员入会。"
    assert org_scores(text)["federation"] == 0
    assert infer_org_type(text) == "township"


def test_a_visiting_federation_is_not_the_visited_union():
    text = ("5月10日,市总工会副主席带领县总工会干部到某县税务局调研指导工会工作。"
            "该局机关工会负责人汇报了读书活动开展情况。")
    assert org_scores(text)["federation"] == 0
    assert infer_org_type(text) == "government"


def test_a_state_power_company_named_bureau_is_an_enterprise():
    # 我局 and 局党委 are an office's words too; 供电企业 and 企业改革 say what this 局 is
    text = "一年来,我局工会围绕建设一流供电企业的目标,在局党委领导下深化企业改革,职工队伍稳定。"
    assert infer_org_type(text) == "enterprise"


def test_the_bureau_words_of_a_company_named_bureau_count_for_the_company():
    # 局工会, 局党委 and 全局 are an office's words, unless the body names a state-enterprise bureau
    text = ("局工会在局党委领导下,组织全局职工参加工程局春节团拜会,局工会还为一线职工送去慰问品,"
            "全局职工参加了工程局组织的技能比武。")
    scores = org_scores(text)
    assert scores["government"] == 0 and infer_org_type(text) == "enterprise"
    office = text.replace("工程局", "市局")
    assert infer_org_type(office) == "government"


def test_a_plans_own_cadres_going_out_to_investigate_still_name_the_plans_union():
    # only a visiting federation (…总工会…到/赴/莅临…调研) is masked, not the writer's own visits
    text = "镇工会干部深入企业调研,了解职工需求。"
    assert org_scores(text)["township"] > 0
