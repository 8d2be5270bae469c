"""`ghplan review` / `ghplan rules` end to end: exit codes, one-line errors, formats, --fix."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli_helpers import assert_one_line_error, ghplan
from ghplan.writer.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
CLEAN = FIXTURES / "clean_enterprise.txt"
SEED = sorted((Path(__file__).parent.parent / "corpus" / "seeds").glob("*.txt"))[0]
OLD = ("2026年某厂工会工作计划\n以下是小编整理的工会工作计划范文，希望对大家有所帮助。\n一、指导思想\n"
       "坚持以习近平新时代中国特色社会主义思想为指导，建功“十四五”。\n二、工作目标\n全年开展劳动竞赛四次。\n"
       "四、主要工作\n开展劳动竞赛和技能比武，做好困难职工帮扶，组织职工文体活动。\n五、保障措施\n加强领导。\n")
runner = CliRunner()


def run(*args: str, input: bytes | str | None = None):
    return runner.invoke(app, list(args), input=input)


# ---------------------------------------------------------------- exit codes and formats
def test_clean_plan_exits_0_and_says_the_type_was_inferred():
    r = run("review", str(CLEAN), "--no-copy")
    assert r.exit_code == 0, r.output
    assert "type enterprise (inferred from the text" in r.stdout and "plan year 2027 (from the title)" in r.stdout
    assert r.stdout.strip().endswith("0 errors, 0 warnings, 0 infos in 1 file")


def test_type_may_be_given_by_its_chinese_name():
    r = run("review", str(FIXTURES / "clean_hospital.txt"), "--type", "医院", "--no-copy", "-f", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["type"] == "hospital"


def test_seed_page_exits_1():
    r = run("review", str(SEED), "--year", "2027")
    assert r.exit_code == 1 and "GH-" in r.stdout


def test_json_is_one_object_per_path_and_stdin_works():
    r = run("review", str(CLEAN), "-", "--format", "json", "--no-copy", input=OLD.encode())
    assert r.exit_code == 1
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["file"] for row in rows] == [str(CLEAN), "<stdin>"]
    assert rows[0]["findings"] == [] and rows[1]["summary"]["errors"] > 0
    assert rows[1]["year"] == 2026      # from the title


def test_sarif_output_parses():
    r = run("review", "-", "--format", "sarif", "--year", "2027", "--no-copy", input=OLD.encode())
    log = json.loads(r.stdout)
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]


def test_config_file_disables_rules(tmp_path):
    cfg = tmp_path / "ghplan.toml"
    cfg.write_text('[review]\ndisable = ["chatter", "GH-STALE-*", "numbering"]\n', "utf-8")
    r = run("review", "-", "--config", str(cfg), "--year", "2027", "--no-copy", "-f", "json", input=OLD.encode())
    rules = {f["rule"] for f in json.loads(r.stdout)["findings"]}
    assert not any(x.startswith(("GH-CHAT", "GH-STALE", "GH-NUM")) for x in rules)
    bad = tmp_path / "bad.toml"
    bad.write_text('[review]\ndisable = ["GH-NOPE"]\n', "utf-8")
    r = run("review", str(CLEAN), "--config", str(bad))
    assert r.exit_code == 2 and "GH-NOPE" in r.stderr


# ---------------------------------------------------------------- bad input: one line, exit 2
@pytest.mark.parametrize("args, words", [
    (["review", "/no/such/plan.txt"], "no such file"),
    (["review", str(CLEAN), "--type", "nurse"], "unknown --type"),
    (["review", str(CLEAN), "--year", "1990"], "out of range"),
    (["review", str(CLEAN), "--year", "next"], "--year"),
    (["review", str(CLEAN), "--format", "xml"], "--format"),
    (["review", str(CLEAN), "--fix"], "--out"),
    (["review", "-", "--fix", "--in-place"], "stdin"),
])
def test_bad_usage_is_one_line_and_exit_2(args, words):
    r = run(*args)
    assert r.exit_code == 2
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("ghplan: error:") and words in lines[0], r.stderr


def test_unreadable_files_through_the_real_console_script(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    nothing = tmp_path / "nothing"          # a folder is reviewed file by file; one with no plan is an error
    nothing.mkdir()
    (nothing / "notes.xlsx").write_bytes(b"PK\x03\x04")
    for path, words in ((empty, "empty"), (binary, "PNG"), (nothing, "directory")):
        r = ghplan("review", str(path))
        assert_one_line_error(r, 2)
        assert words in r.err


def test_gbk_file_is_ordinary_input_noted_on_stderr(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(CLEAN.read_text("utf-8").encode("gbk"))
    r = ghplan("review", str(gbk), "--no-copy")
    assert r.code == 0, r.err                                   # exit by the findings: none
    assert r.err.strip() == f"ghplan: note: {gbk}: read as GB18030"
    assert "decoded as GB18030" in r.out and "0 errors" in r.out
    ok = ghplan("review", str(gbk), "--no-copy", "--encoding", "gb18030")
    assert ok.code == 0 and ok.err == ""


# ---------------------------------------------------------------- --fix
def test_fix_writes_the_fixed_text_and_reviews_what_is_left(tmp_path):
    src = tmp_path / "old.txt"
    src.write_text(OLD, "utf-8")
    out = tmp_path / "new.txt"
    r = run("review", str(src), "--fix", "--out", str(out), "--year", "2027", "--no-copy")
    fixed = out.read_text("utf-8")
    assert fixed.startswith("2027年某厂工会工作计划\n一、指导思想")
    assert "十五五" in fixed and "小编" not in fixed and "三、主要工作" in fixed and "四、保障措施" in fixed
    assert src.read_text("utf-8") == OLD                      # --out leaves the input alone
    assert r.exit_code == 0, r.stdout
    assert f"wrote {out}" in r.stdout and r.stdout.strip().startswith(f"{out}:")


def test_fix_in_place_is_atomic_and_keeps_permissions(tmp_path):
    src = tmp_path / "plan.txt"
    src.write_text(OLD, "utf-8")
    os.chmod(src, 0o640)
    r = run("review", str(src), "--fix", "--in-place", "--year", "2027", "--no-copy")
    assert r.exit_code == 0
    assert "十五五" in src.read_text("utf-8")
    assert src.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["plan.txt"]    # no temp file left behind


# ---------------------------------------------------------------- ghplan rules
def test_rules_lists_every_family_with_reasons_and_examples():
    r = run("rules", "--json")
    rows = json.loads(r.stdout)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    for row in rows:
        assert list(row) == ["id", "category", "severity", "reason", "example", "reason_zh"] and row["reason"]
    cats = {row["category"] for row in rows}
    assert {"structure", "stale", "organisation", "numbering", "copy", "chatter", "placeholder"} <= cats
    text = run("rules")
    assert text.exit_code == 0 and f"{len(rows)} rules" in text.stdout and "GH-STALE-PARTY-17" in text.stdout
