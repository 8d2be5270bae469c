"""The eval's stages, one module each, in the order the pipeline runs them.

Each stage module has a runner (`run_<stage>(spec, ctx) -> list[CaseResult]`), a `CHECKS`
registry (check name → check function, as a linter maps rule codes to rules) and `DEFAULTS`
(parameters per check). eval/suite.py validates a suite's check names against `CHECKS` before
anything runs; eval/harness.py dispatches cases through `RUNNERS`.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from ghplan.eval.stages import adversarial, drafting, prompts, retrieval, reviewer

RUNNERS: dict[str, Callable[..., list]] = {
    "retrieval": retrieval.run_retrieval,
    "prompts": prompts.run_prompts,
    "drafting": drafting.run_drafting,
    "adversarial": adversarial.run_adversarial,
    "reviewer": reviewer.run_reviewer,
}
CHECKS: dict[str, Mapping[str, Callable[..., Any]]] = {
    "retrieval": retrieval.CHECKS,
    "prompts": prompts.CHECKS,
    "drafting": drafting.CHECKS,
    "adversarial": adversarial.CHECKS,
    "reviewer": reviewer.CHECKS,
}
DEFAULTS: dict[str, Mapping[str, dict[str, Any]]] = {
    "retrieval": retrieval.DEFAULTS,
    "prompts": prompts.DEFAULTS,
    "drafting": drafting.DEFAULTS,
    "adversarial": adversarial.DEFAULTS,
    "reviewer": reviewer.DEFAULTS,
}
