"""Fast paths taken on rot-heavy text give what the plain readings give.

- `Catalogue.match(norm, original=text)` leaves out rules whose hits `scan` would all drop (a
  Traditional-character check on a text holding none): `scan` makes the same findings;
- `model.direct_init` (Finding, Match) builds what the generated frozen __init__ builds;
- `label.phrase_counts` (ahocorasick_rs, counted in C) counts what pyahocorasick's walk counted;
- `reviewer._superseded` with the replacing rules tabled once keeps what it kept;
- `broken.too_short` counts Chinese characters over growing prefixes only until the floor is
  reached: the same findings as counting the whole text.
"""
from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import assume, given, settings, strategies as st

from ghplan.corpus import label
from ghplan.corpus.headings import find_headings
from ghplan.corpus.model import Heading
from ghplan.corpus.rules import prefilter
from ghplan.corpus.rules.engine import Catalogue, Match, _drop_nested, default_catalogue
from ghplan.corpus.rules.model import Finding, Rule, direct_init
from ghplan.corpus.rules.normalize import normalise
from ghplan.writer.review import broken, reviewer

from tests import review_reference as reference

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_TEXTS = [p.read_text("utf-8") for p in sorted(FIXTURES.rglob("*.txt"))]


def _checked_pieces() -> list[str]:
    """The triggers and the original characters of every rule checked against the original
    text, the characters their patterns look around, and plain words and breaks."""
    cat = default_catalogue()
    pieces: set[str] = set()
    for r in cat.rules:
        if r.extra.get("original"):
            pieces.update(r.extra.get("triggers", ()))
            pieces.update(c for c in r.pattern + r.extra["original"] if not c.isascii() or c in "?!")
    return sorted(pieces) + ["工会", "发展", "髮展", "乾部", "？", "?", "。", "\n", " ", "，"]


CHECKED = _checked_pieces()


def _scan_both(text: str):
    cat = default_catalogue()
    norm = normalise(text)
    plain = cat.scan(text, norm, hits=cat.match(norm.text))
    fast = cat.scan(text, norm, hits=cat.match(norm.text, original=text))
    return plain, fast


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(CHECKED), max_size=60).map("".join), st.booleans())
def test_match_without_idle_rules_scans_the_same(text, long_text_path):
    """`long_text_path`: as a long text is matched (the automaton without the idle rules'
    triggers, compiled scans), whatever this text's length."""
    with mock.patch.object(prefilter, "SCAN_MIN", 0 if long_text_path else prefilter.SCAN_MIN):
        plain, fast = _scan_both(text)
    assert fast == plain


def test_idle_rules_left_out_only_where_the_original_lacks_their_characters():
    cat = default_catalogue()
    assert "GH-MOJI-CONVERSION-CHAR" in cat._idle_rules("不断发展壮大工会组织。")
    assert "GH-MOJI-CONVERSION-CHAR" not in cat._idle_rules("不斷髮展壯大工會組織。")
    for text in ("不断发展壮大工会组织。干部队伍", "不斷髮展壯大工會組織。乾部隊伍"):
        plain, fast = _scan_both(text)
        assert fast == plain
    assert any(f.rule == "GH-MOJI-CONVERSION-CHAR" for f in _scan_both("不斷髮展壯大")[1])


def _rule(rid: str, pattern: str, **extra) -> Rule:
    return Rule(id=rid, category="mojibake", severity="error", reason="r", pattern=pattern,
                extra={"triggers": ["发"], **extra})


def test_a_rule_that_may_drop_another_hit_is_never_idle():
    """A rule another yields to, or one whose hits are longer than one character (a shorter hit
    of its category inside one is dropped), is verified whatever the original holds."""
    cat = Catalogue([_rule("A", "发", original="髮"),
                     _rule("B", "发展", original="髮展"),
                     _rule("C", "发", original="x"),
                     _rule("D", "发", yields_to=["C"])])
    assert cat._idle_rules("发展") == {"A"}
    assert cat._idle_rules("髮展x") == set()


def test_match_on_fixtures_scans_the_same():
    long = "\n".join(FIXTURE_TEXTS * 2)
    assert len(long) >= prefilter.SCAN_MIN                  # the long-text path is taken
    for text in FIXTURE_TEXTS + [long]:
        plain, fast = _scan_both(text)
        assert fast == plain


def test_the_idle_automaton_hands_back_none_of_their_triggers():
    cat = default_catalogue()
    idle = cat._idle_rules("不断发展")
    text = "不断发展，加强干部队伍和制度建设。" * 1000
    full, lean = cat._literals(frozenset()), cat._literals(idle)
    assert len(lean[0].find_matches_as_indexes(text, overlapping=True)) < \
        len(full[0].find_matches_as_indexes(text, overlapping=True))
    assert not idle & set(lean[2]) and idle & set(full[2])
    assert cat._literals(idle) is lean                       # built once per idle set


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["工会", "职工", "a", "。", "\n", "一二三四五六七八九十" * 3]), max_size=60).map("".join),
       st.sampled_from([None, 0, 1, 40, 100, 400, 1000]))
def test_too_short_by_prefixes_equals_counting_everything(text, target):
    assert broken.too_short(text, target) == reference.too_short(text, target)


def test_too_short_around_the_floor():
    floor = int(broken.cues().get("floor_chars", 300))
    for n in (floor - 1, floor, floor + 1):
        text = ("ab工" * n)[:n * 3]
        assert broken.too_short(text, None) == reference.too_short(text, None)
        assert bool(broken.too_short(text, None)) is (n < floor)


def _generated_twin(cls):
    """The same dataclass with the __init__ dataclasses generates."""
    return dataclasses.make_dataclass(cls.__name__, [(f.name, f.type, f) for f in dataclasses.fields(cls)],
                                      frozen=True)


@pytest.mark.parametrize("cls", [Finding, Match, Heading])
def test_direct_init_has_the_generated_signature(cls):
    twin = _generated_twin(cls)
    assert inspect.signature(cls.__init__) == inspect.signature(twin.__init__)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=3), st.integers(), st.booleans()), min_size=7, max_size=11),
       st.booleans())
def test_direct_init_builds_what_the_generated_one_builds(values, keywords):
    twin = _generated_twin(Finding)
    names = [f.name for f in dataclasses.fields(Finding)][:len(values)]
    args, kwargs = ((), dict(zip(names, values))) if keywords else (values, {})
    ours, theirs = Finding(*args, **kwargs), twin(*args, **kwargs)
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
    assert repr(ours) == repr(theirs).replace(twin.__qualname__, "Finding")
    assert ours == Finding(*args, **kwargs) and hash(ours) == hash(Finding(*args, **kwargs))
    with pytest.raises(dataclasses.FrozenInstanceError):
        ours.rule = "x"


def test_direct_init_refuses_what_the_generated_one_refuses():
    with pytest.raises(TypeError):
        Finding("a", "b", "c", 1, 2, "t")                       # a field without default missing
    with pytest.raises(TypeError):
        Finding("a", "b", "c", 1, 2, "t", "m", colour="red")    # no such field
    assert direct_init(Rule) is Rule and "Rule.__init__" in Rule.__init__.__qualname__   # a factory default: left alone


PHRASES = ["工会", "会", "工会", "", "會", "会工", "职工之家", "职工", "ａ", "a", "之家"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PHRASES), max_size=8).map(tuple),
       st.lists(st.sampled_from(["工", "会", "工会", "职工", "之家", "a", "。"]), max_size=40).map("".join))
def test_phrase_counts_in_c_equal_the_walk(phrases, body):
    assume(any(phrases))            # the walk's automaton refuses to be built of "" alone
    assert label.phrase_counts(body, phrases) == reference.phrase_counts(body, phrases)


def test_phrase_counts_on_fixtures():
    cues = label._cue_table()[0]
    for text in FIXTURE_TEXTS:
        body = label._normalised(text)
        assert label.phrase_counts(body, cues) == reference.phrase_counts(body, cues)
        assert sum(label.phrase_counts(body, cues)) > 0


def _finding(rule: str, start: int, end: int) -> Finding:
    return Finding(rule, "numbering", "warning", start, end, "", "m")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["GH-NUM-STRAY-DOT", "GH-STRAY-DOT", "GH-COPY-RUN", "GH-STALE-YEAR"]),
                          st.integers(0, 3), st.integers(0, 3)), max_size=20))
def test_superseded_tabled_once_equals_asking_each_rule(items):
    findings = [_finding(r, a, a + b) for r, a, b in items]
    assert reviewer._superseded(findings) == reference.superseded(findings)


def test_superseded_drops_the_generic_rule_and_repeats():
    dot, stray = _finding("GH-NUM-STRAY-DOT", 2, 3), _finding("GH-STRAY-DOT", 2, 3)
    assert reviewer._superseded([stray, dot, dot]) == [dot]
    assert reviewer._superseded([stray, _finding("GH-NUM-STRAY-DOT", 2, 4)]) == [stray, _finding("GH-NUM-STRAY-DOT", 2, 4)]


_RULES = [Rule(id="A", category="x", severity="error", reason="r"),
          Rule(id="B", category="x", severity="error", reason="r", extra={"yields_to": ["C"]}),
          Rule(id="C", category="y", severity="error", reason="r"),
          Rule(id="D", category="y", severity="error", reason="r", extra={"yields_to": ["A", "C"]})]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_RULES), st.integers(0, 12), st.integers(1, 6)), max_size=25))
def test_drop_nested_with_the_earliest_open_end_equals_filtering_each_time(items):
    hits = [Match(r, s, s + n) for r, s, n in items]
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), h.rule.id))      # as Catalogue.match sorts
    assert _drop_nested(hits) == reference.drop_nested(hits)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3), st.sampled_from(["error", "warning", "info", "odd"]),
                          st.sampled_from(["GH-A", "GH-B"]), st.sampled_from(["x", "y"])), max_size=30))
def test_in_order_equals_sorting_by_a_key_function(items):
    findings = [Finding(r, "c", sev, s, s + n, "", m) for s, n, sev, r, m in items]
    expected = sorted(findings, key=lambda f: (f.start, f.end, reviewer.SEVERITY_RANK.get(f.severity, 9), f.rule))
    assert [id(f) for f in reviewer.in_order(findings)] == [id(f) for f in expected]


def test_dated_messages_made_once_render_as_before():
    from ghplan.corpus.rules import dated_table

    for values in ({"x": 2020, "year": 2027}, {"x": "2020", "year": 2027}, {"x": True, "year": 2027},
                   {"x": 1, "year": 2027}, {"x": ["a"], "year": 2027}):
        assert dated_table.say("year", **values) == dated_table.messages()["year"].render(**values)
    assert dated_table.say("year", x=True, year=1) != dated_table.say("year", x=1, year=1)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["工会", "职工", "a", "。", "\n", "一二三四五六七八九十" * 30]), max_size=60).map("".join),
       st.integers(-5, 400), st.integers(-3, 3000), st.one_of(st.none(), st.integers(-3, 3000)))
def test_cjk_below_equals_counting_the_slice(text, limit, start, end):
    start = max(0, start)
    expected = broken.cjk_length(text[start:end]) < limit
    assert broken._cjk_below(text, limit, start, end) is expected


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["工会", "职", "a", "。", "\n", "一二三四五六七八九十" * 8]), max_size=40).map("".join),
       st.floats(-3, 70), st.integers(0, 400), st.one_of(st.none(), st.integers(-3, 400)))
def test_cjk_below_a_small_fractional_limit_equals_counting_the_slice(text, limit, start, end):
    assert broken._cjk_below(text, limit, start, end) is (broken.cjk_length(text[start:end]) < limit)


SECTIONS = ["\n一、", "\n二、", "\n（一）", "\n（二）", "\n1.", "工作目标", "加强职工之家建设，开展活动", "。", "；", "ab", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SECTIONS), max_size=40).map("".join))
def test_empty_sections_counting_up_to_the_limit_equals_counting_all(text):
    from ghplan.corpus.headings import find_headings

    headings = find_headings(text)
    assert broken.empty_sections(text, headings) == reference.empty_sections(text, headings)


def test_empty_sections_on_fixtures():
    from ghplan.corpus.headings import find_headings

    for text in FIXTURE_TEXTS + ["一、指导思想\n二、工作目标\n加强。"]:
        headings = find_headings(text)
        assert broken.empty_sections(text, headings) == reference.empty_sections(text, headings)
    assert broken.empty_sections("一、指导思想\n二、工作目标\n加强。", find_headings("一、指导思想\n二、工作目标\n加强。"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["## ", "#", "\n", "一、", "（二）", "指导思想", "。", " "]), max_size=30).map("".join))
def test_plan_headings_equal_masking_every_text(text):
    masked = reviewer._MD_HEADING.sub(lambda m: " " * len(m.group()), text)
    assert reviewer.plan_headings(text) == find_headings(masked)


def test_markdown_heading_marks_still_masked_when_the_text_has_a_hash():
    md = "## 一、指导思想\n坚持以职工为中心。\n## 二、工作目标\n建好职工之家。\n"
    assert [h.style for h in reviewer.plan_headings(md)] == ["cn-dun", "cn-dun"]


LOOKBACK = list(broken.cues().get("lookback_when", ())) + list(broken.cues().get("lookback_done", ())) + \
    ["去", "年", "。", "！", "?", ";", "\n", " ", "开展", "工会", "一、"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LOOKBACK), max_size=40).map("".join))
def test_sentences_holding_a_cue_equal_searching_each_sentence(text):
    words = broken._any_of(tuple(broken.cues().get("lookback_when", ())))
    expected = [m.span() for m in broken._SENTENCE.finditer(text) if words.search(m.group())]
    assert broken._sentences_holding(text, words) == expected


def test_lookback_on_fixtures():
    plan = (FIXTURES / "clean_enterprise.txt").read_text("utf-8")
    texts = FIXTURE_TEXTS + [plan.replace("\n", "\n去年共组织开展劳动竞赛三次，取得了良好成效。\n", 1)]
    for text in texts:
        assert broken.lookback(text) == reference.lookback(text)
    assert broken.lookback(texts[-1])


def test_scan_reads_each_hits_own_rule_even_under_a_known_id():
    """`scan` keeps what it copies from a rule per id; a hit carrying another Rule under that id
    (a user's table overriding an entry) gets its own rule's message and suggestion."""
    first = Rule(id="X", category="c", severity="error", reason="r", message="first", pattern="发")
    other = Rule(id="X", category="c", severity="warning", reason="r", message="second", pattern="发",
                 action="repair", successor="发展")
    cat = Catalogue([first])
    one = cat.scan("发", hits=[Match(first, 0, 1)])
    two = cat.scan("发", hits=[Match(other, 0, 1)])
    assert (one[0].message, one[0].severity, one[0].suggestion) == ("first", "error", "")
    assert (two[0].message, two[0].severity, two[0].suggestion) == ("second", "warning", "发展")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["cn-dun", "md", "month", "arabic-dot"])), max_size=30))
def test_single_items_from_one_stack_pass_equal_walking_each_subtree(shape):
    text = "x" * (len(shape) + 1)
    headings = [Heading(level, f"{i}、", i, style, f"题{i}", i, i + 1) for i, (level, style) in enumerate(shape)]
    assert broken.single_items(text, headings) == reference.single_items(text, headings)


def test_single_items_on_fixtures():
    from ghplan.corpus.headings import find_headings

    texts = FIXTURE_TEXTS + ["一、指导思想\n（一）只有一项\n二、工作目标\n（一）甲\n（二）乙\n"]
    for text in texts:
        assert broken.single_items(text, find_headings(text)) == reference.single_items(text, find_headings(text))
    assert [f.text for f in broken.single_items(texts[-1], find_headings(texts[-1]))] == ["（一）只有一项"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["一、", "二，", "三.", "十．", "（一）", "第一、", "1、", "2.", "(3)", "一月份：", "## ", "\n",
                                 "。", "字"]), max_size=30).map("".join))
def test_a_separator_closing_last_is_always_the_chinese_numeral_style(text):
    from ghplan.corpus import headings

    for m in headings._markers().finditer(text):
        if m.lastgroup not in headings._STYLES:
            assert m.lastgroup == "cn_sep"
            assert next(g for g in headings._STYLES if m.group(g) is not None) == "cn_dun"


NUMBERED = ["\n一、", "\n二、", "\n四、", "\n（一）", "\n（三）", "\n1.", "\n3.", " 二、", "工作目标", "。", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NUMBERED), max_size=30).map("".join))
def test_a_numbering_slip_is_fixable_exactly_when_it_has_a_fix_and_renumbering_is_certain(text):
    from ghplan.writer.review import numbering
    hs = numbering.checked(find_headings(text))
    certain = numbering.renumbering_is_certain(text, hs)
    slips = [f for f in numbering._sequence_findings(text, hs) if f.rule in ("GH-NUM-GAP", "GH-NUM-REPEAT", "GH-NUM-ORDER")]
    assert all(f.fixable is (bool(f.suggestion) and certain) for f in slips)
