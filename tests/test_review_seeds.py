"""Whole documents: clean current plans get zero errors; raw seed pages get many, of the right kinds."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ghplan.corpus.model import ORG_TYPES
from ghplan.writer.review.reviewer import review_text

ROOT = Path(__file__).parent.parent
FIXTURES = {p.stem.removeprefix("clean_"): p for p in (Path(__file__).parent / "fixtures").glob("clean_*.txt")}
SEEDS = {p.name[:3]: p for p in sorted((ROOT / "corpus" / "seeds").glob("*.txt"))}

# What each raw page is known to carry (read off the pages by hand).
SEED_CATEGORIES = {
    "000": {"metadata", "promotion", "compilation", "placeholder", "censor", "stale", "copy"},
    "001": {"metadata", "promotion", "chatter", "download", "compilation", "placeholder", "stale"},
    "002": {"chatter", "compilation", "placeholder", "stale", "structure"},
    "003": {"watermark", "promotion", "chatter", "compilation", "placeholder", "stale", "stray"},
    "004": {"chatter", "compilation", "placeholder", "stale"},
}
SEED_STALE = {
    "000": {"GH-STALE-FYP-12", "GH-STALE-FYP-13", "GH-STALE-PARTY-19", "GH-STALE-UNION-15", "GH-STALE-GUIDING"},
    "001": {"GH-STALE-GUIDING", "GH-STALE-TITLE-YEAR"},
    "002": {"GH-STALE-CAMPAIGN-XJX", "GH-STALE-SLOGAN-OLYMPICS", "GH-STALE-CAMPAIGN-CXZY"},
    "003": {"GH-STALE-PARTY-17", "GH-STALE-SLOGAN-HAOKUAI", "GH-STALE-CAMPAIGN-CXZY"},
    "004": {"GH-STALE-GUIDING", "GH-STALE-TITLE-YEAR"},
}


@pytest.fixture(scope="module")
def seed_results():
    return {k: review_text(p.read_text("utf-8"), year=2027, file=p.name) for k, p in SEEDS.items()}


def test_there_is_one_clean_fixture_per_org_type():
    assert set(FIXTURES) == set(ORG_TYPES)


@pytest.mark.parametrize("org_type", sorted(FIXTURES))
def test_clean_current_plan_has_no_findings_given_or_inferred(org_type):
    text = FIXTURES[org_type].read_text("utf-8")
    given = review_text(text, org_type=org_type, year=2027)          # copy check on, bundled corpus
    assert given.findings == [], [(f.rule, f.text) for f in given.findings]
    inferred = review_text(text)
    assert (inferred.org_type, inferred.year, inferred.year_source) == (org_type, 2027, "title")
    assert inferred.errors == 0
    assert all(given.sections[r] for r in ("guiding", "goals", "tasks", "safeguards"))


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_each_seed_page_gets_many_findings_of_the_right_categories(seed_results, key):
    r = seed_results[key]
    cats = Counter(f.category for f in r.findings)
    assert r.errors >= 25, cats
    missing = SEED_CATEGORIES[key] - set(cats)
    assert not missing, (missing, cats)
    stale = {f.rule for f in r.findings if f.category == "stale"}
    assert SEED_STALE[key] <= stale, stale


def test_every_finding_on_every_seed_points_into_the_page(seed_results):
    for key, r in seed_results.items():
        text = SEEDS[key].read_text("utf-8")
        for f in r.findings:
            assert text[f.start:f.end] == f.text
            line, col = r.line_col(f.start)
            assert text.split("\n")[line - 1][col - 1:].startswith(f.text.split("\n")[0])


def test_the_file_titled_for_hospitals_is_not_reviewed_as_a_hospital_plan(seed_results):
    assert seed_results["003"].org_type != "hospital"
