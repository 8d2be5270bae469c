"""Fallback fill: fewer than k servable chunks of a type for a role → the rest from its declared
stand-ins, and the result says which types filled and when even they run out."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ghplan.writer.config import DEFAULT_EMBED_MODEL
from ghplan.writer.index.retrieve import Retriever, fallback_table


@pytest.fixture(scope="module")
def retriever(mini_index):
    loc, _ = mini_index
    return Retriever(loc, DEFAULT_EMBED_MODEL)


def test_fill_when_the_plan_year_makes_own_chunks_stale(retriever, monkeypatch):
    base = retriever.search("召开代表大会 公开 民主管理", "enterprise", None, k=3)
    assert not base.fell_back and len(base.hits) == 3
    # a later plan year judges every enterprise chunk stale: the stored flags still counted >= k
    later = retriever.info.year + 1
    monkeypatch.setattr(Retriever, "_current_in", lambda self, ids, meta_of, year:
                        [c for c in ids if meta_of[c][1].get("org_type") != "enterprise"])
    res = retriever.search("召开代表大会 公开 民主管理", "enterprise", None, k=3, year=later)
    assert len(res.hits) == 3 and all(h.fallback for h in res.hits)
    order = list(fallback_table()[0]["enterprise"].order)
    assert res.fallback_types == [t for t in order if t in {h.org_type for h in res.hits}]
    assert res.fallback_reason.startswith("only ")
    assert not res.short_note


def test_says_so_when_even_the_stand_ins_run_out(retriever):
    res = retriever.search("工作目标", "hospital", "goals", k=50)
    assert 0 < len(res.hits) < 50
    assert res.fallback_types and set(res.fallback_types) == {h.org_type for h in res.hits}
    assert res.short_note.startswith(f"asked for 50, found {len(res.hits)}")
    assert "government, enterprise, school" in res.short_note
    assert not retriever.search("工作目标", "hospital", "goals", k=1).short_note


def test_search_text_prints_the_notes(mini_index):
    from ghplan.writer.cli import app
    loc, _ = mini_index
    out = CliRunner().invoke(app, ["search", "工作目标", "--type", "hospital", "--role", "goals", "-k", "50",
                                   "--store", str(loc.path)])
    assert out.exit_code == 0, out.output
    assert "note: only 0 goals sections" in out.output and "note: asked for 50" in out.output
