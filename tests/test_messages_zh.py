"""Every rule and every finding speaks Chinese too (message_zh), beside the English message
that the JSON contract keeps; message templates live in data with matching placeholders."""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from ghplan.corpus.rules import dated
from ghplan.corpus.rules.messages import Template, placeholders, templates
from ghplan.corpus.rules.model import Finding
from ghplan.writer.review import rules as review_rules_mod
from ghplan.writer.review.reviewer import review_text
from ghplan.writer.review.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
TEXTS = sorted((ROOT / "tests" / "fixtures").glob("*.txt")) + sorted((ROOT / "corpus" / "seeds").glob("*.txt"))

# A draft with one of everything the code-built messages describe: numbering slips, a summary,
# a missing section, the wrong organisation's words, stale references of every kind.
BROKEN = """某医院工会2023年工作计划
现将上半年工作总结如下。取得了一定成绩，开展了活动。
一、指导思想
以科学发展观为指导，深入学习贯彻党的十八大精神和十七届五中全会精神，坚持“三个代表”重要思想。
三、主要工作
1、团结全院教职工，关心患者，落实“十四五”规划，庆祝建党100周年，借庆祝第二十五个教师节之际。
2.推进创先争优活动，深入开展党史学习教育。
2.开展“两学一做”学习教育。
(一)、加强学习
一.组织保障
1、.落实责任
二、工作要求
2021年重点工作如下。2023年是全面贯彻落实党的二十大精神的开局之年。
三、时间安排
下半年工作打算
"""


@pytest.mark.parametrize("rule", list(all_rules().values()), ids=lambda r: r.id)
def test_every_rule_has_a_chinese_message(rule):
    assert rule.message_zh.strip(), rule.id
    assert CJK.search(rule.message_zh), rule.id


def _all_templates() -> dict[str, Template]:
    return {**{f"dated.{k}": t for k, t in dated.messages().items()},
            **{f"review.{k}": t for k, t in review_rules_mod.messages().items()}}


@pytest.mark.parametrize("key", sorted(_all_templates()))
def test_every_template_has_both_sides_and_chinese_uses_only_english_placeholders(key):
    t = _all_templates()[key]
    assert t.en and t.zh
    # Chinese words, unless the template is one value that is itself Chinese (a rule's message_zh)
    assert CJK.search(t.zh) or re.fullmatch(r"\{\w+\}", t.zh), key
    assert placeholders(t.zh) <= placeholders(t.en)


def test_a_template_renders_its_values_in_both_languages():
    en, zh = dated.messages()["series_cite"].render(name="十四五", when="2021–2025", year=2027, current="十五五")
    assert en == "十四五 (2021–2025) is out of date for a 2027 plan; cite 十五五."
    assert "十四五" in zh and "2027" in zh and "十五五" in zh
    en, zh = review_rules_mod.say("num_gap", marker="三、", prev="一、", missing="二、")
    assert "三、" in zh and "一、" in zh and "二、" in zh and en == "三、 follows 一、: 二、 is missing."
    # a value whose Chinese form differs is given for zh only
    en, zh = review_rules_mod.say("struct_missing", {"reason": "缺少目标。"}, role="goals", reason="Goals.")
    assert (en, zh) == ("No goals section: Goals.", "缺少目标。")


def test_a_template_asking_for_a_value_the_english_lacks_is_refused():
    with pytest.raises(ValueError):
        templates({"x": {"en": "{a}", "zh": "{a}{b}"}})
    with pytest.raises(ValueError):
        templates({"x": {"en": "{a}"}})


def test_finding_and_rule_carry_message_zh():
    assert "message_zh" in {f.name for f in fields(Finding)}
    assert Finding("R", "c", "error", 0, 0, "", "m").message_zh == ""


def _check_findings(result):
    missing = [(f.rule, f.text) for f in result.findings if not f.message_zh.strip() or not CJK.search(f.message_zh)]
    assert not missing, missing
    # the JSON contract is unchanged: English message, no message_zh key
    for f in result.to_json()["findings"]:
        assert set(f) == {"rule", "category", "severity", "line", "col", "start", "end", "text",
                          "message", "suggestion"}


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
@pytest.mark.parametrize("year", [2015, 2027])
def test_every_finding_on_fixtures_and_seeds_has_a_chinese_message(path, year):
    _check_findings(review_text(path.read_text("utf-8", errors="replace"), year=year, file=path.name))


@pytest.mark.parametrize("year", [2010, 2015, 2020, 2027])
@pytest.mark.parametrize("org_type", ["hospital", "school"])
def test_every_code_built_finding_has_a_chinese_message(year, org_type):
    result = review_text(BROKEN, year=year, org_type=org_type)
    families = {f.category for f in result.findings}
    assert {"numbering", "structure", "organisation", "stale"} <= families
    _check_findings(result)
