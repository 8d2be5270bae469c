"""The eval harness: load a suite, run its cases stage by stage, judge them with eval/checks.py.

    from ghplan.eval.harness import load_suite, run_suite
    report = run_suite(load_suite())            # the default suite, offline
    report.exit_code(), report.to_json()

Stages, in the order the pipeline runs (each case belongs to one):

- retrieval   the labelled queries of eval/queries.toml (eval/retrieval.py runs them), per org
              type: type precision@k, hit rate, the stated fallback for types without plans, no
              stale or near-duplicate chunk served. Needs an index of the bundled seeds: the
              harness builds one (into the eval cache, so a second run re-embeds nothing; with
              --no-cache into a temporary directory). With no embedding model installed the
              retrieval cases, and the reference checks elsewhere, are skipped with
              "skipped: no index (…)", never failed.
- prompts     a mocked model records every request the drafting pipeline sends; each must carry
              the year's facts, the type's vocabulary, the retrieved references and the
              anti-copy instruction, hold nothing stale, and fit the context budget.
- drafting    the draft itself (offline backend, and a mocked model replaying the offline plan
              through the full prompt path with references): required roles, zero review
              errors, no verbatim run over the copy threshold, org name and year where they
              belong, length within the target, the type's own words, no empty section, no
              sentence cut off.
- adversarial mocked models that misbehave (eval/mocks/*.toml). Each must be caught: the
              drafting checks run as usual, and the required meta-check `caught` fails when
              the bad output slipped through.
- reviewer    labelled fixtures (eval/fixtures/reviewer/) with the exact span of every problem
              give the reviewer's precision and recall per rule category, against floors.

A suite is a TOML file (eval/suites/default.toml documents the format). Exit code: 0 when every
required check passes, 100 (or the caller's choice) when one fails, 1 when a case errors.
"""
from __future__ import annotations

import glob
import json
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from ghplan.writer.errors import BackendError, GhplanError
from ghplan.eval import checks as C


STAGES = ("retrieval", "prompts", "drafting", "adversarial", "reviewer")
EVAL_DIR = Path(__file__).resolve().parent
DRAFT_CHECKS = ("roles", "no_errors", "no_copy", "org_year", "length", "vocabulary", "complete",
                "filled", "fallback", "ngram_overlap")
PROMPT_CHECKS = ("facts", "vocabulary", "references", "anti_copy", "budget", "current")
RETRIEVAL_CHECKS = ("type_precision", "hit_rate", "fallback", "current", "distinct")
REVIEWER_CHECKS = ("recall", "precision")
CHECK_DEFAULTS: dict[str, dict[str, Any]] = {
    "length": {"lo": 0.8, "hi": 1.25},
    "vocabulary": {"min": 3},
    "ngram_overlap": {"n": 8, "max": 0.25, "required": False},
    "filled": {"min_chars": 20},
    "type_precision": {"floor": 0.9},
    "hit_rate": {"floor": 0.8},
    "distinct": {"max_jaccard": 0.8, "n": 5},
    "budget": {"context_tokens": 16384},
    "anti_copy": {"phrases": ["不得照抄", "绝不照抄", "不要照抄", "不照抄"]},
    "recall": {"floor": 0.95},
    "precision": {"floor": 0.9},
}


class SuiteError(GhplanError):
    """A suite, mock or fixture file that cannot be used (exit 1)."""



# ============================================================================ suites
@dataclass
class CheckSpec:
    name: str
    required: bool = True
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class CaseSpec:
    id: str
    stage: str
    type: str | None = None
    year: int | None = None
    backend: str = "offline"
    profile: dict[str, Any] | None = None      # None: the shipped example profile of the type
    checks: list[CheckSpec] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass
class Suite:
    name: str
    description: str
    path: Path
    cases: list[CaseSpec]
    index_year: int = 2027


def default_suite_path() -> Path:
    return Path(str(resources.files("ghplan.eval").joinpath("suites", "default.toml")))


def _resolve(base: Path, rel: str) -> Path:
    """A path from a suite: relative to the suite's folder, then to the eval package."""
    p = Path(rel).expanduser()
    if p.is_absolute():
        return p
    for root in (base, EVAL_DIR):
        if (root / p).exists() or glob.glob(str(root / p)):
            return root / p
    return base / p


def _check_specs(raw: Any, stage: str, defaults: dict[str, dict[str, Any]], where: str,
                 all_required: bool) -> list[CheckSpec]:
    known = {"retrieval": RETRIEVAL_CHECKS, "prompts": PROMPT_CHECKS, "drafting": DRAFT_CHECKS,
             "adversarial": DRAFT_CHECKS, "reviewer": REVIEWER_CHECKS}[stage]
    if raw is None:
        raw = list(known)
    if not isinstance(raw, list):
        raise SuiteError(f"{where}: 'checks' must be a list of names or tables")
    out = []
    for item in raw:
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or "name" not in item:
            raise SuiteError(f"{where}: each check is a name or a table with 'name'")
        name = str(item["name"])
        if name not in known:
            raise SuiteError(f"{where}: unknown {stage} check {name!r}; known: {', '.join(known)}")
        params = {**CHECK_DEFAULTS.get(name, {}), **defaults.get(name, {}),
                  **{k: v for k, v in item.items() if k != "name"}}
        required = bool(params.pop("required", True)) and all_required
        out.append(CheckSpec(name, required, params))
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return [None]
    return list(value) if isinstance(value, list) else [value]


CASE_KEYS = {"stage", "id", "type", "types", "year", "years", "backend", "profile", "checks",
             "description", "required", "queries", "k", "mock", "mocks", "retrieve", "rounds",
             "fixtures", "org", "length"}


def load_suite(path: Path | str | None = None) -> Suite:
    path = Path(path) if path else default_suite_path()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise SuiteError(f"cannot read suite {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SuiteError(f"suite {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"bad TOML in suite {path}: {exc}") from None
    meta = data.get("suite", {})
    defaults = data.get("checks", {})
    if not isinstance(defaults, dict):
        raise SuiteError(f"{path}: [checks] must be a table of per-check parameters")
    base = path.parent
    cases: list[CaseSpec] = []
    for n, raw in enumerate(data.get("case", []), 1):
        where = f"{path.name} case {n}"
        if not isinstance(raw, dict):
            raise SuiteError(f"{where}: must be a table")
        unknown = set(raw) - CASE_KEYS
        if unknown:
            raise SuiteError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        stage = raw.get("stage")
        if stage not in STAGES:
            raise SuiteError(f"{where}: 'stage' must be one of {', '.join(STAGES)}, got {stage!r}")
        cases.extend(_expand(raw, stage, base, defaults, where))
    ids = [c.id for c in cases]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SuiteError(f"{path.name}: duplicate case id(s) {', '.join(dupes)}")
    if not cases:
        raise SuiteError(f"{path.name}: no [[case]] entries")
    return Suite(name=str(meta.get("name", path.stem)), description=str(meta.get("description", "")),
                 path=path, cases=cases, index_year=int(meta.get("index_year", 2027)))


def _expand(raw: dict[str, Any], stage: str, base: Path, defaults: dict, where: str) -> list[CaseSpec]:
    from ghplan.corpus.model import ORG_TYPES

    types = _as_list(raw.get("types", raw.get("type")))
    years = _as_list(raw.get("years", raw.get("year")))
    for t in types:
        if t is not None and t not in ORG_TYPES:
            raise SuiteError(f"{where}: unknown org type {t!r}")
    for y in years:
        if y is not None and not isinstance(y, int):
            raise SuiteError(f"{where}: years must be whole numbers")
    backend = str(raw.get("backend", "offline"))
    if backend not in ("offline", "mock", "openai"):
        raise SuiteError(f"{where}: backend must be offline, mock or openai")
    required = bool(raw.get("required", True))
    options = {k: raw[k] for k in ("queries", "k", "retrieve", "rounds", "fixtures", "org", "length")
               if k in raw}
    profile = raw.get("profile")
    if profile is not None and not isinstance(profile, (dict, str)):
        raise SuiteError(f"{where}: 'profile' is a table, a file or \"example\"")
    if isinstance(profile, str) and profile != "example":
        profile = {"file": str(_resolve(base, profile))}
    elif profile == "example":
        profile = None
    if stage == "adversarial":
        pattern = raw.get("mocks") or raw.get("mock")
        if not pattern:
            raise SuiteError(f"{where}: an adversarial case needs 'mock' or 'mocks' (a glob)")
        files = sorted(glob.glob(str(_resolve(base, pattern)))) if any(ch in pattern for ch in "*?[") \
            else [str(_resolve(base, pattern))]
        if not files:
            raise SuiteError(f"{where}: no mock files match {pattern!r}")
        out = []
        for f in files:
            spec = CaseSpec(id=f"adversarial/{Path(f).stem}", stage=stage, backend="mock",
                            options={**options, "mock": f}, description=raw.get("description", ""),
                            checks=_check_specs(raw.get("checks"), stage, defaults, where, False))
            out.append(spec)
        return out
    if stage == "reviewer":
        fx = str(_resolve(base, str(raw.get("fixtures", "fixtures/reviewer"))))
        return [CaseSpec(id=str(raw.get("id", "reviewer")), stage=stage,
                         options={**options, "fixtures": fx}, description=raw.get("description", ""),
                         checks=_check_specs(raw.get("checks"), stage, defaults, where, required))]
    if "queries" in options:
        options["queries"] = str(_resolve(base, str(options["queries"])))
    out = []
    for t in types:
        for y in years:
            if stage in ("prompts", "drafting") and (t is None or y is None):
                raise SuiteError(f"{where}: a {stage} case needs a type and a year")
            parts = [stage] + ([backend] if stage == "drafting" else []) + [p for p in (t, y) if p is not None]
            cid = str(raw["id"]) if "id" in raw and len(types) * len(years) == 1 else "/".join(map(str, parts))
            out.append(CaseSpec(id=cid, stage=stage, type=t, year=y, backend=backend,
                                profile=profile if isinstance(profile, dict) else None,
                                checks=_check_specs(raw.get("checks"), stage, defaults, where, required),
                                options=dict(options), description=raw.get("description", "")))
    return out


# ============================================================================ results
@dataclass
class CaseResult:
    id: str
    stage: str
    checks: list[C.Check] = field(default_factory=list)
    seconds: float = 0.0
    description: str = ""
    error: str = ""
    artifacts: dict[str, Any] = field(default_factory=dict)   # draft, findings, sources, fixtures

    @property
    def status(self) -> str:
        if self.error or any(c.status == C.ERROR for c in self.checks):
            return C.ERROR
        if any(c.status == C.FAIL for c in self.checks):
            return C.FAIL
        if self.checks and all(c.status == C.SKIP for c in self.checks):
            return C.SKIP
        return C.PASS

    def to_json(self, artifacts: bool = True) -> dict[str, Any]:
        d = {"id": self.id, "stage": self.stage, "status": self.status,
             "seconds": round(self.seconds, 3), "description": self.description,
             "error": self.error, "checks": [c.to_json() for c in self.checks]}
        if artifacts:
            d["artifacts"] = self.artifacts
        return d


@dataclass
class EvalReport:
    suite: str
    suite_path: str
    backend: str
    cases: list[CaseResult]
    seconds: float
    notes: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, int] = field(default_factory=dict)
    filter: str = ""

    def stage_totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for s in STAGES:
            cs = [c for c in self.cases if c.stage == s]
            if not cs:
                continue
            checks = [k for c in cs for k in c.checks]
            out[s] = {"cases": len(cs),
                      **{f"cases_{st}": sum(1 for c in cs if c.status == st)
                         for st in (C.PASS, C.FAIL, C.SKIP, C.ERROR)},
                      "checks": len(checks),
                      **{f"checks_{st}": sum(1 for k in checks if k.status == st) for st in C.STATUSES}}
        return out

    def failed_stages(self) -> list[str]:
        return [s for s in STAGES if any(c.stage == s and c.status in (C.FAIL, C.ERROR) for c in self.cases)]

    def exit_code(self, fail_code: int = 100) -> int:
        if any(c.status == C.ERROR for c in self.cases):
            return 1
        if any(c.status == C.FAIL for c in self.cases):
            return fail_code
        return 0

    def failure_message(self) -> str:
        """One line naming every failing stage and its first failing checks ("" when all pass)."""
        parts = []
        for s in self.failed_stages():
            bad = [c for c in self.cases if c.stage == s and c.status in (C.FAIL, C.ERROR)]
            total = sum(1 for c in self.cases if c.stage == s)
            first = []
            for c in bad[:3]:
                names = [k.name for k in c.checks if k.failed] or ["error"]
                first.append(f"{c.id} [{', '.join(names)}]")
            more = f" …{len(bad) - 3} more" if len(bad) > 3 else ""
            parts.append(f"stage {s}: {len(bad)} of {total} case(s) failed: {'; '.join(first)}{more}")
        return " | ".join(parts)

    def to_json(self, artifacts: bool = True) -> dict[str, Any]:
        checks = [k for c in self.cases for k in c.checks]
        return {
            "suite": self.suite, "suite_path": self.suite_path, "backend": self.backend,
            "filter": self.filter, "seconds": round(self.seconds, 3), "exit_code": self.exit_code(),
            "totals": {"cases": len(self.cases), "checks": len(checks),
                       **{st: sum(1 for k in checks if k.status == st) for st in C.STATUSES},
                       "required_failed": sum(1 for k in checks if k.failed)},
            "stages": self.stage_totals(), "failed_stages": self.failed_stages(),
            "failure": self.failure_message(), "notes": self.notes, "metrics": self.metrics,
            "cache": self.cache, "cases": [c.to_json(artifacts) for c in self.cases],
        }


# ============================================================================ the run
@dataclass
class IndexHandle:
    location: Any
    retriever: Any
    model: str
    seconds: float


@dataclass
class DraftOutcome:
    result: Any = None          # writer.draft.pipeline.DraftResult
    error: str = ""
    backend_failure: bool = False    # the error was the model's (the CLI exits 3 for it)
    backend: Any = None
    seconds: float = 0.0


class RunContext:
    """What the cases of one run share: settings, cache, the index, the copy index, drafts."""

    def __init__(self, suite: Suite, *, settings: Any = None, cache: Any = None,
                 backend_override: str | None = None, index_dir: Path | None = None,
                 index_location: Any = None, notes: list[str] | None = None):
        if settings is None:
            from ghplan.writer.config import load_settings
            settings = load_settings()
        self.suite, self.settings, self.cache = suite, settings, cache
        self.backend_override = backend_override
        self.index_dir = index_dir
        self._index_location = index_location
        self._index: IndexHandle | None = None
        self._index_skip = ""
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._drafts: dict[tuple, DraftOutcome] = {}
        self.memo: dict[tuple, Any] = {}
        self.notes = notes if notes is not None else []
        self.metrics: dict[str, Any] = {}

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -------------------------------------------------------------- the index
    def index(self) -> IndexHandle | None:
        """The seeds index (built once per run), or None with `index_skip` saying why."""
        if self._index is not None or self._index_skip:
            return self._index
        t0 = time.perf_counter()
        try:
            from ghplan.writer.index.retrieve import Retriever

            if self._index_location is not None:
                loc, model = self._index_location, self.settings.embed_model
                how = "given"
            else:
                from ghplan.eval.retrieval import ensure_index

                if self.index_dir is None:
                    self._tmp = tempfile.TemporaryDirectory(prefix="ghplan-eval-index-")
                    self.index_dir = Path(self._tmp.name)
                    how = "built into a temporary store"
                else:
                    how = f"built in {self.index_dir}"
                loc, model = ensure_index(Path(self.index_dir), self.suite.index_year)
            r = Retriever(loc, model)
            r.embedder()          # a warm index needs no model to build, but queries do
            self._index = IndexHandle(loc, r, model, time.perf_counter() - t0)
            self.notes.append(f"index: seeds {how} ({model}, {time.perf_counter() - t0:.1f}s)")
        except ImportError as exc:
            self._index_skip = f"no index (cannot import {exc.name or exc})"
        except GhplanError as exc:        # model missing, store unusable
            self._index_skip = f"no index ({' '.join(str(exc).split())[:160]})"
        if self._index_skip:
            self.notes.append(f"retrieval {self._index_skip}: retrieval cases and reference checks skipped")
        return self._index

    @property
    def index_skip(self) -> str:
        return self._index_skip

    def retriever_fn(self) -> Callable[..., list] | None:
        h = self.index()
        if h is None:
            return None
        from ghplan.writer.index.retrieve import retrieve

        loc, settings = h.location, self.settings

        def fn(profile, role, k, query=None, year=None, **_ignored):
            # the public retrieval API, pointed at the eval's own index of the bundled seeds
            return retrieve(profile, role, k, query=query, year=year, settings=settings, location=loc)
        return fn

    # -------------------------------------------------------------- corpus helpers
    def copy_index(self):
        from ghplan.writer.review.copycheck import default_index

        return default_index()

    def corpus_grams(self, n: int) -> set[str]:
        key = ("grams", n)
        if key not in self.memo:
            self.memo[key] = C.ngram_set(self.copy_index().texts, n)
        return self.memo[key]

    # -------------------------------------------------------------- drafts
    def profile(self, spec: CaseSpec):
        from ghplan.writer.draft.profile import example_profile, load_profile, profile_from_dict

        if spec.profile and "file" in spec.profile:
            p = load_profile(spec.profile["file"])
        elif spec.profile:
            p = profile_from_dict({"type": spec.type, **spec.profile})
        else:
            p = example_profile(spec.type)
        over = {k: spec.options[k] for k in ("org", "length") if k in spec.options}
        return p.with_overrides(type=spec.type, year=spec.year, **over)

    def backend_for(self, spec: CaseSpec) -> str:
        if spec.stage == "drafting" and self.backend_override:
            return self.backend_override
        return spec.backend

    def make_backend(self, name: str, profile, year: int, retrieve: bool):
        from ghplan.eval.cache import wrap
        from ghplan.writer.draft.pipeline import make_backend

        if name == "mock":
            # a model that writes the offline plan, sent through the full prompt path
            from ghplan.writer.draft.backends.mock import MockBackend

            base = self.draft(profile, year, "offline", retrieve=retrieve)
            if base.result is None:
                raise GhplanError(f"cannot script the replaying mock: {base.error}")
            return MockBackend.from_plan(base.result.text, model="mock-replay")
        if name == "openai":
            try:
                backend = make_backend("openai", settings=self.settings)
            except GhplanError:
                if self.cache is None:
                    raise
                import inspect

                from ghplan.eval.cache import CachedBackend
                from ghplan.writer.draft.backends.openai_backend import OpenAIBackend

                # replay only: every answer must come from the cache (the key holds the
                # temperature the real backend would have sent)
                temp = inspect.signature(OpenAIBackend.__init__).parameters["temperature"].default
                return CachedBackend(None, self.cache, name="openai", model=self.settings.openai_model,
                                     temperature=temp)
            return wrap(backend, self.cache)
        return make_backend(name, settings=self.settings)

    def draft(self, profile, year: int, backend: str | Any, *, retrieve: bool = True,
              rounds: int | None = None, key: str | None = None) -> DraftOutcome:
        """Draft (memoised per backend, profile, year): the prompts and drafting stages share."""
        from ghplan.writer.draft.pipeline import DEFAULT_REPAIR_ROUNDS, draft

        rounds = DEFAULT_REPAIR_ROUNDS if rounds is None else rounds
        memo = (key or str(backend), json.dumps(profile.to_dict(), ensure_ascii=False, sort_keys=True,
                                                default=str), year, retrieve, rounds)
        if memo in self._drafts:
            return self._drafts[memo]
        out = DraftOutcome()
        t0 = time.perf_counter()
        try:
            be = self.make_backend(backend, profile, year, retrieve) if isinstance(backend, str) else backend
            out.backend = be
            fn = self.retriever_fn() if retrieve else None
            out.result = draft(profile, backend=be, year=year, settings=self.settings,
                               retrieve=retrieve and fn is not None, retriever=fn,
                               repair_rounds=rounds)
        except GhplanError as exc:
            out.error = " ".join(str(exc).split())
            out.backend_failure = isinstance(exc, BackendError)
        out.seconds = time.perf_counter() - t0
        self._drafts[memo] = out
        return out


def run_suite(suite: Suite, *, settings: Any = None, backend: str | None = None,
              filter: str | None = None, cache: Any = None, index_dir: Path | None = None,
              index_location: Any = None,
              progress: Callable[[str, int, int], None] | None = None) -> EvalReport:
    """Run every case (matching `filter`, a case-id substring) and return the report.

    `backend` replaces the drafting cases' backend (offline | mock | openai); `cache` is an
    eval.cache.CallCache (None: no cache); `index_dir` where the seeds index is built (None: a
    temporary directory); `index_location` an index already built (tests share one)."""
    t0 = time.perf_counter()
    if backend is not None and backend not in ("offline", "mock", "openai"):
        raise SuiteError(f"unknown backend {backend!r}; use offline, mock or openai")
    ctx = RunContext(suite, settings=settings, cache=cache, backend_override=backend,
                     index_dir=index_dir, index_location=index_location)
    f = (filter or "").lower()
    specs = [s for s in suite.cases
             if not f or f in s.id.lower() or (s.stage == "reviewer" and f.startswith(s.id.lower()))]
    results: list[CaseResult] = []
    try:
        order = sorted(specs, key=lambda s: STAGES.index(s.stage))
        if backend is not None:
            # with one backend for every drafting case, cases that differed only by backend
            # are the same case: run it once
            seen: set[tuple] = set()
            kept = []
            for s in order:
                key = (s.type, s.year, json.dumps(s.profile, sort_keys=True), json.dumps(s.options, sort_keys=True))
                if s.stage == "drafting" and key in seen:
                    continue
                if s.stage == "drafting":
                    seen.add(key)
                kept.append(s)
            order = kept
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


def _run_case(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    runner = {"retrieval": run_retrieval, "prompts": run_prompts, "drafting": run_drafting,
              "adversarial": run_adversarial, "reviewer": run_reviewer}[spec.stage]
    t0 = time.perf_counter()
    try:
        results = runner(spec, ctx)
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


# ============================================================================ retrieval
class _Recorder:
    """A Retriever that remembers the last search result (eval/retrieval.py keeps only metrics)."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.last = None

    def search(self, *a: Any, **kw: Any):
        self.last = self.inner.search(*a, **kw)
        return self.last

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def run_retrieval(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    from ghplan.eval.retrieval import QUERIES, load_queries, run_query
    from ghplan.writer.index.retrieve import fallback_table

    res = CaseResult(spec.id, spec.stage)
    h = ctx.index()
    if h is None:
        res.checks = [C.skipped(c.name, ctx.index_skip, c.required) for c in spec.checks]
        return [res]
    k = int(spec.options.get("k", 5))
    year = spec.year or ctx.suite.index_year
    queries = [q for q in load_queries(Path(spec.options.get("queries", QUERIES)))
               if spec.type is None or q.type == spec.type]
    if not queries:
        raise SuiteError(f"{spec.id}: no labelled queries for type {spec.type}")
    rec = _Recorder(h.retriever)
    outcomes, served = [], []
    for q in queries:
        memo = ("query", q, k, year)      # the all-types case and the per-type cases share queries
        if memo not in ctx.memo:
            o = run_query(rec, q, "filtered", "hybrid", k, year)
            ctx.memo[memo] = (o, rec.last)
        o, last = ctx.memo[memo]
        outcomes.append(o)
        served.append((q, last))
    from ghplan.corpus.rules import dated

    out: list[C.Check] = []
    for c in spec.checks:
        p = c.params
        if c.name == "type_precision":
            ps = [o.precision for o in outcomes if o.precision is not None]
            chk = C.at_least(c.name, sum(ps) / len(ps) if ps else None, p["floor"],
                             f"type precision@{k}", required=c.required,
                             detail=f"{len(ps)} queries with {spec.type or 'typed'} plans to serve"
                             if ps else f"every query fell back: fewer than k={k} servable "
                             f"{spec.type} chunks for its role")
        elif c.name == "hit_rate":
            hits = [1.0 if o.hit else 0.0 for o in outcomes]
            missed = [o.query.text for o in outcomes if not o.hit]
            chk = C.at_least(c.name, sum(hits) / len(hits), p["floor"], f"hit rate@{k}",
                             required=c.required, detail=f"missed: {'; '.join(missed[:2])}" if missed else
                             f"{len(hits)} queries")
        elif c.name == "fallback":
            t = spec.type
            fb = [o for o in outcomes if o.fell_back]
            none_own = [o for o in outcomes if rec.available([o.query.type], o.query.role, year) == 0]
            bad = [o for o in fb if not o.fallback_ok]
            no_fb = [o for o in none_own if not o.fell_back]
            table = fallback_table()[0]
            order = table[t].order if t in table else ()
            if bad or no_fb:
                why = []
                if bad:
                    o = bad[0]
                    want = table[o.query.type].order if o.query.type in table else ()
                    why.append(f"{len(bad)} fell back outside the stated order: “{o.query.text[:16]}” "
                               f"({o.query.type}, order {', '.join(want)}) got {o.types}")
                if no_fb:
                    why.append(f"{len(no_fb)} queries for a type with no plans did not fall back")
                chk = C.verdict(c.name, False, "; ".join(why), required=c.required)
            elif fb:
                used = sorted({x for o in fb for x in o.types if x != o.query.type})
                chk = C.verdict(c.name, True, f"{len(fb)} of {len(outcomes)} queries fell back to "
                                f"{', '.join(used)}" + (f" (order: {', '.join(order)})" if order else
                                                        ", each within its type's stated order"),
                                len(fb), c.required)
            else:
                chk = C.verdict(c.name, True, f"no fallback needed: {t} has plans to serve", 0, c.required)
        elif c.name == "current":
            stale = []
            for q, r in served:
                for hit in r.hits if r else []:
                    errs = [f.text for f in dated.check(hit.text, year) if f.severity == "error"]
                    if errs:
                        stale.append(f"{hit.id[:8]} ({'、'.join(errs[:3])})")
            chk = C.verdict(c.name, not stale, f"stale chunk(s) served for {year}: {'; '.join(stale[:3])}"
                            if stale else f"no stale chunk served for {year}", len(stale), c.required)
        elif c.name == "distinct":
            dup = []
            for q, r in served:
                hs = r.hits if r else []
                groups = [_dup_group(h, rec, ctx) for h in hs]
                for i in range(len(hs)):
                    for j in range(i + 1, len(hs)):
                        same_group = groups[i] and groups[i] == groups[j] and hs[i].doc_id != hs[j].doc_id
                        sim = C.ngram_jaccard(hs[i].text, hs[j].text, int(p["n"]))
                        if same_group or sim >= p["max_jaccard"] or hs[i].id == hs[j].id:
                            dup.append(f"“{q.text[:12]}”: {hs[i].id[:8]}≈{hs[j].id[:8]} ({sim:.2f})")
            chk = C.verdict(c.name, not dup, f"near-duplicate chunks served together: {'; '.join(dup[:2])}"
                            if dup else f"no two results of a query are near-copies "
                            f"(char {p['n']}-gram Jaccard < {p['max_jaccard']})", len(dup), c.required)
        else:   # pragma: no cover - load_suite rejects unknown names
            continue
        out.append(chk)
    res.checks = out
    res.artifacts["queries"] = [
        {"text": q.text, "type": q.type, "role": q.role, "expect": list(q.expect),
         "fallback_types": r.fallback_types if r else [],
         "results": [{"id": hh.id, "type": hh.org_type, "role": hh.role, "source": hh.source,
                      "heading": hh.heading, "score": round(hh.score, 5), "text": hh.text[:400]}
                     for hh in (r.hits if r else [])]}
        for q, r in served]
    m = ctx.metrics.setdefault("retrieval", {})
    ps = [o.precision for o in outcomes if o.precision is not None]
    m[spec.type or "all"] = {"queries": len(outcomes), "k": k,
                             "type_precision": round(sum(ps) / len(ps), 3) if ps else None,
                             "hit_rate": round(sum(1 for o in outcomes if o.hit) / len(outcomes), 3),
                             "mrr": round(sum(o.rr for o in outcomes) / len(outcomes), 3),
                             "fell_back": sum(1 for o in outcomes if o.fell_back)}
    return [res]


def _dup_group(hit: Any, rec: Any, ctx: RunContext) -> str:
    """The near-duplicate group recorded for a served chunk at build time ("" if none)."""
    key = ("dup-groups", id(rec.inner))
    if key not in ctx.memo:
        ids, _, metas, _ = rec.lexical()
        ctx.memo[key] = {cid: str(m.get("duplicate_group", "")) for cid, m in zip(ids, metas)}
    return ctx.memo[key].get(hit.id, "")


# ============================================================================ prompts
def _year_facts(year: int) -> dict[str, str]:
    from ghplan.writer.draft.facts import year_facts

    f = year_facts(year)
    facts = {"guiding": f.guiding, "party_congress": f.party_congress_name,
             "five_year_plan": f.five_year_plan, "union_congress": f.union_congress_name}
    for i, p in enumerate(f.plenums, 1):
        facts[f"plenum{i}"] = p
    return facts


def run_prompts(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    from ghplan.corpus.rules import dated
    from ghplan.writer.draft.pipeline import type_vocab

    res = CaseResult(spec.id, spec.stage)
    profile = ctx.profile(spec)
    retrieve = bool(spec.options.get("retrieve", True))
    d = ctx.draft(profile, spec.year, "mock", retrieve=retrieve)
    if d.result is None:
        res.error = f"the recording model could not draft: {d.error}"
        res.checks = [C.errored("draft", res.error)]
        return [res]
    r = d.result
    calls = getattr(d.backend, "calls", None) or [{"messages": m, "params": {}} for m in r.prompts]
    requests = [c["messages"] for c in calls]
    params = [c.get("params", {}) for c in calls]
    system = requests[0][0]["content"] if requests else ""
    name, belongs, betray = type_vocab(profile.type)
    out: list[C.Check] = []
    for c in spec.checks:
        p = c.params
        if c.name == "facts":
            chk = C.prompt_facts(system, _year_facts(spec.year))
        elif c.name == "vocabulary":
            chk = C.prompt_vocab(system, name, belongs, betray)
        elif c.name == "references":
            if not retrieve:
                chk = C.skipped(c.name, "retrieval off for this case")
            elif ctx.index() is None:
                chk = C.skipped(c.name, ctx.index_skip)
            else:
                chk = C.prompt_references(requests, [x.text for x in r.retrieved])
        elif c.name == "anti_copy":
            chk = C.prompt_anti_copy(requests, list(p["phrases"]))
        elif c.name == "budget":
            chk = C.prompt_budget(requests, params, int(p["context_tokens"]))
        elif c.name == "current":
            stale = []
            for msgs in requests:
                for m in msgs:
                    stale += [f.text for f in dated.check(m["content"], spec.year) if f.severity == "error"]
            chk = C.prompt_current(stale)
        else:   # pragma: no cover
            continue
        out.append(chk if c.required else C.optional(chk))
    res.checks = out
    res.artifacts["prompts"] = {"requests": len(requests), "system": system,
                                "first_user": requests[0][1]["content"] if requests and len(requests[0]) > 1 else "",
                                "tokens_max": max((sum(C.estimate_tokens(m["content"]) for m in msgs)
                                                   for msgs in requests), default=0)}
    res.artifacts["sources"] = [_ref_json(x) for x in r.retrieved]
    return [res]


def _ref_json(ref: Any) -> dict[str, Any]:
    return {**ref.to_json(), "heading": getattr(ref, "heading", ""), "fallback": bool(getattr(ref, "fallback", False)),
            "text": str(getattr(ref, "text", ""))[:600]}


# ============================================================================ drafting
def judge_draft(spec: CaseSpec, ctx: RunContext, profile: Any, result: Any,
                retrieve: bool) -> list[C.Check]:
    """The drafting checks on one DraftResult (shared by the drafting and adversarial stages)."""
    from ghplan.corpus.headings import find_headings
    from ghplan.writer.draft.pipeline import type_vocab, union_name

    review = result.review_json()
    text = result.text
    union = union_name(profile.org)
    out: list[C.Check] = []
    for c in spec.checks:
        p = c.params
        if c.name == "roles":
            chk = C.required_roles(review["sections"])
        elif c.name == "no_errors":
            chk = C.no_errors(review)
        elif c.name == "no_copy":
            threshold = int(getattr(ctx.settings, "copy_threshold", 50) or 50)
            n, src = ctx.copy_index().longest(text)
            chk = C.no_copy(n, src.label() if src else "", threshold)
        elif c.name == "org_year":
            chk = C.org_and_year(text, union, result.year, "closing" in profile.sections)
        elif c.name == "length":
            chk = C.length_within(text, profile.length, float(p["lo"]), float(p["hi"]))
        elif c.name == "vocabulary":
            name, belongs, _ = type_vocab(profile.type)
            chk = C.speaks_type(text, name, belongs, int(p["min"]))
        elif c.name == "complete":
            chk = C.complete_sentences(text, union)
        elif c.name == "filled":
            chk = C.sections_filled(text, find_headings(text), int(p["min_chars"]))
        elif c.name == "fallback":
            chk = _fallback_check(ctx, profile, result, retrieve)
        elif c.name == "ngram_overlap":
            n = int(p["n"])
            share = C.ngram_overlap(text, ctx.corpus_grams(n), n)
            chk = C.at_most(c.name, share, float(p["max"]), f"share of character {n}-grams found in the seeds")
        else:   # pragma: no cover
            continue
        if not c.required:
            chk = C.optional(chk)
        out.append(chk)
    return out


def _fallback_check(ctx: RunContext, profile: Any, result: Any, retrieve: bool) -> C.Check:
    from ghplan.writer.index.retrieve import fallback_table

    if not retrieve:
        return C.skipped("fallback", "retrieval off for this case")
    h = ctx.index()
    if h is None:
        return C.skipped("fallback", ctx.index_skip)
    table = fallback_table()[0]
    order = table[profile.type].order if profile.type in table else ()
    own = h.retriever.available([profile.type], None, result.year) > 0
    return C.fallback_types(profile.type, [r.type for r in result.retrieved], order, own)


def _draft_artifacts(result: Any, profile: Any, backend_name: str) -> dict[str, Any]:
    review = result.review_json()
    return {"draft": {"text": result.text, "type": result.type, "year": result.year,
                      "org": profile.org, "backend": backend_name, "model": result.model,
                      "rounds": result.rounds, "notes": list(result.notes),
                      "seconds": round(result.seconds, 3), "usage": result.usage.to_json(),
                      "target_length": profile.length},
            "findings": review["findings"], "summary": review["summary"],
            "sections": review["sections"],
            "sources": [_ref_json(x) for x in result.retrieved]}


def run_drafting(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    backend = ctx.backend_for(spec)
    cid = spec.id if backend == spec.backend else spec.id.replace(f"/{spec.backend}/", f"/{backend}/", 1)
    res = CaseResult(cid, spec.stage)
    profile = ctx.profile(spec)
    retrieve = bool(spec.options.get("retrieve", True))
    d = ctx.draft(profile, spec.year, backend, retrieve=retrieve, rounds=spec.options.get("rounds"))
    if d.result is None:
        # a model that fails is a failed case (exit 100), an eval bug an error (exit 1)
        res.checks = [C.verdict("draft", False, f"the {backend} draft failed: {d.error}")]
        return [res]
    res.checks = judge_draft(spec, ctx, profile, d.result, retrieve)
    res.artifacts.update(_draft_artifacts(d.result, profile, backend))
    return [res]


# ============================================================================ adversarial
def load_mock(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SuiteError(f"bad mock file {path}: {exc}") from None
    ev = data.get("eval")
    if not isinstance(ev, dict) or not isinstance(ev.get("expect"), dict):
        raise SuiteError(f"mock {path.name}: needs an [eval] table with [eval.expect]")
    if not (data.get("plan") or data.get("responses") or ev.get("seed")):
        raise SuiteError(f"mock {path.name}: needs `plan`, `responses` or [eval] seed")
    return data


def seed_plan(doc_prefix: str) -> str:
    """The cleaned text of a bundled seed document, read at run time (never copied into a file)."""
    from ghplan.corpus.headings import find_headings
    from ghplan.corpus.pipeline import build_corpus

    for d in build_corpus().documents:
        if d.doc_id.startswith(doc_prefix):
            # as a model would return it: the title, then one heading per line (some seed pages
            # lost their line breaks; the words stay exactly the seed's)
            text, out, pos = d.text, [d.title or "工会工作计划"], 0
            for h in find_headings(text):
                if h.level not in (1, 2):
                    continue
                out.append(text[pos:h.start].strip())
                out.append(text[h.start:h.end].strip())
                pos = h.end
            out.append(text[pos:].strip().lstrip(":：").strip())
            return "\n".join(x.lstrip(":：") for x in out if x)
    raise SuiteError(f"no seed document with id {doc_prefix!r}")


def _run_cli_draft(mock: Path, profile: Any, year: int) -> tuple[int | None, str]:
    """`ghplan draft --backend mock --mock-script FILE` as a user runs it: (exit code, stderr).

    The console script runs in a child process: the eval judges the CLI's contract without
    importing the CLI (the library never does)."""
    import os
    import shutil
    import subprocess
    import sys

    exe = shutil.which("ghplan", path=str(Path(sys.executable).parent)) or shutil.which("ghplan")
    if exe is None:
        return None, "the ghplan console script is not installed"
    args = ["draft", "--org", profile.org, "--type", profile.type, "--year", str(year),
            "--backend", "mock", "--mock-script", str(mock), "--no-retrieve"]
    env = {**os.environ, "OPENAI_API_KEY": "", "GHPLAN_MOCK_SCRIPT": ""}
    r = subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=300)
    return r.returncode, r.stderr


def run_adversarial(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    from ghplan.writer.draft.backends.mock import MockBackend

    path = Path(spec.options["mock"])
    data = load_mock(path)
    ev = data["eval"]
    expect = ev["expect"]
    res = CaseResult(spec.id, spec.stage, description=str(ev.get("description", "")))
    case = CaseSpec(spec.id, spec.stage, type=str(ev.get("type", "enterprise")),
                    year=int(ev.get("year", 2027)), backend="mock", checks=spec.checks,
                    options={k: ev[k] for k in ("org", "length") if k in ev})
    profile = ctx.profile(case)
    if ev.get("seed"):
        backend = MockBackend.from_plan(seed_plan(str(ev["seed"])), model=f"mock:{path.stem}")
    else:
        backend = MockBackend.from_file(path)
    retrieve = bool(ev.get("retrieve", False))
    d = ctx.draft(profile, case.year, backend, retrieve=retrieve, rounds=ev.get("rounds"),
                  key=f"mock:{path}")
    checks: list[C.Check] = []
    if d.result is not None:
        checks = judge_draft(case, ctx, profile, d.result, retrieve)
        res.artifacts.update(_draft_artifacts(d.result, profile, f"mock:{path.stem}"))
    checks.append(C.caught(expect, checks, d.result.review_json() if d.result else None, d.error))
    if expect.get("error"):
        if d.error and not d.backend_failure:
            checks.append(C.verdict("exit_code", False, "the draft failed, but not as a model failure "
                                    "(exit 3)"))
        if not ev.get("seed"):
            code, err = _run_cli_draft(path, profile, case.year)
            checks.append(C.failed_cleanly(code, err, int(expect.get("exit", 3))))
            res.artifacts["cli"] = {"exit": code, "stderr": err.strip()[:400]}
    if d.error:
        res.artifacts["error"] = d.error
    res.checks = checks
    return [res]


# ============================================================================ reviewer
@dataclass
class Fixture:
    id: str
    file: str
    type: str | None
    year: int | None
    text: str
    labels: list[C.Label]
    doc_labels: list[dict[str, str]]
    note: str = ""


def load_fixtures(root: Path | str) -> list[Fixture]:
    root = Path(root)
    files = sorted(p for p in (root.iterdir() if root.is_dir() else [root])
                   if p.suffix in (".toml", ".json"))
    if not files:
        raise SuiteError(f"no reviewer fixtures (.toml/.json) in {root}")
    out: list[Fixture] = []
    for p in files:
        try:
            raw = p.read_text("utf-8")
            data = json.loads(raw) if p.suffix == ".json" else tomllib.loads(raw)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise SuiteError(f"bad reviewer fixture file {p}: {exc}") from None
        for i, fx in enumerate(data.get("fixture", []), 1):
            fid = str(fx.get("id") or f"{p.stem}-{i}")
            try:
                text, labels = C.parse_labels(str(fx["text"]))
            except (KeyError, ValueError) as exc:
                raise SuiteError(f"{p.name} fixture {fid}: {exc}") from None
            docs = [{"category": str(d["category"]), "rule": str(d.get("rule", ""))}
                    for d in fx.get("doc", [])]
            out.append(Fixture(fid, p.name, fx.get("type"), fx.get("year"), text, labels, docs,
                               str(fx.get("note", ""))))
    ids = [f.id for f in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SuiteError(f"duplicate reviewer fixture id(s): {', '.join(dupes)}")
    return out


def run_reviewer(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    from ghplan.writer.review.reviewer import review_text

    fixtures = load_fixtures(spec.options["fixtures"])
    total: dict[str, C.Tally] = {}
    per_fixture = []
    t0 = time.perf_counter()
    for fx in fixtures:
        r = review_text(fx.text, org_type=fx.type, year=fx.year, settings=ctx.settings, file=fx.id)
        findings = r.to_json()["findings"]
        tallies = C.match_findings(fx.labels, fx.doc_labels, findings, fx.id)
        found, doc_found, ok = C.judge_spans(fx.labels, fx.doc_labels, findings)
        findings = [{**f, "correct": good} for f, good in zip(findings, ok)]
        for cat, t in tallies.items():
            total.setdefault(cat, C.Tally()).add(t)
        per_fixture.append({
            "id": fx.id, "file": fx.file, "type": r.org_type, "year": r.year, "text": fx.text,
            "note": fx.note,
            "labels": [{"category": lab.category, "also": list(lab.also), "start": lab.start,
                        "end": lab.end, "text": lab.text, "rule": lab.rule, "found": hit}
                       for lab, hit in zip(fx.labels, found)],
            "doc_labels": [{**d, "found": hit} for d, hit in zip(fx.doc_labels, doc_found)],
            "findings": findings,
            "missed": sum(len(t.missed) for t in tallies.values()),
            "false": sum(len(t.false) for t in tallies.values())})
    seconds = time.perf_counter() - t0
    by = {c.name: c for c in spec.checks}
    results: list[CaseResult] = []
    overall = C.Tally()
    for t in total.values():
        overall.add(t)
    metrics = {}
    for cat in ["all"] + sorted(total):
        t = overall if cat == "all" else total[cat]
        metrics[cat] = {"labels": t.labels, "found": t.found, "findings": t.findings, "correct": t.correct,
                        "recall": None if t.recall() is None else round(t.recall(), 4),
                        "precision": None if t.precision() is None else round(t.precision(), 4)}
        res = CaseResult(f"{spec.id}/{cat}", spec.stage, seconds=seconds / (len(total) + 1))
        for name in REVIEWER_CHECKS:
            c = by.get(name)
            if c is None:
                continue
            floor = float(dict(c.params.get("by_category", {})).get(cat, c.params["floor"]))
            if name == "recall":
                chk = C.at_least("recall", t.recall(), floor, "recall", required=c.required,
                                 detail=f"{t.found}/{t.labels} labelled spans found"
                                 + (f"; missed {t.missed[0]}" if t.missed else ""))
                if t.recall() is None:
                    chk = C.skipped("recall", f"no labelled {cat} problems in the fixtures", c.required)
            else:
                chk = C.at_least("precision", t.precision(), floor, "precision", required=c.required,
                                 detail=f"{t.correct}/{t.findings} findings on a label"
                                 + (f"; false: {t.false[0]}" if t.false else ""))
                if t.precision() is None:
                    chk = C.skipped("precision", f"no {cat} findings reported", c.required)
            res.checks.append(chk)
        if cat == "all":
            res.artifacts["fixtures"] = per_fixture
        res.artifacts["missed"] = t.missed[:50]
        res.artifacts["false"] = t.false[:50]
        results.append(res)
    ctx.metrics["reviewer"] = {"fixtures": len(fixtures), "per_category": metrics}
    return results

