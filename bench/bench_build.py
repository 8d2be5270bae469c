"""Index build at 1k and 10k synthetic chunks (issue 14): chunks/s, peak RSS, and the build's
embedding against a raw `SentenceTransformer.encode` of the same texts.

    python bench/bench_build.py [--sizes 1000,10000] [--raw-sizes 1000]

Each size builds in a fresh child process (so `resource.getrusage` peak RSS is that build's)
with the real embedding model into a temporary store, through `build_index` (the library's
streamed build: embed a batch -> chroma + lexical file + vector matrix -> next), with a progress
bar on stderr. Chunks come from bench/synthetic.py. Printed per size: build seconds, chunks/s,
embedding seconds, RSS after loading the model and the peak over the build: a streamed build's
peak grows with chroma's own index, not with a list of every vector. For --raw-sizes the child
then times `model.encode(texts)` (sentence-transformers' defaults) on the same texts; ratio =
raw seconds / the build's embedding seconds (target >= 0.9). The ONNX export is not part of it
(query_model=False). 10k chunks with the real model take minutes on 2 cores.
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
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024     # kB on Linux


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


def one(n: int, raw: bool) -> dict:
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
    out: dict = {"n": n, "rss_model_mb": round(rss_mb(), 1),
                 "avg_chars": round(sum(map(len, texts)) / n, 1)}
    prog, update = progress_bar()
    with tempfile.TemporaryDirectory(prefix="ghplan-bench-build-") as d, prog:
        rep = build_index(cs, Location("local", path=Path(d) / "idx"), lambda: emb, name,
                          progress=update, query_model=False)
    out.update({"seconds": round(rep.seconds, 2), "embed_s": round(rep.embed_seconds, 2),
                "chunks_per_s": round(rep.chunks_per_second, 1), "rss_peak_mb": round(rss_mb(), 1)})
    if raw:                     # after the build, so its peak RSS is the build's alone
        t = time.perf_counter()
        emb.model.encode(texts)
        out["raw_encode_s"] = round(time.perf_counter() - t, 2)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--raw-sizes", default="1000", help="sizes also timed with a raw encode")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print("RESULT " + json.dumps(one(a.one, a.raw)))
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.2f}")
    raw_sizes = {int(x) for x in a.raw_sizes.split(",") if x}
    for n in (int(x) for x in a.sizes.split(",") if x):
        cmd = [sys.executable, __file__, "--one", str(n)] + (["--raw"] if n in raw_sizes else [])
        p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        line = [x for x in p.stdout.splitlines() if x.startswith("RESULT ")]
        if p.returncode or not line:
            print(f"{n} chunks: the child failed ({p.returncode})", file=sys.stderr)
            return 1
        r = json.loads(line[-1][len("RESULT "):])
        msg = (f"{n:>6,} synthetic chunks ({r['avg_chars']:.0f} chars avg): build {r['seconds']:.2f} s = "
               f"{r['chunks_per_s']:.1f} chunks/s (embedding {r['embed_s']:.2f} s); RSS after model load "
               f"{r['rss_model_mb']:.0f} MB, peak over the build {r['rss_peak_mb']:.0f} MB "
               f"(+{r['rss_peak_mb'] - r['rss_model_mb']:.0f} MB)")
        if "raw_encode_s" in r:
            msg += (f"; raw SentenceTransformer.encode {r['raw_encode_s']:.2f} s -> the build's embedding "
                    f"runs at {r['raw_encode_s'] / r['embed_s']:.2f}x raw (target >= 0.9)")
        print(msg, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
