"""Stage 5, reviewer: labelled fixtures (eval/fixtures/reviewer/) with the exact span of every
problem give the reviewer's recall and precision per rule category, against floors. One case
per category, plus `reviewer/all`."""
from __future__ import annotations

import json
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from ghplan.eval import checks as C
from ghplan.eval.checks import Check
from ghplan.eval.context import RunContext
from ghplan.eval.labels import Label, Tally, judge_spans, match_findings, parse_labels
from ghplan.eval.results import CaseResult
from ghplan.eval.spec import CaseSpec, SuiteError, org_type


# ---------------------------------------------------------------- fixtures
@dataclass
class Fixture:
    id: str
    file: str
    type: str | None
    year: int | None
    text: str
    labels: list[Label]
    doc_labels: list[dict[str, str]]
    note: str = ""


def load_fixtures(root: Path | str) -> list[Fixture]:
    root = Path(root)
    files = sorted(p for p in (root.iterdir() if root.is_dir() else [root])
                   if p.suffix in (".toml", ".json"))
    if not files:
        raise SuiteError(f"no reviewer fixtures (.toml/.json) in {root}")
    out = [fx for p in files for fx in _fixtures_in(p)]
    ids = [f.id for f in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SuiteError(f"duplicate reviewer fixture id(s): {', '.join(dupes)}")
    return out


def _fixtures_in(p: Path) -> list[Fixture]:
    try:
        raw = p.read_text("utf-8")
        data = json.loads(raw) if p.suffix == ".json" else tomllib.loads(raw)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SuiteError(f"bad reviewer fixture file {p}: {exc}") from None
    out = []
    for i, fx in enumerate(data.get("fixture", []), 1):
        fid = str(fx.get("id") or f"{p.stem}-{i}")
        try:
            text, labels = parse_labels(str(fx["text"]))
        except (KeyError, ValueError) as exc:
            raise SuiteError(f"{p.name} fixture {fid}: {exc}") from None
        docs = [{"category": str(d["category"]), "rule": str(d.get("rule", ""))}
                for d in fx.get("doc", [])]
        otype = fx.get("type")     # 医院, 乡镇 … or the id; absent: the reviewer infers it
        otype = None if otype is None else org_type(otype, f"{p.name} fixture {fid}", allow_other=True)
        out.append(Fixture(fid, p.name, otype, fx.get("year"), text, labels, docs,
                           str(fx.get("note", ""))))
    return out


# ---------------------------------------------------------------- the registry
@dataclass
class Scored:
    """One rule category's tally over every fixture ("all": every category)."""
    category: str
    tally: Tally


def _floor(s: Scored, p: Mapping[str, Any]) -> float:
    return float(dict(p.get("by_category", {})).get(s.category, p["floor"]))


def recall(s: Scored, p: Mapping[str, Any]) -> Check:
    t = s.tally
    if t.recall() is None:
        return C.skipped("recall", f"no labelled {s.category} problems in the fixtures")
    return C.at_least("recall", t.recall(), _floor(s, p), "recall",
                      detail=f"{t.found}/{t.labels} labelled spans found"
                      + (f"; missed {t.missed[0]}" if t.missed else ""))


def precision(s: Scored, p: Mapping[str, Any]) -> Check:
    t = s.tally
    if t.precision() is None:
        return C.skipped("precision", f"no {s.category} findings reported")
    return C.at_least("precision", t.precision(), _floor(s, p), "precision",
                      detail=f"{t.correct}/{t.findings} findings on a label"
                      + (f"; false: {t.false[0]}" if t.false else ""))


CHECKS: dict[str, Callable[[Scored, Mapping[str, Any]], Check]] = {
    "recall": recall,
    "precision": precision,
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "recall": {"floor": 0.95},
    "precision": {"floor": 0.9},
}


# ---------------------------------------------------------------- the runner
def review_fixtures(fixtures: list[Fixture], settings: Any) -> tuple[dict[str, Tally], list[dict[str, Any]]]:
    """Review every fixture: (tally per category, per-fixture report with each label found or
    not and each finding correct or not)."""
    from ghplan.writer.review.reviewer import review_text

    total: dict[str, Tally] = {}
    per_fixture = []
    for fx in fixtures:
        r = review_text(fx.text, org_type=fx.type, year=fx.year, settings=settings, file=fx.id)
        findings = r.to_json()["findings"]
        tallies = match_findings(fx.labels, fx.doc_labels, findings, fx.id)
        found, doc_found, ok = judge_spans(fx.labels, fx.doc_labels, findings)
        for cat, t in tallies.items():
            total.setdefault(cat, Tally()).add(t)
        per_fixture.append({
            "id": fx.id, "file": fx.file, "type": r.org_type, "year": r.year, "text": fx.text,
            "note": fx.note,
            "labels": [{"category": lab.category, "also": list(lab.also), "start": lab.start,
                        "end": lab.end, "text": lab.text, "rule": lab.rule, "found": hit}
                       for lab, hit in zip(fx.labels, found)],
            "doc_labels": [{**d, "found": hit} for d, hit in zip(fx.doc_labels, doc_found)],
            "findings": [{**f, "correct": good} for f, good in zip(findings, ok)],
            "missed": sum(len(t.missed) for t in tallies.values()),
            "false": sum(len(t.false) for t in tallies.values())})
    return total, per_fixture


def _metric(t: Tally) -> dict[str, Any]:
    r, p = t.recall(), t.precision()
    return {"labels": t.labels, "found": t.found, "findings": t.findings, "correct": t.correct,
            "recall": None if r is None else round(r, 4), "precision": None if p is None else round(p, 4)}


def run_reviewer(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    fixtures = load_fixtures(spec.options["fixtures"])
    t0 = time.perf_counter()
    total, per_fixture = review_fixtures(fixtures, ctx.settings)
    seconds = time.perf_counter() - t0
    overall = Tally()
    for t in total.values():
        overall.add(t)
    # registry order, whatever order the suite listed them in
    by = {c.name: c for c in spec.checks}
    specs = [by[name] for name in CHECKS if name in by]
    results: list[CaseResult] = []
    metrics = {}
    for cat in ["all"] + sorted(total):
        t = overall if cat == "all" else total[cat]
        metrics[cat] = _metric(t)
        res = CaseResult(f"{spec.id}/{cat}", spec.stage, seconds=seconds / (len(total) + 1))
        res.checks = C.judge(specs, CHECKS, Scored(cat, t))
        if cat == "all":
            res.artifacts["fixtures"] = per_fixture
        res.artifacts["missed"] = t.missed[:50]
        res.artifacts["false"] = t.false[:50]
        results.append(res)
    ctx.metrics["reviewer"] = {"fixtures": len(fixtures), "per_category": metrics}
    return results
