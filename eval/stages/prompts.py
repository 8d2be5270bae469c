"""Stage 2, prompts: a mocked model records every request the drafting pipeline sends; each must
carry the year's facts, the type's vocabulary, the retrieved references and the anti-copy
instruction, hold nothing stale, and fit the context budget."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from ghplan.eval import draft_api
from ghplan.eval.checks import Check, estimate_tokens, skipped, verdict
from ghplan.eval.context import RunContext
from ghplan.eval.results import CaseResult
from ghplan.eval import checks as C
from ghplan.eval.spec import CaseSpec

_WS = re.compile(r"\s+")


# ---------------------------------------------------------------- assertions (pure)
Messages = Sequence[Mapping[str, str]]


def prompt_facts(system: str, facts: Mapping[str, str]) -> Check:
    """The system prompt carries every current fact of the plan year."""
    missing = [f"{k}={v}" for k, v in facts.items() if v and v not in system]
    if missing:
        return verdict("facts", False, f"system prompt lacks {', '.join(missing)}",
                       1 - len(missing) / max(1, len(facts)))
    return verdict("facts", True, "has " + "、".join(v for v in facts.values() if v), 1.0)


def prompt_vocab(system: str, type_name: str, belongs: Sequence[str], betray: Sequence[str]) -> Check:
    missing = [w for w in belongs if w not in system]
    if missing:
        return verdict("vocabulary", False, f"system prompt lacks the {type_name} words "
                       f"{'、'.join(missing)}", 1 - len(missing) / max(1, len(belongs)))
    extra = f"; warns off {'、'.join(betray[:4])}" if betray and all(w in system for w in betray) else ""
    return verdict("vocabulary", True, f"all {len(belongs)} {type_name} words{extra}", 1.0)


def _flat(text: str) -> str:
    return _WS.sub(" ", text).strip()


def prompt_references(requests: Sequence[Messages], ref_texts: Sequence[str], probe: int = 40) -> Check:
    """Every retrieved reference reaches the model: its opening words appear in some prompt."""
    if not ref_texts:
        return skipped("references", "no references were retrieved")
    users = [_flat(m.get("content", "")) for msgs in requests for m in msgs if m.get("role") == "user"]
    joined = "\n".join(users)
    lost = [t for t in ref_texts if _flat(t)[:probe] not in joined]
    if lost:
        return verdict("references", False, f"{len(lost)} of {len(ref_texts)} retrieved references "
                       f"never reach a prompt, e.g. “{_flat(lost[0])[:20]}…”",
                       1 - len(lost) / len(ref_texts))
    return verdict("references", True, f"all {len(ref_texts)} retrieved references are in the prompts", 1.0)


def prompt_anti_copy(requests: Sequence[Messages], phrases: Sequence[str], ref_marker: str = "参考") -> Check:
    """The system prompt forbids copying, and so does every request that shows references."""
    systems = [m.get("content", "") for msgs in requests for m in msgs if m.get("role") == "system"]
    if not systems or not all(any(p in s for p in phrases) for s in systems):
        return verdict("anti_copy", False, f"a system prompt lacks an anti-copy instruction "
                       f"({' / '.join(phrases)})")
    bare = 0
    with_refs = 0
    for msgs in requests:
        for m in msgs:
            if m.get("role") == "user" and ref_marker in m.get("content", ""):
                with_refs += 1
                if not any(p in m["content"] for p in phrases):
                    bare += 1
    if bare:
        return verdict("anti_copy", False, f"{bare} of {with_refs} requests show references "
                       f"without saying not to copy them")
    return verdict("anti_copy", True, f"system prompt and all {with_refs} requests with references "
                   f"forbid copying")


def prompt_budget(requests: Sequence[Messages], params: Sequence[Mapping[str, Any]],
                  context_tokens: int) -> Check:
    """No request (prompt plus the completion it asks for) exceeds the model's context."""
    worst = 0
    for msgs, p in zip(requests, params):
        need = sum(estimate_tokens(m.get("content", "")) for m in msgs) + int(p.get("max_tokens") or 0)
        worst = max(worst, need)
    if not requests:
        return skipped("budget", "no requests were made")
    return verdict("budget", worst <= context_tokens, f"largest request ≈{worst} tokens "
                   f"({'≤' if worst <= context_tokens else '>'} {context_tokens})", worst)


def prompt_current(stale_terms: Sequence[str]) -> Check:
    """No prompt carries a reference that is stale for the plan year (the stale terms are found
    by the harness with the review's dated table)."""
    if stale_terms:
        return verdict("current", False, f"prompts carry stale references: "
                       f"{'、'.join(sorted(set(stale_terms))[:6])}", len(stale_terms))
    return verdict("current", True, "no stale reference in any prompt", 0)


# ---------------------------------------------------------------- the registry
@dataclass
class Recorded:
    """Every request one draft sent, and what its checks need to judge them."""
    ctx: RunContext
    profile: Any
    year: int
    retrieve: bool
    result: Any                          # the DraftResult
    requests: list[list[dict[str, str]]]  # each request's messages
    params: list[dict[str, Any]]          # each request's parameters (max_tokens …)

    @property
    def system(self) -> str:
        return self.requests[0][0]["content"] if self.requests else ""


def _facts(r: Recorded, p: Mapping[str, Any]) -> Check:
    return prompt_facts(r.system, draft_api.year_fact_strings(r.year))


def _vocabulary(r: Recorded, p: Mapping[str, Any]) -> Check:
    name, belongs, betray = draft_api.type_words(r.profile.type)
    return prompt_vocab(r.system, name, belongs, betray)


def _references(r: Recorded, p: Mapping[str, Any]) -> Check:
    if not r.retrieve:
        return skipped("references", "retrieval off for this case")
    if r.ctx.index() is None:
        return skipped("references", r.ctx.index_skip)
    return prompt_references(r.requests, [x.text for x in r.result.retrieved])


def _anti_copy(r: Recorded, p: Mapping[str, Any]) -> Check:
    return prompt_anti_copy(r.requests, list(p["phrases"]))


def _budget(r: Recorded, p: Mapping[str, Any]) -> Check:
    return prompt_budget(r.requests, r.params, int(p["context_tokens"]))


def _current(r: Recorded, p: Mapping[str, Any]) -> Check:
    from ghplan.corpus.rules import dated

    avoid = draft_api.avoid_list(r.year)
    stale = [f.text for msgs in r.requests for m in msgs
             for f in dated.check(m["content"].replace(avoid, "") if avoid else m["content"], r.year)
             if f.severity == "error"]
    return prompt_current(stale)


CHECKS: dict[str, Callable[[Recorded, Mapping[str, Any]], Check]] = {
    "facts": _facts,
    "vocabulary": _vocabulary,
    "references": _references,
    "anti_copy": _anti_copy,
    "budget": _budget,
    "current": _current,
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "budget": {"context_tokens": 16384},
    "anti_copy": {"phrases": ["不得照抄", "绝不照抄", "不要照抄", "不照抄"]},
}


# ---------------------------------------------------------------- the runner
def run_prompts(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    res = CaseResult(spec.id, spec.stage)
    profile = ctx.profile(spec)
    retrieve = bool(spec.options.get("retrieve", True))
    d = ctx.draft(profile, spec.year, "mock", retrieve=retrieve)
    if d.result is None:
        res.error = f"the recording model could not draft: {d.error}"
        res.checks = [C.errored("draft", res.error)]
        return [res]
    requests, params = draft_api.recorded_requests(d.backend, d.result)
    rec = Recorded(ctx, profile, spec.year, retrieve, d.result, requests, params)
    res.checks = C.judge(spec.checks, CHECKS, rec)
    res.artifacts["prompts"] = {
        "requests": len(requests), "system": rec.system,
        "first_user": requests[0][1]["content"] if requests and len(requests[0]) > 1 else "",
        "tokens_max": max((sum(estimate_tokens(m["content"]) for m in msgs) for msgs in requests), default=0)}
    res.artifacts["sources"] = [draft_api.ref_json(x) for x in d.result.retrieved]
    return [res]
