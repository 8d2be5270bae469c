"""A scripted model for tests and the eval harness: replays responses, can fail on purpose.

Three ways to script it:

1. A list, consumed in order: `MockBackend(["outline text", "section text", ...])`.
2. Rules, as dicts (or a TOML/JSON file with a `responses` array); the first unused rule whose
   `stage` matches the call's stage (prefix match: "section" matches "section") and whose `match`
   substring occurs in the last user message answers; `repeat = true` keeps it for later calls:

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

A call with no scripted answer raises a one-line GhplanError (exit 3), like a model that failed.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ghplan.writer.errors import GhplanError, UsageError, BackendError
from ghplan.writer.draft.backends.base import Completion, Message, StreamResult, Usage, chunks


ERRORS = {
    "timeout": "model request timed out after {t}s at mock://",
    "malformed": "model endpoint mock:// returned malformed output (no choices)",
    "empty": "model endpoint mock:// returned an empty completion",
    "refused": "cannot reach the model endpoint mock://: connection refused",
    "unauthorized": "the model endpoint mock:// rejected the API key (HTTP 401); check OPENAI_API_KEY",
    "429": "model endpoint mock://: rate limited (HTTP 429) after 4 attempts",
    "500": "model endpoint mock://: server error (HTTP 500) after 4 attempts",
}

_HEADING = re.compile(r"^[ \t\u3000]*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）])[^\n]*$",
                      re.MULTILINE)


@dataclass
class Rule:
    text: str = ""
    stage: str = ""
    match: str = ""
    error: str = ""
    repeat: bool = False
    used: bool = False


def _rule(item: Any) -> Rule:
    if isinstance(item, str):
        return Rule(text=item)
    if isinstance(item, dict):
        unknown = set(item) - {"text", "stage", "match", "error", "repeat"}
        if unknown:
            raise UsageError(f"mock script: unknown key(s) {', '.join(sorted(unknown))}")
        if item.get("error") and item["error"] not in ERRORS:
            raise UsageError(f"mock script: unknown error {item['error']!r}; use one of "
                              f"{', '.join(ERRORS)}")
        return Rule(text=str(item.get("text", "")), stage=str(item.get("stage", "")),
                    match=str(item.get("match", "")), error=str(item.get("error", "")),
                    repeat=bool(item.get("repeat", False)))
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
        self.calls: list[dict[str, Any]] = []    # every call: messages, meta, params (for tests)

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
    def _from_plan(self, stage: str, meta: dict[str, Any]) -> str:
        assert self.plan is not None
        title, opening, sections = split_plan(self.plan)
        if stage == "outline":
            return "\n".join(h for h, _ in sections)
        if stage == "opening":
            return opening
        if stage == "repair":
            return self.repair_text if self.repair_text is not None else self.plan
        heading = str(meta.get("heading", ""))
        for h, body in sections:
            if heading and (h == heading or _words(h) == _words(heading)):
                return body.strip()
        return ""

    def _answer(self, messages: list[Message], meta: dict[str, Any]) -> str:
        stage = str(meta.get("stage", ""))
        last_user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
        for rule in self.rules:
            if rule.used:
                continue
            if rule.stage and not stage.startswith(rule.stage):
                continue
            if rule.match and rule.match not in last_user:
                continue
            if not rule.repeat:
                rule.used = True
            if rule.error:
                raise BackendError(ERRORS[rule.error].format(t=f"{self.timeout:g}"))
            return rule.text
        if self.plan is not None:
            return self._from_plan(stage, meta)
        raise BackendError(f"mock model has no scripted response for stage {stage or '?'!r}")

    def complete(self, messages: list[Message], *, meta: dict[str, Any] | None = None,
                 **params: Any) -> Completion:
        meta = meta or {}
        self.calls.append({"messages": messages, "meta": meta, "params": params})
        text = self._answer(messages, meta)
        prompt = sum(len(m.get("content", "")) for m in messages)
        return Completion(text=text, usage=Usage(prompt, len(text), prompt + len(text), 1),
                          model=self.model)

    def stream(self, messages: list[Message], *, meta: dict[str, Any] | None = None,
               **params: Any) -> Iterator[str]:
        done = self.complete(messages, meta=meta, **params)
        return StreamResult(chunks(done.text), lambda _text: done)


def _words(heading: str) -> str:
    """A heading without its numbering and punctuation, for matching."""
    return re.sub(r"^[\s\u3000]*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）])|[\s。.，,、]",
                  "", heading)
