"""Outline parsing and budgeting; profiles and their validation."""
from __future__ import annotations

import pytest

from ghplan.corpus.model import ORG_TYPES
from ghplan.corpus.numerals import to_cn
from ghplan.writer.draft.outline import OutlineError, budget, parse_outline
from ghplan.writer.draft.profile import ProfileError, example_profile, load_profile, minimal_profile


def test_outline_numbers_are_chinese_numerals():
    assert [to_cn(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]


def test_parse_a_model_outline_with_markdown_and_half_width_marks():
    text = """好的，提纲如下：
## 一、指导思想
**二、工作目标**
三、重点工作
(一)强化思想引领。
（二）深化民主管理
(二)深化民主管理
1. 这是正文，不是提纲
四、保障措施
五、时间安排"""
    o = parse_outline(text)
    assert [s.role for s in o.sections] == ["guiding", "goals", "tasks", "safeguards", "schedule"]
    assert o.section("tasks").heading == "重点工作"
    assert [t.title for t in o.topics] == ["强化思想引领", "深化民主管理"]


def test_missing_required_roles_are_added_and_unwanted_ones_dropped():
    o = parse_outline("一、加强思想引领\n二、时间安排", roles=("guiding", "goals", "tasks", "safeguards"))
    assert [s.role for s in o.sections] == ["guiding", "goals", "tasks", "safeguards"]
    assert [t.title for t in o.topics] == ["加强思想引领"]


def test_no_headings_is_an_error():
    with pytest.raises(OutlineError):
        parse_outline("我无法完成这个请求。")


def test_budget_gives_tasks_most_of_the_length():
    o = budget(parse_outline("一、指导思想\n二、工作目标\n三、主要工作\n（一）甲\n（二）乙\n四、保障措施"), 3000)
    tasks = o.section("tasks").budget
    assert tasks > 0.55 * 3000
    assert sum(t.budget for t in o.topics) <= tasks + 1
    assert o.opening_budget + sum(s.budget for s in o.sections) <= 3000


@pytest.mark.parametrize("org_type", ORG_TYPES)
def test_every_type_ships_an_example_profile(org_type):
    p = example_profile(org_type)
    assert p.type == org_type and p.org.endswith(("工会", "委员会"))
    assert p.member_count and p.departments and p.achievements and p.priorities and p.events
    assert set(("guiding", "goals", "tasks", "safeguards")) <= set(p.sections)


def test_overrides_and_validation(tmp_path):
    p = example_profile("school").with_overrides(org="某中学工会", year=2028, length=4000)
    assert (p.org, p.year, p.length, p.type) == ("某中学工会", 2028, 4000, "school")
    with pytest.raises(ProfileError, match="unknown org type"):
        minimal_profile("x工会", "hospitl")
    bad = tmp_path / "p.toml"
    for content, words in [
        ('org = "x"\ntype = "school"\nmembers = 3\n', "unknown key"),
        ('org = "x"\ntype = "school"\nlength = 10\n', "between"),
        ('org = "x"\ntype = "school"\ntone = "angry"\n', "tone"),
        ('org = "x"\ntype = "school"\n[[events]]\nmonth = 13\nname = "y"\n', "between 1 and 12"),
        ('org = "x"\ntype = "school"\nsections = ["guiding", "budget"]\n', "unknown section"),
        ('type = "school"\n', "'org'"),
        ('org = "x"\ntype = [\n', "bad TOML"),
    ]:
        bad.write_text(content, "utf-8")
        with pytest.raises(ProfileError, match=words):
            load_profile(bad)
    bad.write_bytes("org = '工会'".encode("gbk"))
    with pytest.raises(ProfileError, match="UTF-8"):
        load_profile(bad)
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "missing.toml")


def test_required_roles_are_kept_whatever_the_profile_says(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text('org = "x工会"\ntype = "school"\nsections = ["tasks"]\n', "utf-8")
    assert load_profile(f).sections == ["guiding", "goals", "tasks", "safeguards"]
