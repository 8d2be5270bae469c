"""What a search returns: hits with where they came from, and the result around them (the
`--json` contract of `ghplan search`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Hit:
    id: str
    text: str
    source: str
    org_type: str
    role: str
    heading: str
    heading_path: str
    doc_id: str
    title: str
    score: float
    fallback: bool = False          # from a stand-in type, not the requested one
    dense_rank: int = 0             # 0: not in that list
    lexical_rank: int = 0
    origin: str = "seed"            # "user": from the user's own plans
    org: str = ""                   # the organisation its plan names
    own: bool = False               # the user's plan of the organisation asked for

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "source": self.source, "type": self.org_type,
                "role": self.role, "heading": self.heading, "score": round(self.score, 6),
                "origin": self.origin}


@dataclass
class SearchResult:
    query: str
    type: str | None
    role: str | None
    k: int
    fallback_types: list[str] = field(default_factory=list)
    fallback_reason: str = ""
    hits: list[Hit] = field(default_factory=list)
    mode: str = "hybrid"
    available: int = 0              # eligible chunks of the requested type and role
    short_note: str = ""            # fewer than k servable chunks even with every stand-in

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "type": self.type, "role": self.role,
                "fallback_types": self.fallback_types,
                "results": [h.to_json() for h in self.hits]}

    @property
    def fell_back(self) -> bool:
        return bool(self.fallback_types)
