"""The API key never leaves the process except in the Authorization header to the endpoint.

`ghplan draft`, `ghplan eval` and `ghplan review` run with OPENAI_API_KEY set to a fresh secret
against the fake OpenAI-compatible server on loopback, on the happy path and on every error
path, including a server that echoes the key back in its error text (as real providers do) and
a base URL that carries the key in its user-info and query string. Then everything a user or a
log collector could see is searched for it: stdout, stderr, --json output, every written file
(.docx unpacked), eval's JSON and HTML reports and its on-disk call cache.
"""
from __future__ import annotations

import secrets
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.cli_helpers import GHPLAN, Run
from tests.fake_openai import FakeOpenAI, plan_writer
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
PLAN = (ROOT / "tests" / "fixtures" / "clean_hospital.txt").read_text("utf-8")


@pytest.fixture
def key() -> str:
    return f"sk-test-SECRET-{secrets.token_hex(16)}"


def _env(tmp: Path, key: str, base_url: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GHPLAN_"))}
    env.update({"OPENAI_API_KEY": key, "OPENAI_BASE_URL": base_url, "HF_HUB_OFFLINE": "1",
                "ANONYMIZED_TELEMETRY": "False", "XDG_DATA_HOME": str(tmp / "xdg"),
                "XDG_CACHE_HOME": str(tmp / "cache"), "GHPLAN_EVAL_CACHE": str(tmp / "evalcache"),
                "GHPLAN_STORE": str(tmp / "no-index")})
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> Run:
    p = subprocess.run([GHPLAN, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    return Run(p.returncode, p.stdout, p.stderr)


def _texts(path: Path) -> list[tuple[str, str]]:
    """(name, text) of a file, or of every member of a zip (.docx) inside it."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return [(f"{path}!{n}", z.read(n).decode("utf-8", "replace")) for n in z.namelist()]
    return [(str(path), data.decode("utf-8", "replace"))]


def assert_no_secret(key: str, run: Run, *roots: Path) -> int:
    """The key, or its random part, appears nowhere; returns how many files were searched."""
    needles = (key, key.rsplit("-", 1)[-1], "SECRET")
    for name, text in [("stdout", run.out), ("stderr", run.err)] + [
            item for root in roots if root.exists()
            for p in sorted(root.rglob("*")) if p.is_file() for item in _texts(p)]:
        for n in needles:
            assert n not in text, f"{n!r} leaked into {name}"
    return sum(1 for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


def _echo(status: int, key: str, **extra) -> list[dict]:
    """An error reply that echoes the key back, the way providers quote a rejected key."""
    return [{"status": status, "body": {"error": {"message": f"Incorrect API key provided: {key}. "
                                                           f"Authorization: Bearer {key}"}}, **extra}]


# ---------------------------------------------------------------------- draft
@pytest.mark.slow       # a draft or eval run per case, each in a subprocess
@pytest.mark.parametrize("fmt", ["docx", "md"])
def test_draft_success_outputs_hold_no_key(tmp_path, key, fmt):
    out = tmp_path / "out"
    out.mkdir()
    with FakeOpenAI(responder=plan_writer(PLAN)) as srv:
        env = _env(tmp_path, key, srv.base_url)
        r = _run(["draft", "--org", "某市第一人民医院工会", "--type", "hospital", "--year", "2027",
                  "--json", "--out", str(out / f"plan.{fmt}")], env, out)
    assert r.code in (0, 1), r.err
    assert srv.requests and srv.requests[0]["headers"]["authorization"] == f"Bearer {key}"  # the key was live
    assert '"backend": "openai"' in r.out
    assert assert_no_secret(key, r, out, tmp_path / "xdg", tmp_path / "cache") >= 1


@pytest.mark.slow       # a draft or eval run per case, each in a subprocess
def test_draft_stream_holds_no_key(tmp_path, key):
    with FakeOpenAI(responder=plan_writer(PLAN)) as srv:
        r = _run(["draft", "--org", "某市第一人民医院工会", "--type", "hospital", "--year", "2027", "--stream"],
                 _env(tmp_path, key, srv.base_url), tmp_path)
    assert r.code in (0, 1), r.err
    assert len(r.out) > 500
    assert_no_secret(key, r, tmp_path)


ERRORS = {
    "401-echo": lambda k: _echo(401, k),
    "400-echo": lambda k: _echo(400, k),
    "403-echo": lambda k: _echo(403, k),
    "429-echo": lambda k: _echo(429, k, headers={"retry-after": "0"}),
    "500-echo": lambda k: _echo(500, k, headers={"retry-after": "0"}),
    "malformed-with-key": lambda k: [{"body": f'{{"choices": [{{"message": "{k}'}],
    "html-with-key": lambda k: [{"body": f"<html>upstream {k} failed</html>"}],
}


# (test_bad_input_matrix.py also checks stdout and stderr of its ten model-endpoint cases, a 401
# that echoes the key among them)
@pytest.mark.slow       # a draft or eval run per case, each in a subprocess
@pytest.mark.parametrize("name, mode", [
    ("400-echo", "--json"), ("403-echo", "--stream"), ("500-echo", "--stream"),
    ("malformed-with-key", "--json"), ("html-with-key", "--stream"),
])
def test_draft_errors_hold_no_key(tmp_path, key, name, mode):
    out = tmp_path / "out"
    out.mkdir()
    with FakeOpenAI(ERRORS[name](key)) as srv:
        r = _run(["draft", "--org", "x工会", "--type", "school", "--year", "2027", "--no-retrieve", mode,
                  "--out", str(out / "plan.docx")], _env(tmp_path, key, srv.base_url), out)
    assert r.code == 3, r.err
    assert r.err.startswith("ghplan: error: ")
    assert_no_secret(key, r, out, tmp_path / "xdg", tmp_path / "cache")


@pytest.mark.parametrize("server", [True, False], ids=["401", "refused"])
def test_a_key_inside_the_base_url_is_redacted(tmp_path, key, server):
    """Keys also hide in URLs: http://user:KEY@host/v1?api-key=KEY must never be printed whole."""
    if server:
        with FakeOpenAI(_echo(401, key)) as srv:
            host = srv.base_url.split("//", 1)[1]
            url = f"http://user:{key}@{host}?api-key={key}"
            r = _run(["draft", "--org", "x工会", "--type", "school", "--year", "2027", "--no-retrieve"],
                     _env(tmp_path, key, url), tmp_path)
    else:
        url = f"http://user:{key}@127.0.0.1:{free_port()}/v1?api-key={key}"
        r = _run(["draft", "--org", "x工会", "--type", "school", "--year", "2027", "--no-retrieve"], _env(tmp_path, key, url),
                 tmp_path)
    assert r.code == 3, r.err
    assert "127.0.0.1" in r.err               # the endpoint is named, without its secrets
    assert_no_secret(key, r, tmp_path)


# ---------------------------------------------------------------------- eval
SUITE = """
[suite]
name = "secrets"
index_year = 2027

[[case]]
stage = "drafting"
id = "drafting/openai/hospital"
type = "hospital"
year = 2027
backend = "openai"
retrieve = false
checks = ["roles"]
"""


@pytest.mark.slow       # a draft or eval run per case, each in a subprocess
@pytest.mark.parametrize("replies", ["writer", "401-echo"])
def test_eval_reports_and_cache_hold_no_key(tmp_path, key, replies):
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE, "utf-8")
    reports, cache = tmp_path / "reports", tmp_path / "evalcache"
    reports.mkdir()
    script = {"writer": {"responder": plan_writer(PLAN)},
              "401-echo": {"replies": _echo(401, key)}}[replies]
    with FakeOpenAI(**script) as srv:
        env = _env(tmp_path, key, srv.base_url)
        args = ["eval", "--suite", str(suite), "--json", str(reports / "report.json"),
                "--html", str(reports / "report.html"), "--cache-dir", str(cache)]
        r = _run(args, env, tmp_path)
        assert srv.requests, "the eval never called the model"
        # a second run answers from the cache: its output must be clean too
        again = _run(args, env, tmp_path) if replies == "writer" else r
    assert r.code in (0, 100), r.err
    assert (reports / "report.json").is_file() and (reports / "report.html").is_file()
    if replies == "writer":
        assert any(cache.rglob("*.json")), "the successful calls should have been cached"
        assert_no_secret(key, again, reports, cache)
    assert_no_secret(key, r, reports, cache, tmp_path / "xdg", tmp_path / "cache")


# ---------------------------------------------------------------------- review
@pytest.mark.slow       # four reviews, each a subprocess
def test_review_with_a_key_in_the_environment_prints_none_of_it(tmp_path, key):
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN.replace("2027年工作计划", "2027年工作计划\n以下是小编整理的内容"), "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    env = _env(tmp_path, key, "http://127.0.0.1:9/v1")
    for args in (["review", str(plan), "--format", "json"], ["review", str(plan), "--format", "sarif"],
                 ["review", str(plan), "--fix", "--out", str(out / "fixed.txt")],
                 ["review", str(tmp_path / "missing.txt")]):
        r = _run(args, env, tmp_path)
        assert r.code in (0, 1, 2), r.err
        assert_no_secret(key, r, out)
