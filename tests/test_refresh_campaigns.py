"""Ended campaigns in a refreshed plan (issue 13): a campaign written as still running is
consolidated the standard way (巩固拓展…成果) where the sentence shape makes that certain, and
listed to confirm; any other mention is left byte for byte. Either way, reviewing the refreshed
plan for 2026–2030 reports no stale error: running a finished campaign is an error, consolidating
its results late or naming it without running it is a dated warning listed for a person.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ghplan.corpus.rules import dated
from ghplan.writer.refresh.changes import apply
from ghplan.writer.refresh.pipeline import refresh_text

PLAN = (Path(__file__).parent / "fixtures" / "refresh" / "power_2025.txt").read_text("utf-8")
REWRITTEN = {
    4: "巩固拓展深入贯彻中央八项规定精神学习教育成果，由工会副主席刘志强同志牵头，办公室配合，4月15日前完成。",
    5: "巩固拓展党纪学习教育成果，扎实开展“安康杯”竞赛，覆盖全体386名职工。",       # a list: verb carried
    6: "以巩固拓展党史学习教育成果为契机，举办第四届“光明杯”青工演讲比赛。",           # a frame kept
    8: "巩固拓展“两学一做”学习教育成果，做好调度班组结对。",
}
LOOK_BACK = 7          # no running verb: not certain it runs, left as it was
OWN = ["刘志强", "4月15日", "386名", "第四届“光明杯”青工演讲比赛", "“一线工作法”", "6.8万元", "100%", "“安康杯”"]


@pytest.fixture(scope="module")
def refreshed():
    return {y: refresh_text(PLAN, y, org_type="enterprise") for y in range(2026, 2031)}


@pytest.mark.parametrize("year", range(2026, 2031))
def test_running_campaigns_are_consolidated_and_confirmed(refreshed, year):
    r = refreshed[year]
    lines = r.text.split("\n")
    for n, line in REWRITTEN.items():
        assert lines[n - 1] == line, (year, n)
    assert lines[LOOK_BACK - 1] == PLAN.split("\n")[LOOK_BACK - 1]
    campaign = [c for c in r.changes if c.rule == "GH-REFRESH-CAMPAIGN"]
    assert sorted(c.paragraph for c in campaign) == sorted(REWRITTEN)
    confirm = {p.paragraph for p in r.left_for_person if p.rule == "GH-REFRESH-CAMPAIGN" and p.kind == "confirm"}
    assert confirm == set(REWRITTEN)
    assert all("巩固拓展" in c.reason_zh for c in campaign)
    assert apply(r.old, r.changes) == r.text


@pytest.mark.parametrize("year", range(2026, 2031))
def test_no_stale_error_and_every_campaign_warning_listed(refreshed, year):
    r = refreshed[year]
    assert not [f for f in r.review.findings if f.category == "stale" and f.severity == "error"]
    listed = {(p.rule, p.text) for p in r.left_for_person if p.kind == "fix"}
    campaign = [f for f in r.review.findings if f.rule.startswith("GH-STALE-CAMPAIGN")]
    assert campaign and all(f.severity == "warning" for f in campaign)
    assert all((f.rule, f.text) in listed for f in r.review.findings if f.severity in ("error", "warning"))
    # the look-back line is still reported, for a person
    look_back = PLAN.split("\n")[LOOK_BACK - 1]
    assert any(p.paragraph == LOOK_BACK and p.rule == "GH-STALE-CAMPAIGN-ZTJY2023" for p in r.left_for_person), look_back


@pytest.mark.parametrize("year", range(2026, 2031))
def test_own_facts_survive(refreshed, year):
    r = refreshed[year]
    assert r.survival.figure == 1.0, r.survival.missing
    assert all(fact in r.text for fact in OWN)


def test_consolidating_the_year_after_is_current(refreshed):
    # 2026 is inside the 2025 campaign's results window: the rewrite leaves nothing to report
    assert not [f for f in refreshed[2026].review.findings if f.rule == "GH-STALE-CAMPAIGN-BXGD"]
    assert [f.severity for f in refreshed[2027].review.findings if f.rule == "GH-STALE-CAMPAIGN-BXGD"] == ["warning"]


@pytest.mark.parametrize("text,new", [
    ("以开展党纪学习教育为契机，健全职工之家制度。", "以巩固拓展党纪学习教育成果为契机，健全职工之家制度。"),
    ("（一）认真开展党纪学习教育", "（一）巩固拓展党纪学习教育成果"),
    ("组织职工参加党纪学习教育和技能培训。", "组织职工巩固拓展党纪学习教育成果，参加技能培训。"),
])
def test_certain_shapes_are_consolidated(text, new):
    r = refresh_text("某单位工会2025年工作计划\n" + text + "\n", 2027, org_type="enterprise")
    assert r.text.split("\n")[1] == new
    assert [c.rule for c in r.changes if c.paragraph == 2] == ["GH-REFRESH-CAMPAIGN"]


@pytest.mark.parametrize("text", ["开展党纪学习教育等系列活动。", "通过党纪学习教育，职工纪律意识明显增强。",
                                  "推进党纪学习教育走深走实。"])
def test_other_shapes_are_left_for_a_person(text):
    r = refresh_text("某单位工会2025年工作计划\n" + text + "\n", 2027, org_type="enterprise")
    assert text in r.text and not any(c.rule == "GH-REFRESH-CAMPAIGN" for c in r.changes)
    assert any(p.rule == "GH-STALE-CAMPAIGN-DJXX" for p in r.left_for_person)


# ---------------------------------------------------------------- review's severity, for any plan
def _severity(text: str, year: int) -> list[str]:
    return [f.severity for f in dated.check(text, year) if f.rule == "GH-STALE-CAMPAIGN-DJXX"]


def test_running_a_finished_campaign_is_an_error_naming_it_is_a_warning():
    assert _severity("扎实开展党纪学习教育。", 2027) == ["error"]
    assert _severity("开展党纪学习教育等系列活动。", 2027) == ["error"]
    assert _severity("通过党纪学习教育，职工纪律意识明显增强。", 2027) == ["warning"]
    assert _severity("巩固拓展党纪学习教育成果。", 2027) == ["warning"]
    assert _severity("巩固拓展党纪学习教育成果。", 2025) == []
    # a running verb in an earlier clause does not count
    assert _severity("开展调研，党纪学习教育形成的制度继续执行。", 2027) == ["warning"]
