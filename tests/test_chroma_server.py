"""A real `chroma run` server on a free loopback port: build and search through --chroma-url."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ghplan.writer.config import DEFAULT_EMBED_MODEL
from ghplan.writer.index.store import Location, build_index, index_status, open_index
from tests.servers import answers, free_port, running

CHROMA = Path(sys.executable).parent / "chroma"

pytestmark = pytest.mark.slow      # starts a real chroma server and loads the embedding model


def _heartbeat(url: str) -> bool:
    return any(answers(url + path) for path in ("/api/v2/heartbeat", "/api/v1/heartbeat"))


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.fail(f"chroma CLI not found at {CHROMA}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [str(CHROMA), "run", "--path", str(tmp_path_factory.mktemp("chroma-data")),
           "--port", str(port), "--host", "127.0.0.1"]
    log = tmp_path_factory.mktemp("chroma-log") / "server.log"
    with running(cmd, lambda: _heartbeat(url), log, seconds=60,
                 env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}):
        yield url


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
