"""The structural checks' fast paths give what the straightforward readings give.

Each fast path that replaced a plain per-line or per-sentence loop is held here to that plain
reading (kept beside it as the reference), on generated texts dense in the words that matter
and on the review fixtures.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from ghplan.corpus import doc_kind, label
from ghplan.corpus.headings import find_headings
from ghplan.corpus.lexicon import cue_field, cue_words
from ghplan.writer.review import broken, copycheck

from tests import review_reference as reference

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_TEXTS = [p.read_text("utf-8") for p in sorted(FIXTURES.rglob("*.txt"))]


def _pieces(*lists: tuple[str, ...]) -> list[str]:
    """Words that matter, the characters they are made of, and sentence breaks."""
    words = [w for words in lists for w in words]
    filler = ["工会", "开展活动", "职工之家", "组织"] * 6      # sentences holding none of them
    return words + sorted({c for w in words for c in w}) + list("。！？!?；;\n，、 ") * 3 + filler


def _texts(pieces: list[str]):
    return st.lists(st.sampled_from(pieces), max_size=80).map("".join)


TENSE = _pieces(cue_words("looking_back"), cue_words("looking_forward"),
                cue_field("looking_back", "not_in"), cue_field("looking_forward", "not_in"))


@settings(max_examples=300, deadline=None)
@given(_texts(TENSE))
def test_tense_flags_whole_text_equals_sentence_by_sentence(text):
    assert doc_kind._tense_flags(text) == doc_kind._tense_flags_by_sentence(text)


def test_tense_flags_on_fixtures():
    for text in FIXTURE_TEXTS + ["\n".join(FIXTURE_TEXTS)]:
        body = doc_kind._normalised(text)
        flags = doc_kind._tense_flags(body)
        assert flags == doc_kind._tense_flags_by_sentence(body)
    assert any(flags[0]) and any(flags[1])          # both kinds of sentence occur in the fixtures


SPACES = [" ", "\n", "\t", "\u3000", "\xa0", "\r\n", "  "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SPACES + ["工会", "职工", "a", "。"]), max_size=40).map("".join))
def test_compact_by_running_sums_equals_run_by_run(text):
    fast, plain = copycheck.compact(text), copycheck.compact_by_run(text)
    assert fast == plain
    assert all(fast.text[i] == text[fast.to_norm(i)] for i in range(len(fast.text)))


def test_compact_whitespace_class_is_what_backslash_s_means():
    runs = re.compile(copycheck._SPACE_RUNS.pattern[1:-1])      # the class without its capture
    for c in map(chr, range(sys.maxunicode + 1)):
        assert bool(runs.fullmatch(c)) == bool(re.fullmatch(r"\s", c)), hex(ord(c))


# Lines and sentences that repeat, headings, prose that ends or stops, blank margins.
BROKEN = ["一、工作目标\n", "（二）强化职工培训\n", "1.开展劳动竞赛\n", "\n", "  ", "\u3000",
          "组织全体职工开展技能比武活动，提升岗位技能水平。", "深化厂务公开，保障职工知情权和参与权，",
          "围绕中心工作开展劳动竞赛活动，推动企业发展；", "某公司工会委员会\n", "2027年1月5日\n",
          "组织开展", "。", "，", "的", "\n\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(BROKEN), max_size=40).map("".join))
def test_truncated_and_repeats_equal_their_plain_readings(text):
    assert broken.truncated(text) == reference.truncated(text)
    assert broken.repeats(text) == reference.repeats(text)
    lines = broken._lines(text)
    assert broken.repeats(text, lines) == broken.repeats(text) and broken.truncated(text, lines) == broken.truncated(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(BROKEN), max_size=30).map("".join))
def test_repeats_when_any_sentence_counts(text):
    """With no minimum length a blank sentence counts too: the line-by-line skip must not apply."""
    low = {**broken.cues(), "repeat_min_chars": 0}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(broken, "cues", lambda: low)
        mp.setattr(reference, "cues", lambda: low)
        assert broken.repeats(text) == reference.repeats(text)


def test_truncated_and_repeats_on_fixtures():
    joined = "\n".join(FIXTURE_TEXTS)
    found = []
    for text in FIXTURE_TEXTS + [joined, joined + "\n" + joined[:-40]]:     # the second: repeated, cut
        found += broken.repeats(text) + broken.truncated(text)
        assert broken.repeats(text) == reference.repeats(text)
        assert broken.truncated(text) == reference.truncated(text)
    assert {f.rule for f in found} >= {"GH-STRUCT-REPEAT", "GH-STRUCT-TRUNCATED"}


TOPICS = ["一、", "二、", "（一）", "（二）", "（三）", "1.", "2.", "## ", "3月：", ""]
TITLES = ["加强职工技能培训", "加强职工技能培训工作", "深化厂务公开", "推进厂务公开制度", "送温暖", "开展劳动竞赛活动"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TOPICS), st.sampled_from(TITLES)), max_size=30))
def test_same_topics_equals_comparing_every_pair_afresh(items):
    text = "".join(f"{m}{t}\n组织职工参加。\n" for m, t in items)
    headings = find_headings(text)
    assert broken.same_topics(text, headings) == reference.same_topics(text, headings)


def test_same_topics_on_fixtures():
    joined = "\n".join(FIXTURE_TEXTS) + "\n（三）加强职工技能培训工作\n（四）加强职工技能培训\n"
    found = broken.same_topics(joined, find_headings(joined))
    assert found and found == reference.same_topics(joined, find_headings(joined))


RESULTS = _pieces(cue_words("results_heading")) + ["一、", "（二）", "3.", "【", "：", "工作计划"]


@settings(max_examples=300, deadline=None)
@given(_texts(RESULTS))
def test_results_heading_prefilter_equals_the_whole_pattern(text):
    body = doc_kind._normalised(text)
    assert doc_kind.has_results_heading(body) == bool(doc_kind._results_heading().search(body))


def test_results_heading_found_and_not_found():
    assert doc_kind.has_results_heading("2026年工作总结\n一、工作概况\n今年以来……")
    assert not doc_kind.has_results_heading("2027年工作计划\n一、指导思想\n二、工作目标\n")


SUPERIORS = ["总工会", "市总工会领导", "到", "赴", "莅临", "深入", "调研", "视察", "检查指导", "我局", "企业",
             "，", "。", "；", "：", "\n", " ", "在", "的正确领导下", "上级", "按照", "的工作部署", "甲乙"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SUPERIORS), max_size=40).map("".join))
def test_superiors_mask_only_where_a_federation_visits_equals_one_pass(body):
    assert label._mask_superiors(body) == label._SUPERIORS.sub(label._blank, body)


@pytest.mark.parametrize("verb", ["到", "赴", "莅临", "深入"])
def test_superiors_mask_each_visit_verb(verb):
    body = f"今年我局工会组织职工培训，市总工会领导{verb}我局企业调研。全年开展劳动竞赛。"
    masked = label._mask_superiors(body)
    assert masked == label._SUPERIORS.sub(label._blank, body) and "市总工会" not in masked


# markers of every style, at line starts and inline (one-line pages), with and without words
MARKERS = ["一、", "二、", "三、", "（一）", "（二）", "(三)", "1.", "2、", "3.", "（1）", "(2)", "第一，", "第二、",
           "## ", "一月份：", "3月：", "\n", "。", "；", "，", "加强职工培训", "开展劳动竞赛活动推动企业发展", " ", "的"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(MARKERS), max_size=40).map("".join))
def test_find_headings_equals_its_previous_loop(text):
    assert find_headings(text) == reference.find_headings(text)


def test_find_headings_on_fixtures_and_one_line_pages():
    for text in FIXTURE_TEXTS:
        for page in (text, text.replace("\n", "")):
            assert find_headings(page) == reference.find_headings(page)


def test_find_headings_a_parent_closes_the_count_below_it():
    # after 二、 the (一) count is closed: an inline (二) no longer continues it
    text = "一、加强培训\n（一）开展竞赛\n二、推进公开活动（二）落实制度\n"
    assert find_headings(text) == reference.find_headings(text)
    assert [h.marker for h in find_headings(text)] == ["一、", "（一）", "二、"]


TITLE_PIECES = _pieces(cue_words("inline_heading"), ("工作计划", "一、", "(二)", "1.", "“", "\"", "：", ":")) + ["字" * 25]


@settings(max_examples=300, deadline=None)
@given(_texts(TITLE_PIECES), st.booleans())
def test_title_span_equals_the_search_with_end_alternative(text, line_start):
    from ghplan.corpus.headings import _title_span
    for start in range(len(text) + 1):
        assert _title_span(text, start, line_start) == reference.title_span(text, start, line_start)
