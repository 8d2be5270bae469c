"""The offline backend: no key, no network, no model. It composes a plan from the project's own
phrase and topic catalogue (writer/data/catalogue.toml).

It answers the same calls as a model, but reads the structured request in `meta` instead of the
prompt text:

- outline: the org type's topics, ordered by what retrieval surfaced for that type (keyword hits
  in the retrieved task sections) and by the profile's priorities, as many as the length allows;
- opening / section: catalogue text in the type's vocabulary, filled with the org name, the year
  facts (from writer/facts.py via the pipeline) and the profile's details, cut to the budget;
- repair: applies the reviewer's certain suggestions and drops sentences that still carry an
  error (a catalogue cannot rewrite; it can only remove what is wrong).

Choices between wording variants are seeded by (org, year, type): the same request always gives
the same plan, different organisations and years read differently.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator

from ghplan.writer.errors import GhplanError, UsageError, BackendError
from ghplan.writer.draft.backends.base import Completion, Message, StreamResult, Usage, chunks


CN_ITEMS = "一二三四五六七八九十"
FACT_KEYS = ("framing", "party", "party_spirit", "union_spirit", "fyp", "fyp_stage")


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


class Composer:
    """Everything the catalogue needs to write one organisation's plan for one year."""

    def __init__(self, *, org: str, org_type: str, year: int, facts: dict[str, str],
                 profile: Any = None):
        missing = [k for k in FACT_KEYS if not facts.get(k)]
        if missing:
            raise BackendError(f"offline backend: year facts missing {', '.join(missing)}")
        self.cat = load_catalogue()
        if org_type not in self.cat["types"]:
            raise UsageError(f"offline backend: no catalogue for org type {org_type!r}")
        self.org, self.org_type, self.year, self.profile = org, org_type, year, profile
        self.spec = self.cat["types"][org_type]
        self.seed = f"{org}|{year}|{org_type}"
        self.terms = resolve_terms(org_type, org)
        self.values: dict[str, Any] = {**{k: facts[k] for k in FACT_KEYS}, **self.terms,
                                       "org": org, "year": year}
        if profile is not None and getattr(profile, "member_count", None):
            self.values["members"] = profile.member_count
        if profile is not None and getattr(profile, "departments", None):
            self.values["depts"] = "、".join(profile.departments[:5])

    # ------------------------------------------------------------------ helpers
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

    def topic_count(self, tasks_budget: int) -> int:
        per = {"concise": 260, "standard": 330, "detailed": 420}[self.tone]
        return max(4, min(len(self.spec["topics"]), round(tasks_budget / per)))

    def outline(self, roles: list[str], hits: list[str], tasks_budget: int) -> str:
        ranked = self.rank_topics(hits)
        n = self.topic_count(tasks_budget)
        pinned_last = [t for t in ranked if self.cat["topics"][t].get("pin") == "last"]
        body = [t for t in ranked if t not in pinned_last][: max(1, n - len(pinned_last))]
        chosen = body + pinned_last
        lines: list[str] = []
        i = 0
        for role in ("guiding", "goals", "tasks", "safeguards", "schedule"):
            if role not in roles:
                continue
            i += 1
            lines.append(f"{CN_ITEMS[i - 1]}、{self.heading(role)}")
            if role == "tasks":
                for j, tid in enumerate(chosen, 1):
                    lines.append(f"（{CN_ITEMS[j - 1]}）{self.topic_title(tid)}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ sections
    def opening(self, budget: int) -> str:
        parts: list[str] = []
        achievements = getattr(self.profile, "achievements", None)
        if achievements:
            parts.append(self.fill(self.cat["phrases"]["achievements"],
                                   achievements="、".join(achievements[:3])))
        priorities = getattr(self.profile, "priorities", None)
        if priorities and self.tone != "concise":
            parts.append(self.fill(self.cat["phrases"]["priorities"],
                                   priorities="、".join(priorities[:3])))
        lead = self.pick("opening", self.spec["opening"]["lead"])
        if "{fyp}" not in lead:   # every plan places its year in the five-year plan once
            parts.append(self.fill(self.cat["phrases"]["year_stage"]))
        parts.append(self.fill(lead))
        return "".join(parts)

    def guiding(self, budget: int) -> str:
        sentences = [self.fill(s) for s in self.pick("guiding", self.spec["guiding"]["variants"])]
        out = sentences[:3]
        for s in sentences[3:]:
            if len("".join(out)) + len(s) > budget * 1.3:
                break
            out.append(s)
        return "".join(out)

    def goals(self, budget: int) -> str:
        spec = self.spec["goals"]
        items = [self.fill(s) for s in spec["items"]]
        if "members" in self.values:
            items.append(self.fill(self.cat["phrases"]["members_goal"]).rstrip("。"))
        lead = self.fill(self.pick("goals", spec["lead"]))
        chosen: list[str] = []
        for item in items:
            if len(chosen) >= 4 and len(lead) + sum(len(c) + 4 for c in chosen) + len(item) > budget * 1.3:
                break
            chosen.append(item)
        clauses = [f"{CN_ITEMS[i]}是{c}" for i, c in enumerate(chosen[:10])]
        return lead + "；".join(clauses) + "。"

    def _item_text(self, n: int, item: dict[str, Any]) -> str:
        body = [self.fill(s) for s in item["body"]]
        if self.tone == "concise":
            body = body[:1]
        return f"{n}.{self.fill(item['lead'])}。" + "".join(body)

    def _usable(self, item: dict[str, Any]) -> bool:
        if "types" in item and self.org_type not in item["types"]:
            return False
        if "not_types" in item and self.org_type in item["not_types"]:
            return False
        return all(k in self.values for k in item.get("needs", []))

    def priorities_for(self, topic_id: str, chosen: list[str] | None = None) -> list[str]:
        """Profile priorities whose words fit this topic best (each priority goes to one topic)."""
        chosen_ids = chosen or self.spec["topics"]
        out: list[str] = []
        for p in getattr(self.profile, "priorities", []) or []:
            scored = [(sum(k in p for k in self.cat["topics"][t]["keywords"]), -i, t)
                      for i, t in enumerate(chosen_ids)]
            best = max(scored)
            target = best[2] if best[0] > 0 else next(
                (t for t in chosen_ids if self.cat["topics"][t].get("pin") != "first"), chosen_ids[0])
            if target == topic_id:
                out.append(p)
        return out

    def topic(self, topic_id: str, budget: int, chosen: list[str] | None = None) -> str:
        items = [it for it in self.cat["topics"][topic_id]["items"] if self._usable(it)]
        lines: list[str] = []
        total = 0
        for item in items:
            if len(lines) >= 2 and total >= budget * 0.9:
                break
            line = self._item_text(len(lines) + 1, item)
            lines.append(line)
            total += len(line)
        for p in self.priorities_for(topic_id, chosen):
            p = p.rstrip("。")
            leads = [self.fill(it["lead"]) for it in items[:len(lines)]]
            close = [i for i, lead in enumerate(leads) if _shared(lead, p) >= 4]
            if close:   # the catalogue already has this item: mark it as this year's priority
                lines[close[0]] += self.fill(self.cat["phrases"]["priority_mark"])
            else:
                lines.append(f"{len(lines) + 1}." + self.fill(self.cat["phrases"]["priority_item"],
                                                              priority=p))
        return "\n".join(lines)

    def safeguards(self, budget: int) -> str:
        items = list(self.cat["safeguards"])
        lines: list[str] = []
        total = 0
        for i, item in enumerate(items):
            if len(lines) >= 3 and total >= budget:
                break
            body = [self.fill(s) for s in item["body"]]
            if self.tone == "concise":
                body = body[:1]
            if i == 1 and "depts" in self.values:
                body.append(self.fill(self.cat["phrases"]["depts_item"]))
            line = f"（{CN_ITEMS[len(lines)]}）{self.fill(item['lead'])}。" + "".join(body)
            lines.append(line)
            total += len(line)
        return "\n".join(lines)

    def schedule(self, budget: int) -> str:
        months = self.spec["schedule"]
        events: dict[int, list[str]] = {}
        for ev in getattr(self.profile, "events", []) or []:
            events.setdefault(ev.month, []).append(ev.name)
        lines = []
        for m in range(1, 13):
            items = [self.fill(s) for s in months.get(str(m), [])]
            for ev in events.get(m, []):
                # an event about the same thing as a catalogue item replaces it
                same = [i for i, it in enumerate(items) if _shared(it, ev) >= 3]
                if same:
                    items[same[0]] = ev
                elif ev not in items:
                    items.append(ev)
            if items:
                lines.append(f"{m}月：" + "；".join(items) + "。")
        return "\n".join(lines)

    def section(self, role: str, heading: str, budget: int, chosen: list[str] | None = None) -> str:
        if role == "guiding":
            return self.guiding(budget)
        if role == "goals":
            return self.goals(budget)
        if role == "safeguards":
            return self.safeguards(budget)
        if role == "schedule":
            return self.schedule(budget)
        if role == "tasks":
            return self.topic(self.topic_for(heading), budget, chosen)
        raise BackendError(f"offline backend: cannot write a {role!r} section")


def _shared(a: str, b: str) -> int:
    """Length of the longest common substring (short strings; quadratic is fine)."""
    best = 0
    for i in range(len(a)):
        for j in range(len(b)):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            best = max(best, k)
    return best


# ---------------------------------------------------------------------- repair
_SENT_END = "。！？；\n"


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    s = max(text.rfind(c, 0, start) for c in _SENT_END) + 1
    ends = [i for i in (text.find(c, end) for c in _SENT_END) if i >= 0]
    e = min(ends) if ends else len(text)
    if e < len(text) and text[e] != "\n":
        e += 1   # keep the newline, take the punctuation
    return s, e


def _is_heading_line(text: str, pos: int) -> bool:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    line = text[s: len(text) if e < 0 else e].strip()
    return s == 0 or bool(re.match(r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）])", line)) \
        and len(line) <= 40


def repair_text(text: str, findings: list[dict[str, Any]]) -> str:
    """Apply suggestions of error findings; drop the sentence of an error that has none."""
    errors = [f for f in findings if f.get("severity") == "error"]
    edits: list[tuple[int, int, str]] = []
    for f in errors:
        start, end = int(f["start"]), int(f["end"])
        if f.get("suggestion"):
            edits.append((start, end, str(f["suggestion"])))
        elif _is_heading_line(text, start):
            edits.append((start, end, ""))
        else:
            s, e = _sentence_bounds(text, start, end)
            edits.append((s, e, ""))
    # apply from the end, skipping overlaps
    out = text
    last = len(text) + 1
    for s, e, new in sorted(edits, key=lambda x: (x[0], x[1]), reverse=True):
        if e > last:
            continue
        out = out[:s] + new + out[e:]
        last = s
    return re.sub(r"\n{3,}", "\n\n", out)


# ---------------------------------------------------------------------- the backend
class OfflineBackend:
    name = "offline"
    model = "ghplan-catalogue"
    wants_references = False   # topics are ordered by the retrieved task sections; no prose is read

    def __init__(self) -> None:
        self._composers: dict[tuple, Composer] = {}

    def composer(self, meta: dict[str, Any]) -> Composer:
        key = (meta["org"], meta["type"], meta["year"], id(meta.get("profile")))
        c = self._composers.get(key)
        if c is None:
            c = Composer(org=meta["org"], org_type=meta["type"], year=int(meta["year"]),
                         facts=meta["facts"], profile=meta.get("profile"))
            self._composers[key] = c
        return c

    def _text(self, meta: dict[str, Any]) -> str:
        stage = meta.get("stage")
        if stage == "repair":
            return repair_text(meta["text"], meta.get("findings", []))
        c = self.composer(meta)
        if stage == "outline":
            return c.outline(list(meta.get("roles", [])), list(meta.get("hits", [])),
                             int(meta.get("tasks_budget", 1800)))
        if stage == "opening":
            return c.opening(int(meta.get("budget", 180)))
        if stage == "section":
            chosen = [c.topic_for(t) for t in meta.get("topics", [])] or None
            return c.section(meta["role"], meta.get("heading", ""), int(meta.get("budget", 300)),
                             chosen)
        raise BackendError(f"offline backend: unknown stage {stage!r}")

    def complete(self, messages: list[Message], *, meta: dict[str, Any] | None = None,
                 **params: Any) -> Completion:
        if not meta or "stage" not in meta:
            raise BackendError("offline backend: called without a structured request")
        return Completion(text=self._text(meta), usage=Usage(calls=1), model=self.model)

    def stream(self, messages: list[Message], *, meta: dict[str, Any] | None = None,
               **params: Any) -> Iterator[str]:
        done = self.complete(messages, meta=meta, **params)
        return StreamResult(chunks(done.text), lambda _t: done)

    def headings(self, meta: dict[str, Any]) -> dict[str, str]:
        return self.composer(meta).headings()
