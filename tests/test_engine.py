"""The shared detection engine: rule data, one-pass matching, offsets into the original text."""
from __future__ import annotations

import re

import pytest

from ghplan.corpus.rules.engine import Catalogue, default_catalogue, load_toml, parse_rules
from ghplan.corpus.rules.model import Rule
from ghplan.corpus.rules.normalize import normalise

BOILERPLATE = parse_rules(load_toml("boilerplate.toml"))


def test_every_rule_has_id_category_reason_and_a_way_to_match():
    for rule in default_catalogue().rules:
        assert re.fullmatch(r"GH-[A-Z0-9-]+", rule.id), rule.id
        assert rule.category and rule.reason.strip(), rule.id
        assert rule.pattern or rule.words or rule.extra.get("kind"), rule.id   # kind: computed by review
        assert rule.severity in ("error", "warning", "info"), rule.id


@pytest.mark.parametrize("rule", [r for r in BOILERPLATE], ids=lambda r: r.id)
def test_every_boilerplate_example_fires_its_rule(rule: Rule):
    assert rule.example, f"{rule.id} has no example"
    hits = {f.rule for f in default_catalogue().scan(rule.example)}
    assert rule.id in hits, f"{rule.id} does not fire on its own example {rule.example!r}"


def test_categories_cover_every_kind_of_rot_named_by_the_domain():
    cats = {r.category for r in default_catalogue().rules}
    for needed in ("promotion", "chatter", "watermark", "metadata", "related", "compilation", "download",
                   "placeholder", "censor", "chatbot", "markdown", "mojibake", "stale"):
        assert needed in cats


def test_clean_plan_prose_has_no_boilerplate_hits():
    text = ("一、指导思想\n坚持以习近平新时代中国特色社会主义思想为指导，团结动员广大职工建功新时代。\n"
            "二、工作目标\n全年组织职工技能比武两次，职工书屋借阅人次比上年提高一成。\n"
            "(一)加强思想政治引领\n1.组织职工开展主题学习，每季度举办一次专题讲座。\n")
    hits = [f for f in default_catalogue().scan(text) if f.category != "stale"]
    assert hits == []


def test_positions_point_into_the_original_even_after_width_and_script_normalisation():
    # full-width punctuation, Traditional characters and an ellipsis that NFKC expands to "..."
    text = "工會工作計劃……以下是小編整理的範文（精選3篇），希望對大家有所幫助。"
    findings = default_catalogue().scan(text)
    assert findings
    for f in findings:
        assert text[f.start:f.end] == f.text
    rules = {f.rule for f in findings}
    assert "GH-CHAT-EDITOR" in rules and "GH-CHAT-HOPE" in rules
    editor = next(f for f in findings if f.rule == "GH-CHAT-EDITOR")
    assert editor.text.startswith("以下是小編整理的範文（精選3篇）")


def test_normalise_maps_each_character_back():
    text = "甲…乙（丙）醫院"
    n = normalise(text)
    assert n.text == "甲...乙(丙)医院"
    assert [n.origin(i) for i in range(len(n.text))] == [0, 1, 1, 1, 2, 3, 4, 5, 6, 7]
    assert n.span(4, 9) == (2, 7)


def test_watermark_inside_a_word_is_found_exactly():
    text = "评选10个优秀工会小精编资料,供您参考组和10名优秀工会干部"
    wm = [f for f in default_catalogue().scan(text) if f.category == "watermark"]
    assert [f.text for f in wm] == ["精编资料,供您参考"]


def test_one_pass_design_regex_rules_without_triggers_are_few_and_anchored():
    # every unanchored regex rule must declare literal triggers, or it would be tried at every position
    for rule in default_catalogue().rules:
        if rule.pattern and not rule.extra.get("triggers"):
            assert rule.pattern.startswith("^"), f"{rule.id}: give it triggers or anchor it at ^"


def test_duplicate_rule_ids_are_rejected():
    r = Rule(id="GH-X", category="c", severity="error", reason="r", words=("甲",))
    with pytest.raises(ValueError, match="duplicate"):
        Catalogue([r, r])


def test_bad_pattern_names_its_rule():
    r = Rule(id="GH-BAD", category="c", severity="error", reason="r", pattern="(")
    with pytest.raises(ValueError, match="GH-BAD"):
        Catalogue([r])


def test_trigger_window_finds_a_match_far_into_a_long_single_line():
    filler = "职工之家建设稳步推进，" * 2000
    text = filler + "以下是小编整理的范文，" + filler
    hits = [f for f in default_catalogue().scan(text) if f.rule == "GH-CHAT-EDITOR"]
    assert len(hits) == 1 and text[hits[0].start:hits[0].end] == hits[0].text
