"""The corpus pipeline on the seed pages and on small texts written for these tests."""
from __future__ import annotations

import re

import pytest

from ghplan.corpus.dedup import duplicate_pairs
from ghplan.corpus.headings import check_sequence, find_headings
from ghplan.corpus.doc_kind import infer_doc_kind
from ghplan.corpus.label import infer_org_type
from ghplan.corpus.pipeline import build_corpus, bundled_seeds, inspect_text
from ghplan.corpus.rules.engine import default_catalogue

SEEDS = {p.name[:3]: p for p in bundled_seeds()}

# What a person reading each seed finds in it, document by document, labelled from the body.
EXPECTED = {
    "000": [("federation", "plan"), ("school", "plan")],
    "001": [("school", "plan")] * 3,
    "002": [("government", "mixed"), ("federation", "summary"), ("government", "mixed")],
    "003": [("township", "plan"), ("school", "plan"), ("enterprise", "plan"), ("federation", "summary")],
    "004": [("school", "plan"), ("school", "plan"), ("women", "plan"), ("women", "plan")],
}


@pytest.fixture(scope="module")
def pages():
    return {k: inspect_text(p.read_text("utf-8"), source=p.name, year=2027) for k, p in SEEDS.items()}


@pytest.fixture(scope="module")
def corpus_build():
    return build_corpus(year=2027)


def test_five_seed_pages_are_bundled_untouched():
    assert sorted(SEEDS) == ["000", "001", "002", "003", "004"]
    for p in SEEDS.values():
        assert p.stat().st_size > 8000


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_each_seed_splits_into_its_documents_with_body_labels(pages, seed):
    got = [(d.org_type, d.doc_kind) for d in pages[seed].documents]
    assert got == EXPECTED[seed]


def test_the_page_titled_for_hospitals_holds_no_hospital_plan(pages):
    page = pages["003"]
    assert "医院" in SEEDS["003"].read_text("utf-8")[:60]
    assert all(d.org_type != "hospital" for d in page.documents)


def _no_rot_left(text: str) -> list[str]:
    return [f"{f.rule}:{f.text}" for f in default_catalogue().scan(text)
            if f.category not in ("stale",) and f.severity == "error"]


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_clean_documents_carry_no_error_level_rot(pages, seed):
    for d in pages[seed].documents:
        assert _no_rot_left(d.text) == [], d.title


def test_every_rot_category_found_in_the_seeds_is_removed(pages):
    removed = {r.category for p in pages.values() for r in p.removed}
    for cat in ("promotion", "chatter", "watermark", "metadata", "related", "compilation",
                "placeholder", "censor", "stray"):
        assert cat in removed, cat


def test_specific_rot_from_the_domain_notes_is_gone(pages):
    all_clean = "\n".join(d.text for p in pages.values() for d in p.documents)
    for rot in ("小编", "希望对大家有所帮助", "精编资料", "阅读 8706", "复制下载", "相关文章", "48 2349580",
                "【篇", "20xx", "20__", "十x大", "xxx", "*管理", "`", "三一文库", "2349580"):
        assert rot not in all_clean, rot


def test_removed_offsets_point_into_the_raw_page(pages):
    for key, page in pages.items():
        raw = SEEDS[key].read_text("utf-8")
        for r in page.removed:
            if r.start >= 0:
                assert raw[r.start:r.end] == r.text


def test_censor_marks_are_repaired_only_where_certain():
    text = ("二、主要任务\n扎实开展厂务公开、*管理及集体协商等工作，深化工会法律*工作格局，"
            "依法履行工会*职责。职工的*意识明显增强，我们要珍惜。\n三、工作要求\n"
            "要加强组织领导，把各项工作落到实处，确保全年目标顺利完成，职工群众满意度持续提升。")
    doc = inspect_text(text, year=2027).documents[0]
    assert "民主管理" in doc.text and "法律维权" in doc.text and "维权职责" in doc.text
    assert "*" not in doc.text
    assert "意识明显增强" not in doc.text      # no certain repair: the damaged sentence goes


def test_inline_headings_on_a_one_line_page(pages):
    # seed 003 is one line of ~5,000 characters; its first plan has five numbered sections
    raw = SEEDS["003"].read_text("utf-8")
    assert "\n" not in raw.strip()
    first = pages["003"].documents[0]
    level1 = [s for s in first.sections if s.level == 1]
    assert [s.heading[:4] for s in level1] == ["夯实基础", "共建和谐", "围绕中心", "积极帮扶", "优化队伍"]


def test_heading_levels_and_sequence_problems():
    text = "一、指导思想\n内容。\n二、工作目标\n(一)目标一\n1.第一项\n2、第二项\n(1)细项\n四、保障措施\n"
    hs = find_headings(text)
    assert [(h.level, h.number) for h in hs] == [(1, 1), (1, 2), (2, 1), (3, 1), (3, 2), (4, 1), (1, 4)]
    problems = check_sequence(hs)
    assert [(p.heading.marker, p.problem, p.expected) for p in problems] == [("四、", "gap", 3)]


def test_month_and_markdown_headings_are_found():
    hs = find_headings("## 工作安排\n一月份:召开职代会\n二月份:开展送温暖\n")
    assert [h.style for h in hs] == ["md", "month", "month"]


def test_section_roles_from_heading_words_not_positions(pages):
    doc = pages["003"].documents[1]      # the school plan: 指导思想 / 工作目标 / 具体工作
    roles = [s.role for s in doc.sections if s.level == 1]
    assert roles[:3] == ["guiding", "goals", "tasks"]


def test_mixed_document_marks_its_plan_part(pages):
    doc = pages["002"].documents[0]
    assert doc.doc_kind == "mixed"
    plan_sections = [s for s in doc.sections if s.plan]
    past_sections = [s for s in doc.sections if not s.plan]
    assert plan_sections and past_sections
    assert "下半年" in plan_sections[0].heading
    assert all("下半年" not in s.heading for s in past_sections)


def test_summary_sections_are_not_plan_material(pages):
    doc = pages["003"].documents[3]
    assert doc.doc_kind == "summary" and not any(s.plan for s in doc.sections)


def test_near_duplicate_documents_across_pages_are_found(corpus_build):
    pairs = [(k.split("#")[0], d.split("#")[0]) for k, d, _ in corpus_build.duplicates]
    assert ("001_47cb0642ebb592e0", "004_0d86f010e203b325") in pairs
    kept_ids = {d.doc_id for d in corpus_build.documents}
    assert not any(d in kept_ids for _, d, _ in corpus_build.duplicates)


def test_dedup_ignores_unrelated_plans():
    a = "加强职工之家建设，组织职工开展健步走和羽毛球比赛，丰富业余文化生活。" * 5
    b = "落实女职工特殊权益保护专项集体合同，开展三八节系列活动和健康讲座。" * 5
    assert duplicate_pairs([a, b]) == []
    assert duplicate_pairs([a, a.replace("积极", "主动")])[0][:2] == (0, 1)


def test_a_page_that_is_all_boilerplate_yields_no_document():
    page = "发布 2020-06-26 05:12:28 阅读 8706\n以下是小编整理的工作计划范文，希望对大家有所帮助。\n喜欢就复制下载支持吧！\n"
    assert inspect_text(page, year=2027).documents == []


def test_stale_references_are_tagged_with_their_year(pages):
    stale = pages["003"].stale
    assert any(s.dated <= 2012 for s in stale)    # 党的17大, 创先争优 …
    raw = SEEDS["003"].read_text("utf-8")
    for s in stale:
        assert raw[s.start:s.end] == s.text


def test_labels_on_short_texts():
    hospital = "围绕医德医风建设，组织医务人员开展技能竞赛，推进院务公开，办好护士节和医师节活动，关心一线医护人员。"
    assert infer_org_type(hospital) == "hospital"
    summary = "上半年，我们开展了职工运动会，举办了技能比武，走访了困难职工，取得了较好成效。现将工作总结如下。" * 2
    assert infer_doc_kind(summary) == "summary"
    plan = "新的一年，工会将继续深化职工之家建设，力争建成职工书屋，确保困难职工帮扶全覆盖。" * 2
    assert infer_doc_kind(plan) == "plan"


def test_clean_text_never_keeps_a_placeholder(corpus_build):
    for d in corpus_build.documents:
        assert not re.search(r"(?:20|19)(?:xx|XX|__)|[xX]{2,}|(?<![*])\*\*(?![*])|_", d.text), d.doc_id
