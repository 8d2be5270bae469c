""""Next year" is computed from the clock in one place per command; these tests pin the clock
(the `frozen_today` fixture) so the suite passes the same in any year, and say what happens when
the default year runs past what the dated table covers (it ends in 2030). Every other test
passes its year explicitly."""
from __future__ import annotations

from datetime import date

from tests.cli_helpers import ghplan_inprocess

NO_KEY = {"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, "GHPLAN_STORE": None}


def test_draft_defaults_to_next_year(frozen_today, tmp_path):
    frozen_today(date(2027, 11, 23))
    r = ghplan_inprocess(["draft", "--org", "某市第一人民医院工会", "--type", "hospital", "--no-retrieve"],
                         env=NO_KEY, cwd=tmp_path)
    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == "某市第一人民医院工会2028年工作计划"


def test_past_the_dated_table_the_default_year_is_one_clear_line(frozen_today, tmp_path):
    frozen_today(date(2030, 1, 2))
    r = ghplan_inprocess(["draft", "--org", "x工会", "--type", "school", "--no-retrieve"],
                         env=NO_KEY, cwd=tmp_path)
    assert r.code == 2, r.err
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ghplan: error:") and "2031" in lines[0], r.err
    assert r.out == ""


def test_review_and_index_default_to_next_year(frozen_today):
    from ghplan.writer.index.chunk import default_year
    from ghplan.writer.review.reviewer import resolve_year

    frozen_today(date(2029, 3, 1))
    assert default_year() == 2030
    assert resolve_year("某校工会工作计划\n一、指导思想\n", None) == (2030, "default")
    assert resolve_year("某校工会2027年工作计划\n", None)[0] == 2027
