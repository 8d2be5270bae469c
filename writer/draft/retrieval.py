"""Reference material for one draft: calls the index once per role or topic, drops what a prompt
must not see, and degrades to drafting without references when there is no usable index.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from ghplan.writer.draft.profile import Profile
from ghplan.writer.errors import IndexUnavailable
from ghplan.writer.messages import say


@dataclass(frozen=True)
class Ref:
    id: str
    source: str
    type: str
    role: str
    score: float
    text: str = ""
    heading: str = ""
    fallback: bool = False
    origin: str = "seed"        # "user": from the user's own plans (index build --corpus DIR)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "type": self.type, "role": self.role,
                "score": round(float(self.score), 6), "origin": self.origin}


def _is_stale(text: str, year: int) -> bool:
    from ghplan.corpus.rules import dated

    return any(f.severity == "error" for f in dated.check(text, year))


def _ref(hit: Any, role: str) -> Ref:
    return Ref(id=str(getattr(hit, "id", "")), source=str(getattr(hit, "source", "")),
               type=str(getattr(hit, "org_type", "") or getattr(hit, "type", "")),
               role=str(getattr(hit, "role", role)), score=float(getattr(hit, "score", 0.0)),
               text=str(getattr(hit, "text", "")), heading=str(getattr(hit, "heading", "")),
               fallback=bool(getattr(hit, "fallback", False)),
               origin=str(getattr(hit, "origin", "") or "seed"))


class Retrieval:
    """One draft's look-ups. Each call's hits are de-duplicated among themselves (one prompt never
    sees the same passage twice); a passage shown to the outline may be shown again to the topic
    it fits. `refs` lists every distinct passage used, for the draft's report."""

    def __init__(self, profile: Profile, year: int, *, settings: Any = None,
                 retriever: Callable[..., list] | None = None, enabled: bool = True):
        self.profile, self.year, self.settings = profile, year, settings
        self._fn = retriever
        self.enabled = enabled
        self.note = "" if enabled else say("draft.retrieval_off")
        self.refs: list[Ref] = []
        self._used: set[str] = set()

    def _call(self, role: str, k: int, query: str | None) -> list[Any]:
        fn = self._fn
        if fn is None:
            from ghplan.writer.index.retrieve import retrieve as fn   # heavy: chromadb, the embedder
        return fn(self.profile, role, k, query=query, year=self.year, settings=self.settings)

    def get(self, role: str, k: int, query: str | None = None) -> list[Ref]:
        if not self.enabled:
            return []
        try:
            hits = self._call(role, k, query)
        except IndexUnavailable as exc:   # no index, model missing, server down: draft without refs
            self.enabled = False
            self.note = say("draft.retrieval_skipped", reason=" ".join(str(exc).split())[:160])
            return []
        out: list[Ref] = []
        seen: set[str] = set()
        for ref in (_ref(h, role) for h in hits):
            key = re.sub(r"\s+", "", ref.text)[:120]
            if not ref.text or key in seen or _is_stale(ref.text, self.year):
                continue
            seen.add(key)
            out.append(ref)
            if ref.id not in self._used:
                self._used.add(ref.id)
                self.refs.append(ref)
        return out
