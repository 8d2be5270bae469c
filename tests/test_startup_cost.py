"""What a start of `ghplan review` skips (issue 14's fixed cost), and that skipping changes no
answer: a pyproject.toml that never names ghplan is not parsed, one that does still counts."""
from __future__ import annotations

import subprocess
import sys

import pytest

from ghplan.corpus.rules import dated_table
from ghplan.writer.config import find_config

NAMED = {
    "table": '[tool.ghplan]\ncopy_threshold = 40\n',
    "quoted": '[tool."ghplan"]\ncopy_threshold = 40\n',
    "escaped": '[tool."\\u0067hplan"]\ncopy_threshold = 40\n',       # the same key, spelled with an escape
    "dotted": '[tool]\nghplan.copy_threshold = 40\n',
}


@pytest.mark.parametrize("kind", sorted(NAMED))
def test_a_pyproject_naming_ghplan_is_still_the_config(tmp_path, kind):
    (tmp_path / "pyproject.toml").write_text(NAMED[kind], "utf-8")
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"


def test_a_pyproject_that_never_names_ghplan_is_no_config(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.black]\nline-length = 99\n', "utf-8")
    assert find_config(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "ghplan-notes"\n', "utf-8")   # named, not a tool table
    assert find_config(tmp_path) is None


@pytest.mark.parametrize("kind", ["table", "escaped"])
def test_facts_file_named_in_a_pyproject_is_found(tmp_path, kind):
    body = NAMED[kind].split("\n")[0] + '\nfacts = { file = "office/facts.toml" }\n'
    (tmp_path / "pyproject.toml").write_text(body, "utf-8")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "none")}
    assert dated_table.facts_path(cwd=tmp_path, env=env) == (tmp_path / "office" / "facts.toml").resolve()


def test_facts_path_skips_a_pyproject_without_ghplan(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.black]\nfacts = { file = "x.toml" }\n', "utf-8")
    assert dated_table.facts_path(cwd=tmp_path, env={"XDG_CONFIG_HOME": str(tmp_path / "none")}) is None


def _modules_after(code: str, cwd) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, cwd=cwd, check=True).stdout
    return set(out.split())


def test_the_cli_and_a_config_lookup_import_no_toml_parser(tmp_path):
    """tomllib costs ~7 ms a start: the CLI's import and a folder whose pyproject.toml does not
    name ghplan load none (the bundled data comes parsed from the on-disk cache)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    mods = _modules_after("import ghplan.writer.cli\nfrom ghplan.writer.config import load_settings\n"
                          "from ghplan.corpus.rules.dated_table import facts_path\n"
                          "load_settings(None, env={}); facts_path(env={'XDG_CONFIG_HOME': '/nonexistent'})",
                          tmp_path)
    assert "ghplan.writer.cli" in mods and "tomllib" not in mods
