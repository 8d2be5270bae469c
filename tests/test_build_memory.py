"""What keeps a streamed build's memory flat (issue 14): the embedder's batches longest first, no
per-shape oneDNN kernel cache, the vector matrix appended with plain writes, the lexical postings
left on disk batch by batch.

No model (hand-written texts and the tests' stand-in embedder), except one slow test that runs the
real one in child processes."""
from __future__ import annotations

import os

import numpy as np
import pytest

from ghplan.writer.config import DEFAULT_EMBED_MODEL
from ghplan.writer.index.embed import encode_by_length
from ghplan.writer.index.lexical import BM25, tokens
from ghplan.writer.index.lexstore import DiskBM25, LexicalWriter, VectorWriter, lexical_path, load_vectors
from ghplan.writer.index.store import Location, build_index
from tests.stand_in import StandIn

TEXTS = ["工会", "职工之家建设要常抓不懈", "女职工", "困难职工帮扶", "劳动竞赛和技能比武同步推进",
         "厂务公开", "会员服务卡办理", "一"]


def test_encode_by_length_feeds_the_longest_texts_first_and_keeps_the_input_order():
    seen: list[list[str]] = []

    def batch(part: list[str]):
        seen.append(part)
        return np.array([[len(t), 0.0] for t in part], dtype="float32")

    ticks: list[int] = []
    out = encode_by_length(TEXTS, 2, 3, batch, ticks.append)
    lengths = [len(t) for part in seen for t in part]
    assert lengths == sorted(lengths, reverse=True)      # each batch fits what the last one freed
    assert [len(p) for p in seen] == [3, 3, 2] and ticks == [3, 3, 2]
    assert out[:, 0].tolist() == [len(t) for t in TEXTS]


def test_the_vector_writer_appends_rows_without_mapping_the_file(tmp_path, monkeypatch):
    def no_map(*a, **kw):
        raise AssertionError("a writable map's dirty pages count in the build's RSS")
    monkeypatch.setattr(np.lib.format, "open_memmap", no_map)
    rows = StandIn().encode(TEXTS)
    path = tmp_path / "v.npy"
    w = VectorWriter(path, len(rows), StandIn.dim)
    for i in range(0, len(rows), 3):
        w.add(rows[i:i + 3])
    w.close()
    monkeypatch.undo()
    assert np.array_equal(load_vectors(path, len(rows)), rows)
    assert [p.name for p in tmp_path.iterdir()] == ["v.npy"]


def test_a_short_or_misshapen_vector_matrix_is_never_renamed_into_place(tmp_path):
    path = tmp_path / "v.npy"
    w = VectorWriter(path, 4, StandIn.dim)
    w.add(StandIn().encode(TEXTS[:3]))
    with pytest.raises(ValueError):
        w.add(np.zeros((1, 3), dtype="float32"))
    with pytest.raises(ValueError):
        w.close()
    assert list(tmp_path.iterdir()) == []


def test_the_lexical_writer_holds_one_batch_of_postings_and_scores_as_one_pass(tmp_path):
    rows = [(f"id{i}", t * (1 + i % 3), {"heading_path": "三、主要任务"}) for i, t in enumerate(TEXTS * 5)]
    one, many = tmp_path / "one.sqlite3", tmp_path / "many.sqlite3"
    w = LexicalWriter(one)
    w.add(rows)
    w.close()
    w = LexicalWriter(many)
    for i in range(0, len(rows), 7):
        w.add(rows[i:i + 7])
        assert not w.postings        # this batch's postings went to disk
    w.close()
    a, b = DiskBM25(one), DiskBM25(many)
    mem = BM25([tokens("三、主要任务\n" + t) for _, t, _ in rows])
    for q in ("职工", "工会 帮扶", "技能比武", "一"):
        got = b.scores(tokens(q))
        assert got == a.scores(tokens(q)) and got
        assert all(got[i] == pytest.approx(s, rel=1e-9) for i, s in mem.scores(tokens(q)).items())
    assert b.rows() == a.rows()


def test_a_build_in_small_batches_writes_the_same_lexical_file_as_one_batch(tmp_path, mini_chunks):
    reps = {}
    for n in (4, 512):
        loc = Location("local", path=tmp_path / f"b{n}")
        rep = build_index(mini_chunks, loc, StandIn, DEFAULT_EMBED_MODEL, year=2026, batch_size=n,
                          query_model=False)
        reps[n] = DiskBM25(lexical_path(loc, rep.collection))
    for q in ("新就业形态", "女职工", "工会"):
        assert reps[4].scores(tokens(q)) == reps[512].scores(tokens(q))


class FakeLibc:
    def __init__(self) -> None:
        self.trims: list[int] = []

    def malloc_trim(self, pad: int) -> int:
        self.trims.append(pad)
        return 1


def test_a_build_that_embeds_trims_the_heap_after_each_batch_and_one_that_reuses_does_not(
        tmp_path, mini_chunks, monkeypatch):
    from ghplan.writer.index import build

    libc = FakeLibc()
    monkeypatch.setattr(build, "_libc", lambda: libc)
    loc = Location("local", path=tmp_path / "idx")
    build_index(mini_chunks, loc, StandIn, DEFAULT_EMBED_MODEL, year=2026, batch_size=5, query_model=False)
    assert libc.trims == [0] * -(-len(mini_chunks) // 5)
    libc.trims.clear()
    build_index(mini_chunks, loc, StandIn, DEFAULT_EMBED_MODEL, year=2026, batch_size=5, query_model=False)
    assert libc.trims == []          # every vector reused: no model ran, nothing to trim


def test_the_stores_are_written_from_one_thread_of_their_own_in_batch_order(tmp_path, mini_chunks, monkeypatch):
    import threading

    import chromadb.api.models.Collection as chroma_collection

    seen: list[tuple[str, int]] = []
    real_add = chroma_collection.Collection.add

    def add(self, ids, *a, **kw):
        seen.append((threading.current_thread().name, len(ids)))
        return real_add(self, ids, *a, **kw)
    monkeypatch.setattr(chroma_collection.Collection, "add", add)
    loc = Location("local", path=tmp_path / "idx")
    rep = build_index(mini_chunks, loc, StandIn, DEFAULT_EMBED_MODEL, year=2026, batch_size=4, query_model=False)
    # its own glibc arena: what the stores keep is not allocated among the embedder's freed buffers
    assert {name for name, _ in seen} != {threading.current_thread().name}
    assert len({name for name, _ in seen}) == 1 and sum(n for _, n in seen) == len(mini_chunks)
    ids, _, _ = DiskBM25(lexical_path(loc, rep.collection)).rows()
    assert ids == [c.id for c in mini_chunks]


def test_the_torch_embedder_loads_with_no_per_shape_kernel_cache_unless_the_user_set_one(
        tmp_path, monkeypatch):
    import sys
    import types

    from ghplan.writer.index import embed

    seen: list[str | None] = []

    class FakeModel:                  # records what oneDNN would read at the first forward pass
        def __init__(self, path: str, device: str) -> None:
            seen.append(os.environ.get(embed.KERNEL_CACHE_ENV))

        def get_embedding_dimension(self) -> int:
            return 4

    monkeypatch.setitem(sys.modules, "sentence_transformers", types.SimpleNamespace(SentenceTransformer=FakeModel))
    monkeypatch.setattr(embed, "_quiet_hf", lambda: None)
    monkeypatch.setattr(embed, "_CACHE", {})
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")
    monkeypatch.delenv(embed.KERNEL_CACHE_ENV, raising=False)
    assert embed.get_embedder(str(tmp_path)).dim == 4
    monkeypatch.setenv(embed.KERNEL_CACHE_ENV, "64")
    (tmp_path / "other").mkdir()
    embed.get_embedder(str(tmp_path / "other"))
    assert seen == ["0", "64"]


KERNEL_CHILD = """
import hashlib, sys
from ghplan.writer.config import DEFAULT_EMBED_MODEL
from ghplan.writer.index.embed import get_embedder
emb = get_embedder(DEFAULT_EMBED_MODEL)
texts = ["职工之家建设要常抓不懈，" * (3 + i % 4) for i in range(24)]
v = emb.encode(texts, batch_size=4)
print("SHA", hashlib.sha256(emb.encode(texts, batch_size=4).tobytes()).hexdigest(),
      hashlib.sha256(v.tobytes()).hexdigest())
"""


@pytest.mark.slow
def test_the_real_embedder_makes_its_kernels_afresh_and_its_vectors_equal_cached_ones():
    """oneDNN's own log: with the library's setting no kernel comes from the cache (so none stays
    behind among the freed buffers), and the vectors are bit for bit those of a cached run."""
    import subprocess
    import sys

    def run(extra: dict[str, str]) -> tuple[str, list[str]]:
        env = {k: v for k, v in os.environ.items() if k != "ONEDNN_PRIMITIVE_CACHE_CAPACITY"}
        p = subprocess.run([sys.executable, "-c", KERNEL_CHILD], capture_output=True, text=True,
                           env={**env, "ONEDNN_VERBOSE": "2", **extra}, timeout=600)
        assert p.returncode == 0, p.stderr[-2000:]
        lines = (p.stdout + p.stderr).splitlines()
        sha = [x for x in lines if x.startswith("SHA ")]
        creates = [x.split(",")[3] for x in lines if ",primitive,create:" in x]
        return sha[-1], creates

    (sha, creates), (cached_sha, cached) = run({}), run({"ONEDNN_PRIMITIVE_CACHE_CAPACITY": "1024"})
    if not cached:
        pytest.skip("this torch runs no oneDNN kernels")
    assert "create:cache_hit" in cached            # the log shows hits where there is a cache
    assert creates and set(creates) == {"create:cache_miss"}
    assert sha == cached_sha and len(set(sha.split()[1:])) == 1
