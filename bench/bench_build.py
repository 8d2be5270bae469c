"""Index build at 1k and 10k synthetic chunks (issue 14): chunks/s, peak RSS, and the build's
embedding against a raw `SentenceTransformer.encode` of the same texts.

    python bench/bench_build.py [--sizes 1000,10000] [--raw-sizes 1000]

Each size builds in a fresh child process (its peak RSS: VmHWM, reset once the model is loaded)
with the real embedding model into a temporary store, through `build_index` (the library's
streamed build: embed a batch -> chroma + lexical file + vector matrix -> next), with a progress
bar on stderr. Chunks come from bench/synthetic.py. Printed per size: build seconds, chunks/s,
embedding seconds, RSS after loading the model, the peak over the build and the RSS at its end;
then, across the sizes, the peak's growth per 1k chunks and whether that is bounded (<= 10 MB per
1k). The stores' share is ~4 MB per 1k chunks (chroma's in-memory HNSW index, mostly; measured
with a stand-in embedder). The embedder's heap grew ~50 MB per 1k until the library turned off
oneDNN's per-shape kernel cache (writer/index/embed.py, bound_kernel_cache). For --raw-sizes
another fresh child times `model.encode(texts)` (sentence-transformers' defaults, oneDNN's cache
on) on the same texts; ratio = raw seconds / the build's embedding seconds (target >= 0.9). The ONNX export is not part of it (query_model=False). 10k chunks with
the real model take minutes on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def rss_mb() -> float:
    """Peak RSS so far (where VmHWM cannot be reset)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024     # kB on Linux


def status_mb(field: str) -> float:
    """A /proc/self/status figure in MB (Linux; 0 elsewhere): VmRSS now, VmHWM the peak."""
    try:
        with open("/proc/self/status") as fh:
            return next(int(x.split()[1]) for x in fh if x.startswith(field + ":")) / 1024
    except (OSError, StopIteration):
        return 0.0


def reset_peak() -> bool:
    """Restart VmHWM at the RSS now (Linux >= 4.0), so the build's peak is its own and not the
    model load's transient, which ru_maxrss keeps forever (and hid a build peak below it)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return status_mb("VmHWM") > 0
    except OSError:
        return False


def progress_bar():
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)
    tasks: dict[str, int] = {}
    t0 = time.perf_counter()

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = prog.add_task(stage, total=total or 1, rate="")
        rate = f"{done / (time.perf_counter() - t0):.0f} chunks/s" if stage != "model" else ""
        prog.update(tasks[stage], completed=done, total=total or 1, rate=rate)

    return prog, update


def one(n: int) -> dict:
    """Build n synthetic chunks in this process; the figures as a dict."""
    from synthetic import chunks

    from ghplan.writer.config import load_settings
    from ghplan.writer.index.embed import get_embedder
    from ghplan.writer.index.store import Location, build_index

    name = load_settings().embed_model
    emb = get_embedder(name)
    cs = chunks(n)
    texts = [c.embed_text for c in cs]
    emb.encode(texts[:32])                       # warm-up: one-off allocations
    own_peak = reset_peak()
    out: dict = {"n": n, "rss_model_mb": round(status_mb("VmRSS") if own_peak else rss_mb(), 1),
                 "avg_chars": round(sum(map(len, texts)) / n, 1)}
    prog, update = progress_bar()
    with tempfile.TemporaryDirectory(prefix="ghplan-bench-build-") as d, prog:
        rep = build_index(cs, Location("local", path=Path(d) / "idx"), lambda: emb, name,
                          progress=update, query_model=False)
    out.update({"seconds": round(rep.seconds, 2), "embed_s": round(rep.embed_seconds, 2),
                "chunks_per_s": round(rep.chunks_per_second, 1), "rss_end_mb": round(status_mb("VmRSS"), 1),
                "rss_peak_mb": round(status_mb("VmHWM") if own_peak else rss_mb(), 1)})
    return out


def raw_one(n: int) -> dict:
    """`model.encode` of the same n texts, in a process of its own, as sentence-transformers runs
    by default: with oneDNN's kernel cache at its default size (the library turns it off)."""
    from synthetic import chunks

    from ghplan.writer.config import load_settings
    from ghplan.writer.index.embed import KERNEL_CACHE_ENV, get_embedder

    os.environ[KERNEL_CACHE_ENV] = "1024"        # oneDNN's default; read at the first kernel

    emb = get_embedder(load_settings().embed_model)
    texts = [c.embed_text for c in chunks(n)]
    emb.encode(texts[:32])                       # the same warm-up as the build's
    t = time.perf_counter()
    emb.model.encode(texts)
    return {"raw_encode_s": round(time.perf_counter() - t, 2)}


def child(n: int, raw: bool) -> dict | None:
    cmd = [sys.executable, __file__, "--one", str(n)] + (["--raw"] if raw else [])
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    line = [x for x in p.stdout.splitlines() if x.startswith("RESULT ")]
    if p.returncode or not line:
        print(f"{n} chunks: the child failed ({p.returncode})", file=sys.stderr)
        return None
    return json.loads(line[-1][len("RESULT "):])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--raw-sizes", default="1000", help="sizes also timed with a raw encode")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print("RESULT " + json.dumps(raw_one(a.one) if a.raw else one(a.one)))
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.2f}")
    raw_sizes = {int(x) for x in a.raw_sizes.split(",") if x}
    over: dict[int, float] = {}         # size -> peak RSS over the loaded model, MB
    for n in (int(x) for x in a.sizes.split(",") if x):
        r = child(n, False)
        raw = child(n, True) if r is not None and n in raw_sizes else {}
        if r is None or raw is None:
            return 1
        r.update(raw)
        over[n] = r["rss_peak_mb"] - r["rss_model_mb"]
        msg = (f"{n:>6,} synthetic chunks ({r['avg_chars']:.0f} chars avg): build {r['seconds']:.2f} s = "
               f"{r['chunks_per_s']:.1f} chunks/s (embedding {r['embed_s']:.2f} s); RSS after model load "
               f"{r['rss_model_mb']:.0f} MB, peak over the build {r['rss_peak_mb']:.0f} MB "
               f"(+{over[n]:.0f} MB), at its end {r['rss_end_mb']:.0f} MB")
        if "raw_encode_s" in r:
            msg += (f"; raw SentenceTransformer.encode {r['raw_encode_s']:.2f} s -> the build's embedding "
                    f"runs at {r['raw_encode_s'] / r['embed_s']:.2f}x raw (target >= 0.9)")
        print(msg, flush=True)
    if len(over) > 1:
        print(growth_line(over))
    return 0


BOUND_MB_PER_1K = 10       # what "bounded" allows: chroma's in-memory index is ~4 MB per 1k chunks


def growth_line(over: dict[int, float]) -> str:
    """Peak RSS over the loaded model at each size, and its growth per 1k chunks between the
    smallest and the largest: bounded memory means a growth near 0 however far apart they are."""
    lo, hi = min(over), max(over)
    per_k = (over[hi] - over[lo]) / ((hi - lo) / 1000)
    at = ", ".join(f"+{over[n] / 1024:.2f} GB at {n / 1000:g}k" for n in sorted(over))
    verdict = "bounded" if per_k <= BOUND_MB_PER_1K else "NOT bounded"
    return (f"peak RSS over the loaded model: {at}: growth {per_k:+.1f} MB per 1k chunks -> "
            f"{verdict} (target <= {BOUND_MB_PER_1K} MB per 1k chunks)")


if __name__ == "__main__":
    raise SystemExit(main())
