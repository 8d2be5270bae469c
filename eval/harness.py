"""The eval harness: run a suite's cases stage by stage and gather the report.

    from ghplan.eval.harness import load_suite, run_suite
    report = run_suite(load_suite())            # the default suite, offline
    report.exit_code(), report.to_json()

Where things live:

    eval/suite.py         load_suite: the suite TOML → cases, check names validated per stage
    eval/spec.py          SuiteError and the case/check dataclasses
    eval/context.py       RunContext: settings, cache, the seeds index, memoised drafts
    eval/draft_api.py     everything the eval takes from the drafting pipeline
    eval/results.py       CaseResult, EvalReport (totals, exit code, JSON)
    eval/checks.py        Check and the helpers every stage shares (verdicts, n-grams, floors)
    eval/labels.py        reviewer fixture labels and span matching
    eval/stages/<stage>.py  retrieval, prompts, drafting, adversarial, reviewer: each a runner
                          and a CHECKS registry (check name → function)

A suite is a TOML file (eval/suites/default.toml documents the format). Exit code: 0 when every
required check passes, 100 (or the caller's choice) when one fails, 1 when a case errors.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

from ghplan.eval import checks as C
from ghplan.eval.context import CliRunner, RunContext
from ghplan.eval.results import CaseResult, EvalReport
from ghplan.eval.spec import BACKENDS, STAGES, CaseSpec, Suite, SuiteError
from ghplan.eval.stages import RUNNERS
from ghplan.eval.suite import load_suite

__all__ = ["load_suite", "run_suite"]


def run_suite(suite: Suite, *, settings: Any = None, backend: str | None = None,
              filter: str | None = None, cache: Any = None, index_dir: Path | None = None,
              index_location: Any = None, run_cli: CliRunner | None = None,
              progress: Callable[[str, int, int], None] | None = None) -> EvalReport:
    """Run every case (matching `filter`, a case-id substring) and return the report.

    `backend` replaces the drafting cases' backend (offline | mock | openai); `cache` is an
    eval.cache.CallCache (None: no cache); `index_dir` where the seeds index is built (None: a
    temporary directory); `index_location` an index already built (tests share one); `run_cli`
    runs `ghplan ARGS` for the adversarial stage's CLI checks (None: the console script in a
    child process)."""
    t0 = time.perf_counter()
    if backend is not None and backend not in BACKENDS:
        raise SuiteError(f"unknown backend {backend!r}; use offline, mock or openai")
    ctx = RunContext(suite, settings=settings, cache=cache, backend_override=backend,
                     index_dir=index_dir, index_location=index_location, run_cli=run_cli)
    f = (filter or "").lower()
    order = _select(suite.cases, f, backend)
    results: list[CaseResult] = []
    try:
        for i, spec in enumerate(order):
            if progress:
                progress(spec.id, i, len(order))
            results.extend(_run_case(spec, ctx))
        if progress:
            progress("done", len(order), len(order))
    finally:
        ctx.close()
    if f:
        results = [r for r in results if f in r.id.lower() or f in r.stage]
    return EvalReport(suite=suite.name, suite_path=str(suite.path), backend=backend or "per case",
                      cases=results, seconds=time.perf_counter() - t0, notes=ctx.notes,
                      metrics=ctx.metrics, cache=cache.stats.to_json() if cache is not None else {},
                      filter=filter or "")


def _select(cases: list[CaseSpec], f: str, backend: str | None) -> list[CaseSpec]:
    """The cases to run, in stage order: those matching the filter (a reviewer case also when
    the filter names one of its categories, e.g. reviewer/stale)."""
    specs = [s for s in cases
             if not f or f in s.id.lower() or (s.stage == "reviewer" and f.startswith(s.id.lower()))]
    order = sorted(specs, key=lambda s: STAGES.index(s.stage))
    if backend is None:
        return order
    # with one backend for every drafting case, cases that differed only by backend are the
    # same case: run it once
    seen: set[tuple] = set()
    kept = []
    for s in order:
        if s.stage == "drafting":
            key = (s.type, s.year, json.dumps(s.profile, sort_keys=True), json.dumps(s.options, sort_keys=True))
            if key in seen:
                continue
            seen.add(key)
        kept.append(s)
    return kept


def _run_case(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    t0 = time.perf_counter()
    try:
        results = RUNNERS[spec.stage](spec, ctx)
    except SuiteError:
        raise
    except Exception as exc:   # a crash in a case is an error of that case, not of the run
        msg = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        results = [CaseResult(spec.id, spec.stage, [C.errored("run", msg)], description=spec.description,
                              error=msg)]
    dt = time.perf_counter() - t0
    for r in results:
        r.seconds = r.seconds or dt / len(results)
        r.description = r.description or spec.description
    return results
