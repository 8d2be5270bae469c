"""ghplan.toml: an unknown key is a warning naming it and the file, never an error; timeouts."""
from __future__ import annotations

import json

import pytest

from ghplan.writer.config import ConfigError, load_settings, unknown_keys
from tests.cli_helpers import ghplan_inprocess

PLAN = "某中学工会2027年工作计划\n一、指导思想\n以上内容仅供参考。\n"


def test_unknown_keys_are_found_at_both_levels():
    data = {"review": {"disable": [], "disabel": []}, "openai": {"timeout": 5, "api_key": "x"},
            "reviw": {}, "facts": {"file": "f.toml"}}
    assert unknown_keys(data) == ["review.disabel", "openai.api_key", "reviw"]


def test_review_warns_names_key_and_file_and_still_applies_the_rest(tmp_path):
    conf = tmp_path / "ghplan.toml"
    conf.write_text('[review]\ndisable = ["GH-CHAT-READ-ON"]\ncopy_treshold = 10\n[modle]\nname = "x"\n', "utf-8")
    (tmp_path / "plan.txt").write_text(PLAN, "utf-8")
    r = ghplan_inprocess(["review", "plan.txt", "--no-copy", "--json"], cwd=tmp_path)
    assert r.code in (0, 1), r.err
    warnings = [line for line in r.err.splitlines() if line.startswith("ghplan: warning:")]
    assert len(warnings) == 2
    assert "'review.copy_treshold'" in warnings[0] and "'modle'" in warnings[1]
    assert all(str(conf) in w for w in warnings)
    assert "GH-CHAT-READ-ON" not in {f["rule"] for f in json.loads(r.out)["findings"]}   # disable applied


def test_pyproject_tool_table_warns_too(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.ghplan.openai]\nmodel = "m"\nbase = "u"\n', "utf-8")
    s = load_settings(tmp_path / "pyproject.toml", env={})
    assert s.openai_model == "m" and len(s.warnings) == 1 and "'openai.base'" in s.warnings[0]


def test_a_clean_file_warns_nothing(tmp_path, capsys):
    conf = tmp_path / "ghplan.toml"
    conf.write_text('[openai]\ntimeout = 7.5\n[facts]\nfile = "x.toml"\n', "utf-8")
    s = load_settings(conf, env={})
    assert s.warnings == [] and s.openai_timeout == 7.5 and capsys.readouterr().err == ""


def test_timeout_from_environment_beats_the_file(tmp_path):
    conf = tmp_path / "ghplan.toml"
    conf.write_text("[openai]\ntimeout = 20\n", "utf-8")
    assert load_settings(conf, env={"GHPLAN_TIMEOUT": "2.5"}).openai_timeout == 2.5


@pytest.mark.parametrize("value", ['"soon"', "0", "-1", "99999"])
def test_a_bad_timeout_in_the_file_is_a_config_error(tmp_path, value):
    conf = tmp_path / "ghplan.toml"
    conf.write_text(f"[openai]\ntimeout = {value}\n", "utf-8")
    with pytest.raises(ConfigError, match="timeout"):
        load_settings(conf, env={})
