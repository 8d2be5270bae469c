"""A scripted model for tests and the eval harness: replays responses, can fail on purpose.

Three ways to script it:

1. A list, consumed in order: `MockBackend(["outline text", "section text", ...])`.
2. Rules, as dicts (or a TOML/JSON file with a `responses` array); the first unused rule whose
   `stage` matches the request's kind (outline, opening, section, repair; a prefix matches) and
   whose `match` substring occurs in the rendered user prompt answers; `repeat = true` keeps it
   for later calls; `finish = "length"` answers as a model cut off by its token limit:

       [[responses]]
       stage = "outline"
       text = "一、指导思想\n二、工作目标\n..."

       [[responses]]
       stage = "section"
       match = "指导思想"
       text = "..."

       [[responses]]
       stage = "repair"
       error = "timeout"          # timeout | malformed | empty | refused | unauthorized | 429 | 500

3. A whole plan: `MockBackend.from_plan(text)` (or a file with top-level `plan = "..."`) answers
   the outline stage with the plan's headings and each section call with that heading's body, the
   opening with the text before the first heading, and repair with the plan again (or `repair`,
   when given). This is "a model that writes this plan", whatever the plan is.

A call with no scripted answer raises a BackendError (exit 3), like a model that failed. Scripted
errors are raised through writer/draft/backends/failures.py, the same function the real backend
uses, so their messages are the ones a user sees.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ghplan.corpus.markers import CN, LEVEL2, heading_words
from ghplan.writer.draft.backends.base import Completion, StreamResult, Usage, chunks
from ghplan.writer.draft.backends.failures import failure
from ghplan.writer.draft.requests import Request
from ghplan.writer.errors import BackendError, UsageError


# Script error name → (failure kind, details the real backend would report).
ERRORS: dict[str, dict[str, Any]] = {
    "timeout": {"kind": "timeout"},
    "malformed": {"kind": "malformed", "detail": "no choices"},
    "empty": {"kind": "empty"},
    "refused": {"kind": "refused", "detail": "connection refused"},
    "unauthorized": {"kind": "unauthorized"},
    "429": {"kind": "429", "attempts": 4},
    "500": {"kind": "500", "attempts": 4},
}
WHERE = "mock://"

_HEADING = re.compile(rf"^[ \t\u3000]*(?:{CN}、|{LEVEL2})[^\n]*$", re.MULTILINE)


@dataclass
class Rule:
    text: str = ""
    stage: str = ""
    match: str = ""
    error: str = ""
    repeat: bool = False
    finish: str = "stop"
    used: bool = False


def _rule(item: Any) -> Rule:
    if isinstance(item, str):
        return Rule(text=item)
    if isinstance(item, dict):
        unknown = set(item) - {"text", "stage", "match", "error", "repeat", "finish"}
        if unknown:
            raise UsageError(f"mock script: unknown key(s) {', '.join(sorted(unknown))}")
        if item.get("error") and item["error"] not in ERRORS:
            raise UsageError(f"mock script: unknown error {item['error']!r}; use one of "
                              f"{', '.join(ERRORS)}")
        return Rule(text=str(item.get("text", "")), stage=str(item.get("stage", "")),
                    match=str(item.get("match", "")), error=str(item.get("error", "")),
                    repeat=bool(item.get("repeat", False)), finish=str(item.get("finish", "stop")))
    raise UsageError("mock script: each response must be a string or a table")


def split_plan(plan: str) -> tuple[str, str, list[tuple[str, str]]]:
    """(title, opening, [(heading line, body)]) for level-1 and level-2 headings of a plan."""
    lines = plan.strip("\n").split("\n")
    title = lines[0].strip() if lines else ""
    rest = "\n".join(lines[1:])
    # a level-2 line with a sentence in it ("（一）加强领导。正文……") is content, not a heading
    marks = [m for m in _HEADING.finditer(rest)
             if not re.search(r"[。；;]", m.group(0).strip()[:-1]) and len(m.group(0).strip()) <= 60]
    opening = rest[: marks[0].start()].strip() if marks else rest.strip()
    sections: list[tuple[str, str]] = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(rest)
        sections.append((m.group(0).strip(), rest[m.end():end].strip("\n")))
    return title, opening, sections


class MockBackend:
    name = "mock"

    def __init__(self, responses: list[Any] | None = None, *, model: str = "mock",
                 plan: str | None = None, repair: str | None = None, timeout: float = 60.0):
        self.model = model
        self.rules = [_rule(r) for r in (responses or [])]
        self.plan = plan
        self.repair_text = repair
        self.timeout = timeout
        self.calls: list[dict[str, Any]] = []    # every call: request, kind, params (for tests)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_plan(cls, plan: str, *, repair: str | None = None, model: str = "mock") -> "MockBackend":
        return cls(plan=plan, repair=repair, model=model)

    @classmethod
    def from_file(cls, path: str | Path) -> "MockBackend":
        path = Path(path)
        try:
            raw = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read mock script {path}: {exc}") from None
        try:
            data = json.loads(raw) if path.suffix.lower() == ".json" else tomllib.loads(raw)
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"bad mock script {path}: {exc}") from None
        if isinstance(data, list):
            return cls(data)
        if not isinstance(data, dict):
            raise UsageError(f"bad mock script {path}: expected a table or a list")
        return cls(data.get("responses", []), model=str(data.get("model", "mock")),
                   plan=data.get("plan"), repair=data.get("repair"))

    # ------------------------------------------------------------------ answering
    def _from_plan(self, request: Request) -> str:
        assert self.plan is not None
        title, opening, sections = split_plan(self.plan)
        if request.kind == "outline":
            return "\n".join(h for h, _ in sections)
        if request.kind == "opening":
            return opening
        if request.kind == "repair":
            return self.repair_text if self.repair_text is not None else self.plan
        heading = getattr(request, "topic", "") or getattr(request, "heading", "")
        for h, body in sections:
            if heading and (h == heading or heading_words(h) == heading_words(heading)):
                return body.strip()
        return ""

    def _rule_for(self, request: Request) -> Rule | None:
        prompt: str | None = None
        for rule in self.rules:
            if rule.used or (rule.stage and not request.kind.startswith(rule.stage)):
                continue
            if rule.match:
                if prompt is None:
                    prompt = request.messages()[-1]["content"]
                if rule.match not in prompt:
                    continue
            if not rule.repeat:
                rule.used = True
            return rule
        return None

    def complete(self, request: Request, **params: Any) -> Completion:
        self.calls.append({"request": request, "kind": request.kind, "params": params})
        rule = self._rule_for(request)
        if rule is not None and rule.error:
            raise failure(where=WHERE, timeout=self.timeout, **ERRORS[rule.error])
        if rule is not None:
            text, finish = rule.text, rule.finish
        elif self.plan is not None:
            text, finish = self._from_plan(request), "stop"
        else:
            raise BackendError(f"mock model has no scripted response for a {request.kind} request")
        return Completion(text=text, usage=Usage(0, len(text), len(text), 1), finish_reason=finish,
                          model=self.model)

    def stream(self, request: Request, **params: Any) -> Iterator[str]:
        done = self.complete(request, **params)
        return StreamResult(chunks(done.text), lambda _text: done)
