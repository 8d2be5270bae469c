"""Retrieval quality on the labelled queries in eval/queries.toml: dense-only vs lexical vs hybrid.

    python -m eval.retrieval [--store DIR] [--year Y] [-k 5] [--json]

Builds (or refreshes, re-embedding only what changed) an index of the bundled seeds, then runs
every query in two settings and three modes:

- filtered: type + role filter with fallback, exactly how the draft layer calls `retrieve`.
- unfiltered: role filter only, no type filter: does the query's own vocabulary find its type?
  This is where dense and hybrid differ most.

Metrics, per setting and mode:
- type precision@k: results of the requested type in the top k, divided by min(k, servable
  chunks of that type and role) so a type with three plans is not asked for five. Counted only
  where the type has servable plans (and, filtered, where no fallback was needed).
- hit rate@k: share of queries with at least one result containing an `expect` word; MRR: the
  mean reciprocal rank of the first such result.
- fallback: for queries whose type has too few plans (hospital has none), whether retrieval fell
  back, and only to the types stated in writer/data/fallback.toml.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ghplan.writer.index.retrieve import MODES, Retriever, fallback_table

QUERIES = Path(__file__).with_name("queries.toml")


@dataclass(frozen=True)
class Query:
    type: str
    role: str | None
    text: str
    expect: tuple[str, ...]
    why: str = ""


@dataclass
class Outcome:
    query: Query
    setting: str                 # "filtered" | "unfiltered"
    mode: str
    types: list[str]             # org types of the results, in rank order
    hit: bool
    rr: float                    # reciprocal rank of the first relevant result (0: none)
    precision: float | None      # None: not applicable (no plans of that type, or fell back)
    fell_back: bool = False
    fallback_ok: bool | None = None


def load_queries(path: Path = QUERIES) -> list[Query]:
    from ghplan.eval.spec import org_type

    data = tomllib.loads(Path(path).read_text("utf-8"))
    return [Query(type=org_type(q.get("type"), f"{Path(path).name} query {n} ({q.get('text', '')})"),
                  role=q.get("role"), text=q["text"], expect=tuple(q["expect"]), why=q.get("why", ""))
            for n, q in enumerate(data["query"], 1)]


def ensure_index(store: Path, year: int):
    """Build or refresh the seeds index at `store`; returns its Location."""
    from ghplan.writer.index.chunk import corpus_chunks
    from ghplan.writer.config import load_settings
    from ghplan.writer.index.embed import get_embedder
    from ghplan.writer.index.store import Location, build_index

    settings = load_settings()
    loc = Location("local", path=store.resolve())
    build_index(corpus_chunks(None, year), loc, lambda: get_embedder(settings.embed_model),
                settings.embed_model, year=year)
    return loc, settings.embed_model


def run_query(r: Retriever, q: Query, setting: str, mode: str, k: int, year: int | None) -> Outcome:
    org_type = q.type if setting == "filtered" else None
    res = r.search(q.text, org_type, q.role, k, year=year, mode=mode)
    types = [h.org_type for h in res.hits]
    ranks = [i for i, h in enumerate(res.hits, start=1) if any(w in h.text for w in q.expect)]
    hit = bool(ranks)
    rr = 1.0 / ranks[0] if ranks else 0.0
    servable = r.available([q.type], q.role, year)
    precision: float | None = None
    fallback_ok: bool | None = None
    if setting == "filtered" and res.fell_back:
        table, _ = fallback_table()
        allowed = {q.type, *table[q.type].order}
        fallback_ok = bool(res.hits) and set(types) <= allowed and \
            res.fallback_types == [t for t in table[q.type].order if t in res.fallback_types]
    elif servable:
        precision = sum(1 for t in types if t == q.type) / min(k, servable)
    return Outcome(q, setting, mode, types, hit, rr, precision, res.fell_back, fallback_ok)


def evaluate(r: Retriever, queries: list[Query], k: int = 5, year: int | None = None,
             modes: tuple[str, ...] = MODES) -> list[Outcome]:
    return [run_query(r, q, setting, mode, k, year)
            for setting in ("filtered", "unfiltered") for mode in modes for q in queries]


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 3) if xs else None


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for o in outcomes:
        cell = out.setdefault(o.setting, {}).setdefault(o.mode, {"p": [], "hits": [], "rr": [], "fb": [], "by_type": {}})
        if o.precision is not None:
            cell["p"].append(o.precision)
            cell["by_type"].setdefault(o.query.type, []).append(o.precision)
        cell["hits"].append(1.0 if o.hit else 0.0)
        cell["rr"].append(o.rr)
        if o.fallback_ok is not None:
            cell["fb"].append(1.0 if o.fallback_ok else 0.0)
    for setting in out.values():
        for mode, cell in setting.items():
            setting[mode] = {
                "type_precision": _mean(cell["p"]), "precision_queries": len(cell["p"]),
                "hit_rate": _mean(cell["hits"]), "mrr": _mean(cell["rr"]), "queries": len(cell["hits"]),
                "fallback_ok": _mean(cell["fb"]), "fallback_queries": len(cell["fb"]),
                "type_precision_by_type": {t: _mean(v) for t, v in sorted(cell["by_type"].items())},
            }
    return out


def _print(summary: dict[str, Any], outcomes: list[Outcome], k: int) -> None:
    print(f"retrieval eval: {len({id(o.query) for o in outcomes})} labelled queries, k={k}")
    print(f"{'setting':11} {'mode':8} {'type P@k':>9} {'(n)':>5} {'hit@k':>7} {'MRR':>6} {'(n)':>5} {'fallback ok':>12}")
    for setting, modes in summary.items():
        for mode, m in modes.items():
            fb = "" if m["fallback_ok"] is None else f"{m['fallback_ok']:.2f} ({m['fallback_queries']})"
            p = "n/a" if m["type_precision"] is None else f"{m['type_precision']:.3f}"
            print(f"{setting:11} {mode:8} {p:>9} {m['precision_queries']:>5} {m['hit_rate']:>7.3f} "
                  f"{m['mrr']:>6.3f} {m['queries']:>5} {fb:>12}")
    for setting in summary:
        print(f"type precision by type ({setting}):")
        for mode in ("dense", "hybrid"):
            by = summary[setting].get(mode, {}).get("type_precision_by_type", {})
            print(f"  {mode:7} " + "  ".join(f"{t} {v:.2f}" for t, v in by.items()))
    misses = [o for o in outcomes if o.mode == "hybrid" and not o.hit]
    if misses:
        print("hybrid misses (no expected word in the top k):")
        for o in misses:
            print(f"  [{o.setting}] {o.query.type}/{o.query.role or '*'} {o.query.text!r} -> {o.types}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="index directory (default: a temporary one)")
    ap.add_argument("--year", type=int, default=None, help="plan year for stale flags (default: next year)")
    ap.add_argument("-k", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from ghplan.writer.index.chunk import default_year

    year = args.year or default_year()
    tmp = None
    store = args.store
    if store is None:
        tmp = tempfile.TemporaryDirectory(prefix="ghplan-eval-")
        store = Path(tmp.name)
    try:
        loc, model = ensure_index(store, year)
        r = Retriever(loc, model)
        outcomes = evaluate(r, load_queries(), k=args.k)
        summary = summarise(outcomes)
        if args.json:
            json.dump({"k": args.k, "year": year, "summary": summary}, sys.stdout, ensure_ascii=False)
            print()
        else:
            _print(summary, outcomes, args.k)
    finally:
        if tmp:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
