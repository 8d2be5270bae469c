"""The outline: which sections a plan has, in which order, with how many characters each.

An outline is written (by a model or the offline backend) as heading lines:

    一、指导思想
    二、工作目标
    三、主要工作
    （一）强化思想政治引领，凝聚团结奋进的共识
    （二）……
    四、保障措施
    五、时间安排

`parse_outline` reads such text leniently (half-width brackets, stray Markdown, level-1 task
topics without a 主要工作 parent), assigns each level-1 heading its role by the shared heading
words (corpus/rules/roles.toml), fills in any required role the model forgot, and `budget`
spreads the target length over the sections so that the tasks carry most of the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ghplan.corpus.numerals import to_cn

ROLE_ORDER = ("guiding", "goals", "tasks", "safeguards", "schedule")
# Share of the plan's length per role (opening included); tasks carry most of the text.
SHARES = {"opening": 0.06, "guiding": 0.09, "goals": 0.09, "tasks": 0.62, "safeguards": 0.08,
          "schedule": 0.06}

MIN_TOPICS, MAX_TOPICS = 3, 10

_LINE = re.compile(
    r"^[\s#>*\-+]*(?:\*\*)?\s*"
    r"(?:(?P<l1>[一二三四五六七八九十]{1,3})\s*[、.．]"
    r"|[（(](?P<l2>[一二三四五六七八九十]{1,3})[)）]"
    r"|(?P<l3>\d{1,2})\s*[.、．](?!\d))"
    r"\s*(?P<title>.+?)\s*(?:\*\*)?\s*$")


class OutlineError(ValueError):
    """The model's outline has no usable headings at all."""


def default_headings() -> dict[str, str]:
    """The plainest heading per role (the first variant in the catalogue's [headings]), for a role
    the model's outline forgot."""
    from ghplan.writer.draft.catalogue import load_catalogue

    return {role: variants[0] for role, variants in load_catalogue()["headings"].items()}


@lru_cache(maxsize=1)
def role_words() -> dict[str, list[str]]:
    from ghplan.corpus.lexicon import roles_data

    return {role: list(entry.get("words", [])) for role, entry in roles_data().get("roles", {}).items()}


def heading_role(title: str) -> str:
    """The role a heading's words name; "" when none (a task topic, say)."""
    words = role_words()
    for role in ("guiding", "goals", "safeguards", "schedule", "closing"):
        if any(w in title for w in words.get(role, [])):
            return role
    if any(w in title for w in words.get("tasks", [])):
        return "tasks"
    return ""


def clean_title(title: str) -> str:
    title = re.sub(r"[*#`]+", "", title).strip()
    return title.rstrip("。.:：;；").strip()


@dataclass
class Topic:
    title: str
    key: str = ""        # the catalogue topic id when known (offline backend)
    budget: int = 0


@dataclass
class Section:
    role: str
    heading: str
    topics: list[Topic] = field(default_factory=list)   # tasks only
    budget: int = 0


@dataclass
class Outline:
    sections: list[Section]
    opening_budget: int = 0

    def section(self, role: str) -> Section | None:
        return next((s for s in self.sections if s.role == role), None)

    @property
    def topics(self) -> list[Topic]:
        tasks = self.section("tasks")
        return tasks.topics if tasks else []

    def render(self) -> str:
        """The outline as heading lines with GB/T 9704 numbering."""
        lines: list[str] = []
        for i, s in enumerate(self.sections, 1):
            lines.append(f"{to_cn(i)}、{s.heading}")
            for j, t in enumerate(s.topics, 1):
                lines.append(f"（{to_cn(j)}）{t.title}")
        return "\n".join(lines)

    def numbered(self) -> list[tuple[str, Section]]:
        return [(f"{to_cn(i)}、", s) for i, s in enumerate(self.sections, 1)]


def parse_outline(text: str, *, roles: tuple[str, ...] = ROLE_ORDER,
                  fallback_topics: list[Topic] | None = None,
                  headings: dict[str, str] | None = None) -> Outline:
    """Read an outline; required roles missing from it are added with default headings.

    `roles`: the section roles the plan should have (profile.sections); a role the model added
    that is not wanted is dropped, except the required ones. Raises OutlineError when the text
    holds no heading at all.
    """
    headings = {**default_headings(), **(headings or {})}
    found: dict[str, Section] = {}
    loose_topics: list[Topic] = []
    current: Section | None = None
    any_heading = False
    for raw in text.splitlines():
        m = _LINE.match(raw)
        if not m:
            continue
        title = clean_title(m.group("title"))
        if not title or len(title) > 60:
            continue
        any_heading = True
        if m.group("l1"):
            role = heading_role(title)
            if role == "closing":
                current = None
            elif role == "":
                # a level-1 task topic (三、加强……) or an unknown heading: a topic of the tasks
                loose_topics.append(Topic(title))
                current = None
            else:
                current = found.setdefault(role, Section(role, title))
        elif m.group("l2") and current is not None and current.role == "tasks":
            current.topics.append(Topic(title))
        # level-3 lines are section content, not outline structure
    if not any_heading:
        raise OutlineError("the outline has no numbered headings")
    if loose_topics:
        tasks = found.setdefault("tasks", Section("tasks", headings["tasks"]))
        tasks.topics.extend(loose_topics)
    from ghplan.corpus.model import REQUIRED_ROLES

    sections = [found.get(role) or Section(role, headings[role]) for role in ROLE_ORDER
                if role in REQUIRED_ROLES or role in roles]
    tasks = next(s for s in sections if s.role == "tasks")
    tasks.topics = _topic_list(tasks.topics, fallback_topics or [])
    return Outline(sections)


def _topic_list(topics: list[Topic], fallback: list[Topic]) -> list[Topic]:
    """The model's topics without repeats, at most MAX_TOPICS; topped up from `fallback` to
    MIN_TOPICS when the model gave too few."""
    first: dict[str, Topic] = {}
    for t in topics:
        first.setdefault(t.title, t)
    out = list(first.values())[:MAX_TOPICS]
    have = {t.title for t in out}
    for t in fallback:
        if len(out) >= MIN_TOPICS:
            break
        if t.title not in have:
            out.append(Topic(t.title, t.key))
    return out


def budget(outline: Outline, length: int) -> Outline:
    """Spread `length` characters over the outline (in place; returns it)."""
    present = {s.role for s in outline.sections}
    shares = {r: v for r, v in SHARES.items() if r == "opening" or r in present}
    total = sum(shares.values())
    outline.opening_budget = int(length * shares["opening"] / total)
    for s in outline.sections:
        s.budget = int(length * shares.get(s.role, 0.05) / total)
        if s.role == "tasks" and s.topics:
            each = max(120, s.budget // len(s.topics))
            for t in s.topics:
                t.budget = each
    return outline
