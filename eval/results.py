"""A run's results: one `CaseResult` per case (its checks, timing, artifacts), and the
`EvalReport` that totals them per stage and decides the exit code."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ghplan.eval import checks as C
from ghplan.eval.spec import STAGES

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
