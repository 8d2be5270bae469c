"""Review matches a text once for the shared catalogue and the review-only rules (generated.py):
each catalogue gets the hits it makes on its own."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ghplan.corpus.rules import dated
from ghplan.corpus.rules.engine import default_catalogue
from ghplan.corpus.rules.normalize import normalise
from ghplan.writer.review import generated
from ghplan.writer.review.reviewer import _matched

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(__file__).parent.parent / "corpus" / "seeds"
DRAFTY = ("好的，以下是为您整理的【单位名称】2027年工会工作计划：\n| 项目 | 时间 |\n|---|---|\n"
          "一、指导思想\n坚持以习近平新时代中国特色社会主义思想为指导。于X月召开X次会议。\n---\n"
          "以上就是这份计划，如需进一步完善，请告诉我。")


def _texts() -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted(FIXTURES.rglob("*.txt")) + sorted(SEEDS.glob("*.txt"))]
    return texts + [DRAFTY, "\n".join(texts) + DRAFTY]


def test_one_match_gives_each_catalogue_its_own_hits():
    for text in _texts():
        norm = normalise(text).text
        shared, own = _matched(norm, text)
        unread = dated.unread_rules()
        assert shared == [h for h in default_catalogue().match(norm, original=text) if h.rule.id not in unread]
        assert own == generated.catalogue().match(norm)
    assert _matched(normalise(DRAFTY).text, DRAFTY)[1]          # the draft's chatter is found


def test_a_review_builds_one_automaton():
    # the shared and the review-only catalogues are read for their rules; only the joint one
    # matches (a fresh process: other tests here match with the shared catalogue itself; no copy
    # check, whose index, built from an empty cache, cleans pages with the shared catalogue)
    code = ("from ghplan.writer.review.reviewer import review_text\n"
            "from ghplan.writer.review import generated\n"
            "from ghplan.corpus.rules.engine import default_catalogue\n"
            f"review_text({DRAFTY!r}, year=2027, copy=False)\n"
            "print(generated.with_shared()[0]._lits is not None, default_catalogue()._lits is None,"
            " generated.catalogue()._lits is None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True"]


def test_review_rules_leave_the_shared_rules_readings_alone():
    # what `_matched` relies on: no review rule yields to another rule or reads original characters
    # (either would change which shared rules the joint catalogue leaves unverified)
    for r in generated.catalogue().rules:
        assert not r.extra.get("yields_to") and not r.extra.get("original"), r.id


def test_the_years_rules_are_read_by_no_one_in_review():
    # what leaving them out of the match relies on: dated.check passes over their hits, and the
    # catalogue's findings leave every dated rule to it
    unread = dated.unread_rules()
    assert "GH-STALE-YEAR" in unread
    text = "2019年是关键之年。2018年我们完成了任务。\n" * 3
    norm = normalise(text)
    hits = default_catalogue().match(norm.text, original=text)
    assert any(h.rule.id in unread for h in hits)
    kept = [h for h in hits if h.rule.id not in unread]
    assert dated.check(text, 2027, norm, hits) == dated.check(text, 2027, norm, kept)
    assert all(h.rule.category == dated.CATEGORY for h in hits if h.rule.id in unread)


def test_skipped_rules_leave_only_their_own_hits_out():
    cat = default_catalogue()
    text = "\n".join(_texts())
    norm = normalise(text).text
    skip = frozenset({"GH-STALE-YEAR", "GH-COMP-NUMBERED-TITLE"})
    full = cat.match(norm, original=text)
    assert {h.rule.id for h in full} >= skip
    assert cat.match(norm, original=text, skip=skip) == [h for h in full if h.rule.id not in skip]
