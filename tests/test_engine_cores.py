"""A rule's `core` (rule data: a regex every match holds) only skips windows that hold no match.

The catalogue with its cores must find what it finds with the cores taken out, on the rules'
examples, on generated texts made of the characters the rule's pattern and core name, and on
plan-sized texts; a window without the core is not searched at all.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings, strategies as st

from ghplan.corpus.rules import dated_table, prefilter, windows
from ghplan.corpus.rules.engine import MANY_CHARS, Catalogue, default_catalogue
from ghplan.corpus.rules.model import Rule
from ghplan.corpus.rules.normalize import normalise
from ghplan.writer.review.generated import catalogue as review_catalogue

FIXTURES = Path(__file__).parent / "fixtures"
CORED = [r for cat in (default_catalogue(), review_catalogue()) for r in cat.rules
         if r.extra.get("core") and r.pattern]


def _bare(rule: Rule) -> Rule:
    return replace(rule, extra={k: v for k, v in rule.extra.items() if k not in ("core", "core_back")})


def _both(rule: Rule, norm: str) -> tuple[list, list]:
    """(hits with the core, hits without), each catalogue scanning as a long text would."""
    with mock.patch.object(prefilter, "SCAN_MIN", 0):
        return Catalogue([rule]).match(norm), Catalogue([_bare(rule)]).match(norm)


def test_some_bundled_rules_declare_a_core():
    assert {"GH-COMP-NUMBERED-TITLE", "GH-COMP-ORDINAL-TITLE"} <= {r.id for r in CORED}


@pytest.mark.parametrize("rule", CORED, ids=lambda r: r.id)
def test_a_core_keeps_the_examples_hits(rule):
    example = normalise(rule.example).text
    pad = "工会组织职工开展活动。\n"
    for text in (example, pad + example + "\n" + pad, pad * 40 + example + pad * 40):
        with_core, without = _both(rule, text)
        assert with_core == without
        assert with_core, f"{rule.id}: its example no longer matches"


def _alphabet(rule: Rule) -> list[str]:
    """Characters and short pieces the pattern and core name, plus line and sentence breaks."""
    chars = set(re.sub(r"\\[a-zA-Z]|[\\\[\](){}?*+|^$:!<=.,0-9-]", "", rule.pattern + rule.extra["core"]))
    return sorted(chars) + ["\n", "。", " ", "1", "12", "【1】", "(二)", normalise(rule.example).text]


@pytest.mark.parametrize("rule", CORED, ids=lambda r: r.id)
def test_a_core_changes_no_hit_on_generated_texts(rule):
    pieces = st.lists(st.sampled_from(_alphabet(rule)), max_size=30).map("".join)
    matching = st.from_regex(re.compile(rule.pattern, re.MULTILINE))    # text holding a match

    @settings(max_examples=150, deadline=None)
    @given(pieces, st.one_of(matching, pieces), pieces)
    def check(before, middle, after):
        text = before + middle + after
        with_core, without = _both(rule, text)
        assert with_core == without

    check()


def test_cores_change_no_hit_on_plans_and_pages():
    seeds = Path(__file__).parent.parent / "corpus" / "seeds"
    texts = [p.read_text("utf-8") for p in sorted(FIXTURES.rglob("*.txt")) + sorted(seeds.glob("*.txt"))]
    for cat in (default_catalogue(), review_catalogue()):
        bare = Catalogue([_bare(r) for r in cat.rules])
        for text in texts + ["".join(texts)]:
            norm = normalise(text).text
            assert cat.match(norm) == bare.match(norm)


def test_a_window_without_the_core_is_not_searched():
    rule = default_catalogue().by_id["GH-COMP-ORDINAL-TITLE"]
    assert "core_back" not in rule.extra
    plan = "学校工会2027年工作计划\n一、指导思想\n认真落实年度工作计划。\n" * 30     # triggers, no numbered title
    numbered = plan + "学校工会工作计划二\n" + plan
    for text, searched in ((plan, 0), (numbered, 1)):
        with mock.patch.object(prefilter.Finder, "starts", autospec=True, side_effect=prefilter.Finder.starts) as starts:
            hits = Catalogue([rule]).match(text)
        assert starts.call_count == searched
        assert len(hits) == searched
    assert Catalogue([_bare(rule)]).match(plan) == []


def test_core_back_reaches_the_farthest_start():
    # a match as far before its core as the pattern allows (30 characters, then 年度 before 工作)
    cat = default_catalogue()
    cases = {"GH-COMP-NUMBERED-TITLE": ["。" + "某" * 30 + "年度工作1\n", "。" + "某" * 30 + "工作计划1\n"],
             "GH-PROMO-SHARE": ["是" + "某" * 16 + "网友分享的范文。"],
             "GH-CHAT-HOW-TO-WRITE": ["某" * 30 + "毫无头绪。"],
             "GH-STRAY-DUN-THOUSANDS": ["共计123、456元"],
             "GH-CHAT-TIME-FILLER": ["那么" + "某" * 10 + "总结需要怎么去写呢?", "某" * 20 + "需要开始写工作计划了。"],
             "GH-PROMO-DISCLAIMER": ["某" * 24 + "如有侵权请联系删除。"],
             "GH-CHAT-ENCYCLOPEDIA": ["某" * 16 + "工会计划原意是指一种组织安排。"],
             "GH-BOT-AIM": ["某" * 40 + "旨在通过一系列活动提高素质。", "本次" + "某" * 12 + "计划" + "某" * 12 + "旨在提高。"],
             "GH-PROMO-WELCOME": ["某" * 20 + "欢迎光临", "您现在的所在位置:首页"],
             "GH-PROMO-SITE-NAME": ["。某某某某某某文库"],
             "GH-STALE-YEAR-CAMPAIGN": ["。开展某某某某某某服务年活动"],
             "GH-STALE-SLOGAN-HARMONY-X": ["努力构建某某某某和谐家园。"]}
    for rid, texts in cases.items():
        rule = cat.by_id[rid]
        for text in texts:
            with_core, without = _both(rule, "工会工作。\n" * 30 + text)
            assert with_core == without and len(with_core) == 1, (rid, text)


def test_only_starts_near_a_core_match_are_tried():
    rule = default_catalogue().by_id["GH-STRAY-DUN-THOUSANDS"]
    assert rule.extra.get("core_back") == 3
    text = ("2026、2027年计划，" * 50 + "发放慰问金1、250万元，共12、345、678元。") * 3
    with mock.patch.object(prefilter.Finder, "starts", autospec=True, side_effect=prefilter.Finder.starts) as starts:
        hits = Catalogue([rule]).match(text)
    assert starts.call_count == 0                      # no scan of the whole window
    assert [text[h.start:h.end] for h in hits] == ["1、250", "12、345、678"] * 3
    assert hits == Catalogue([_bare(rule)]).match(text)


def test_a_core_that_may_match_empty_is_refused():
    rule = Rule(id="X-EMPTY-CORE", category="x", severity="error", reason="r", pattern="计划[一二]",
                extra={"triggers": ["计划"], "core": "(?:计划)?"})
    with pytest.raises(ValueError, match="X-EMPTY-CORE: its core may match empty"):
        Catalogue([rule])


def test_a_bad_core_is_an_error_naming_its_rule():
    rule = Rule(id="X-BAD-CORE", category="x", severity="error", reason="r", pattern="计划[一二]",
                extra={"triggers": ["计划"], "core": "计划("})
    with pytest.raises(ValueError, match="X-BAD-CORE: bad core"):
        Catalogue([rule])


def test_a_user_pattern_drops_the_bundled_core(tmp_path):
    bundled = [r for r in default_catalogue().rules if r.category == dated_table.CATEGORY]
    rid = "GH-STALE-LOCAL-PLENUM"
    assert next(r for r in bundled if r.id == rid).extra.get("core")
    user = {"stale": [{"id": rid, "pattern": "届[一二]次全会"}]}
    rules, _, _ = dated_table._merge(bundled, {}, user, tmp_path / "facts.toml")
    assert "core" not in next(r for r in rules if r.id == rid).extra
    user = {"stale": [{"id": rid, "name": "renamed"}]}          # no new pattern: the core stays
    rules, _, _ = dated_table._merge(bundled, {}, user, tmp_path / "facts.toml")
    assert next(r for r in rules if r.id == rid).extra.get("core")


# Rules whose triggers were narrowed to what every match holds (a word glued to what the pattern
# needs after it) rather than a word common in plans: a text holding a match holds a trigger.
NARROWED = ["GH-CENSOR-NUMBER-GONE", "GH-STALE-LOCAL-CONGRESS", "GH-CENSOR-EMPTY-QUOTE", "GH-META-NEWS-CREDIT",
            "GH-STALE-FYP-10"]


@pytest.mark.parametrize("rule_id", NARROWED)
def test_narrowed_triggers_still_reach_every_match(rule_id):
    rule = default_catalogue().by_id[rule_id]
    rx = re.compile(rule.pattern, re.MULTILINE)
    one = Catalogue([rule])

    @settings(max_examples=300, deadline=None)
    @given(st.from_regex(rx))
    def check(text):
        text = text[:200]                  # one window: found by the windows iff found at all
        assert bool(one.match(text)) == bool(rx.search(text))

    check()
    assert one.match(normalise(rule.example).text)


def test_one_scan_for_the_many_character_triggers_changes_no_hit():
    cat = default_catalogue()
    many = [r for r in cat.rules if len(cat._char_triggers.get(r.id, "")) >= MANY_CHARS]
    assert many and cat._many_chars() is not None
    plan = (FIXTURES / "clean_school.txt").read_text("utf-8")
    texts = [plan * 8] + [plan * 4 + r.example + plan * 4 for r in many if r.example]
    for text in texts:
        norm = normalise(text).text
        with mock.patch.object(Catalogue, "_many_chars", return_value=None):
            plain = cat.match(norm)
        assert cat.match(norm) == plain
    assert any(h.rule in many for h in cat.match(normalise(texts[-1]).text))


def test_a_gate_lets_through_every_start_a_match_can_have():
    text = "X\nX。X\nYX"
    for pattern, flags in ((r"^X", re.MULTILINE), (r"(?:(?<=^)|(?<=[。\n]))X", re.MULTILINE), (r"[XY]X?", 0)):
        rx, gated = re.compile(pattern, flags), windows.gate(pattern, flags)
        assert gated is not None
        for lo in range(len(text)):
            for hi in range(lo, len(text) + 1):
                starts = list(windows._starts(text, lo, hi, gated))
                assert starts == sorted(set(starts)) and all(lo <= s < hi for s in starts)
                assert {s for s in range(lo, hi) if rx.match(text, s)} <= set(starts), (pattern, lo, hi)
