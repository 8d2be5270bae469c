"""Index build (issue 14): batches streamed to the store, interrupted mid-stream, the ONNX query
model kept by library builds (and from this machine's cache), and `index status` reporting it.

The tests' stand-in embedder (tests/stand_in.py) and hand-made exports: no model load, except
the one test marked slow."""
from __future__ import annotations

import json
from pathlib import Path

import chromadb.api.models.Collection as chroma_collection
import numpy as np
import pytest
from typer.testing import CliRunner

from ghplan.writer.config import DEFAULT_EMBED_MODEL
from ghplan.writer.index import onnx_embed
from ghplan.writer.index.lexstore import DiskBM25, lexical_dir, lexical_path, load_vectors, vectors_path
from ghplan.writer.index.store import Location, build_index, index_status, open_index
from tests.stand_in import StandIn
from tests.test_onnx_embed import _tiny_export


class Recording(StandIn):
    """The stand-in, remembering how many texts each encode call was given."""

    calls: list[int] = []

    def encode(self, texts, batch_size=16, progress=None):
        Recording.calls.append(len(texts))
        return super().encode(texts, batch_size, progress)


def _loc(tmp_path: Path) -> Location:
    return Location("local", path=tmp_path / "idx")


def test_the_build_streams_batches_to_the_store(tmp_path, mini_chunks, monkeypatch):
    adds: list[int] = []
    real_add = chroma_collection.Collection.add

    def add(self, ids, *a, **kw):
        adds.append(len(ids))
        return real_add(self, ids, *a, **kw)
    monkeypatch.setattr(chroma_collection.Collection, "add", add)
    Recording.calls = []
    events: list[tuple[str, int, int]] = []
    loc = _loc(tmp_path)
    n = len(mini_chunks)
    report = build_index(mini_chunks, loc, Recording, DEFAULT_EMBED_MODEL, year=2026, batch_size=4,
                         progress=lambda *e: events.append(e))
    monkeypatch.undo()
    # the collection, the embedder and the progress all moved one batch of at most 4 at a time
    assert sum(adds) == n and len(adds) == -(-n // 4) and max(adds) <= 4
    assert sum(Recording.calls) == n and max(Recording.calls) <= 4
    writes = [d for s, d, t in events if s == "write"]
    assert writes == [min(n, 4 * (i + 1)) for i in range(len(writes))] and writes[-1] == n
    assert [e for e in events if e[0] == "embed"][-1] == ("embed", n, n)
    assert report.embedded == n and report.chunks == n
    # every store of the build holds every chunk, in one order, with the embedder's vector
    ids, texts, _ = DiskBM25(lexical_path(loc, report.collection)).rows()
    assert ids == [c.id for c in mini_chunks] and texts == [c.text for c in mini_chunks]
    matrix = load_vectors(vectors_path(loc, report.collection), n)
    assert np.allclose(matrix, StandIn().encode([c.embed_text for c in mini_chunks]), atol=1e-6)
    col, info = open_index(loc)
    assert info.count == n and info.dim == StandIn.dim


def test_a_rebuild_reuses_vectors_batch_by_batch(tmp_path, mini_chunks):
    loc = _loc(tmp_path)
    first = build_index(mini_chunks[:-1], loc, StandIn, DEFAULT_EMBED_MODEL, year=2026, batch_size=5)
    old = np.array(load_vectors(vectors_path(loc, first.collection), len(mini_chunks) - 1))
    Recording.calls = []
    second = build_index(mini_chunks, loc, Recording, DEFAULT_EMBED_MODEL, year=2026, batch_size=5)
    assert second.embedded == 1 and second.reused == len(mini_chunks) - 1 and Recording.calls == [1]
    new = load_vectors(vectors_path(loc, second.collection), len(mini_chunks))
    assert np.allclose(new[:-1], old, atol=1e-6)


def test_a_build_interrupted_mid_stream_leaves_the_previous_index_and_no_temp_files(tmp_path, mini_chunks):
    loc = _loc(tmp_path)
    before = build_index(mini_chunks[:10], loc, StandIn, DEFAULT_EMBED_MODEL, year=2026)
    lexical_before = lexical_path(loc, before.collection).read_bytes()

    def interrupt(stage, done, total):
        if stage == "write" and done >= 4:      # the first batch is in the new collection
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        build_index(mini_chunks, loc, StandIn, DEFAULT_EMBED_MODEL, year=2026, rebuild=True,
                    batch_size=4, progress=interrupt)
    _, info = open_index(loc)
    assert info.collection == before.collection and info.count == 10
    assert sorted(p.name for p in lexical_dir(loc).iterdir()) == [
        f"{before.collection}.sqlite3", f"{before.collection}.vectors.npy"]
    assert lexical_path(loc, before.collection).read_bytes() == lexical_before
    assert index_status(loc).debris                          # the half-filled collection
    after = build_index(mini_chunks, loc, StandIn, DEFAULT_EMBED_MODEL, year=2026)
    assert index_status(loc).debris == [] and open_index(loc)[1].count == len(mini_chunks)
    assert DiskBM25(lexical_path(loc, after.collection)).n == len(mini_chunks)


class _Transformer:
    """Named as sentence-transformers' modules are: what the export checks before using a cache."""


class _Pooling:
    pooling_mode = "mean"


_Transformer.__name__, _Pooling.__name__ = "Transformer", "Pooling"


def test_a_library_build_takes_the_export_from_this_machines_cache(tmp_path, mini_chunks):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "config.json").write_text("{}")

    class Exportable(StandIn):
        name, path, model = DEFAULT_EMBED_MODEL, str(model_dir), [_Transformer(), _Pooling()]

    fp = onnx_embed.source_fingerprint(str(model_dir))
    cached = onnx_embed._cache_dir(DEFAULT_EMBED_MODEL, fp)
    _tiny_export(cached)
    m = json.loads((cached / onnx_embed.MANIFEST).read_text())
    (cached / onnx_embed.MANIFEST).write_text(json.dumps({**m, "source_fingerprint": fp}))
    loc = _loc(tmp_path)
    report = build_index(mini_chunks, loc, Exportable, DEFAULT_EMBED_MODEL, year=2026)
    dest = onnx_embed.query_model_dir(loc)
    assert "this machine's export" in report.note
    assert onnx_embed.usable(dest, DEFAULT_EMBED_MODEL, full=True) is not None
    assert (dest / onnx_embed.MODEL_FILE).read_bytes() == (cached / onnx_embed.MODEL_FILE).read_bytes()
    # the stand-in cannot be exported: no cache is used for it, and no file is left
    other = Location("local", path=tmp_path / "other")
    plain = build_index(mini_chunks, other, StandIn, DEFAULT_EMBED_MODEL, year=2026)
    assert "no ONNX export" in plain.note and not onnx_embed.query_model_dir(other).exists()


@pytest.mark.slow
def test_an_index_built_through_the_library_gets_the_onnx_export(mini_index):
    loc, report = mini_index           # conftest builds it with build_index, not the CLI
    assert "query model" in report.note and "no ONNX export" not in report.note
    m = onnx_embed.usable(onnx_embed.query_model_dir(loc), DEFAULT_EMBED_MODEL, full=True)
    assert m is not None and m["dim"] == report.dim


def _status(loc: Location, *extra: str):
    from ghplan.writer.cli import app

    res = CliRunner().invoke(app, ["index", "status", "--store", str(loc.path), *extra])
    assert res.exit_code == 0, res.output
    return res.stdout


def test_status_reports_the_export(tmp_path, mini_chunks):
    loc = _loc(tmp_path)
    build_index(mini_chunks, loc, StandIn, DEFAULT_EMBED_MODEL, year=2026)
    dest = onnx_embed.query_model_dir(loc)
    q = json.loads(_status(loc, "--json"))["query_model"]
    assert q == {"present": False, "path": str(dest), "used": False}
    assert f"query model: no ONNX export at {dest}" in _status(loc)

    _tiny_export(dest)
    q = json.loads(_status(loc, "--json"))["query_model"]
    assert (q["present"], q["model"], q["hash"], q["used"], q["path"]) == (
        True, DEFAULT_EMBED_MODEL, "ok", True, str(dest))
    assert f"query model: ONNX at {dest} ({DEFAULT_EMBED_MODEL}, hash ok)" in _status(loc)

    data = bytearray((dest / onnx_embed.MODEL_FILE).read_bytes())
    data[-1] ^= 0xFF                   # same size, other bytes: only the hash tells
    (dest / onnx_embed.MODEL_FILE).write_bytes(bytes(data))
    assert json.loads(_status(loc, "--json"))["query_model"]["hash"] == "mismatch"
    assert "hash mismatch" in _status(loc) and "re-exports" in _status(loc)
