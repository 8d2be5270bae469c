"""Review and corpus inspect stay linear in the size of their input: throughput at 10 KB, 1 MB
and 10 MB, for pages with line breaks and for pages that lost them (one line, headings inline).

    python bench/bench_linearity.py [--sizes 10k,1m,10m] [--repeat 1]

The text is the clean plans of tests/fixtures with a raw seed page's cut (boilerplate, stale
references, placeholders, copied runs) pasted into one plan in five, as in bench_review.py;
"one line" is the same text with every line break removed, as two seed pages are. Review runs
with the corpus copy check on. Throughput is UTF-8 megabytes of input per second; the last
column is the time per MB at this size over the time per MB at the smallest size (1.0 is
perfectly linear; a quadratic step shows up as a factor that grows ~10× per size step).

Found with it, and fixed:
- cleaning a big page was quadratic: each sentence deletion scanned every heading boundary
  (corpus/clean.py `sentence_span` now bisects them);
- the heading finder was quadratic on one-line pages: for every candidate it sliced back to the
  line start and searched forward to the line end, i.e. to both ends of the page
  (corpus/headings.py now walks back over whitespace only and bounds the forward search);
  a 10 MB one-line page took 89 s to review, 7 s after;
- the broken-output checks were quadratic (each repeated sentence scanned every repeated line,
  each topic was compared with every topic of its level, each candidate cut-off recounted every
  line's ending, and truncation and generated-text findings were checked against every other
  finding): a 3 MB review took 26 s; writer/review/spans.py bisects, topics are compared among
  siblings, and the counts are kept once.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_review import plans  # noqa: E402  (same synthetic text as the review benchmark)

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "8m": 8_000_000, "10m": 10_000_000}
# Issue 14: review's 8 MB / 1 MB time ratio ≤ 9 (`--sizes 1m,8m`). Baseline (this machine,
# 2026-12-02, before the copy check's sort-and-sweep filter and broken.py's _children without
# slicing): 1 MB 3.44 s, 8 MB 23.08 s, ratio 6.7 — linear-looking only because 1 MB was already
# slow; the quadratic filter made 1 MB take 3.44 s against 0.88 s after.
BASELINE_8M_1M = 6.7
BASELINE_1M_SECONDS = 3.44


def text_of(n_bytes: int, one_line: bool) -> str:
    text = "\n".join(plans(n_bytes))
    if one_line:
        text = "".join(text.split("\n"))
    data = text.encode("utf-8")[:n_bytes]
    return data.decode("utf-8", "ignore")


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10k,1m,10m", help="comma-separated: 10k 100k 1m 10m")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs per measurement")
    args = ap.parse_args()
    sizes = [SIZES[s.strip().lower()] for s in args.sizes.split(",")]

    from ghplan.corpus.pipeline import inspect_text
    from ghplan.writer.review.copycheck import default_index
    from ghplan.writer.review.reviewer import review_text

    default_index()                                     # the copy index, built once per process
    review_text(text_of(20_000, False), year=2027)      # compiled rules, caches
    inspect_text(text_of(20_000, False), year=2027)

    jobs = {"review": lambda t: review_text(t, year=2027),
            "corpus inspect": lambda t: inspect_text(t, year=2027)}
    print(f"{'command':<15} {'shape':<10} {'size':>8} {'seconds':>9} {'MB/s':>7} {'s/MB vs smallest':>17}")
    worst = 1.0
    seconds: dict[tuple[str, str, int], float] = {}
    for name, job in jobs.items():
        for shape in ("lines", "one line"):
            base = None
            for n in sizes:
                text = text_of(n, shape == "one line")
                mb = len(text.encode("utf-8")) / 1e6
                secs = seconds[name, shape, n] = timed(lambda: job(text), args.repeat)
                per_mb = secs / mb
                base = base or per_mb
                worst = max(worst, per_mb / base)
                print(f"{name:<15} {shape:<10} {mb:>6.2f}MB {secs:>9.3f} {mb / secs:>7.2f} {per_mb / base:>17.2f}",
                      flush=True)
    if ("review", "lines", 8_000_000) in seconds and ("review", "lines", 1_000_000) in seconds:
        one, eight = seconds["review", "lines", 1_000_000], seconds["review", "lines", 8_000_000]
        print(f"review 8 MB / 1 MB time: {eight / one:.2f} (target ≤ 9; 1 MB {one:.2f} s against "
              f"{BASELINE_1M_SECONDS} s before = {BASELINE_1M_SECONDS / one:.1f}x faster; "
              f"baseline ratio {BASELINE_8M_1M})")
    print(f"worst slow-down per MB from the smallest to a larger size: {worst:.2f}× "
          f"({'linear' if worst < 3 else 'NOT linear: look for a quadratic step'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
