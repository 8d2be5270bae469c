"""Labelling's fast paths read what the plain readings read.

- title lines are blanked as the unguarded pattern, applied by `re.sub`, blanks them;
- a 局 name is found as `in` finds it;
- the 局 words' weight moved from government to enterprise is what counting them alone gives.
"""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings, strategies as st

from ghplan.corpus import label

FIXTURES = Path(__file__).parent / "fixtures"
# the title-line pattern before its guard
PLAIN_TITLE = re.compile(r"^[^。，,；;！!？?\n]{0,40}(?:计划|总结|要点|安排|规划|报告|范文|打算|方案|思路)[^。，,；;\n]{0,12}$", re.M)
PIECES = ["工会", "工作计划", "总结", "范文", "。", "，", ";", "！", "?", "\n", "\n\n", " ", "学校", "一", "要点安排",
          "职工之家建设", "供电局", "局工会", "我局", "局", "工程局职工"]


def _plans() -> list[str]:
    return [p.read_text("utf-8") for p in sorted(FIXTURES.glob("*.txt"))]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_title_lines_blanked_as_the_plain_pattern_blanks_them(parts):
    body = "".join(parts)
    assert label._blank_titles(body) == PLAIN_TITLE.sub(label._blank, body)


def test_title_lines_blanked_as_the_plain_pattern_blanks_them_on_plans():
    for body in _plans() + ["\n".join(_plans())]:
        assert label._blank_titles(body) == PLAIN_TITLE.sub(label._blank, body)
    longest = "某" * 38 + "工作计划" + "某" * 12              # 54 characters: still a title line
    assert label._blank_titles(longest + "\n") == " " * 54 + "\n"
    assert label._blank_titles("某" + longest) == "某" + longest          # 55: not


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30),
       st.sampled_from([("供电局", "工程局"), ("工程局",), ("局",), ("供电局", "公司"), ()]))
def test_a_name_found_as_in_finds_it(parts, names):
    body = "".join(parts)
    assert label._names_any(body, names) == any(n in body for n in names)


def _moved_by_counting_alone(body: str) -> float:
    """What `_bureau_is_a_company` moved when it counted the 局 words in their own pass."""
    names, words = label._bureaus()
    if not any(b in body for b in names):
        return 0.0
    gov = label._all_vocabularies()["government"].cues
    moved = sum(gov[w] * n for w, n in zip(words, label.phrase_counts(body, words)))
    moved += sum(gov[w] * n for w, n in zip(words, label.phrase_counts(body[:label.OPENING], words)))
    return moved


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ["全局", "局党委", "局党组", "我局工会"]), max_size=60))
def test_bureau_words_moved_as_counting_them_alone(parts):
    body = "".join(parts)
    cues, _ = label._cue_table()
    counts = label.phrase_counts(body, cues), label.phrase_counts(body[:label.OPENING], cues)
    scores = {"government": 0.0, "enterprise": 0.0}
    label._bureau_is_a_company(body, scores, counts)
    assert scores["enterprise"] == _moved_by_counting_alone(body)


def _roles_reading_every_heading(headings: list) -> list[str]:
    """label.section_roles before it left the words of a heading under a parent's role unread."""
    out, stack = [], []
    for h in headings:
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        own = label.heading_role(h.title, h.level)
        parent = stack[-1][1] if stack else None
        if parent and parent != "other" and (own is None or h.level > 1):
            role = parent
        else:
            role = own or ("tasks" if h.level <= 3 else "other")
        out.append(role)
        stack.append((h.level, role))
    return out


_TITLES = ["指导思想", "工作目标", "主要工作", "保障措施", "工作要求", "加强组织领导", "开展技能竞赛", "其他", "", "附件",
           "时间安排", "建立健全制度"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(_TITLES)), max_size=25))
def test_section_roles_equal_reading_every_heading(items):
    from ghplan.corpus.model import Heading
    headings = [Heading(level, "", 0, "cn-dun", title, 0, 0) for level, title in items]
    assert label.section_roles(headings) == _roles_reading_every_heading(headings)
