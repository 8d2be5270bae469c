"""The backend protocol: what the draft pipeline needs from a model.

A backend takes one typed request (writer/draft/requests.py: outline, section or repair) and
returns a `Completion`. A real model reads `request.messages()`, rendered from prompts/; the
offline backend composes from the request's fields; the mock backend scripts by `request.kind`.

`finish_reason` is what the model said about how it stopped: "stop" for a finished answer,
"length" when the token limit cut it off, "" when a stream ended without saying (a dropped
connection looks like that): the pipeline retries the last two and then fails.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Protocol, runtime_checkable

from ghplan.writer.draft.requests import Message, Request

OnDelta = Callable[[str], None]


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    calls: int = 0

    def add(self, other: "Usage") -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.total_tokens += other.total_tokens
        self.calls += other.calls

    def to_json(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "total_tokens": self.total_tokens, "calls": self.calls}


@dataclass
class Completion:
    text: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = "stop"
    model: str = ""


@runtime_checkable
class Backend(Protocol):
    name: str      # "openai" | "offline" | "mock"
    model: str     # model name as reported in results

    def complete(self, request: Request, **params: Any) -> Completion: ...

    def stream(self, request: Request, **params: Any) -> Iterator[str]: ...


def call(backend: Backend, request: Request, *, on_delta: OnDelta | None = None,
         **params: Any) -> Completion:
    """Complete, streaming the text through `on_delta` when given.

    Backends that stream return a `StreamResult`-like iterator whose `.completion` is set once the
    stream is exhausted; for those that do not, the deltas are joined.
    """
    if on_delta is None:
        return backend.complete(request, **params)
    it = backend.stream(request, **params)
    parts: list[str] = []
    for delta in it:
        parts.append(delta)
        on_delta(delta)
    done = getattr(it, "completion", None)
    if isinstance(done, Completion):
        return done
    return Completion(text="".join(parts), usage=Usage(calls=1), finish_reason="")


class StreamResult:
    """An iterator of text deltas that keeps the finished `Completion` once exhausted."""

    def __init__(self, gen: Iterator[str], finish: Callable[[str], Completion]):
        self._gen = gen
        self._finish = finish
        self._parts: list[str] = []
        self.completion: Completion | None = None

    def __iter__(self) -> "StreamResult":
        return self

    def __next__(self) -> str:
        try:
            delta = next(self._gen)
        except StopIteration:
            if self.completion is None:
                self.completion = self._finish("".join(self._parts))
            raise
        self._parts.append(delta)
        return delta


def chunks(text: str, size: int = 24) -> Iterator[str]:
    """Split text into stream-sized pieces (for backends that have the whole text at once)."""
    for i in range(0, len(text), size):
        yield text[i:i + size]
