"""broken.repeats' shortcuts held to their plain readings (tests/review_reference.py): lines that
cannot hold a counting sentence are not read, short sentences are passed over in C, line numbers
are counted from the nearest offset asked about."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ghplan.writer.review import broken
from tests import review_reference as reference

LONG = "组织全体职工开展技能比武活动提升岗位技能水平"            # 22 CJK: counts alone
# heading lines with and without an ASCII break (a heading line's only breaks), a long heading,
# prose that repeats as a line or as a sentence, short sentences, blank margins
PIECES = ["一、工作目标\n", "1. 加强学习;" + LONG + "\n", "（二）" + LONG + "\n", "2、" + LONG + "!" + LONG + "\n",
          LONG + "。", LONG + "；", LONG + ";", "深化厂务公开。", "\n", "  ", "\u3000", "\n\n",
          "围绕中心工作，开展劳动竞赛活动，推动企业发展", "（1）" + LONG + "?", "a。", "，"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_repeats_equals_its_plain_reading(text):
    assert broken.repeats(text) == reference.repeats(text)


def test_repeats_reads_a_heading_line_with_an_ascii_break():
    # the heading line is no sentence of its own, but its second sentence (after ";") is
    text = f"一、目标\n1. 加强学习;{LONG}\n二、措施\n{LONG}。\n"
    found = broken.repeats(text)
    assert [(f.rule, f.text) for f in found] == [("GH-STRUCT-REPEAT-SENTENCE", LONG + "。")]
    assert found == reference.repeats(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["\n", "工", "会", "\n\n"]), max_size=60).map("".join), st.data())
def test_line_counter_equals_the_line_start_index(text, data):
    counter, index = broken._LineCounter(text), reference._line_numbers(text)
    for offset in data.draw(st.lists(st.integers(0, len(text)), max_size=20)):   # any order, repeats
        assert counter(offset) == index(offset)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["工会", "a", " ", "。", "！", "?", ";", "\n", "，"]), max_size=50).map("".join),
       st.integers(1, 5))
def test_counting_sentence_is_the_sentence_with_enough_cjk(text, k):
    plain = [m.span() for m in broken._SENTENCE.finditer(text) if broken.cjk_length(m.group()) >= k]
    assert [m.span() for m in broken._counting_sentence(k).finditer(text)] == plain
