"""`ghplan draft` as a user runs it: outputs, JSON contract, exit codes, one-line errors, no
half-written files, and the openai backend end to end against a fake server on loopback."""
from __future__ import annotations

import json
import socket
import zipfile

import pytest

from tests.cli_helpers import assert_one_line_error, ghplan
from tests.fake_openai import FakeOpenAI, plan_writer

PROFILES = "writer/data/profiles"
NO_MODEL = {"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}


def root():
    from pathlib import Path
    return Path(__file__).resolve().parents[1]


def test_offline_draft_to_stdout():
    # the year is pinned (the default, next year, is tested with a pinned clock in test_clock.py)
    r = ghplan("draft", "--org", "某市第一人民医院工会", "--type", "hospital", "--year", "2027", env=NO_MODEL)
    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == "某市第一人民医院工会2027年工作计划"
    assert "医务人员" in r.out and "教职工" not in r.out
    assert "review 0 error(s)" in r.err and "retrieval skipped" in r.err
    assert "Traceback" not in r.err


def test_json_contract_exact_keys():
    r = ghplan("draft", "--profile", str(root() / PROFILES / "township.toml"), "--year", "2028",
               "--json", env=NO_MODEL)
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert set(d) == {"text", "backend", "model", "year", "type", "retrieved", "review", "rounds",
                      "usage", "seconds"}
    assert (d["backend"], d["year"], d["type"], d["rounds"]) == ("offline", 2028, "township", 0)
    assert d["review"]["summary"]["errors"] == 0 and d["review"]["year"] == 2028
    assert set(d["review"]) >= {"file", "type", "year", "sections", "findings", "summary"}
    assert d["retrieved"] == [] and d["usage"]["calls"] > 0 and d["seconds"] >= 0
    assert "党的二十一大" in d["text"]


@pytest.mark.slow       # three drafts, each a subprocess
@pytest.mark.parametrize("ext", ["docx", "md", "txt"])
def test_out_files(tmp_path, ext):
    out = tmp_path / f"plan.{ext}"
    r = ghplan("draft", "--org", "某机械制造有限公司工会", "--type", "enterprise", "--year", "2026",
               "--out", str(out), env=NO_MODEL)
    assert r.code == 0, r.err
    assert r.out == "" and f"wrote {out}" in r.err
    if ext == "docx":
        assert zipfile.is_zipfile(out)
    else:
        assert out.read_text("utf-8").startswith("某机械制造有限公司工会2026年工作计划")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_stream_prints_the_text_as_it_goes():
    r = ghplan("draft", "--org", "某局机关工会", "--type", "government", "--year", "2027", "--stream", env=NO_MODEL)
    assert r.code == 0, r.err
    assert "机关效能" in r.out and r.out.count("工作计划") >= 1
    bad = ghplan("draft", "--org", "某局机关工会", "--type", "government", "--year", "2027", "--stream", "--json", env=NO_MODEL)
    assert_one_line_error(bad, 2)


@pytest.mark.slow       # ten drafts, each a subprocess (the bad-input matrix covers these in-process)
@pytest.mark.parametrize("args, words", [
    (["--org", "x工会", "--type", "hospitl"], "unknown org type"),
    (["--org", "x工会"], "--type are required"),
    (["--profile", "/nonexistent/p.toml"], "cannot read profile"),
    (["--org", "x工会", "--type", "school", "--year", "1999"], "outside"),
    (["--org", "x工会", "--type", "school", "--out", "plan.pdf"], "--out must end"),
    (["--org", "x工会", "--type", "school", "--out", "/nonexistent/dir/plan.docx"], "does not exist"),
    (["--org", "x工会", "--type", "school", "--backend", "gpt"], "unknown backend"),
    (["--org", "x工会", "--type", "school", "--backend", "openai"], "OPENAI_API_KEY"),
    (["--org", "x工会", "--type", "school", "--length", "5"], "length"),
    (["--org", "x工会", "--type", "school", "--backend", "mock"], "needs a script"),
])
def test_bad_input_is_one_line_exit_2(args, words):
    r = ghplan("draft", "--year", "2027", *args, env=NO_MODEL)     # a row's own --year comes last, and wins
    assert_one_line_error(r, 2)
    assert words in r.err


def test_endpoint_down_fails_cleanly_and_writes_nothing(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "plan.docx"
    r = ghplan("draft", "--org", "x工会", "--type", "school", "--year", "2027", "--out", str(out),
               env={"OPENAI_API_KEY": "sk-abcdef123456", "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1"})
    assert_one_line_error(r, 3)
    assert "connection refused" in r.err and "sk-abcdef" not in r.err
    assert list(tmp_path.iterdir()) == []


def test_bad_key_fails_cleanly_without_leaking_it(tmp_path):
    key = "sk-live-DO-NOT-PRINT-123456789"
    with FakeOpenAI([{"status": 401, "body": {"error": {"message": f"bad key {key}"}}}]) as srv:
        r = ghplan("draft", "--org", "x工会", "--type", "school", "--year", "2027", "--json",
                   env={"OPENAI_API_KEY": key, "OPENAI_BASE_URL": srv.base_url})
    assert_one_line_error(r, 3)
    assert "401" in r.err and key not in r.err + r.out and "DO-NOT-PRINT" not in r.err


def test_mock_timeout_leaves_no_file(tmp_path):
    script = tmp_path / "m.toml"
    script.write_text('[[responses]]\nstage = "outline"\nerror = "timeout"\n', "utf-8")
    out = tmp_path / "plan.md"
    r = ghplan("draft", "--org", "x工会", "--type", "school", "--year", "2027", "--backend", "mock",
               "--mock-script", str(script), "--out", str(out), env=NO_MODEL)
    assert_one_line_error(r, 3)
    assert not out.exists()


def test_remaining_review_errors_exit_1_but_the_draft_is_delivered(tmp_path):
    script = tmp_path / "m.toml"
    script.write_text('[[responses]]\nstage = "outline"\ntext = "一、指导思想\\n二、工作目标\\n三、主要工作\\n'
                      '（一）加强思想引领\\n四、保障措施"\n'
                      '[[responses]]\nrepeat = true\nstage = "section"\ntext = "建功“十四五”，以下是小编整理的内容。"\n'
                      '[[responses]]\nstage = "opening"\ntext = "制定本计划。"\n'
                      '[[responses]]\nrepeat = true\nstage = "repair"\ntext = "还是不行"\n', "utf-8")
    out = tmp_path / "plan.txt"
    r = ghplan("draft", "--org", "x工会", "--type", "school", "--year", "2027", "--backend", "mock",
               "--mock-script", str(script), "--out", str(out), env=NO_MODEL)
    assert r.code == 1, r.err
    assert out.exists() and "GH-STALE-FYP-14" in r.err and "2 repair round(s)" in r.err


@pytest.mark.slow       # two full drafts through the console script
def test_openai_backend_end_to_end_against_a_fake_server(tmp_path):
    clean = ghplan("draft", "--profile", str(root() / PROFILES / "hospital.toml"), "--year", "2027",
                   env=NO_MODEL).out.rstrip("\n")
    with FakeOpenAI(responder=plan_writer(clean)) as srv:
        r = ghplan("draft", "--profile", str(root() / PROFILES / "hospital.toml"), "--year", "2027",
                   "--json", "--model", "qwen-test",
                   env={"OPENAI_API_KEY": "sk-test-123456", "OPENAI_BASE_URL": srv.base_url})
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert (d["backend"], d["model"]) == ("openai", "qwen-test")
    assert d["review"]["summary"]["errors"] == 0 and d["rounds"] == 0
    assert d["usage"]["total_tokens"] > 0 and d["usage"]["calls"] == len(srv.requests)
    assert d["text"] == clean
    system = srv.requests[0]["body"]["messages"][0]["content"]
    assert "党的二十大" in system and "院务公开" in system
    assert all(req["body"]["model"] == "qwen-test" for req in srv.requests)
