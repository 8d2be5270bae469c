"""The offline backend end to end: every org type × 2026–2028 passes review with zero errors,
speaks its own type's language, carries the profile's details, and copies nothing from the seeds."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pytest

from ghplan.corpus.model import ORG_TYPES
from ghplan.corpus.rules.engine import load_toml
from ghplan.writer.draft.backends.offline import OfflineBackend
from ghplan.writer.draft.catalogue import load_catalogue
from ghplan.writer.draft.pipeline import draft
from ghplan.writer.draft.facts import year_facts
from ghplan.writer.draft.profile import example_profile, minimal_profile

SEEDS = sorted((Path(__file__).resolve().parents[1] / "corpus" / "seeds").glob("*.txt"))
YEARS = (2026, 2027, 2028)
COPY_RUN = 50


@lru_cache(maxsize=None)
def offline(org_type: str, year: int, example: bool = True):
    prof = example_profile(org_type) if example else minimal_profile("某某单位工会", org_type)
    return draft(prof, backend=OfflineBackend(), year=year, retrieve=False)


def shared_run(a: str, b: str, n: int = COPY_RUN) -> str:
    """A verbatim run of n characters found in both texts ("" when none)."""
    grams = {b[i:i + n] for i in range(len(b) - n + 1)}
    return next((a[i:i + n] for i in range(len(a) - n + 1) if a[i:i + n] in grams), "")


def test_seed_files_are_there():
    assert len(SEEDS) >= 5


@pytest.mark.parametrize("org_type", ORG_TYPES)
@pytest.mark.parametrize("year", YEARS)
def test_zero_review_errors_for_every_type_and_year(org_type, year):
    for example in (True, False):
        r = offline(org_type, year, example)
        review = r.review_json()
        assert review["summary"]["errors"] == 0, review["findings"]
        assert review["type"] == org_type and review["year"] == year
        assert all(review["sections"][role] for role in ("guiding", "goals", "tasks", "safeguards"))
        assert r.rounds == 0 and r.backend == "offline"


@pytest.mark.parametrize("org_type", ORG_TYPES)
def test_no_verbatim_run_with_any_seed(org_type):
    seeds = [p.read_text("utf-8", errors="replace") for p in SEEDS]
    for year in YEARS:
        text = offline(org_type, year).text
        for path, seed in zip(SEEDS, seeds):
            run = shared_run(text, seed)
            assert not run, f"{org_type} {year} shares with {path.name}: {run}"


def test_catalogue_shares_no_long_run_with_any_seed():
    """The catalogue itself (every phrase, not only the chosen ones) is our own writing."""
    raw = resources.files("ghplan.writer").joinpath("data", "catalogue.toml").read_text("utf-8")
    strings = re.findall(r'"([^"\n]{20,})"', raw)
    seeds = "\n".join(p.read_text("utf-8", errors="replace") for p in SEEDS)
    n = 30
    grams = {seeds[i:i + n] for i in range(len(seeds) - n + 1)}
    for s in strings:
        for piece in re.split(r"\{\w+\}", s):    # placeholders break a run
            assert not any(piece[i:i + n] in grams for i in range(len(piece) - n + 1)), s


@pytest.mark.parametrize("org_type", ORG_TYPES)
def test_speaks_its_own_language(org_type):
    vocab = load_toml("vocab.toml")[org_type]
    for year in YEARS:
        text = offline(org_type, year).text
        assert not [w for w in vocab["betray"] if w in text]
        assert sum(w in text for w in vocab["belongs"]) >= min(3, len(vocab["belongs"]))


def test_hospital_draft_speaks_a_hospitals_language():
    text = offline("hospital", 2027).text
    for word in ("教职工", "教代会", "校务公开", "师德", "教师节"):
        assert word not in text
    for word in ("医务人员", "院务公开", "医德医风", "护士节", "医师节", "职代会"):
        assert word in text


@pytest.mark.parametrize("org_type", ORG_TYPES)
def test_reads_as_a_plan_not_a_summary(org_type):
    cues = load_toml("roles.toml")["kinds"]["summary"]
    text = offline(org_type, 2027).text
    assert not [c for c in cues if c in text]


@pytest.mark.parametrize("year", YEARS)
def test_year_facts_come_from_the_dated_table(year):
    facts = year_facts(year)
    text = offline("enterprise", year).text
    assert text.splitlines()[0] == f"某机械制造有限公司工会{year}年工作计划"
    assert facts.party_congress_name in text and facts.union_spirit in text and f"“{facts.five_year_plan}”" in text
    # no other year than the plan's
    assert set(re.findall(r"(?<!\d)(20\d\d)(?=年)", text)) == {str(year)}
    assert ("党的二十一大" in text) == (year >= 2028)


def test_catalogue_hard_codes_no_dated_facts():
    raw = resources.files("ghplan.writer").joinpath("data", "catalogue.toml").read_text("utf-8")
    body = "\n".join(ln for ln in raw.splitlines() if not ln.lstrip().startswith("#"))
    for word in ("十九大", "二十大", "二十一大", "十八大", "十四五", "十五五", "中全会", "习近平"):
        assert word not in body, word
    assert not re.search(r"20\d\d", body)


def test_profile_details_are_used():
    r = offline("hospital", 2027)
    p = example_profile("hospital")
    assert r.text.splitlines()[-2:] == [p.org, "2027年1月"]
    assert str(p.member_count) in r.text
    assert "内科、外科" in r.text
    for ev in p.events:
        line = next(ln for ln in r.text.splitlines() if ln.startswith(f"{ev.month}月："))
        assert ev.name in line
    assert "获评市级模范职工之家" in r.text
    assert "推进院务公开向科室延伸" in r.text


def test_tasks_carry_most_of_the_text_and_length_is_near_target():
    for org_type in ORG_TYPES:
        r = offline(org_type, 2027)
        lines = r.text.splitlines()
        start = next(i for i, ln in enumerate(lines) if re.match(r"^[一二三四五六七八九十]、", ln)
                     and any(w in ln for w in ("主要工作", "重点工作", "主要任务")))
        end = next(i for i in range(start + 1, len(lines)) if re.match(r"^[一二三四五六七八九十]、", lines[i]))
        tasks = sum(len(ln) for ln in lines[start:end])
        assert tasks > 0.5 * len(r.text), org_type
        target = example_profile(org_type).length
        assert 0.7 * target <= len(r.text) <= 1.3 * target, (org_type, len(r.text), target)


def test_length_option_changes_the_size():
    short = draft(minimal_profile("某厂工会", "enterprise", length=1500), backend=OfflineBackend(),
                  year=2027, retrieve=False)
    long = draft(minimal_profile("某厂工会", "enterprise", length=5000), backend=OfflineBackend(),
                 year=2027, retrieve=False)
    assert len(short.text) < len(long.text)
    assert short.errors == 0 and long.errors == 0


def test_deterministic_and_varied():
    a = draft(example_profile("school"), backend=OfflineBackend(), year=2027, retrieve=False).text
    b = draft(example_profile("school"), backend=OfflineBackend(), year=2027, retrieve=False).text
    assert a == b
    other = draft(example_profile("school").with_overrides(org="某市第二中学工会"),
                  backend=OfflineBackend(), year=2027, retrieve=False).text
    assert other != a.replace("某县实验小学工会", "某市第二中学工会")


def test_org_name_picks_the_right_terms():
    street = draft(minimal_profile("某区和平街道总工会", "township"), backend=OfflineBackend(),
                   year=2027, retrieve=False).text
    assert "全街道" in street and "全镇" not in street
    county = draft(minimal_profile("某县总工会", "federation"), backend=OfflineBackend(),
                   year=2027, retrieve=False).text
    assert "全县" in county and "全区" not in county


def test_every_type_has_a_full_catalogue_entry():
    cat = load_catalogue()
    for t in ORG_TYPES:
        spec = cat["types"][t]
        assert set(map(int, spec["schedule"])) == set(range(1, 13))
        assert len(spec["topics"]) >= 6 and all(tid in cat["topics"] for tid in spec["topics"])


def test_task_titles_carry_no_other_roles_words():
    roles = load_toml("roles.toml")["roles"]
    other = [w for r in ("guiding", "goals", "safeguards", "schedule") for w in roles[r]["words"]]
    for tid, topic in load_catalogue()["topics"].items():
        for title in topic["title"]:
            assert not [w for w in other if w in title], (tid, title)
