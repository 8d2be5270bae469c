"""Eval files take organisation types as users write them (医院, 乡镇, 县总工会 …) through the one
resolver the commands use; an unknown type is one line naming the file and the case."""
from __future__ import annotations

import pytest

from tests.cli_helpers import ghplan_inprocess

SUITE = '''[suite]
name = "mine"

[[case]]
stage = "prompts"
types = ["医院", "乡镇", "县总工会", "school"]
year = 2027
checks = ["facts"]
'''


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return p


def test_a_suite_takes_chinese_type_names(tmp_path):
    from ghplan.eval.suite import load_suite

    suite = load_suite(_write(tmp_path, "mine.toml", SUITE))
    assert [c.type for c in suite.cases] == ["hospital", "township", "federation", "school"]
    assert [c.id for c in suite.cases] == ["prompts/hospital/2027", "prompts/township/2027",
                                           "prompts/federation/2027", "prompts/school/2027"]


@pytest.mark.parametrize("case_id, named", [("", "case 2 (stage prompts)"), ('id = "my-bank"\n', "case 2 (my-bank)")])
def test_an_unknown_type_is_one_line_naming_file_and_case(tmp_path, case_id, named):
    bad = SUITE + f'\n[[case]]\n{case_id}stage = "prompts"\ntype = "银行"\nyear = 2027\n'
    path = _write(tmp_path, "bank.toml", bad)
    r = ghplan_inprocess(["eval", "--suite", str(path), "--no-cache", "--cache-dir", str(tmp_path / "c")])
    assert r.code == 1
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in r.err, r.err
    assert lines[0].startswith(f"ghplan: error: bank.toml {named}: unknown org type '银行'"), lines[0]
    assert "医院" in lines[0]            # the valid names are listed


def test_queries_fixtures_and_mocks_take_chinese_types(tmp_path):
    from ghplan.eval.retrieval import load_queries
    from ghplan.eval.stages.adversarial import load_mock
    from ghplan.eval.stages.reviewer import load_fixtures

    q = _write(tmp_path, "q.toml", '[[query]]\ntype = "卫生院"\nrole = "tasks"\ntext = "关爱医护"\nexpect = ["医护"]\n')
    assert load_queries(q)[0].type == "hospital"
    fx_dir = tmp_path / "fx"
    fx_dir.mkdir()
    _write(fx_dir, "a.toml", '[[fixture]]\nid = "f1"\ntype = "街道"\nyear = 2027\ntext = "某街道总工会2027年工作计划\\n"\n')
    assert load_fixtures(fx_dir)[0].type == "township"
    m = _write(tmp_path, "m.toml", '[eval]\ntype = "女工委"\n[eval.expect]\nerror = "x"\n\n[[responses]]\nstage = "outline"\ntext = "一、指导思想"\n')
    assert load_mock(m)["eval"]["type"] == "women"


def test_unknown_types_in_queries_fixtures_and_mocks_name_where(tmp_path):
    from ghplan.eval.retrieval import load_queries
    from ghplan.eval.spec import SuiteError
    from ghplan.eval.stages.adversarial import load_mock
    from ghplan.eval.stages.reviewer import load_fixtures

    q = _write(tmp_path, "q.toml", '[[query]]\ntype = "hospital"\ntext = "a"\nexpect = ["a"]\n'
                                   '[[query]]\ntype = "银行"\ntext = "储蓄"\nexpect = ["a"]\n')
    with pytest.raises(SuiteError, match=r"^q\.toml query 2 \(储蓄\): unknown org type '银行'"):
        load_queries(q)
    fx_dir = tmp_path / "fx"
    fx_dir.mkdir()
    _write(fx_dir, "b.toml", '[[fixture]]\nid = "f9"\ntype = "银行"\ntext = "x"\n')
    with pytest.raises(SuiteError, match=r"^b\.toml fixture f9: unknown org type '银行'"):
        load_fixtures(fx_dir)
    m = _write(tmp_path, "m.toml", '[eval]\ntype = "银行"\n[eval.expect]\nerror = "x"\n\n[[responses]]\nstage = "outline"\ntext = "一"\n')
    with pytest.raises(SuiteError, match=r"^mock m\.toml \[eval\]: unknown org type '银行'"):
        load_mock(m)


def test_a_bad_mock_type_fails_when_the_suite_loads(tmp_path):
    from ghplan.eval.spec import SuiteError
    from ghplan.eval.suite import load_suite

    _write(tmp_path, "m.toml", '[eval]\ntype = "银行"\n[eval.expect]\nerror = "x"\n\n[[responses]]\nstage = "outline"\ntext = "一"\n')
    suite = _write(tmp_path, "s.toml", '[[case]]\nstage = "adversarial"\nmocks = "m.toml"\n')
    with pytest.raises(SuiteError, match=r"^s\.toml case 1 \(stage adversarial\): mock m\.toml \[eval\]: unknown org type"):
        load_suite(suite)


def test_the_bundled_suite_still_loads_with_english_ids():
    from ghplan.eval.suite import load_suite

    cases = load_suite().cases
    assert cases and all(c.type is None or c.type.isascii() for c in cases)
