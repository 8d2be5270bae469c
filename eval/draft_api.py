"""The drafting pipeline as the eval uses it: every import from ghplan.writer.draft is here.

The drafting code is being reworked (typed requests, one facts type); when a name there moves,
this module is the one place the eval follows it. Imports are lazy: loading a suite must not
load the pipeline.
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Callable

from ghplan.eval.spec import CaseSpec


def draft_plan(profile: Any, backend: Any, year: int, *, settings: Any, retrieve: bool,
               retriever: Callable[..., list] | None, rounds: int | None) -> Any:
    """A DraftResult (.text .review_json() .retrieved .prompts …) from the real pipeline."""
    from ghplan.writer.draft.pipeline import DEFAULT_REPAIR_ROUNDS, draft

    return draft(profile, backend=backend, year=year, settings=settings, retrieve=retrieve,
                 retriever=retriever, repair_rounds=DEFAULT_REPAIR_ROUNDS if rounds is None else rounds)


def default_rounds() -> int:
    from ghplan.writer.draft.pipeline import DEFAULT_REPAIR_ROUNDS

    return DEFAULT_REPAIR_ROUNDS


def named_backend(name: str, settings: Any) -> Any:
    """offline | mock | openai, as `ghplan draft --backend NAME` makes it."""
    from ghplan.writer.draft.backends import make_backend

    return make_backend(name, settings=settings)


def scripted_backend(plan: str, model: str) -> Any:
    """A mocked model that answers with `plan` (sections cut from it) through the prompt path."""
    from ghplan.writer.draft.backends.mock import MockBackend

    return MockBackend.from_plan(plan, model=model)


def mock_file_backend(path: Path | str) -> Any:
    from ghplan.writer.draft.backends.mock import MockBackend

    return MockBackend.from_file(path)


def openai_temperature() -> float:
    """The temperature the real OpenAI backend sends (the call cache keys on it)."""
    from ghplan.writer.draft.backends.openai_backend import OpenAIBackend

    return inspect.signature(OpenAIBackend.__init__).parameters["temperature"].default


def case_profile(spec: CaseSpec) -> Any:
    """The case's profile: its table or file, else the type's shipped example; org, length,
    type and year from the case win."""
    from ghplan.writer.draft.profile import example_profile, load_profile, profile_from_dict

    if spec.profile and "file" in spec.profile:
        p = load_profile(spec.profile["file"])
    elif spec.profile:
        p = profile_from_dict({"type": spec.type, **spec.profile})
    else:
        p = example_profile(spec.type)
    over = {k: spec.options[k] for k in ("org", "length") if k in spec.options}
    return p.with_overrides(type=spec.type, year=spec.year, **over)


def type_words(org_type: str) -> tuple[str, list[str], list[str]]:
    """(Chinese type name, words that belong, words that betray another type)."""
    from ghplan.writer.draft.prompting import type_vocab

    return type_vocab(org_type)


def union_of(org: str) -> str:
    """The union's name as a plan's title and sign-off give it."""
    from ghplan.writer.draft.prompting import union_name

    return union_name(org)


def year_fact_strings(year: int) -> dict[str, str]:
    """The facts of the plan year a system prompt must carry, by name."""
    from ghplan.writer.draft.facts import year_facts

    f = year_facts(year)
    facts = {"guiding": f.guiding, "party_congress": f.party_congress_name,
             "five_year_plan": f.five_year_plan, "union_congress": f.union_congress_name}
    for i, p in enumerate(f.plenums, 1):
        facts[f"plenum{i}"] = p
    return facts


def avoid_list(year: int) -> str:
    """The stale names a system prompt lists for the model to avoid (prompts/facts.md), as
    rendered there: naming what must not be written is not carrying a stale reference."""
    from ghplan.writer.draft.facts import year_facts

    return "、".join(getattr(year_facts(year), "stale", ()))


def recorded_requests(backend: Any, result: Any) -> tuple[list[list[dict[str, str]]], list[dict[str, Any]]]:
    """(each request's messages, each request's params): from a recording mock backend's calls,
    else from the messages the result logged (no params)."""
    calls = getattr(backend, "calls", None) or [{"messages": m, "params": {}} for m in result.prompts]
    return [_messages(c) for c in calls], [c.get("params", {}) for c in calls]


def _messages(call: dict[str, Any]) -> list[dict[str, str]]:
    """A recorded call's chat messages: a typed request renders them; older recordings kept them."""
    request = call.get("request")
    return request.messages() if request is not None else call["messages"]


def ref_json(ref: Any) -> dict[str, Any]:
    """A retrieved reference for the report: its JSON plus heading, fallback and opening text."""
    return {**ref.to_json(), "heading": getattr(ref, "heading", ""),
            "fallback": bool(getattr(ref, "fallback", False)), "text": str(getattr(ref, "text", ""))[:600]}
