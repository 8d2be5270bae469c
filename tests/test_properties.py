"""Property-based tests: for arbitrary text the engine, heading finder, splitter and cleaner
never raise, keep offsets exact and in order, and cleaning is idempotent."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.clean import clean_text
from corpus.headings import find_headings
from corpus.pipeline import inspect_text
from corpus.rules.engine import default_catalogue
from corpus.rules.normalize import normalise
from corpus.split import split_page

# Text built from the alphabet rot is made of: CJK, heading numerals, full/half-width
# punctuation, placeholder marks, Traditional characters, expanding compatibility characters.
ALPHABET = list("工会职工计划总结一二三四五六七八九十大届年月日篇第的了是要将医院學校醫護")
ALPHABET += list("、。，,.;；:：!！?？()（）【】“”\"'…‥①㈠〇０１２\n \t*_xX#-`>0123456789")
ALPHABET += ["小编", "希望对大家有所帮助", "精编资料,供您参考", "20xx", "十x大", "**", "相关文章:", "【篇一】",
             "工会工作计划1", "(精选3篇)", "发布 2020-06-26 05:12:28 阅读 8706", "锟斤拷", "å·¥ä¼š"]
rot_text = st.lists(st.sampled_from(ALPHABET), max_size=120).map("".join)
any_text = st.one_of(rot_text, st.text(max_size=200))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(any_text)
def test_scan_offsets_are_exact_sorted_and_in_range(text):
    findings = default_catalogue().scan(text)
    starts = [f.start for f in findings]
    assert starts == sorted(starts)
    for f in findings:
        assert 0 <= f.start <= f.end <= len(text)
        assert text[f.start:f.end] == f.text


@FAST
@given(any_text)
def test_normalise_maps_every_char_into_the_original(text):
    n = normalise(text)
    origins = [n.origin(i) for i in range(len(n.text))]
    assert origins == sorted(origins)
    assert all(0 <= o < len(text) for o in origins)


@FAST
@given(any_text)
def test_headings_are_ordered_and_inside_the_text(text):
    hs = find_headings(text)
    assert [h.start for h in hs] == sorted(h.start for h in hs)
    for h in hs:
        assert 0 <= h.start < h.end <= len(text) or (h.start <= h.end <= len(text))


@FAST
@given(any_text)
def test_split_segments_are_disjoint_and_ordered(text):
    findings = default_catalogue().scan(text)
    segs = split_page(text, findings)
    for a, b in zip(segs, segs[1:]):
        assert a.end <= b.title_start or a.end <= b.start
    for s in segs:
        assert 0 <= s.start <= s.end <= len(text)


@FAST
@given(any_text)
def test_cleaning_is_idempotent_and_leaves_no_error_rot(text):
    cat = default_catalogue()
    once, _ = clean_text(text, cat)
    twice, _ = clean_text(once, cat)
    assert twice == once


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rot_text)
def test_inspect_never_raises(text):
    page = inspect_text(text, year=2027)
    for r in page.removed:
        if r.start >= 0:
            assert text[r.start:r.end] == r.text
