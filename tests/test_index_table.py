"""The filter columns a search reads instead of every row (writer/index/table.py), and the
lexical file's top-n: the same answers as the per-row filter and the full score dict they replace."""
from __future__ import annotations

import itertools

import pytest

from ghplan.writer.index.lexical import tokens
from ghplan.writer.index.lexstore import DiskBM25, write_lexical
from ghplan.writer.index.retrieve import eligible, origin_of
from ghplan.writer.index.table import Table

ORGS = ("白杨镇总工会", "临江市第二中学工会")


def _rows(mini_chunks):
    """The mini corpus's rows, a few of them made the user's own plans of two organisations."""
    rows = []
    for i, c in enumerate(mini_chunks):
        meta = c.metadata()
        if i % 3 == 0:
            meta.update(origin="user", org=ORGS[i % 2])
        if i % 7 == 0:
            meta.pop("origin")                  # an index from before origins: a seed
        rows.append((c.id, c.text, meta))
    return rows


def _old_allowed(metas, types, role, year, orgs):
    """The per-row filter the columns replace (Retriever._allowed before them)."""
    return [i for i, m in enumerate(metas)
            if eligible(m, year)
            and (types is None or m.get("org_type") in types
                 or (origin_of(m) == "user" and m.get("org") in orgs))
            and (role is None or m.get("role") == role)]


@pytest.fixture(scope="module")
def tables(tmp_path_factory, mini_chunks):
    rows = _rows(mini_chunks)
    path = tmp_path_factory.mktemp("table") / "lex.sqlite3"
    write_lexical(path, rows)
    disk = DiskBM25(path)
    metas = [m for _, _, m in rows]
    return rows, metas, disk, [disk.table(), Table.from_rows([r[0] for r in rows], [r[1] for r in rows], metas)]


def test_the_columns_filter_as_every_row_did(tables):
    rows, metas, _, both = tables
    assert {m.get("stale") for m in metas} == {True, False}          # the mini corpus has both
    types_ = (None, ["school"], ["enterprise", "township"], ["hospital"])
    for tab in both:
        assert tab.ids == [r[0] for r in rows]
        for types, role, year, orgs in itertools.product(types_, (None, "tasks", "goals"),
                                                         (None, 2026, 2027, 2031), ((), ORGS[:1], ORGS)):
            want = _old_allowed(metas, types, role, year, orgs)
            assert tab.positions(types, role, year, orgs).tolist() == want, (types, role, year, orgs)
        assert tab.user_orgs() == set(ORGS)


def test_rows_come_back_by_position(tables):
    rows, _, _, both = tables
    for tab in both:
        got = tab.rows([5, 0, 5])
        assert got == {5: (rows[5][1], rows[5][2]), 0: (rows[0][1], rows[0][2])}
        assert tab.pos(rows[7][0]) == 7


def test_top_is_the_sorted_score_dict_cut_at_n(tables):
    rows, metas, disk, (tab, _) = tables
    for q, n, types in itertools.product(("工会", "召开代表大会 民主管理", "女职工", "没有这样的词语"),
                                         (1, 3, 10, 1000), (None, ["school"])):
        allowed = tab.positions(types, None, None)
        full = disk.scores(tokens(q), set(allowed.tolist()))
        want = sorted(full.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        assert disk.top(tokens(q), allowed, n) == want
