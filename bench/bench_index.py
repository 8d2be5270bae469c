"""Index benchmarks: embedding throughput, seeds index build (cold/warm), query latency at scale.

    python bench/bench_index.py [--sizes 1000,10000,100000] [--queries 200]

Prints:
1. model load time and embedding throughput (chunks/s) on the seed chunks;
2. seeds index build into an empty store (cold: embeds everything) and again (warm: nothing
   changed, nothing embedded, the model not even asked for);
3. hybrid search latency on the seeds index (dense + BM25 + RRF + MMR, query embedding included);
4. chromadb query latency p50/p95 at 1k/10k/100k synthetic chunks (the embedding model would
   take hours on 2 cores for 100k), unfiltered and with a metadata filter, against brute-force
   numpy cosine on the same vectors as the floor, with HNSW recall@10 against the exact answer.
   Synthetic vectors are "clustered" by default (unit vectors scattered around random topic
   centres, as real text embeddings are); "uniform" random vectors are the HNSW worst case,
   where the nearest neighbours are barely nearer than anything else.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def ms(xs: list[float]) -> str:
    return f"p50 {pct(xs, 50) * 1000:7.2f} ms  p95 {pct(xs, 95) * 1000:7.2f} ms"


def bench_embedding(chunks) -> None:
    from ghplan.writer.config import load_settings
    from ghplan.writer.index.embed import get_embedder

    name = load_settings().embed_model
    t = time.perf_counter()
    emb = get_embedder(name)
    print(f"model load: {time.perf_counter() - t:.2f} s ({name}, {emb.dim} dims)")
    texts = [c.embed_text for c in chunks]
    emb.encode(texts[:8])                       # warm-up: first call pays one-off allocations
    t = time.perf_counter()
    emb.encode(texts)
    dt = time.perf_counter() - t
    chars = sum(len(x) for x in texts)
    print(f"embedding: {len(texts)} seed chunks ({chars / len(texts):.0f} chars avg) in {dt:.2f} s "
          f"= {len(texts) / dt:.1f} chunks/s, {chars / dt:,.0f} chars/s")


def bench_build(chunks, store: Path) -> None:
    from ghplan.writer.config import load_settings
    from ghplan.writer.index.embed import get_embedder
    from ghplan.writer.index.store import Location, build_index

    name = load_settings().embed_model
    loc = Location("local", path=store)
    cold = build_index(chunks, loc, lambda: get_embedder(name), name)
    print(f"seeds index build, cold: {cold.chunks} chunks in {cold.seconds:.2f} s "
          f"({cold.chunks_per_second:.1f} chunks/s; embedding {cold.embed_seconds:.2f} s; model already loaded)")
    warm = build_index(chunks, loc, lambda: get_embedder(name), name)
    print(f"seeds index build, warm: {warm.chunks} chunks in {warm.seconds:.2f} s "
          f"(embedded {warm.embedded}, reused {warm.reused})")


def bench_search(store: Path, n: int) -> None:
    from ghplan.writer.config import load_settings
    from ghplan.writer.index.retrieve import Retriever
    from ghplan.writer.index.store import Location

    r = Retriever(Location("local", path=store), load_settings().embed_model)
    queries = ["教代会 校务公开", "困难职工帮扶", "新就业形态劳动者入会", "女职工特殊权益", "劳动竞赛 技能比武",
               "师德师风建设", "职工文体活动", "工会自身建设"]
    r.search(queries[0], "school", "tasks")      # first call loads the lexical index
    lat = {"hybrid": [], "dense": [], "lexical": []}
    for i in range(n):
        q = queries[i % len(queries)]
        for mode in lat:
            t = time.perf_counter()
            r.search(q + str(i % 3), "school", "tasks", k=5, mode=mode)
            lat[mode].append(time.perf_counter() - t)
    for mode, xs in lat.items():
        note = "no model" if mode == "lexical" else "query embedding included"
        print(f"seeds search {mode:7} (k=5, type+role filter, {note}): {ms(xs)}")


def synthetic(rng, n: int, dim: int, dist: str, centres=None):
    import numpy as np

    if dist == "uniform":
        v = rng.standard_normal((n, dim), dtype=np.float32)
    else:
        v = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal((n, dim), dtype=np.float32) / np.sqrt(dim)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def bench_scale(sizes: list[int], nq: int, dist: str, dim: int = 512) -> None:
    import chromadb
    import numpy as np

    rng = np.random.default_rng(7)
    centres = rng.standard_normal((1000, dim), dtype=np.float32) / np.sqrt(dim)
    types = ["school", "hospital", "enterprise", "township", "federation", "government", "women"]
    print(f"query latency, top-10 of {dist} synthetic {dim}-dim unit vectors, {nq} queries each:")
    for n in sizes:
        vecs = synthetic(rng, n, dim, dist, centres)
        qs = synthetic(rng, nq, dim, dist, centres)
        with tempfile.TemporaryDirectory(prefix="ghplan-bench-") as d:
            client = chromadb.PersistentClient(path=d, settings=chromadb.Settings(anonymized_telemetry=False))
            col = client.create_collection("bench-chunks", embedding_function=None,
                                           configuration={"hnsw": {"space": "cosine"}})
            t = time.perf_counter()
            batch = min(5000, client.get_max_batch_size())
            for i in range(0, n, batch):
                col.add(ids=[str(j) for j in range(i, min(n, i + batch))], embeddings=vecs[i:i + batch],
                        metadatas=[{"org_type": types[j % 7], "plan": True} for j in range(i, min(n, i + batch))])
            insert = time.perf_counter() - t
            chroma_lat, filt_lat = [], []
            for q in qs:
                t = time.perf_counter()
                col.query(query_embeddings=[q], n_results=10, include=["distances"])
                chroma_lat.append(time.perf_counter() - t)
            for q in qs:
                t = time.perf_counter()
                col.query(query_embeddings=[q], n_results=10, include=["distances"],
                          where={"$and": [{"plan": True}, {"org_type": {"$in": ["school", "women"]}}]})
                filt_lat.append(time.perf_counter() - t)
            # recall of HNSW against the exact answer, on the same queries
            exact = [set(np.argpartition(-(vecs @ q), 10)[:10].tolist()) for q in qs[:50]]
            got = [set(int(x) for x in col.query(query_embeddings=[q], n_results=10, include=[])["ids"][0])
                   for q in qs[:50]]
            recall = sum(len(a & b) for a, b in zip(exact, got)) / (10 * len(exact))
        # ghplan's dense path: exact cosine over the allowed rows of the build's vector matrix
        # (writer/index/lexstore.py dense_top), the allowed set computed from the metadata as
        # Retriever._allowed does it (timed apart)
        from ghplan.writer.index.lexstore import dense_top
        metas = [{"org_type": types[j % 7], "plan": True} for j in range(n)]
        set_lat, ours_lat = [], []
        for q in qs:
            t = time.perf_counter()
            allowed = {i for i, m in enumerate(metas) if m["plan"] and m["org_type"] in ("school", "women")}
            set_lat.append(time.perf_counter() - t)
            t = time.perf_counter()
            dense_top(vecs, allowed, q, 10)
            ours_lat.append(time.perf_counter() - t)
        np_lat = []
        for q in qs:
            t = time.perf_counter()
            s = vecs @ q
            top = np.argpartition(-s, 10)[:10]
            top[np.argsort(-s[top])]
            np_lat.append(time.perf_counter() - t)
        print(f"  {n:>7,} chunks: chroma {ms(chroma_lat)} | chroma+where {ms(filt_lat)} | "
              f"numpy brute force {ms(np_lat)} | insert {insert:.1f} s | HNSW recall@10 {recall:.2f}")
        both = [a + b for a, b in zip(set_lat, ours_lat)]
        print(f"  {n:>7,} chunks, filtered (2 of 7 types) top-10: ghplan dense_top {ms(ours_lat)} "
              f"+ allowed set {ms(set_lat)} = p50 {pct(both, 50) * 1000:.2f} ms; baseline chroma+where "
              f"p50 {pct(filt_lat, 50) * 1000:.2f} ms, ratio {pct(both, 50) / pct(filt_lat, 50):.2f}x; "
              f"vs numpy brute force (unfiltered) {pct(both, 50) / pct(np_lat, 50):.2f}x; recall@10 1.00 (exact)")


def bench_lexical(sizes: list[int], nq: int = 50) -> None:
    """The lexical side at scale: BM25 rebuilt in memory at every process start (before) against
    the lexical file written once at build (writer/index/lexstore.py): open, and query p50."""
    import random

    from ghplan.writer.index.chunk import corpus_chunks
    from ghplan.writer.index.lexical import BM25, tokens
    from ghplan.writer.index.lexstore import DiskBM25, lexical_text, write_lexical

    base = corpus_chunks()
    rnd = random.Random(7)
    qs = ["教代会 校务公开", "困难职工帮扶", "新就业形态劳动者入会", "女职工特殊权益", "劳动竞赛 技能比武"]
    print("lexical index, chunks made by shuffling the seed chunks' sentences:")
    for n in sizes:
        rows = []
        for i in range(n):
            c = base[i % len(base)]
            parts = c.text.split("。")
            rnd.shuffle(parts)
            rows.append((f"c{i}", "。".join(parts), c.metadata()))
        with tempfile.TemporaryDirectory(prefix="ghplan-bench-lex-") as d:
            path = Path(d) / "lex.sqlite3"
            t = time.perf_counter()
            write_lexical(path, rows)
            build = time.perf_counter() - t
            t = time.perf_counter()
            mem = BM25([tokens(lexical_text(x, m)) for _, x, m in rows])
            before = time.perf_counter() - t
            t = time.perf_counter()
            disk = DiskBM25(path)
            disk.rows()
            opened = time.perf_counter() - t
            lat_mem, lat_disk = [], []
            for i in range(nq):
                q = tokens(qs[i % len(qs)])
                t = time.perf_counter()
                mem.scores(q)
                lat_mem.append(time.perf_counter() - t)
                t = time.perf_counter()
                disk.scores(q)
                lat_disk.append(time.perf_counter() - t)
            disk.close()
        print(f"  {n:>7,} chunks: per-process start: BM25 in memory {before:.2f} s (before) | lexical file "
              f"open + read {opened:.2f} s (ratio {opened / before:.2f}x; written once at build in {build:.2f} s) | "
              f"query p50 in memory {pct(lat_mem, 50) * 1000:.2f} ms, on disk {pct(lat_disk, 50) * 1000:.2f} ms "
              f"(ratio {pct(lat_disk, 50) / pct(lat_mem, 50):.2f}x)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="ghplan index benchmarks")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--dist", choices=("clustered", "uniform"), default="clustered")
    ap.add_argument("--skip-model", action="store_true", help="only the synthetic scale benchmark")
    ap.add_argument("--lexical", action="store_true", help="only the lexical index (in memory vs on disk)")
    args = ap.parse_args(argv)
    # the figures are only as good as the machine is idle: say how busy it was
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.2f}")
    if not args.skip_model and not args.lexical:
        from ghplan.writer.index.chunk import corpus_chunks
        t = time.perf_counter()
        chunks = corpus_chunks()
        print(f"corpus → chunks: {len(chunks)} chunks in {time.perf_counter() - t:.2f} s")
        bench_embedding(chunks)
        with tempfile.TemporaryDirectory(prefix="ghplan-bench-seeds-") as d:
            bench_build(chunks, Path(d))
            bench_search(Path(d), 40)
    if args.lexical:
        bench_lexical([int(x) for x in args.sizes.split(",") if x])
        return 0
    bench_scale([int(x) for x in args.sizes.split(",") if x], args.queries, args.dist)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
