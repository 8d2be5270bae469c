"""The offline backend: no key, no network, no model. It composes a plan from the project's own
phrase and topic catalogue (writer/data/catalogue.toml, read through writer/draft/catalogue.py).

It answers the same typed requests as a model, but reads their fields instead of the prompt:

- outline: the org type's topics, ordered by what retrieval surfaced for that type (keyword hits
  in the retrieved task sections) and by the profile's priorities, as many as the length allows;
- opening / section: catalogue text in the type's vocabulary, filled with the org name, the year
  facts and the profile's details, cut to the budget;
- repair: applies the reviewer's certain suggestions and drops sentences that still carry an
  error (a catalogue cannot rewrite; it can only remove what is wrong).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from ghplan.corpus.markers import TOP_MARKER
from ghplan.corpus.numerals import to_cn
from ghplan.writer.draft.backends.base import Completion, StreamResult, Usage, chunks
from ghplan.writer.draft.catalogue import CatalogueView
from ghplan.writer.draft.requests import OutlineRequest, RepairRequest, Request, SectionRequest
from ghplan.writer.errors import BackendError

if TYPE_CHECKING:
    from ghplan.corpus.rules.model import Finding


class Composer(CatalogueView):
    """Everything the catalogue needs to write one organisation's plan for one year."""

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
            lines.append(f"{to_cn(i)}、{self.heading(role)}")
            if role == "tasks":
                for j, tid in enumerate(chosen, 1):
                    lines.append(f"（{to_cn(j)}）{self.topic_title(tid)}")
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
        clauses = [f"{to_cn(i + 1)}是{c}" for i, c in enumerate(chosen[:10])]
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
            line = f"（{to_cn(len(lines) + 1)}）{self.fill(item['lead'])}。" + "".join(body)
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
    return s == 0 or bool(TOP_MARKER.match(line)) and len(line) <= 40


def repair_text(text: str, findings: "Iterable[Finding]") -> str:
    """Apply suggestions of error findings; drop the sentence of an error that has none."""
    edits: list[tuple[int, int, str]] = []
    for f in findings:
        if f.severity != "error":
            continue
        start, end = f.start, f.end
        if f.suggestion:
            edits.append((start, end, f.suggestion))
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
        self._last: tuple[object, Composer] | None = None   # (brief, its composer): one draft at a time

    def composer(self, request: Request) -> Composer:
        if self._last is None or self._last[0] is not request.brief:
            self._last = (request.brief, Composer(request.brief))
        return self._last[1]

    def _text(self, request: Request) -> str:
        if isinstance(request, RepairRequest):
            return repair_text(request.text, request.findings)
        c = self.composer(request)
        if isinstance(request, OutlineRequest):
            return c.outline(list(request.roles), [r.text for r in request.references],
                             request.tasks_budget)
        if isinstance(request, SectionRequest):
            if request.role == "opening":
                return c.opening(request.budget)
            chosen = [c.topic_for(t.title) for t in request.outline.topics] or None
            return c.section(request.role, request.topic or request.heading, request.budget, chosen)
        raise BackendError(f"offline backend: cannot answer a {type(request).__name__}")

    def complete(self, request: Request, **params: Any) -> Completion:
        return Completion(text=self._text(request), usage=Usage(calls=1), model=self.model)

    def stream(self, request: Request, **params: Any) -> Iterator[str]:
        done = self.complete(request, **params)
        return StreamResult(chunks(done.text), lambda _t: done)
