"""`ghplan eval` as a user (and CI) runs it: table, JSON, HTML, exit codes, one-line errors.

These runs stay off the embedding model (reviewer and adversarial cases need no index), so each
takes a couple of seconds; the stages that need the index are tested in test_eval_harness.py."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import assert_one_line_error, ghplan

ROOT = Path(__file__).resolve().parents[1]


def test_json_to_stdout_has_every_case_check_score_and_reason(tmp_path):
    r = ghplan("eval", "--filter", "reviewer", "--no-cache", "--json", "-", cwd=tmp_path)
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert d["exit_code"] == 0 and d["failed_stages"] == [] and d["stages"]["reviewer"]["cases"] >= 10
    for case in d["cases"]:
        assert {"id", "stage", "status", "seconds", "checks", "artifacts"} <= set(case)
        for c in case["checks"]:
            assert {"name", "status", "required", "score", "reason"} == set(c) and c["reason"]
    per = d["metrics"]["reviewer"]["per_category"]
    assert per["stale"]["recall"] == 1.0 and per["all"]["labels"] >= 60
    # the table went to stderr (stdout is the JSON), with the summary line
    assert "reviewer/stale" in r.err and re.search(r"eval default: \d+ cases, \d+ checks", r.err)


@pytest.mark.slow       # a whole eval run through the console script
def test_table_per_case_and_check_then_totals(tmp_path):
    r = ghplan("eval", "--filter", "adversarial", "--no-cache", cwd=tmp_path)
    assert r.code == 0, r.err
    assert "adversarial/stale_2012" in r.out and "caught" in r.out and "cli_fails_cleanly" in r.out
    assert "totals per stage" in r.out and "Traceback" not in r.err


@pytest.mark.slow       # a whole eval run through the console script
def test_a_broken_stage_exits_100_and_names_it(tmp_path):
    (tmp_path / "ghplan.toml").write_text('[review]\ndisable = ["stale"]\n', "utf-8")
    r = ghplan("eval", "--filter", "reviewer/stale", "--no-cache", cwd=tmp_path)
    assert r.code == 100, r.err
    assert "eval FAILED (exit 100)" in r.err and "stage reviewer" in r.err and "reviewer/stale [recall]" in r.err
    assert "Traceback" not in r.err
    again = ghplan("eval", "--filter", "reviewer/stale", "--no-cache", "--fail-code", "7", cwd=tmp_path)
    assert again.code == 7


@pytest.mark.slow       # a whole eval run through the console script
def test_html_report_is_self_contained(tmp_path):
    out = tmp_path / "report.html"
    r = ghplan("eval", "--filter", "adversarial", "--no-cache", "--html", str(out), cwd=tmp_path)
    assert r.code == 0, r.err
    page = out.read_text("utf-8")
    # nothing to fetch: no scripts, stylesheets, images, fonts or frames from anywhere
    for bad in ("http://", "https://", "<script", "<link", "<img", "<iframe", "@import", "url(", "src="):
        assert bad not in page, bad
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    # drafts with their findings highlighted in place, and the caught models named
    assert '<mark class="sev-error"' in page and "GH-STALE-PARTY-17" in page
    assert "adversarial/school_for_hospital" in page and "教职工" in page


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="Chromium not installed (apt-get install -y chromium)")
def test_html_report_renders_in_headless_chromium(tmp_path):
    report = tmp_path / "report.html"
    r = ghplan("eval", "--filter", "adversarial/stale", "--no-cache", "--html", str(report), cwd=tmp_path)
    assert r.code == 0, r.err
    png = tmp_path / "shot.png"
    p = subprocess.run(["bash", str(ROOT / "scripts" / "screenshot_report.sh"), str(report), str(png), "1200x1600"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 1600)
    assert len(data) > 50_000          # a rendered page, not a blank one


def test_bad_usage_and_bad_suites_are_one_line_errors(tmp_path):
    assert_one_line_error(ghplan("eval", "--backend", "gpt", cwd=tmp_path), 2)
    assert_one_line_error(ghplan("eval", "--filter", "no-such-case", "--no-cache", cwd=tmp_path), 2)
    assert_one_line_error(ghplan("eval", "--html", str(tmp_path / "no" / "r.html"), cwd=tmp_path), 2)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[case]]\nstage = \"tasting\"\n", "utf-8")
    r = ghplan("eval", "--suite", str(bad), "--no-cache", cwd=tmp_path)
    assert_one_line_error(r, 1)
    assert "'stage' must be one of" in r.err
    assert_one_line_error(ghplan("eval", "--suite", str(tmp_path / "missing.toml"), cwd=tmp_path), 1)


def test_the_eval_command_module_imports_nothing_heavy():
    code = ("import sys, ghplan.writer.cli; "
            "heavy = [m for m in ('torch', 'chromadb', 'sentence_transformers', 'openai', 'ghplan.eval.harness', "
            "'ghplan.eval.suite', 'ghplan.eval.stages', 'typer.testing', "
            "'ghplan.eval.report', 'ghplan.writer.review.reviewer') if m in sys.modules]; print(heavy)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"
    help_ = ghplan("eval", "--help")
    assert help_.code == 0 and "--no-cache" in help_.out and "--filter" in help_.out


# ---------------------------------------------------------------- the CLI judged in-process
def test_the_in_process_cli_runner_keeps_the_failure_contract():
    from ghplan.writer.cli import app
    from ghplan.writer.cli.eval_cmd import in_process_cli

    run = in_process_cli(app)
    mock = str(ROOT / "eval" / "mocks" / "timeout.toml")
    code, err = run(["draft", "--org", "某厂", "--type", "enterprise", "--year", "2027", "--backend", "mock",
                     "--mock-script", mock, "--no-retrieve"], {"OPENAI_API_KEY": "", "GHPLAN_MOCK_SCRIPT": ""})
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("[")]   # not progress
    assert code == 3 and len(lines) == 1 and lines[0].startswith("ghplan: error:"), (code, err)
    # a usage error is still an exit 2, and a missing script a clean one-line error
    assert run(["draft", "--year", "abc"], {})[0] == 2
    code, err = run(["draft", "--org", "某厂", "--type", "enterprise", "--backend", "mock",
                     "--mock-script", str(ROOT / "no-such.toml"), "--no-retrieve"], {})
    assert code == 2 and err.startswith("ghplan: error:") and "Traceback" not in err


def test_ghplan_eval_judges_the_cli_in_process_not_in_child_processes(monkeypatch):
    from typer.testing import CliRunner

    from ghplan.eval.stages import adversarial
    from ghplan.writer.cli import app

    def no_subprocess(args, env):
        raise AssertionError("ghplan eval should pass its in-process runner")
    monkeypatch.setattr(adversarial, "run_cli_subprocess", no_subprocess)
    r = CliRunner().invoke(app, ["eval", "--filter", "adversarial/timeout", "--no-cache", "--json", "-"])
    assert r.exit_code == 0, (r.stderr, r.exception)
    case, = json.loads(r.stdout)["cases"]
    assert case["artifacts"]["cli"]["exit"] == 3
    assert next(c for c in case["checks"] if c["name"] == "cli_fails_cleanly")["status"] == "pass"
