"""writer/facts.py: what is current in a plan year, read off dated.toml."""
from __future__ import annotations

import pytest

from ghplan.corpus.rules import dated
from ghplan.writer.draft.facts import YearOutOfRange, year_facts


def test_facts_for_2027():
    f = year_facts(2027)
    assert (f.party_congress, f.party_congress_name, f.party_congress_year) == ("二十大", "党的二十大", 2022)
    assert f.plenums == ("二十届三中全会", "二十届四中全会")
    assert (f.five_year_plan, f.five_year_plan_span) == ("十五五", (2026, 2030))
    assert (f.union_congress, f.union_congress_name, f.union_congress_year) == ("十八大", "中国工会十八大", 2023)
    assert f.guiding == "习近平新时代中国特色社会主义思想"
    assert f.campaigns == () and f.recent_campaigns == ()
    assert "党的十九大" in f.stale and "“十四五”规划" in f.stale and "党的二十大" not in f.stale


@pytest.mark.parametrize("year, party, fyp, union", [
    (2012, "十七大", "十二五", "十五大"),
    (2013, "十八大", "十二五", "十五大"),
    (2016, "十八大", "十三五", "十六大"),
    (2023, "二十大", "十四五", "十七大"),
    (2024, "二十大", "十四五", "十八大"),
    (2026, "二十大", "十五五", "十八大"),
    (2028, "二十一大", "十五五", "十八大"),
    (2029, "二十一大", "十五五", "十九大"),
])
def test_current_references_move_with_the_plan_year(year, party, fyp, union):
    f = year_facts(year)
    assert (f.party_congress, f.five_year_plan, f.union_congress) == (party, fyp, union)


def test_expected_congress_is_marked_and_has_no_plenums_yet():
    f = year_facts(2028)
    assert f.party_congress_expected and f.plenums == ()
    assert not year_facts(2027).party_congress_expected


def test_plenums_only_once_held_before_the_plan_year():
    assert year_facts(2025).plenums == ("二十届三中全会",)
    assert year_facts(2024).plenums == ()


def test_running_and_recent_campaigns():
    assert year_facts(2024).campaigns == ("党纪学习教育",)
    assert year_facts(2026).recent_campaigns == ("深入贯彻中央八项规定精神学习教育",)


def test_facts_agree_with_what_review_calls_stale():
    # whatever facts call current, the stale check accepts for that year, and vice versa
    for year in range(2013, 2031):
        f = year_facts(year)
        text = f"全面贯彻党的{f.party_congress}精神，深入学习贯彻中国工会{f.union_congress}精神，建功“{f.five_year_plan}”。"
        assert dated.check(text, year) == [], (year, text)
        assert f.study_line() and dated.check(f.study_line() + "。", year) == []


def test_out_of_range_years_are_refused():
    lo, hi = dated.year_range()
    with pytest.raises(YearOutOfRange):
        year_facts(lo - 1)
    with pytest.raises(YearOutOfRange):
        year_facts(hi + 1)


# ---------------------------------------------------------------- facts that change: the user's facts file
from ghplan.corpus.rules import dated_table  # noqa: E402
from ghplan.writer.draft import facts as facts_mod  # noqa: E402
from ghplan.writer.draft.facts import BadFactsFile, facts_report  # noqa: E402

_HELD = '''
[[stale]]
id = "GH-STALE-PARTY-21"
expected = false

[[stale]]
id = "GH-STALE-PLENUM-21"
kind = "plenum"
triggers = ["二十一届"]
name = "二十一届中央委员会全会"
reason = "Plenums of the 21st central committee."
pattern = '二十一届(?:[一二三四五六七]中?[、,和及与]?){1,7}全会'
dated = 2027
until = 2032
fixable = false

[meta]
plenums = [{ name = "二十一届一中全会", term = 21, dated = 2027 }]
'''


@pytest.fixture
def user_facts(tmp_path, monkeypatch):
    def use(text: str):
        p = tmp_path / "facts.toml"
        p.write_text(text, "utf-8")
        monkeypatch.setenv("GHPLAN_FACTS", str(p))
        facts_mod.reload()
        return p
    yield use
    monkeypatch.delenv("GHPLAN_FACTS", raising=False)
    facts_mod.reload()


def test_bundled_facts_mark_the_21st_congress_as_expected():
    r = facts_report(2027)
    assert r["facts_file"] == "" or "GHPLAN_FACTS" in r["facts_file"]
    due = {f["value"]: f for f in r["expected"]}
    assert due["党的二十一大"]["dated"] == 2027 and due["党的二十一大"]["expected"]
    assert not any(f["expected"] for f in r["facts"])          # a 2027 plan cites only events


def test_a_user_facts_file_adds_a_held_congress_and_its_plenum(user_facts):
    path = user_facts(_HELD)
    f = year_facts(2028)
    assert not f.party_congress_expected and f.plenums == ("二十一届一中全会",)
    report = facts_report(2028)
    party = next(x for x in report["facts"] if x["fact"] == "party-congress")
    assert party["source"] == str(path) and not party["expected"]
    plenum = next(x for x in report["facts"] if x["fact"] == "plenum")
    assert plenum["source"] == str(path)
    # review reads the same merged table: the user's new rule dates the plenum
    assert dated.check("学习贯彻党的二十一届一中全会精神。", 2028) == []
    assert dated.table().rule("GH-STALE-PLENUM-21").extra["source"] == str(path)
    # and the congress the user marked as held is what a 2028 plan is fixed to
    f19 = dated.check("学习贯彻党的十九大精神。", 2028)[0]
    assert f19.suggestion == "二十一大"


def test_the_facts_file_is_found_in_the_config_directory_and_ghplan_toml(tmp_path, monkeypatch):
    monkeypatch.delenv("GHPLAN_FACTS", raising=False)
    (tmp_path / "cfg" / "ghplan").mkdir(parents=True)
    (tmp_path / "cfg" / "ghplan" / "facts.toml").write_text(_HELD, "utf-8")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    assert dated_table.facts_path(cwd=tmp_path, env=env) == tmp_path / "cfg" / "ghplan" / "facts.toml"
    (tmp_path / "ghplan.toml").write_text('[facts]\nfile = "office/facts.toml"\n', "utf-8")
    assert dated_table.facts_path(cwd=tmp_path, env=env) == (tmp_path / "office" / "facts.toml").resolve()
    assert dated_table.facts_path(cwd=tmp_path / "nowhere", env={"XDG_CONFIG_HOME": str(tmp_path / "x")}) is None


@pytest.mark.parametrize("text, words", [
    ("id = ", "bad TOML"),
    ('[[stale]]\nid = "GH-NEW"\n', "needs reason"),
    ('[[stale]]\nid = "GH-STALE-PARTY-21"\ndated = "soon"\n', "integer"),
    ('[[stale]]\nid = "GH-NEW"\nreason = "r"\ndated = 2027\npattern = "(("\n', "bad pattern"),
    ('[meta]\nplenums = [{ name = "x" }]\n', "plenum needs"),
])
def test_a_bad_facts_file_is_one_clear_error(user_facts, text, words):
    user_facts(text)
    with pytest.raises(BadFactsFile) as err:
        year_facts(2027)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_ghplan_facts_cli(user_facts, capsys):
    code, out, err = _run(["facts", "--year", "2027"])
    assert code == 0 and "党的二十大" in out and "二十一大" in out
    code, out, _ = _run(["facts", "--year", "2028", "--json"])
    import json
    data = json.loads(out)
    assert data["year"] == 2028 and data["facts"][0]["expected"]
    user_facts("id = ")
    code, out, err = _run(["facts", "--year", "2028"])
    assert code == 2 and err.count("\n") == 1 and "facts file" in err
    code, out, err = _run(["review", "-", "--year", "2027"], stdin="2027年工作计划\n")
    assert code == 2 and "facts file" in err


def _run(args, stdin=None):
    import contextlib
    import io
    import sys

    from ghplan.writer.cli import invoke
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = invoke(args)
    finally:
        sys.stdin = old
    return code, out.getvalue(), err.getvalue()
