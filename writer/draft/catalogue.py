"""The project's own phrase and topic catalogue (writer/data/catalogue.toml), seen for one
organisation and year: its terms, heading wording, topic titles and their order.

The pipeline reads it for the topics it suggests to any model and for the closing date; the
offline backend composes whole sections from it. Choices between wording variants are seeded by
(org, year, type): the same request always reads the same, different organisations differ.
"""
from __future__ import annotations

import hashlib
import tomllib
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ghplan.writer.errors import UsageError

if TYPE_CHECKING:
    from ghplan.writer.draft.requests import Brief


@lru_cache(maxsize=1)
def load_catalogue() -> dict[str, Any]:
    text = resources.files("ghplan.writer").joinpath("data", "catalogue.toml").read_text("utf-8")
    return tomllib.loads(text)


def _pick(seed: str, key: str, options: list[Any]) -> Any:
    """A stable choice among options for this seed and key."""
    if not options:
        raise IndexError(key)
    h = hashlib.sha1(f"{seed}|{key}".encode("utf-8")).digest()
    return options[int.from_bytes(h[:4], "big") % len(options)]


def resolve_terms(org_type: str, org: str) -> dict[str, str]:
    """The org type's terms, with variants chosen by words in the org name, {region} filled."""
    spec = load_catalogue()["types"][org_type]
    terms = dict(spec["terms"])
    for variant in spec.get("variants", []):
        if any(w in org for w in variant["when"]):
            terms.update({k: v for k, v in variant.items() if k != "when"})
    region = terms.get("region", "")
    return {k: v.replace("{region}", region) for k, v in terms.items()}



class CatalogueView:
    """The catalogue for one organisation, year and set of year facts."""

    def __init__(self, brief: "Brief"):
        self.cat = load_catalogue()
        org, org_type, year, profile = brief.org, brief.type, brief.year, brief.profile
        if org_type not in self.cat["types"]:
            raise UsageError(f"no catalogue for org type {org_type!r}")
        self.org, self.org_type, self.year, self.profile = org, org_type, year, profile
        self.spec = self.cat["types"][org_type]
        self.seed = f"{org}|{year}|{org_type}"
        self.terms = resolve_terms(org_type, org)
        self.values: dict[str, Any] = {**brief.facts.phrases(), **self.terms, "org": org, "year": year}
        if profile.member_count:
            self.values["members"] = profile.member_count
        if profile.departments:
            self.values["depts"] = "、".join(profile.departments[:5])

    def fill(self, template: str, **extra: Any) -> str:
        return template.format_map({**self.values, **extra})

    def pick(self, key: str, options: list[Any]) -> Any:
        return _pick(self.seed, key, options)

    @property
    def tone(self) -> str:
        return getattr(self.profile, "tone", "standard") or "standard"

    def heading(self, role: str) -> str:
        return self.pick(f"heading:{role}", self.cat["headings"][role])

    def headings(self) -> dict[str, str]:
        return {role: self.heading(role) for role in self.cat["headings"]}

    def topic_title(self, topic_id: str) -> str:
        return self.fill(self.pick(f"title:{topic_id}", self.cat["topics"][topic_id]["title"]))

    def topic_for(self, title: str) -> str:
        """The catalogue topic id behind a heading this composer wrote (or the closest one)."""
        ids = self.spec["topics"]
        for tid in ids:
            if self.topic_title(tid) == title:
                return tid
        for tid in ids:   # any title variant, then keyword overlap
            if any(self.fill(t) == title for t in self.cat["topics"][tid]["title"]):
                return tid
        scored = [(sum(k in title for k in self.cat["topics"][tid]["keywords"]), -i, tid)
                  for i, tid in enumerate(ids)]
        return max(scored)[2]

    # ------------------------------------------------------------------ outline
    def rank_topics(self, hits: list[str]) -> list[str]:
        """Topic ids ordered: pinned first, then by retrieval evidence and priorities, pinned last."""
        ids = list(self.spec["topics"])
        text = "\n".join(hits)
        priorities = "\n".join(getattr(self.profile, "priorities", []) or [])

        def score(tid: str) -> float:
            kws = self.cat["topics"][tid]["keywords"]
            evidence = sum(min(text.count(k), 3) for k in kws)
            wanted = sum(k in priorities for k in kws)
            return evidence + 4 * wanted

        first = [t for t in ids if self.cat["topics"][t].get("pin") == "first"]
        last = [t for t in ids if self.cat["topics"][t].get("pin") == "last"]
        middle = [t for t in ids if t not in first and t not in last]
        middle.sort(key=lambda t: (-score(t), ids.index(t)))
        return first + middle + last


    def closing_date(self) -> str:
        return self.cat["phrases"]["closing_date"].format(year=self.year)
