"""End-to-end offline draft time, cold and warm, and time per stage.

    python bench/bench_draft.py [--runs 10] [--store DIR]

- cold: a fresh `ghplan draft --backend offline` process (interpreter start, imports, the review
  engine and its copy index built on first use), wall clock, median of 3;
- warm: drafts in one process after a first one, every org type, median per draft and per stage
  (facts, retrieve, outline, expand, review, repair);
- with --store DIR (an index built by `ghplan index build --store DIR`): the same with retrieval
  on, cold in-process (embedding model load) and warm.

Prints one figure per line.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TYPES = ("school", "hospital", "enterprise", "township", "federation", "government", "women")
NO_INDEX = str(Path(tempfile.gettempdir()) / "ghplan-bench-no-index")   # never created
STAGES = ("facts", "retrieve", "outline", "expand", "review", "repair")


def cold_cli(runs: int, env: dict[str, str]) -> list[float]:
    exe = str(Path(sys.executable).with_name("ghplan"))
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run([exe, "draft", "--org", "某市第一人民医院工会", "--type", "hospital",
                            "--backend", "offline", "--year", "2027"],
                           capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t)
        if p.returncode != 0:
            raise SystemExit(f"ghplan draft failed: {p.stderr.strip()}")
    return times


def warm(runs: int, retrieve: bool, settings=None) -> tuple[list[float], dict[str, list[float]], float]:
    from ghplan.writer.draft.backends.offline import OfflineBackend
    from ghplan.writer.draft.pipeline import draft
    from ghplan.writer.draft.profile import example_profile

    t = time.perf_counter()
    first = draft(example_profile("hospital"), backend=OfflineBackend(), year=2027,
                  retrieve=retrieve, settings=settings)
    first_s = time.perf_counter() - t
    if retrieve and not first.retrieved:
        raise SystemExit(f"retrieval returned nothing: {first.notes}")
    totals: list[float] = []
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    for i in range(runs):
        for org_type in TYPES:
            t = time.perf_counter()
            r = draft(example_profile(org_type), backend=OfflineBackend(), year=2026 + i % 3,
                      retrieve=retrieve, settings=settings)
            totals.append(time.perf_counter() - t)
            assert r.errors == 0, (org_type, r.review_json()["findings"])
            for s in STAGES:
                stages[s].append(r.timings.get(s, 0.0))
    return totals, stages, first_s


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def report(label: str, totals: list[float], stages: dict[str, list[float]]) -> None:
    print(f"{label}: median {ms(statistics.median(totals))}, p95 "
          f"{ms(sorted(totals)[int(0.95 * (len(totals) - 1))])} over {len(totals)} drafts")
    for s in STAGES:
        print(f"  {s:9s} {ms(statistics.median(stages[s]))}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10, help="warm rounds over the 7 org types")
    ap.add_argument("--store", type=Path, help="an index directory to benchmark retrieval with")
    args = ap.parse_args()

    env = {**os.environ, "OPENAI_API_KEY": "", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "GHPLAN_STORE": NO_INDEX}
    cold = cold_cli(3, env)
    print(f"cold CLI draft (new process, no index): median {statistics.median(cold):.2f} s "
          f"({', '.join(f'{c:.2f}' for c in cold)})")

    os.environ["GHPLAN_STORE"] = NO_INDEX
    totals, stages, first = warm(args.runs, retrieve=False)
    print(f"first draft in process (imports, review engine, copy index): {first:.2f} s")
    report("warm offline draft, no retrieval", totals, stages)

    if args.store:
        from ghplan.writer.config import load_settings

        cold = cold_cli(1, {**env, "GHPLAN_STORE": str(args.store)})
        print(f"cold CLI draft (new process, with index: torch, model load, retrieval): {cold[0]:.2f} s")

        os.environ["GHPLAN_STORE"] = str(args.store)
        settings = load_settings()
        totals, stages, first = warm(max(1, args.runs // 2), retrieve=True, settings=settings)
        print(f"first draft with retrieval (embedding model load, index open): {first:.2f} s")
        report("warm offline draft with retrieval", totals, stages)


if __name__ == "__main__":
    main()
