"""Rot-scan throughput and corpus build time.

    python bench/bench_corpus.py [--mb 10]

Prints MB/s for normalisation + the one-pass rule scan on a large synthetic text (seed pages
and clean prose repeated), then the time of a full `corpus build` over the bundled seeds.
"""
from __future__ import annotations

import argparse
import statistics
import time

from ghplan.corpus.pipeline import build_corpus, bundled_seeds, inspect_text
from ghplan.corpus.rules.engine import default_catalogue
from ghplan.corpus.rules.normalize import normalise

CLEAN = ("(一)加强职工思想政治引领\n1.组织职工开展主题学习，每季度举办一次专题讲座，推动学习成果转化为工作实效。\n"
         "2.建好职工书屋，开展读书分享活动，全年组织职工参与不少于四次。\n")


def synthetic(mb: float) -> str:
    seeds = "\n".join(p.read_text("utf-8") for p in bundled_seeds())
    unit = seeds + CLEAN * 40
    reps = max(1, int(mb * 1e6 / len(unit.encode("utf-8"))))
    return unit * reps


def timed(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=10.0)
    args = ap.parse_args()
    cat = default_catalogue()
    text = synthetic(args.mb)
    size = len(text.encode("utf-8")) / 1e6
    t_norm = timed(lambda: normalise(text), 1)
    norm = normalise(text)
    t_match = timed(lambda: cat.match(norm.text), 1)
    t_scan = timed(lambda: cat.scan(text), 1)
    hits = len(cat.scan(text))
    print(f"text: {size:.1f} MB, {len(cat.rules)} rules, {hits} findings")
    print(f"normalise      {size / t_norm:7.1f} MB/s")
    print(f"match (1 pass) {size / t_match:7.1f} MB/s")
    print(f"scan (both)    {size / t_scan:7.1f} MB/s")
    page = bundled_seeds()[3].read_text("utf-8")
    t_page = timed(lambda: inspect_text(page, year=2027), 5)
    print(f"inspect one seed page: {t_page * 1000:.1f} ms")
    t_cold = timed(lambda: build_corpus(year=2027), 1)
    t_warm = timed(lambda: build_corpus(year=2027), 3)
    print(f"corpus build (5 seed pages): first {t_cold:.2f} s, then {t_warm:.2f} s (median of 3)")


if __name__ == "__main__":
    main()
