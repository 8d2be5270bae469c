"""The lexical index on disk: written with the build, swapped with it, the old BM25's scores.

No real model: a deterministic stand-in embedder (the lexical side never needs vectors)."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from ghplan.writer.config import DEFAULT_EMBED_MODEL
from ghplan.writer.index import store
from ghplan.writer.index.lexical import BM25, tokens
from ghplan.writer.index.lexstore import DiskBM25, lexical_dir, lexical_path
from ghplan.writer.index.retrieve import Retriever
from ghplan.writer.index.store import Location, build_index, open_index


class FakeEmbedder:
    dim = 512

    def encode(self, texts, progress=None, **kw):
        out = []
        for t in texts:
            seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:4], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype("float32")
            out.append(v / np.linalg.norm(v))
        if progress:
            progress(len(texts))
        return np.asarray(out)


def _build(chunks, loc, **kw):
    return build_index(chunks, loc, FakeEmbedder, DEFAULT_EMBED_MODEL, year=2026, **kw)


QUERIES = ("新就业形态", "召开代表大会 公开 民主管理", "女职工孕期哺乳期保护", "快递员外卖骑手入会", "工会")


@pytest.fixture(scope="module")
def lex_index(tmp_path_factory, mini_chunks):
    loc = Location("local", path=tmp_path_factory.mktemp("lex") / "idx")
    report = _build(mini_chunks, loc)
    return loc, report


def test_the_build_writes_the_lexical_file_of_its_collection(lex_index, mini_chunks):
    loc, report = lex_index
    path = lexical_path(loc, report.collection)
    assert path.is_file()
    ids, texts, metas = DiskBM25(path).rows()
    assert ids == [c.id for c in mini_chunks] and texts == [c.text for c in mini_chunks]
    assert [m["org_type"] for m in metas] == [c.org_type for c in mini_chunks]


def test_scores_equal_the_in_memory_bm25(lex_index):
    loc, report = lex_index
    r = Retriever(loc, DEFAULT_EMBED_MODEL)
    ids, texts, metas, disk = r.lexical()
    assert isinstance(disk, DiskBM25)
    mem = BM25([tokens(m.get("heading_path", "") + "\n" + t) for t, m in zip(texts, metas)])
    for q in QUERIES:
        a, b = disk.scores(tokens(q)), mem.scores(tokens(q))
        assert set(a) == set(b) and a
        assert all(a[i] == pytest.approx(b[i], rel=1e-9) for i in a)
        allowed = set(range(0, len(ids), 2))
        assert set(disk.scores(tokens(q), allowed)) == set(mem.scores(tokens(q), allowed))
    res = r.search("快递员外卖骑手入会", "township", k=1, mode="lexical")
    assert "新就业形态劳动者" in res.hits[0].text


def test_survives_a_rebuild_and_an_interrupted_build(tmp_path, mini_chunks, monkeypatch):
    loc = Location("local", path=tmp_path / "idx")
    first = _build(mini_chunks[:12], loc)
    second = _build(mini_chunks, loc, rebuild=True)
    # the replaced collection's file is gone, the new one serves
    assert sorted(p.name for p in lexical_dir(loc).iterdir()) == [f"{second.collection}.sqlite3", f"{second.collection}.vectors.npy"]
    r = Retriever(loc, DEFAULT_EMBED_MODEL)
    assert len(r.lexical()[0]) == len(mini_chunks)
    before = r.search("召开代表大会 公开 民主管理", "enterprise", None, k=3, mode="lexical")

    def boom(*a, **kw):
        raise KeyboardInterrupt
    monkeypatch.setattr(store, "_swap", boom)         # killed after writing, before the swap
    with pytest.raises(KeyboardInterrupt):
        _build(mini_chunks[:12], loc, rebuild=True)
    monkeypatch.undo()
    _, info = open_index(loc, DEFAULT_EMBED_MODEL)
    assert info.collection == second.collection and lexical_path(loc, second.collection).is_file()
    after = Retriever(loc, DEFAULT_EMBED_MODEL).search("召开代表大会 公开 民主管理", "enterprise", None, k=3,
                                                       mode="lexical")
    assert [h.id for h in after.hits] == [h.id for h in before.hits]
    third = _build(mini_chunks[:12], loc)             # the next build clears the debris
    assert sorted(p.name for p in lexical_dir(loc).iterdir()) == [f"{third.collection}.sqlite3", f"{third.collection}.vectors.npy"]
    assert first.collection != third.collection


def test_an_index_built_before_the_lexical_file_gets_it_on_first_use(tmp_path, mini_chunks, capsys):
    loc = Location("local", path=tmp_path / "idx")
    report = _build(mini_chunks, loc)
    path = lexical_path(loc, report.collection)
    path.unlink()
    r = Retriever(loc, DEFAULT_EMBED_MODEL)
    assert isinstance(r.lexical()[3], DiskBM25) and path.is_file()
    assert "predates its lexical file" in capsys.readouterr().err


def test_an_unwritable_store_falls_back_to_bm25_in_memory(tmp_path, mini_chunks, capsys, monkeypatch):
    loc = Location("local", path=tmp_path / "idx")
    report = _build(mini_chunks, loc)
    lexical_path(loc, report.collection).unlink()
    import ghplan.writer.index.lexstore as lexstore

    def denied(*a, **kw):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(lexstore, "write_lexical", denied)
    r = Retriever(loc, DEFAULT_EMBED_MODEL)
    assert isinstance(r.lexical()[3], BM25) and len(r.lexical()[0]) == len(mini_chunks)
    assert "BM25 built in memory" in capsys.readouterr().err


class FakeQueryEmbedder(FakeEmbedder):
    def encode_one(self, text):
        return self.encode([text])[0]


def test_filtered_dense_from_the_vector_matrix_matches_chroma(lex_index, mini_chunks):
    from ghplan.writer.index.lexstore import vectors_path
    loc, report = lex_index
    assert vectors_path(loc, report.collection).is_file()
    r = Retriever(loc, DEFAULT_EMBED_MODEL)
    r._emb = FakeQueryEmbedder()
    assert r.matrix() is not None and r.matrix().shape == (len(mini_chunks), 512)
    for q, t, role in (("工会", None, None), ("民主管理", "enterprise", None), ("工作目标", "school", "goals"),
                       ("女职工", "women", "tasks")):
        allowed = r._allowed([t] if t else None, role, None)
        ours, vecs = r._dense(q, [t] if t else None, role, None, 5, (), allowed)
        theirs, _ = r._dense(q, [t] if t else None, role, None, min(5, len(allowed)), ())   # chroma + where
        assert ours == theirs and ours
        assert all(r.lexical()[2][r.lexical()[0].index(c)].get("org_type") == t for c in ours if t)
        assert all(np.allclose(vecs[c], FakeEmbedder().encode([mini_chunks[[x.id for x in mini_chunks].index(c)]
                                                               .embed_text])[0], atol=1e-6) for c in ours)


def test_an_index_without_the_matrix_queries_chroma(tmp_path, mini_chunks):
    from ghplan.writer.index.lexstore import vectors_path
    loc = Location("local", path=tmp_path / "idx")
    report = _build(mini_chunks, loc)
    vectors_path(loc, report.collection).unlink()
    r = Retriever(loc, DEFAULT_EMBED_MODEL)
    r._emb = FakeQueryEmbedder()
    assert r.matrix() is None
    res = r.search("召开代表大会 公开 民主管理", "enterprise", None, k=3)
    assert len(res.hits) == 3 and all(h.org_type == "enterprise" for h in res.hits)
