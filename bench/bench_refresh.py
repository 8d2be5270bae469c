"""Refresh quality on our own 2025 plans (tests/fixtures/refresh/*.txt), offline, per plan year.

    python bench/bench_refresh.py [--years 2026-2030] [--plans DIR] [--missing]

Per plan and year: the organisation's own facts of the old plan (numbers with units, dates
other than years, people, departments, 第N届…, 《…》, quoted names; years, stale references and
removed rot left out) and how many the new plan still holds (the fact-survival figure); the
changes made; the stale errors the refreshed plan's review still reports (the issue: none); and
the review errors and warnings the change log does NOT list for a person (the issue: none).
The last line is the figure over every plan and year, counted with multiplicity.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _years(spec: str) -> list[int]:
    if "-" in spec:
        a, b = spec.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(y) for y in spec.split(",")]


def main() -> int:
    from ghplan.writer.refresh.pipeline import refresh_text

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--years", default="2026-2030")
    ap.add_argument("--plans", default=str(ROOT / "tests" / "fixtures" / "refresh"))
    ap.add_argument("--missing", action="store_true", help="print the facts a refresh lost")
    a = ap.parse_args()
    plans = sorted(Path(a.plans).glob("*.txt"))
    total = kept = 0
    print(f"{'plan':<22}{'year':>5}{'facts':>7}{'kept':>6}{'figure':>8}{'changes':>9}"
          f"{'stale err':>11}{'unlisted':>10}{'for person':>12}")
    for path in plans:
        old = path.read_text("utf-8")
        for year in _years(a.years):
            r = refresh_text(old, year)
            listed = {(p.rule, p.text) for p in r.left_for_person}
            stale = sum(f.category == "stale" and f.severity == "error" for f in r.review.findings)
            unlisted = sum(f.severity in ("error", "warning") and (f.rule, f.text) not in listed
                           for f in r.review.findings)
            s = r.survival
            total, kept = total + s.total, kept + s.kept
            print(f"{path.stem:<22}{year:>5}{s.total:>7}{s.kept:>6}{s.figure:>8.4f}{len(r.changes):>9}"
                  f"{stale:>11}{unlisted:>10}{len(r.left_for_person):>12}")
            if a.missing and s.missing:
                print("    missing:", "、".join(s.missing))
    print(f"all: {kept}/{total} own facts kept = {kept / total if total else 1.0:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
