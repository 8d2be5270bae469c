"""Every command's failures in the user's language: commands × bad inputs × zh/en.

Each case runs through the console script's own entry logic (`ghplan.writer.cli.invoke`) in an
empty directory of its own, and must end in one line on stderr, `ghplan: error: …` (the prefix
stays English for scripts), with its documented exit code, no traceback and nothing left in the
directory. Under zh the line after the prefix is Chinese (CJK, the English sentence gone); under
en it is the English sentence ghplan always printed.
"""
from __future__ import annotations

import re
import socket
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_helpers import GHPLAN, ghplan_inprocess
from tests.fake_openai import FakeOpenAI

FIXTURES = Path(__file__).parent / "fixtures"
HAN = re.compile(r"[\u4e00-\u9fff]")
PREFIX = "ghplan: error: "
KEY = "sk-test-errors-lang-0123456789"
# my own short plan: readable, so only the flag under test is wrong
PLAN = "某县人民医院工会2027年工作计划\n一、指导思想\n坚持服务职工。\n二、主要工作\n（一）办好职工书屋。\n（二）开展技能比武。\n"


@dataclass(frozen=True)
class Case:
    id: str
    argv: str           # tokens; {in} the inputs folder, {here} the case's own empty folder,
    #                     {closed} a loopback URL nobody listens on, {fixtures} tests/fixtures
    code: int
    en: str             # the English line says this; the Chinese one must not
    server: str = ""    # "closed": OPENAI_BASE_URL nobody listens on; "401": a key-rejecting fake


DRAFT = "draft --org 某县人民医院工会 --type hospital --year 2027 --no-retrieve"
CASES = [
    Case("review/missing", "review {in}/none.txt", 2, "no such file"),
    Case("review/undecodable", "review {in}/mixed.txt", 2, "neither UTF-8 nor GB18030"),
    Case("review/empty", "review {in}/empty.txt", 2, "the input is empty"),
    Case("review/unknown-type", "review --type bank {in}/plan.txt", 2, "unknown --type"),
    Case("review/bad-year", "review --year MMXXVII {in}/plan.txt", 2, "must be a year"),
    Case("review/config-missing", "review --config {in}/none.toml {in}/plan.txt", 2, "config file not found"),
    Case("review/fix-out-no-dir", "review --fix --out {here}/no/dir/x.txt {in}/plan.txt", 2, "cannot write"),
    Case("review/no-path", "review", 2, "Missing argument"),
    Case("review/unknown-option", "review --bogus {in}/plan.txt", 2, "No such option"),
    Case("rules/unknown-category", "rules --category alien", 2, "unknown category"),
    Case("search/unknown-type", "search 职工书屋 --type bank", 2, "unknown type"),
    Case("search/empty-query", "search   --store {here}/none", 2, "empty query"),
    Case("search/no-index", "search 职工书屋 --store {here}/none", 1, "no index yet"),
    Case("index-status/no-index", "index status --store {here}/none", 1, "no index yet"),
    Case("index-build/corpus-missing", "index build --corpus {in}/none --store {here}/idx", 2, "corpus not found"),
    Case("index-build/year", "index build --year 1900 --store {here}/idx", 2, "out of range"),
    Case("index-build/binary-page", "index build --corpus {in}/pages_nul --store {here}/idx", 1, "yielded no chunks"),
    Case("index-build/chroma-down", "index build --chroma-url {closed}", 1, "is unreachable"),
    Case("index-status/store-is-a-file", "index status --store {in}/filestore", 1, "not a directory"),
    Case("search/bad-chroma-url", "search 职工书屋 --chroma-url ftp://x", 1, "bad chroma URL"),
    Case("refresh/missing", "refresh {in}/none.txt --year 2027", 2, "cannot read"),
    Case("refresh/undecodable", "refresh {in}/mixed.txt --year 2027 --backend offline", 2, "neither UTF-8"),
    Case("refresh/empty", "refresh {in}/empty.txt --year 2027 --backend offline", 2, "the file is empty"),
    Case("refresh/unknown-type", "refresh {in}/plan.txt --year 2027 --type bank", 2, "unknown type"),
    Case("refresh/year", "refresh {in}/plan.txt --year 1800 --backend offline", 2, "dated table"),
    Case("export/out-no-dir", "refresh {in}/plan.txt --year 2027 --backend offline --out {here}/no/x.docx",
         2, "cannot write"),
    Case("refresh/endpoint-down", "refresh {fixtures}/refresh/water_2025.txt --year 2027 --backend openai "
         "--out {here}/new.docx", 3, "cannot reach", "closed"),
    Case("refresh/bad-key", "refresh {fixtures}/refresh/water_2025.txt --year 2027 --backend openai", 3,
         "rejected the API key", "401"),
    Case("facts/year", "facts --year 1800", 2, "dated table"),
    Case("corpus-inspect/missing", "corpus inspect {in}/none.txt", 2, "no such file"),
    Case("corpus-inspect/undecodable", "corpus inspect {in}/mixed.txt", 2, "neither UTF-8"),
    Case("corpus-inspect/empty", "corpus inspect {in}/empty.txt", 2, "the file is empty"),
    Case("corpus-build/missing", "corpus build --source {in}/none", 2, "no such file or directory"),
    Case("eval/suite-missing", "eval --suite {in}/none.toml", 1, "cannot read suite"),
    Case("eval/unknown-backend", "eval --backend alien", 2, "unknown backend"),
    Case("serve/no-token", "serve --host 0.0.0.0", 2, "without --token"),
    Case("draft/unknown-type", "draft --org 某县人民医院工会 --type bank", 2, "unknown org type"),
    Case("draft/endpoint-down", f"{DRAFT} --backend openai --out {{here}}/p.docx", 3, "cannot reach", "closed"),
    Case("draft/bad-key", f"{DRAFT} --backend openai --out {{here}}/p.docx", 3, "rejected the API key", "401"),
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("inputs")
    (d / "plan.txt").write_text(PLAN, "utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "mixed.txt").write_bytes(PLAN.encode("utf-8") * 4 + PLAN.encode("gbk") * 4)
    (d / "pages_nul").mkdir()
    (d / "pages_nul" / "page.txt").write_bytes(b"\x00\x01" + PLAN.encode("utf-8") + b"\x00" * 16)
    (d / "filestore").write_text("not an index\n", "utf-8")
    return d


def _closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def _run(case: Case, lang: str, inputs: Path, here: Path):
    closed = _closed_url().removesuffix("/v1")
    values = {"in": inputs, "here": here, "closed": closed, "fixtures": FIXTURES}
    argv = [t.format(**values) for t in case.argv.split()]
    if case.id == "search/empty-query":
        argv[1:1] = [" "]
    # the default store beside the case's folder: a build against a chroma server keeps its
    # (by design lasting) flock file there, which is not output
    env = {"GHPLAN_LANG": None, "LC_ALL": None, "LANG": "C", "GHPLAN_STORE": str(here.parent / "default-store"),
           "OPENAI_API_KEY": KEY, "GHPLAN_TIMEOUT": "5"}
    if case.server == "401":
        with FakeOpenAI([{"status": 401, "body": {"error": {"message": f"bad key {KEY}"}}}]) as srv:
            return ghplan_inprocess(["--lang", lang, *argv], env={**env, "OPENAI_BASE_URL": srv.base_url}, cwd=here)
    env["OPENAI_BASE_URL"] = _closed_url()
    return ghplan_inprocess(["--lang", lang, *argv], env=env, cwd=here)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_failure_is_one_line_in_the_chosen_language(case: Case, lang: str, inputs: Path, tmp_path: Path):
    here = tmp_path / "case"
    here.mkdir()
    r = _run(case, lang, inputs, here)
    lines = [ln for ln in r.err.splitlines() if ln.strip() and not ln.startswith("[")]
    assert r.code == case.code, (r.code, r.err)
    assert "Traceback" not in r.err + r.out and "internal error" not in r.err
    assert len(lines) == 1 and lines[0].startswith(PREFIX), r.err
    said = lines[0][len(PREFIX):]
    if lang == "zh":
        # Chinese beyond the type names a list may quote (学校, 医院 …), and the English gone
        assert HAN.search(re.sub(r"[a-z]+ [\u4e00-\u9fff]+", "", said)), said
        assert case.en not in said, said
    else:
        assert case.en in said, said
    assert KEY not in r.err + r.out
    assert sorted(p.name for p in here.iterdir()) == [], "a failure leaves nothing behind"


@pytest.mark.parametrize("lang, chinese", [("zh_CN.UTF-8", True), ("C", False), ("POSIX", False)])
def test_the_locale_chooses_the_error_language_in_the_console_script(tmp_path, lang, chinese):
    """The real console script, no --lang or GHPLAN_LANG: the locale decides."""
    env = {"PATH": "/usr/bin:/bin", "LANG": lang, "HOME": str(tmp_path)}
    p = subprocess.run([GHPLAN, "review", str(tmp_path / "none.txt")], capture_output=True, text=True,
                       env=env, cwd=tmp_path, timeout=120)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and p.stderr.startswith(PREFIX)
    assert bool(HAN.search(p.stderr)) == chinese and ("no such file" in p.stderr) != chinese


def test_unknown_config_key_warns_in_the_chosen_language(tmp_path):
    (tmp_path / "ghplan.toml").write_text("[review]\nbogus_setting = 1\n", "utf-8")
    (tmp_path / "plan.txt").write_text(PLAN, "utf-8")
    for lang, word in (("zh", "不认识的配置项"), ("en", "unknown key")):
        p = subprocess.run([GHPLAN, "--lang", lang, "review", "plan.txt", "--no-copy", "--json"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=120,
                           env={"PATH": "/usr/bin:/bin", "LANG": "C", "HOME": str(tmp_path)})
        warning = [ln for ln in p.stderr.splitlines() if "bogus_setting" in ln]
        assert len(warning) == 1 and word in warning[0], p.stderr
        assert bool(HAN.search(warning[0].split("(known")[0])) == (lang == "zh")


# ---------------------------------------------------------------- the table itself
def _error_entries() -> dict[str, dict]:
    from ghplan.writer import messages

    raw = tomllib.loads((Path(messages.__file__).parent / "data" / "messages.toml").read_text("utf-8"))
    flat = messages._flatten(raw["messages"])
    return {k: v for k, v in flat.items() if k.startswith(("error.", "libnote."))}


@pytest.mark.parametrize("key", sorted(_error_entries()))
def test_each_error_reads_back_to_its_own_chinese(key):
    """An English line rendered from an entry comes back as that entry's Chinese, with the
    values in place: no other template captures it, and every zh value comes from the en."""
    from string import Formatter

    from ghplan.writer.localize import localize

    entry = _error_entries()[key]
    names = {f for _, f, _, _ in Formatter().parse(entry["en"]) if f}
    values = {n: f"V{i}x" for i, n in enumerate(sorted(names))}
    en = entry["en"].format(**values)
    zh = re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: values[m.group(1)], entry["zh"].replace("{{", "{").replace("}}", "}"))
    assert localize(en, "zh") == zh
    assert localize(en, "en") == en


def test_an_unknown_line_stays_as_it_was_and_a_said_keeps_its_chinese():
    from ghplan.writer.localize import localize
    from ghplan.writer.messages import say

    assert localize("something nobody translated", "zh") == "something nobody translated"
    said = say("profile.org_required")
    assert localize(said, "zh") == said.zh and localize(said, "en") == said.en


def test_index_builds_joined_note_is_read_back_half_by_half():
    """`index build` joins its notes with "; ", and one of them holds "; " itself."""
    from ghplan.writer.cli.index_cmd import _note

    joined = ("model changed from m1 to m2: every chunk re-embedded; "
              "query model: no ONNX export (onnx is not installed); queries load sentence-transformers")
    zh = _note(joined, "zh")
    assert zh == "向量模型已从 m1 换成 m2：所有段落已重新向量化；查询模型：未导出 ONNX（未安装 onnx）：检索时加载 sentence-transformers"
    assert _note(joined, "en") == joined
    assert _note("something new; and more", "zh") == "something new; and more"
