"""A real `chroma run` server on a free loopback port: build and search through --chroma-url."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ghplan.writer.config import DEFAULT_EMBED_MODEL
from ghplan.writer.index.store import Location, build_index, index_status, open_index

CHROMA = Path(sys.executable).parent / "chroma"

pytestmark = pytest.mark.slow      # starts a real chroma server and loads the embedding model


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _heartbeat(url: str) -> bool:
    for path in ("/api/v2/heartbeat", "/api/v1/heartbeat"):
        try:
            with urllib.request.urlopen(url + path, timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            continue
    return False


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.fail(f"chroma CLI not found at {CHROMA}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("chroma-log") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(tmp_path_factory.mktemp("chroma-data")),
             "--port", str(port), "--host", "127.0.0.1"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    try:
        deadline = time.monotonic() + 60
        while not _heartbeat(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma server did not start: {log.read_text(errors='replace')[-500:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_build_and_search_through_a_chroma_server(chroma_server, embedder, mini_chunks, tmp_path):
    loc = Location("server", url=chroma_server, lock_dir=tmp_path)
    report = build_index(mini_chunks, loc, lambda: embedder, DEFAULT_EMBED_MODEL, year=2026)
    assert report.chunks == len(mini_chunks) and report.location == chroma_server
    _, info = open_index(loc, DEFAULT_EMBED_MODEL)
    assert info.count == len(mini_chunks) and info.dim == 512

    # a second build against the server reuses every vector and swaps cleanly
    warm = build_index(mini_chunks, loc, lambda: embedder, DEFAULT_EMBED_MODEL, year=2026)
    assert warm.embedded == 0 and warm.previous == report.collection
    st = index_status(loc)
    assert st.exists and st.kind == "server" and st.info.collection == warm.collection and not st.debris

    from ghplan.writer.cli import app
    r = CliRunner().invoke(app, ["search", "快递员 外卖骑手", "--type", "township", "-k", "2",
                                 "--chroma-url", chroma_server, "--json"])
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert [h["type"] for h in out["results"]] == ["township", "township"]
    assert "新就业形态劳动者" in out["results"][0]["text"]

    r = CliRunner().invoke(app, ["index", "status", "--chroma-url", chroma_server, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["location"] == chroma_server
