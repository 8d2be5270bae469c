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
