"""Stage 1, retrieval: the labelled queries (eval/queries.toml, run by eval/retrieval.py) against
an index of the bundled seeds, per org type: type precision@k, hit rate, the stated fallback for
types without plans, and no stale or near-duplicate chunk served. Without an index (no embedding
model installed) every check is skipped, never failed."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from ghplan.eval import checks as C
from ghplan.eval.context import RunContext
from ghplan.eval.results import CaseResult
from ghplan.eval.spec import CaseSpec, SuiteError


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


@dataclass
class Served:
    """One case's queries and what the index served for them: what every check judges."""
    type: str | None
    year: int
    k: int
    outcomes: list[Any]              # eval.retrieval.QueryOutcome per query
    served: list[tuple[Any, Any]]    # (query, the search result or None)
    rec: _Recorder
    ctx: RunContext


# ---------------------------------------------------------------- checks
def type_precision(s: Served, p: Mapping[str, Any]) -> C.Check:
    ps = [o.precision for o in s.outcomes if o.precision is not None]
    return C.at_least("type_precision", sum(ps) / len(ps) if ps else None, p["floor"],
                      f"type precision@{s.k}",
                      detail=f"{len(ps)} queries with {s.type or 'typed'} plans to serve"
                      if ps else f"every query fell back: fewer than k={s.k} servable "
                      f"{s.type} chunks for its role")


def hit_rate(s: Served, p: Mapping[str, Any]) -> C.Check:
    hits = [1.0 if o.hit else 0.0 for o in s.outcomes]
    missed = [o.query.text for o in s.outcomes if not o.hit]
    return C.at_least("hit_rate", sum(hits) / len(hits), p["floor"], f"hit rate@{s.k}",
                      detail=f"missed: {'; '.join(missed[:2])}" if missed else f"{len(hits)} queries")


def fallback(s: Served, p: Mapping[str, Any]) -> C.Check:
    """Queries for a type without plans fall back, and only along the type's stated order."""
    from ghplan.writer.index.retrieve import fallback_table

    table = fallback_table()[0]
    fb = [o for o in s.outcomes if o.fell_back]
    none_own = [o for o in s.outcomes if s.rec.available([o.query.type], o.query.role, s.year) == 0]
    bad = [o for o in fb if not o.fallback_ok]
    no_fb = [o for o in none_own if not o.fell_back]
    order = table[s.type].order if s.type in table else ()
    if bad or no_fb:
        why = []
        if bad:
            o = bad[0]
            want = table[o.query.type].order if o.query.type in table else ()
            why.append(f"{len(bad)} fell back outside the stated order: “{o.query.text[:16]}” "
                       f"({o.query.type}, order {', '.join(want)}) got {o.types}")
        if no_fb:
            why.append(f"{len(no_fb)} queries for a type with no plans did not fall back")
        return C.verdict("fallback", False, "; ".join(why))
    if fb:
        used = sorted({x for o in fb for x in o.types if x != o.query.type})
        return C.verdict("fallback", True, f"{len(fb)} of {len(s.outcomes)} queries fell back to "
                         f"{', '.join(used)}" + (f" (order: {', '.join(order)})" if order else
                                                 ", each within its type's stated order"), len(fb))
    return C.verdict("fallback", True, f"no fallback needed: {s.type} has plans to serve", 0)


def current(s: Served, p: Mapping[str, Any]) -> C.Check:
    """No chunk served is stale for the plan year (the review's dated table decides)."""
    from ghplan.corpus.rules import dated

    stale = []
    for _q, r in s.served:
        for hit in r.hits if r else []:
            errs = [f.text for f in dated.check(hit.text, s.year) if f.severity == "error"]
            if errs:
                stale.append(f"{hit.id[:8]} ({'、'.join(errs[:3])})")
    return C.verdict("current", not stale, f"stale chunk(s) served for {s.year}: {'; '.join(stale[:3])}"
                     if stale else f"no stale chunk served for {s.year}", len(stale))


def distinct(s: Served, p: Mapping[str, Any]) -> C.Check:
    """No two results of one query are near-copies (same duplicate group, or similar n-grams)."""
    dup = []
    for q, r in s.served:
        hs = r.hits if r else []
        groups = [_dup_group(h, s.rec, s.ctx) for h in hs]
        for i in range(len(hs)):
            for j in range(i + 1, len(hs)):
                same_group = groups[i] and groups[i] == groups[j] and hs[i].doc_id != hs[j].doc_id
                sim = C.ngram_jaccard(hs[i].text, hs[j].text, int(p["n"]))
                if same_group or sim >= p["max_jaccard"] or hs[i].id == hs[j].id:
                    dup.append(f"“{q.text[:12]}”: {hs[i].id[:8]}≈{hs[j].id[:8]} ({sim:.2f})")
    return C.verdict("distinct", not dup, f"near-duplicate chunks served together: {'; '.join(dup[:2])}"
                     if dup else f"no two results of a query are near-copies "
                     f"(char {p['n']}-gram Jaccard < {p['max_jaccard']})", len(dup))


def _dup_group(hit: Any, rec: _Recorder, ctx: RunContext) -> str:
    """The near-duplicate group recorded for a served chunk at build time ("" if none)."""
    key = ("dup-groups", id(rec.inner))
    if key not in ctx.memo:
        ids, _, metas, _ = rec.lexical()
        ctx.memo[key] = {cid: str(m.get("duplicate_group", "")) for cid, m in zip(ids, metas)}
    return ctx.memo[key].get(hit.id, "")


CHECKS: dict[str, Callable[[Served, Mapping[str, Any]], C.Check]] = {
    "type_precision": type_precision,
    "hit_rate": hit_rate,
    "fallback": fallback,
    "current": current,
    "distinct": distinct,
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "type_precision": {"floor": 0.9},
    "hit_rate": {"floor": 0.8},
    "distinct": {"max_jaccard": 0.8, "n": 5},
}


# ---------------------------------------------------------------- the runner
def run_retrieval(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    res = CaseResult(spec.id, spec.stage)
    h = ctx.index()
    if h is None:
        res.checks = [C.skipped(c.name, ctx.index_skip, c.required) for c in spec.checks]
        return [res]
    s = serve(spec, ctx, _Recorder(h.retriever))
    res.checks = C.judge(spec.checks, CHECKS, s)
    res.artifacts["queries"] = [_query_json(q, r) for q, r in s.served]
    ctx.metrics.setdefault("retrieval", {})[spec.type or "all"] = _metrics(s)
    return [res]


def serve(spec: CaseSpec, ctx: RunContext, rec: _Recorder) -> Served:
    """Run the case's labelled queries (each once per run: the all-types case and the per-type
    cases share them)."""
    from ghplan.eval.retrieval import QUERIES, load_queries, run_query

    k = int(spec.options.get("k", 5))
    year = spec.year or ctx.suite.index_year
    queries = [q for q in load_queries(Path(spec.options.get("queries", QUERIES)))
               if spec.type is None or q.type == spec.type]
    if not queries:
        raise SuiteError(f"{spec.id}: no labelled queries for type {spec.type}")
    outcomes, served = [], []
    for q in queries:
        memo = ("query", q, k, year)
        if memo not in ctx.memo:
            o = run_query(rec, q, "filtered", "hybrid", k, year)
            ctx.memo[memo] = (o, rec.last)
        o, last = ctx.memo[memo]
        outcomes.append(o)
        served.append((q, last))
    return Served(spec.type, year, k, outcomes, served, rec, ctx)


def _query_json(q: Any, r: Any) -> dict[str, Any]:
    return {"text": q.text, "type": q.type, "role": q.role, "expect": list(q.expect),
            "fallback_types": r.fallback_types if r else [],
            "results": [{"id": hh.id, "type": hh.org_type, "role": hh.role, "source": hh.source,
                         "heading": hh.heading, "score": round(hh.score, 5), "text": hh.text[:400]}
                        for hh in (r.hits if r else [])]}


def _metrics(s: Served) -> dict[str, Any]:
    outcomes = s.outcomes
    ps = [o.precision for o in outcomes if o.precision is not None]
    return {"queries": len(outcomes), "k": s.k,
            "type_precision": round(sum(ps) / len(ps), 3) if ps else None,
            "hit_rate": round(sum(1 for o in outcomes if o.hit) / len(outcomes), 3),
            "mrr": round(sum(o.rr for o in outcomes) / len(outcomes), 3),
            "fell_back": sum(1 for o in outcomes if o.fell_back)}
