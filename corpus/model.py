"""Plain data that flows out of the corpus pipeline (and into index, review and draft)."""
from __future__ import annotations

from dataclasses import dataclass, field, asdict
from typing import Any

from ghplan.corpus.rules.model import direct_init

ORG_TYPES: tuple[str, ...] = (
    "school", "hospital", "enterprise", "township", "federation", "government", "women",
)
DOC_KINDS: tuple[str, ...] = ("plan", "summary", "mixed")
ROLES: tuple[str, ...] = ("guiding", "goals", "tasks", "safeguards", "schedule", "closing", "other")
REQUIRED_ROLES: tuple[str, ...] = ("guiding", "goals", "tasks", "safeguards")


@direct_init             # thousands a long review (see ghplan.corpus.rules.model.direct_init)
@dataclass(frozen=True)
class Heading:
    """A heading found in text. `start`/`end` are offsets of the heading line in that text."""
    level: int          # 1 = 一、  2 = (一)  3 = 1.  4 = (1); 0 = markdown/month heading
    marker: str         # the numbering as written, e.g. "一、", "(二)", "3、"
    number: int         # the marker's value (一 -> 1); 0 when it has none
    style: str          # "cn-dun", "cn-paren", "arabic-dot", "arabic-dun", "arabic-paren", "month", "md", "ordinal"
    title: str          # heading words without the marker
    start: int
    end: int            # end of the heading words (the body follows)


@dataclass
class Section:
    heading: str
    level: int
    role: str
    plan: bool          # False for summary material (looking back) in a mixed document
    text: str
    path: list[str] = field(default_factory=list)   # heading path from the top, this heading last


@dataclass
class Document:
    title: str
    org_type: str       # one of ORG_TYPES or "other"
    doc_kind: str       # one of DOC_KINDS
    text: str           # the cleaned document
    sections: list[Section] = field(default_factory=list)
    source: str = ""
    doc_id: str = ""
    duplicate_of: str = ""   # doc_id of the kept near-duplicate, "" when this one is kept
    origin: str = "seed"     # "seed" (bundled web 范文) or "user" (the user's own plans)
    org: str = ""            # the organisation its title or signature names ("" when none)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title, "org_type": self.org_type, "doc_kind": self.doc_kind,
            "text": self.text,
            "sections": [
                {"heading": s.heading, "level": s.level, "role": s.role, "plan": s.plan, "text": s.text}
                for s in self.sections
            ],
        }


@dataclass(frozen=True)
class Removed:
    category: str
    rule: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Stale:
    text: str
    rule: str
    dated: int
    start: int
    end: int


@dataclass
class PageResult:
    """One raw page, inspected on its own (the `corpus inspect` contract)."""
    source: str
    org_type: str
    doc_kind: str
    documents: list[Document]
    removed: list[Removed]
    stale: list[Stale]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "org_type": self.org_type, "doc_kind": self.doc_kind,
            "documents": [d.to_json() for d in self.documents],
            "removed": [asdict(r) for r in self.removed],
            "stale": [asdict(s) for s in self.stale],
        }
