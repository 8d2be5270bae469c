"""A request with fixed chat messages, for calling a backend directly (the pipeline builds real
OutlineRequest/SectionRequest/RepairRequest objects; a backend needs only `kind` and `messages()`)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chat:
    kind: str = "section"
    msgs: tuple[tuple[str, str], ...] = (("user", "写一段话"),)
    heading: str = ""
    topic: str = ""

    @classmethod
    def of(cls, messages: list[dict[str, str]], kind: str = "section", **kw: str) -> "Chat":
        return cls(kind, tuple((m["role"], m["content"]) for m in messages), **kw)

    def messages(self) -> list[dict[str, str]]:
        return [{"role": r, "content": c} for r, c in self.msgs]
