"""`ghplan corpus` through the real console script: contracts and bad input."""
from __future__ import annotations

import json

import pytest

from ghplan.corpus.pipeline import bundled_seeds
from tests.cli_helpers import assert_one_line_error, ghplan

SEED = str(bundled_seeds()[3])


def test_version_and_help_list_every_command():
    assert ghplan("--version").out.startswith("ghplan ")
    helptext = ghplan("--help").out
    for cmd in ("draft", "review", "rules", "corpus", "index", "search", "eval"):
        assert cmd in helptext, cmd


def test_inspect_json_lines_contract():
    run = ghplan("corpus", "inspect", SEED, str(bundled_seeds()[0]), "--json", "--year", "2027")
    assert run.code == 0, run.err
    rows = [json.loads(line) for line in run.out.splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert set(row) == {"source", "org_type", "doc_kind", "documents", "removed", "stale"}
        for d in row["documents"]:
            assert set(d) == {"title", "org_type", "doc_kind", "text", "sections"}
            for s in d["sections"]:
                assert set(s) == {"heading", "level", "role", "plan", "text"}
        for r in row["removed"]:
            assert set(r) == {"category", "rule", "text", "start", "end"}
        for s in row["stale"]:
            assert set(s) == {"text", "rule", "dated", "start", "end"}
    assert len(rows[0]["documents"]) == 4


def test_build_writes_jsonl_and_reports(tmp_path):
    out = tmp_path / "clean.jsonl"
    run = ghplan("corpus", "build", "--out", str(out), "--json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["pages"] == 5 and report["documents_kept"] == report["documents_found"] - len(report["duplicates"])
    assert report["removed_by_category"]["placeholder"] > 0
    docs = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(docs) == report["documents_kept"]
    assert all(d["text"] and d["sections"] for d in docs)


@pytest.mark.slow       # six console-script runs (the bad-input matrix has these rows in-process)
@pytest.mark.parametrize("case", ["missing", "directory", "empty", "binary", "pdf", "latin"])
def test_inspect_bad_input_is_one_line_and_exit_2(tmp_path, case):
    path = tmp_path / "page.txt"
    if case == "directory":
        path = tmp_path
    elif case == "empty":
        path.write_text("  \n")
    elif case == "binary":
        path.write_bytes(b"\x00\x01\x02binary\x00")
    elif case == "pdf":
        path.write_bytes(b"%PDF-1.4 ...")
    elif case == "latin":
        path.write_bytes(bytes(range(0x80, 0x100)) * 4)
    run = ghplan("corpus", "inspect", str(path))
    assert_one_line_error(run, 2)


def test_gbk_page_is_read_not_refused(tmp_path):
    path = tmp_path / "gbk.txt"
    text = "一、指导思想\n以习近平新时代中国特色社会主义思想为指导，推进学校工会工作，组织教职工参加教代会。\n" * 3
    path.write_bytes(text.encode("gbk"))
    run = ghplan("corpus", "inspect", str(path), "--json")
    assert run.code == 0, run.err
    row = json.loads(run.out)
    assert row["documents"] and "教代会" in row["documents"][0]["text"]


def test_build_missing_source_and_unwritable_out(tmp_path):
    assert_one_line_error(ghplan("corpus", "build", "--source", str(tmp_path / "nope")), 2)
    out = tmp_path / "no" / "such" / "dir" / "x.jsonl"
    assert_one_line_error(ghplan("corpus", "build", "--out", str(out)), 2)
    assert not out.exists()


def test_year_out_of_range():
    assert_one_line_error(ghplan("corpus", "inspect", SEED, "--year", "1900"), 2)
