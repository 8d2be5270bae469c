"""The query path without torch (issue 14): cold `ghplan search` and cold `ghplan draft` (offline
backend, with retrieval) against a bare `python -c "import chromadb"`, as ratios within one run,
and the warm query-embedding p50 of the ONNX export next to sentence-transformers'.

    python bench/bench_query.py [--store DIR] [--runs 5] [--queries 200]

Without --store it builds the seeds index into a temporary store first (`ghplan index build`,
which also exports the ONNX query model). "cold" is a fresh process each run (the OS file cache
warm, as for a user's second command). Commands run round-robin, so a load change on a shared
machine hits them alike; a time is the median of --runs, a ratio the median of per-round ratios.
The fallback row is the same index without its ONNX export (an index built before it): what
every query paid before.
Targets: search <= 2.5x, draft <= 3x the chromadb import; warm query embedding p50 <= 10 ms.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BIN = Path(sys.executable).with_name("ghplan")
QUERIES = ["困难职工帮扶", "工会会员服务", "劳动竞赛", "职工之家建设", "师德师风建设和教职工代表大会",
           "医院工会关爱医务人员", "乡镇工会组织建设", "女职工权益保护", "安全生产", "职工文体活动"]


def _run(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-500:]}")
    return dt


def cold(cmds: dict[str, tuple[list[str], dict]], runs: int) -> dict[str, list[float]]:
    """Each command `runs` times, round-robin, so a load change on a shared machine hits all alike."""
    out: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for k, (cmd, env) in cmds.items():
            out[k].append(_run(cmd, env))
    return out


def warm_p50(emb, n: int) -> tuple[float, float]:
    qs = (QUERIES * (n // len(QUERIES) + 1))[:n]
    for q in qs[:10]:
        emb.encode_one(q)
    ts = []
    for q in qs:
        t = time.perf_counter()
        emb.encode_one(q)
        ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2] * 1000, ts[int(len(ts) * 0.95)] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--queries", type=int, default=200)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ghplan-bench-query-"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("OPENAI_API_KEY", None)
    try:
        store = a.store
        if store is None:
            store = tmp / "index"
            t = time.perf_counter()
            subprocess.run([str(BIN), "index", "build", "--store", str(store), "--json"], check=True,
                           capture_output=True, env=env)
            print(f"seeds index built (with its ONNX export) in {time.perf_counter() - t:.1f} s: {store}")
        from ghplan.writer.config import load_settings
        from ghplan.writer.index.onnx_embed import DIRNAME, load_onnx_embedder

        model = load_settings().embed_model
        if not (store / DIRNAME).is_dir():
            sys.exit(f"{store} has no ONNX export: run ghplan index build --store {store}")
        bare = tmp / "no-onnx"
        shutil.copytree(store, bare, ignore=shutil.ignore_patterns(DIRNAME, ".build.lock"))

        env_s = {**env, "GHPLAN_STORE": str(store)}
        t = cold({
            "base": ([sys.executable, "-c", "import chromadb"], env),
            "search": ([str(BIN), "search", QUERIES[0], "--store", str(store)], env),
            "draft": ([str(BIN), "draft", "--org", "某市第一人民医院工会", "--type", "hospital",
                       "--backend", "offline", "--out", str(tmp / "plan.md")], env_s),
        }, a.runs)
        fb = cold({"base": ([sys.executable, "-c", "import chromadb"], env),
                   "fallback": ([str(BIN), "search", QUERIES[0], "--store", str(bare)], env)},
                  max(1, a.runs // 3))
        med = statistics.median

        def row(label: str, times: list[float], base: list[float], note: str) -> None:
            ratio = med([x / b for x, b in zip(times, base)])     # per round, then the median
            print(f"{label:<37}{med(times):6.2f} s  {ratio:4.2f}x  {note}")

        label = "python -c 'import chromadb'"
        print(f"{label:<37}{med(t['base']):6.2f} s  1.00x  (baseline, {a.runs} runs)")
        row("ghplan search (ONNX query model)", t["search"], t["base"], "(target <= 2.5x)")
        row("ghplan draft --backend offline", t["draft"], t["base"], "(target <= 3x)")
        row("ghplan search (no export: fallback)", fb["fallback"], fb["base"], "(before)")

        emb = load_onnx_embedder(store / DIRNAME, model)
        p50, p95 = warm_p50(emb, a.queries)
        print(f"warm query embedding, ONNX:                  p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  (target p50 <= 10 ms)")
        from ghplan.writer.index.embed import get_embedder
        p50s, p95s = warm_p50(get_embedder(model), a.queries)
        print(f"warm query embedding, sentence-transformers: p50 {p50s:6.2f} ms  p95 {p95s:6.2f} ms  "
              f"(ONNX {p50s / p50:.1f}x faster)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if a.store is None and store is not None:
            shutil.rmtree(store.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
