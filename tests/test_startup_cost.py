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


def _rich_plain(lines: list[str]) -> str:
    import io

    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=False, no_color=True, highlight=False, soft_wrap=True,
                      emoji=False, markup=False)
    for line in lines:
        console.print(line)
    return buf.getvalue()


TEXT = ("某公司工会2027年工作计划\n一、指导思想\n坚持以党的十九大精神为指引，全面贯彻落实。\n"
        "二、工作目标\n努力开创工会工作新局面，为“十四五”规划收官作贡献。\n")


@pytest.mark.parametrize("name", ["plan.txt", "计划　全角 ｗｉｄｅ 😀 e\u0301 [bold]x[/bold] :smile:.txt",
                                  "  spaced  " + "长" * 120 + ".txt", "tab\there.txt", "cr\rhere.txt"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_plain_text_report_is_what_rich_prints(name, lang):
    """Without colour the report is written without rich: byte for byte what rich prints, for wide,
    combining and markup-like characters and lines past any width; a line with a control
    character rich rewrites (a tab, a CR) still goes through rich."""
    import io

    from ghplan.writer.review import report
    from ghplan.writer.review.reviewer import review_text

    r = review_text(TEXT, year=2027, file=name)
    r.lang = lang
    assert r.findings
    extras = [report.Extra(notes=[f"{name}: read as GB18030"], fixed=2, written=name)]
    out = io.StringIO()
    report.render_text([r], extras, color=False, file=out)
    assert out.getvalue() == _rich_plain(report._plain_lines([r], extras))
    assert ("\t" not in out.getvalue()) and ("\r" not in out.getvalue())


def _modules_after_review(tmp_path, option: str) -> set[str]:
    """The modules a fresh process holds after `ghplan review OPTION plan.txt` (findings seen)."""
    plan = tmp_path / "plan.txt"
    plan.write_text(TEXT, "utf-8")
    code = ("import io, sys\nreal, sys.stdout = sys.stdout, io.StringIO()\nfrom ghplan.writer.cli import invoke\n"
            f"invoke(['review', {option!r}, {str(plan)!r}])\nassert 'GH-' in sys.stdout.getvalue()\nsys.stdout = real")
    return _modules_after(code, tmp_path)


def test_a_plain_review_imports_no_rich(tmp_path):
    mods = _modules_after_review(tmp_path, '--no-color')
    assert "ghplan.writer.review.report" in mods and "rich.console" not in mods


def test_the_nfkc_map_from_disk_is_the_one_built(tmp_path, monkeypatch):
    """normalize.py's NFKC table comes from the on-disk memo: equal to a fresh build, rebuilt
    when the file is damaged, kept apart per Unicode version."""
    from ghplan.corpus import cache
    from ghplan.corpus.rules import normalize

    monkeypatch.setenv("GHPLAN_CACHE_DIR", str(tmp_path))
    built = normalize._compat_parts()
    calls = []

    def build():
        calls.append(1)
        return normalize._compat_parts()
    key = "15.0.0 test"
    assert cache.memo("nfkc-test", key, build) == built and calls == [1]
    (path,) = tmp_path.glob("nfkc-test-*.marshal")
    assert cache.memo("nfkc-test", key, build) == built and calls == [1]          # read back
    path.write_bytes(path.read_bytes()[:-40])                                     # damaged
    assert cache.memo("nfkc-test", key, build) == built and calls == [1, 1]
    assert cache.memo("nfkc-test", "16.0.0 test", build) == built and calls == [1, 1, 1]
    normalize._compat.cache_clear()
    try:
        rx, mapping, exp = normalize._compat()
        assert (mapping, rx.pattern, exp.pattern) == built and list(mapping) == list(built[0])
    finally:
        normalize._compat.cache_clear()


@pytest.mark.parametrize("word", ["工會", "全心全意依靠工人階級", "…", "（一）", "ｗｉｄｅ１２３", "", "x" * 32, "十四五…规划"])
def test_a_word_is_normalised_once_a_process_and_the_same_as_before(word):
    """Rule words, triggers and lexicon phrases come back from the word memo: one shared, frozen
    result per word, equal to normalising it afresh (expansions and their offsets included)."""
    from ghplan.corpus.rules import normalize

    first = normalize.normalise(word)
    assert normalize.normalise(word) is first
    fresh = normalize._normalise(word)
    assert first == fresh and [first.origin(i) for i in range(len(first.text) + 1)] == \
        [fresh.origin(i) for i in range(len(fresh.text) + 1)]
    long = word + "。" * 40                         # past the word size: normalised each time
    assert normalize.normalise(long) == normalize._normalise(long) and normalize.normalise(long) is not normalize.normalise(long)


@pytest.mark.parametrize("package", ["ghplan.corpus", "ghplan.corpus.rules", "ghplan.writer", "ghplan.writer.serve"])
def test_bundled_files_are_where_importlib_resources_puts_them(package):
    from importlib import resources

    from ghplan.corpus.cache import bundled

    assert str(bundled(package)) == str(resources.files(package))


def test_bundled_falls_back_to_importlib_resources_off_a_plain_folder(monkeypatch):
    import importlib
    from importlib import resources

    from ghplan.corpus.cache import bundled

    spec = importlib.import_module("ghplan.corpus.rules").__spec__
    monkeypatch.setattr(spec, "origin", spec.origin + "c")          # as from bytecode only
    got = bundled("ghplan.corpus.rules")
    assert str(got) == str(resources.files("ghplan.corpus.rules"))
    assert got.joinpath("boilerplate.toml").read_text("utf-8")


def test_a_review_imports_no_zip_reader(tmp_path):
    """importlib.resources' readers (and zipfile) cost ~3 ms of a first resources.files() call;
    a review of a text file reads its bundled data without them."""
    mods = _modules_after_review(tmp_path, '--json')
    assert "ghplan.writer.review.copycheck" in mods and "zipfile" not in mods


@pytest.mark.parametrize("before", ["", "gc.disable()\n"])
def test_the_console_script_freezes_what_the_cli_imports_and_restores_collection(tmp_path, before):
    """`ghplan` (ghplan._console) imports the CLI without cyclic collection and freezes what it
    made; collection is as it was before; the CLI module imported on its own freezes nothing."""
    code = (f"import gc, sys\n{before}on = gc.isenabled()\nimport ghplan\nsys.argv = ['ghplan', '--version']\n"
            "try:\n    ghplan._console()\nexcept SystemExit as exc:\n    assert exc.code in (0, None)\n"
            "assert gc.isenabled() == on, 'collection state changed'\nassert gc.get_freeze_count() > 10000\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.stdout.strip().endswith("ok"), out.stderr
    plain = subprocess.run([sys.executable, "-c", "import gc, ghplan.writer.cli\n"
                            "assert gc.isenabled() and gc.get_freeze_count() == 0\nprint('ok')"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert plain.stdout.strip() == "ok", plain.stderr


def test_the_console_script_is_ghplan_console():
    """The installed `ghplan` runs ghplan._console (pyproject.toml), as the bench does."""
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="console_scripts") if e.name == "ghplan"]
    assert ep.value == "ghplan:_console"
