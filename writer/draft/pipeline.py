"""The drafting pipeline: profile → year facts → retrieval → outline → expand → review → repair.

    result = draft(profile, backend=OfflineBackend())
    result.text, result.review.to_json()["summary"]["errors"], result.to_json()

Every stage is a function here or in writer/outline.py; prompts are files under prompts/. The
backend only ever sees chat messages plus `meta`, the structured request the prompt was rendered
from (the offline backend composes from it, the mock backend scripts by its stage).

Retrieval is optional: with no index (or no embedding model) the draft still runs, without
references, and says so in `result.notes`.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ghplan.writer.errors import GhplanError, UsageError, BackendError
from ghplan import prompts
from ghplan.writer.draft.backends.base import Backend, OnDelta, Usage, call

from ghplan.writer.draft.outline import Outline, Topic, budget, cn_number, parse_outline, OutlineError
from ghplan.writer.draft.profile import Profile

DEFAULT_REPAIR_ROUNDS = 2
REF_CHARS = 300          # characters of each retrieved section shown to the model
K_ROLE = {"guiding": 3, "goals": 3, "tasks": 8, "safeguards": 3, "schedule": 2}
K_TOPIC = 2
MAX_TOKENS = 8192        # per request; Chinese runs about 1–2 tokens a character
SECTION_ROLES = ("guiding", "goals", "tasks", "safeguards", "schedule")

StageFn = Callable[[str, str], None]      # (stage, detail) for progress display


# ---------------------------------------------------------------------- year facts
@dataclass(frozen=True)
class PlanFacts:
    """The year facts as the catalogue and prompts use them (all from writer/facts.py)."""
    year: int
    framing: str
    party: str
    party_spirit: str
    union_spirit: str
    fyp: str
    fyp_stage: str
    lines: tuple[str, ...]           # human-readable lines for the system prompt

    def fields(self) -> dict[str, str]:
        return {"framing": self.framing, "party": self.party, "party_spirit": self.party_spirit,
                "union_spirit": self.union_spirit, "fyp": self.fyp, "fyp_stage": self.fyp_stage}


def _fyp_stage(year: int, span: tuple[int, int]) -> str:
    start, end = span
    if year == start:
        return "开局之年"
    if year == end:
        return "收官之年"
    if year == end - 1:
        return "攻坚之年"
    return "深入实施之年"


def plan_facts(year: int) -> PlanFacts:
    """Facts for `year` from writer/facts.py (the dated table); GhplanError(2) outside it."""
    from ghplan.writer.draft.facts import YearOutOfRange, year_facts

    try:
        f = year_facts(year)
    except YearOutOfRange as exc:
        raise UsageError(str(exc)) from None
    plenums = "、".join(f.plenums)
    party_spirit = f"{f.party_congress_name}和{plenums}精神" if plenums else f"{f.party_congress_name}精神"
    union_spirit = f"{f.union_congress_name}精神"
    stage = _fyp_stage(year, f.five_year_plan_span)
    lines = (
        f"指导思想：{f.guiding}",
        f"党的全国代表大会：{f.party_congress_name}"
        + (f"（二十届以来的全会：{plenums}）" if plenums and "二十届" in plenums else
           (f"（近期全会：{plenums}）" if plenums else "")),
        f"五年规划：{f.five_year_plan_name}（{f.five_year_plan_span[0]}—{f.five_year_plan_span[1]}），"
        f"{year}年是“{f.five_year_plan}”规划{stage}",
        f"中国工会全国代表大会：{f.union_congress_name}",
        f"常用提法：坚持以{f.guiding}为指导，全面贯彻{party_spirit}，认真落实{union_spirit}",
    )
    return PlanFacts(year=year, framing=f.guiding, party=f.party_congress_name,
                     party_spirit=party_spirit, union_spirit=union_spirit,
                     fyp=f.five_year_plan, fyp_stage=stage, lines=lines)


# ---------------------------------------------------------------------- vocabulary
def type_vocab(org_type: str) -> tuple[str, list[str], list[str]]:
    """(Chinese type name, words that belong, words that betray another type)."""
    from ghplan.corpus.label import vocabularies

    v = vocabularies().get(org_type)
    if v is None:
        return org_type, [], []
    return v.name, list(v.belongs), list(v.betray)


# ---------------------------------------------------------------------- retrieval
@dataclass
class Ref:
    id: str
    source: str
    type: str
    role: str
    score: float
    text: str = ""
    heading: str = ""
    fallback: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "type": self.type, "role": self.role,
                "score": round(float(self.score), 6)}


def _is_stale(text: str, year: int) -> bool:
    try:
        from ghplan.corpus.rules import dated
    except ImportError:   # pragma: no cover - the rule engine is part of the package
        return False
    return any(f.severity == "error" for f in dated.check(text, year))


class Retrieval:
    """Calls writer.index.retrieve once per role/topic; dedupes, drops stale material, degrades to
    nothing (with a note) when there is no index."""

    def __init__(self, profile: Profile, year: int, *, settings: Any = None,
                 retriever: Callable[..., list] | None = None, enabled: bool = True):
        self.profile, self.year, self.settings = profile, year, settings
        self._fn = retriever
        self.enabled = enabled
        self.note = "" if enabled else "retrieval off (--no-retrieve): drafting without reference plans"
        self.refs: list[Ref] = []
        self._seen_ids: set[str] = set()
        self._seen_text: set[str] = set()

    def _call(self, role: str, k: int, query: str | None) -> list[Any]:
        fn = self._fn
        if fn is None:
            from ghplan.writer.index.retrieve import retrieve as fn   # heavy: chromadb, the embedding model
        return fn(self.profile, role, k, query=query, year=self.year, settings=self.settings)

    def get(self, role: str, k: int, query: str | None = None) -> list[Ref]:
        if not self.enabled:
            return []
        try:
            hits = self._call(role, k, query)
        except Exception as exc:   # no index, model missing, server down: draft without refs
            self.enabled = False
            msg = " ".join(str(exc).split())[:160] or type(exc).__name__
            self.note = f"retrieval skipped ({msg}): drafting without reference plans"
            return []
        out: list[Ref] = []
        for h in hits:
            text = str(getattr(h, "text", ""))
            key = re.sub(r"\s+", "", text)[:120]
            hid = str(getattr(h, "id", ""))
            if not text or key in self._seen_text or _is_stale(text, self.year):
                continue
            self._seen_text.add(key)
            ref = Ref(id=hid, source=str(getattr(h, "source", "")),
                      type=str(getattr(h, "org_type", "") or getattr(h, "type", "")),
                      role=str(getattr(h, "role", role)), score=float(getattr(h, "score", 0.0)),
                      text=text, heading=str(getattr(h, "heading", "")),
                      fallback=bool(getattr(h, "fallback", False)))
            out.append(ref)
            if hid not in self._seen_ids:
                self._seen_ids.add(hid)
                self.refs.append(ref)
        return out


def format_refs(refs: list[Ref]) -> str:
    if not refs:
        return "（无可用参考片段，请按本单位实际撰写。）"
    lines = []
    for i, r in enumerate(refs, 1):
        text = re.sub(r"\s+", " ", r.text).strip()
        if len(text) > REF_CHARS:
            text = text[:REF_CHARS] + "（节选）"
        head = f"，{r.heading}" if r.heading else ""
        lines.append(f"参考{i}（{type_vocab(r.type)[0] if r.type else '未知类型'}{head}）：{text}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- prompts
def plan_title(profile: Profile, year: int) -> str:
    return f"{union_name(profile.org)}{year}年工作计划"


def union_name(org: str) -> str:
    """The signing body: the org as given when it is a union or committee, else org + 工会."""
    return org if ("工会" in org or "委员会" in org) else org + "工会"


def profile_lines(profile: Profile) -> str:
    lines: list[str] = []
    if profile.member_count:
        lines.append(f"- 会员人数：{profile.member_count}")
    if profile.departments:
        lines.append(f"- 下属部门或分会：{'、'.join(profile.departments)}")
    if profile.achievements:
        lines.append(f"- 上一年度的成绩（可在开头一句带过，不要写成总结）：{'；'.join(profile.achievements)}")
    if profile.priorities:
        lines.append(f"- 今年的重点：{'；'.join(profile.priorities)}")
    if profile.events:
        lines.append("- 今年的活动：" + "；".join(f"{e.month}月{e.name}" for e in profile.events))
    tone = {"standard": "庄重平实", "concise": "简明扼要", "detailed": "具体详实"}[profile.tone]
    lines.append(f"- 文风：{tone}")
    return ("\n## 本单位情况\n\n" + "\n".join(lines)) if lines else ""


def system_prompt(profile: Profile, year: int, facts: PlanFacts) -> str:
    name, belongs, betray = type_vocab(profile.type)
    return prompts.render(
        "system", org=union_name(profile.org), title=plan_title(profile, year), type_name=name,
        year=year, facts="\n".join(f"- {line}" for line in facts.lines),
        belongs="、".join(belongs), betray="、".join(betray) or "（无）",
        profile=profile_lines(profile))


SHAPES = {
    "opening": "；写成一段话，说明制定本计划的依据和目的，以“制定本计划”结尾。",
    "guiding": "；写成一段话：以什么为指导，围绕什么中心，突出哪些重点，团结动员会员做什么。",
    "goals": "；写成一段话，用“一是……；二是……”列出五六项可以检查的目标。",
    "tasks": "；用“1.”“2.”……编号列出三到五项具体措施，每项单独成段，先用一句简短的话点明措施并以句号结束，再具体展开。",
    "safeguards": "；用“（一）”“（二）”……编号列出三到五条，每条单独成段，先用一句简短的话点明要求并以句号结束，再具体展开。",
    "schedule": "；按月份逐行列出，每行以“1月：”至“12月：”开头，写明当月的主要活动。",
}


def _details(profile: Profile, role: str, heading: str) -> str:
    bits: list[str] = []
    if role == "tasks" and profile.departments:
        bits.append(f"可结合{'、'.join(profile.departments[:5])}等部门")
    if role in ("tasks", "goals") and profile.priorities:
        bits.append("今年的重点是" + "、".join(profile.priorities))
    if role == "schedule" and profile.events:
        bits.append("务必安排：" + "；".join(f"{e.month}月{e.name}" for e in profile.events))
    if role == "goals" and profile.member_count:
        bits.append(f"会员{profile.member_count}人")
    return "；".join(bits) or "写出本单位特点"


# ---------------------------------------------------------------------- text helpers
_FENCE = re.compile(r"^\s*```.*$", re.MULTILINE)


def _heading_words(s: str) -> str:
    s = re.sub(r"^[\s#*]*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）])?", "", s)
    return re.sub(r"[\s*#。.:：]", "", s)


def tidy_body(text: str, heading: str = "") -> str:
    """A model's section text, trimmed: no code fences, no repeated heading, no blank runs."""
    text = _FENCE.sub("", text.replace("\r\n", "\n")).strip()
    lines = [ln.strip() for ln in text.split("\n")]
    if lines and heading and _heading_words(lines[0]) == _heading_words(heading):
        lines = lines[1:]
    return "\n".join(ln for ln in lines if ln)


_DATE_LINE = re.compile(r"^(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,2}月(?:[\d一二三四五六七八九十]{1,3}日)?$")


def strip_sign_off(body: str, signer: str) -> str:
    """A section that ends with the sign-off (the union's name, a date): the pipeline adds it once."""
    lines = body.split("\n")
    while lines and (lines[-1] == signer or _DATE_LINE.match(lines[-1])):
        lines.pop()
    return "\n".join(lines)


def tidy_plan(text: str) -> str:
    text = _FENCE.sub("", text.replace("\r\n", "\n")).strip()
    return "\n".join(ln.strip() for ln in text.split("\n") if ln.strip())


# ---------------------------------------------------------------------- result
@dataclass
class DraftResult:
    text: str
    backend: str
    model: str
    year: int
    type: str
    retrieved: list[Ref]
    review: Any                      # writer.review.reviewer.ReviewResult
    rounds: int
    usage: Usage
    seconds: float
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    outline: Outline | None = None
    prompts: list[list[dict[str, str]]] = field(default_factory=list)   # every request's messages

    @property
    def errors(self) -> int:
        return int(self.review_json()["summary"]["errors"])

    def review_json(self) -> dict[str, Any]:
        return self.review.to_json()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "backend": self.backend, "model": self.model, "year": self.year,
                "type": self.type, "retrieved": [r.to_json() for r in self.retrieved],
                "review": self.review_json(), "rounds": self.rounds, "usage": self.usage.to_json(),
                "seconds": round(self.seconds, 3)}


# ---------------------------------------------------------------------- the pipeline
class _Run:
    """One draft in progress: holds what every stage needs and times each stage."""

    def __init__(self, profile: Profile, year: int, backend: Backend, facts: PlanFacts,
                 on_stage: StageFn | None, on_delta: OnDelta | None):
        self.profile, self.year, self.backend, self.facts = profile, year, backend, facts
        self.on_stage = on_stage or (lambda stage, detail: None)
        self.on_delta = on_delta
        self.usage = Usage()
        self.timings: dict[str, float] = {}
        self.messages_log: list[list[dict[str, str]]] = []
        self.system = system_prompt(profile, year, facts)
        self.title = plan_title(profile, year)
        # a backend that composes without reading references (offline) only needs the task
        # sections that order its topics: skip the per-section look-ups it would ignore
        self.wants_refs = bool(getattr(backend, "wants_references", True))

    def timed(self, stage: str, t0: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - t0

    def ask(self, user: str, meta: dict[str, Any], *, stream: bool = False, max_chars: int = 0) -> str:
        messages = [{"role": "system", "content": self.system}, {"role": "user", "content": user}]
        self.messages_log.append(messages)
        params: dict[str, Any] = {}
        if max_chars:
            params["max_tokens"] = min(MAX_TOKENS, int(max_chars * 2) + 256)
        done = call(self.backend, messages, meta=self.meta(meta),
                    on_delta=self.on_delta if stream else None, **params)
        self.usage.add(done.usage)
        return done.text

    def meta(self, meta: dict[str, Any]) -> dict[str, Any]:
        """The structured request: who, which year, the facts, plus the stage's own fields."""
        return {"org": self.profile.org, "type": self.profile.type, "year": self.year,
                "profile": self.profile, "facts": self.facts.fields(), **meta}

    def emit(self, text: str) -> None:
        if self.on_delta is not None:
            self.on_delta(text)


def _headings_for(backend: Backend, meta: dict[str, Any]) -> dict[str, str]:
    fn = getattr(backend, "headings", None)
    return fn(meta) if callable(fn) else {}


def _suggested_topics(profile: Profile, year: int, facts: PlanFacts) -> list[Topic]:
    """Topic titles from the project's catalogue: shown to the model, and the fallback when a
    model's outline has too few topics."""
    from ghplan.writer.draft.backends.offline import Composer

    c = Composer(org=profile.org, org_type=profile.type, year=year, facts=facts.fields(),
                 profile=profile)
    return [Topic(c.topic_title(t), t) for t in c.rank_topics([])]


def make_outline(run: _Run, retrieval: Retrieval) -> Outline:
    p = run.profile
    roles = tuple(r for r in p.sections if r in SECTION_ROLES)
    t0 = time.perf_counter()
    run.on_stage("retrieve", "tasks")
    task_refs = retrieval.get("tasks", K_ROLE["tasks"])
    run.timed("retrieve", t0)
    suggested = _suggested_topics(p, run.year, run.facts)
    tasks_budget = int(p.length * 0.62)
    topic_count = max(4, min(8, round(tasks_budget / 330)))
    user = prompts.render(
        "outline", title=run.title, type_name=type_vocab(p.type)[0],
        schedule_hint="、时间安排" if "schedule" in roles else "", topic_count=topic_count,
        topics="\n".join(f"- {t.title}" for t in suggested),
        priorities="\n".join(f"- {x}" for x in p.priorities) or "（无）",
        references=format_refs(task_refs))
    t0 = time.perf_counter()
    run.on_stage("outline", "")
    meta = {"stage": "outline", "roles": list(roles), "hits": [r.text for r in task_refs],
            "tasks_budget": tasks_budget, "topic_count": topic_count}
    text = run.ask(user, meta)
    try:
        outline = parse_outline(text, roles=roles, fallback_topics=suggested,
                                headings=_headings_for(run.backend, run.meta(meta)))
    except OutlineError:
        raise BackendError(f"the {run.backend.name} model returned a malformed outline "
                          "(no numbered headings)") from None
    run.timed("outline", t0)
    return budget(outline, p.length)


def expand(run: _Run, outline: Outline, retrieval: Retrieval) -> str:
    p = run.profile
    name, belongs, _ = type_vocab(p.type)
    rendered = outline.render()
    topics = [t.title for t in outline.topics]
    parts: list[str] = [run.title]
    run.emit(run.title + "\n")

    def section(role: str, heading: str, where: str, budget_: int, refs: list[Ref],
                extra: dict[str, Any] | None = None) -> str:
        user = prompts.render(
            "section", title=run.title, where=where, outline=rendered, budget=budget_,
            shape=SHAPES[role], heading=heading, belongs="、".join(belongs),
            org=union_name(p.org), details=_details(p, role, heading), year=run.year,
            references=format_refs(refs))
        meta = {"stage": "section" if role != "opening" else "opening", "role": role,
                "heading": heading, "budget": budget_, "topics": topics, **(extra or {})}
        body = strip_sign_off(tidy_body(run.ask(user, meta, stream=True, max_chars=budget_), heading),
                              union_name(p.org))
        run.emit("\n")
        return body

    t0 = time.perf_counter()
    run.on_stage("expand", "开头")
    parts.append(section("opening", "开头", "标题之后、第一个一级标题之前的开头段落",
                         outline.opening_budget, []))
    run.timed("expand", t0)
    for number, s in outline.numbered():
        line = f"{number}{s.heading}"
        parts.append(line)
        run.emit(line + "\n")
        if s.role == "tasks" and s.topics:
            for j, t in enumerate(s.topics, 1):
                sub = f"（{cn_number(j)}）{t.title}"
                parts.append(sub)
                run.emit(sub + "\n")
                t0 = time.perf_counter()
                run.on_stage("retrieve", t.title)
                refs = retrieval.get("tasks", K_TOPIC, query=t.title) if run.wants_refs else []
                run.timed("retrieve", t0)
                t0 = time.perf_counter()
                run.on_stage("expand", t.title)
                parts.append(section("tasks", sub, f"“{line}”之下的“{sub}”", t.budget, refs,
                                     {"heading": t.title}))
                run.timed("expand", t0)
            continue
        t0 = time.perf_counter()
        run.on_stage("retrieve", s.role)
        refs = retrieval.get(s.role, K_ROLE.get(s.role, 3)) if run.wants_refs else []
        run.timed("retrieve", t0)
        t0 = time.perf_counter()
        run.on_stage("expand", s.heading)
        parts.append(section(s.role, line, f"“{line}”", s.budget, refs))
        run.timed("expand", t0)
    if "closing" in p.sections:
        from ghplan.writer.draft.backends.offline import load_catalogue

        closing = [union_name(p.org),
                   load_catalogue()["phrases"]["closing_date"].format(year=run.year)]
        parts.extend(closing)
        run.emit("\n".join(closing) + "\n")
    return "\n".join(x for x in parts if x)


def _default_reviewer(text: str, *, org_type: str, year: int, settings: Any) -> Any:
    from ghplan.writer.review.reviewer import review_text

    return review_text(text, org_type=org_type, year=year, settings=settings)


def _errors(review: Any) -> list[dict[str, Any]]:
    return [f for f in review.to_json()["findings"] if f.get("severity") == "error"]


def _findings_text(findings: list[dict[str, Any]]) -> str:
    lines = []
    for f in findings[:40]:
        sugg = f" → 建议改为“{f['suggestion']}”" if f.get("suggestion") else (
            " → 删除" if f.get("fixable") else "")
        lines.append(f"{f.get('line', '?')}:{f.get('col', '?')} {f['rule']} “{f['text']}” —— "
                     f"{f['message']}{sugg}")
    return "\n".join(lines)


def _acceptable(old: str, old_review: Any, new: str, new_review: Any) -> bool:
    """A repair is kept when it has no more errors and is still the whole plan: every required
    section the draft had is still there and it did not lose half its text (a model that answers
    "sorry" has few findings, but it is not a plan)."""
    from ghplan.corpus.model import REQUIRED_ROLES

    before, after = old_review.to_json(), new_review.to_json()
    if len(_errors(new_review)) > len(_errors(old_review)):
        return False
    lost = [r for r in REQUIRED_ROLES if before["sections"].get(r) and not after["sections"].get(r)]
    return not lost and len(new) >= 0.5 * len(old)


def review_and_repair(run: _Run, text: str, *, rounds: int, reviewer: Callable[..., Any],
                      settings: Any) -> tuple[str, Any, int]:
    p = run.profile
    t0 = time.perf_counter()
    run.on_stage("review", "")
    review = reviewer(text, org_type=p.type, year=run.year, settings=settings)
    run.timed("review", t0)
    done = 0
    while done < rounds:
        errors = _errors(review)
        if not errors:
            break
        done += 1
        t0 = time.perf_counter()
        run.on_stage("repair", f"round {done}: {len(errors)} error(s)")
        user = prompts.render("repair", title=run.title, count=len(errors), year=run.year,
                              belongs="、".join(type_vocab(p.type)[1]),
                              findings=_findings_text(errors), text=text)
        fixed = tidy_plan(run.ask(user, {"stage": "repair", "text": text, "findings": errors,
                                         "round": done}, max_chars=len(text)))
        run.timed("repair", t0)
        t0 = time.perf_counter()
        new_review = reviewer(fixed, org_type=p.type, year=run.year, settings=settings)
        run.timed("review", t0)
        if _acceptable(text, review, fixed, new_review):
            text, review = fixed, new_review
    return text, review, done


def draft(profile: Profile, *, backend: Backend, year: int | None = None,
          settings: Any = None, retrieve: bool = True, repair_rounds: int = DEFAULT_REPAIR_ROUNDS,
          on_stage: StageFn | None = None, on_delta: OnDelta | None = None,
          facts: PlanFacts | None = None, retriever: Callable[..., list] | None = None,
          reviewer: Callable[..., Any] | None = None, today: Any = None) -> DraftResult:
    """Draft a plan for `profile`. `year` defaults to the profile's, else next year."""
    started = time.perf_counter()
    if year is None:
        year = profile.year or next_year(today)
    t0 = time.perf_counter()
    if on_stage:
        on_stage("facts", str(year))
    facts = facts or plan_facts(year)
    run = _Run(profile, year, backend, facts, on_stage, on_delta)
    run.timed("facts", t0)
    retrieval = Retrieval(profile, year, settings=settings, retriever=retriever, enabled=retrieve)
    outline = make_outline(run, retrieval)
    text = expand(run, outline, retrieval)
    text, review, rounds = review_and_repair(run, text, rounds=max(0, repair_rounds),
                                             reviewer=reviewer or _default_reviewer,
                                             settings=settings)
    notes = [retrieval.note] if retrieval.note else []
    if any(r.fallback for r in retrieval.refs):
        types = sorted({r.type for r in retrieval.refs if r.fallback})
        notes.append(f"few {profile.type} plans in the index: references also from {', '.join(types)}")
    remaining = len(_errors(review))
    if remaining:
        notes.append(f"{remaining} review error(s) remain after {rounds} repair round(s)")
    return DraftResult(
        text=text, backend=backend.name, model=backend.model, year=year, type=profile.type,
        retrieved=retrieval.refs, review=review, rounds=rounds, usage=run.usage,
        seconds=time.perf_counter() - started, notes=notes, timings=run.timings,
        outline=outline, prompts=run.messages_log)


def next_year(today: Any = None) -> int:
    import datetime as _dt

    return (today or _dt.date.today()).year + 1


# ---------------------------------------------------------------------- backends by name
BACKENDS = ("openai", "offline", "mock")


def default_backend_name(settings: Any) -> str:
    """openai when a key (or a local endpoint) is configured, else offline."""
    return "openai" if getattr(settings, "openai_api_key", "") else "offline"


def make_backend(name: str, *, settings: Any = None, model: str | None = None,
                 mock_script: str | None = None) -> Backend:
    if name == "offline":
        from ghplan.writer.draft.backends.offline import OfflineBackend

        return OfflineBackend()
    if name == "openai":
        from ghplan.writer.draft.backends.openai_backend import OpenAIBackend

        if settings is None:
            from ghplan.writer.config import load_settings
            settings = load_settings()
        return OpenAIBackend.from_settings(settings, model=model)
    if name == "mock":
        from ghplan.writer.draft.backends.mock import MockBackend

        if not mock_script:
            raise UsageError("the mock backend needs a script: --mock-script FILE "
                              "(or GHPLAN_MOCK_SCRIPT)")
        backend = MockBackend.from_file(mock_script)
        if model:
            backend.model = model
        return backend
    raise UsageError(f"unknown backend {name!r}; use one of: {', '.join(BACKENDS)}")
