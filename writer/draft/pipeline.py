"""The drafting pipeline: profile → year facts → retrieval → outline → expand → review → repair.

    result = draft(profile, backend=OfflineBackend())
    result.text, result.review.to_json()["summary"]["errors"], result.to_json()

Each call to the model is a typed request (writer/draft/requests.py) rendered from prompts/;
every backend, offline included, receives the same requests. Retrieval is optional: with no
usable index the draft still runs, without references, and says so in `result.notes`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ghplan import prompts
from ghplan.corpus.numerals import to_cn
from ghplan.writer.draft.backends.base import Backend, OnDelta, Usage, call
from ghplan.writer.draft.backends.failures import failure
from ghplan.writer.draft.catalogue import CatalogueView
from ghplan.writer.draft.facts import YearFacts, year_facts
from ghplan.writer.draft.outline import Outline, OutlineError, Topic, budget, parse_outline
from ghplan.writer.draft.profile import Profile
from ghplan.writer.draft.prompting import plan_title, union_name
from ghplan.writer.draft.requests import Brief, OutlineRequest, RepairRequest, Request, SectionRequest
from ghplan.writer.draft.retrieval import Ref, Retrieval
from ghplan.writer.draft.tidy import gist, strip_sign_off, tidy_body, tidy_plan
from ghplan.writer.errors import BackendError
from ghplan.writer.messages import Said, label, say, type_name, type_names

DEFAULT_REPAIR_ROUNDS = 2
K_ROLE = {"guiding": 3, "goals": 3, "tasks": 8, "safeguards": 3, "schedule": 2}
K_TOPIC = 2
MAX_TOKENS = 8192        # per request; Chinese runs about 1–2 tokens a character
SECTION_ROLES = ("guiding", "goals", "tasks", "safeguards", "schedule")
CUT_OFF = ("length", "")   # finish reasons of an answer that did not finish

StageFn = Callable[[str, str], None]      # (stage, detail) for progress display


@dataclass(frozen=True)
class DraftEvent:
    """Progress of one draft, for a caller that shows it as it happens (the server's event
    stream, the CLI's per-section progress). `kind` "stage": a stage begins (`stage`, `detail`);
    "section": a section is written (`index` from 1, `heading`, `text` its tidied body);
    "done": the draft is finished (before the result is returned). The "expand" stage event of
    a section carries its `index`, `heading` and the `total` number of sections too (`[2/7]`
    progress)."""
    kind: str
    stage: str = ""
    detail: str = ""
    index: int = 0
    heading: str = ""
    text: str = ""
    total: int = 0


EventFn = Callable[[DraftEvent], None]


class DraftCancelled(Exception):
    """Raised by an `on_event` listener to stop a draft: every stage, section and repair round
    tells its listener before it asks the model, so no request follows (the server's stream
    raises it when its client has gone away). `draft` lets it through to its caller."""


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
    notes: list[Said] = field(default_factory=list)   # English strs with .zh (writer/messages.py)
    timings: dict[str, float] = field(default_factory=dict)
    outline: Outline | None = None
    prompts: list[list[dict[str, str]]] = field(default_factory=list)   # every request's messages
    retries: int = 0                 # answers asked for again after a cut-off (a stream shows both)

    def notes_in(self, lang: str) -> list[str]:
        """The notes in `lang` ("zh" or "en"); a plain str note is shown as it is."""
        return [n.text(lang) if isinstance(n, Said) else n for n in self.notes]

    @property
    def errors(self) -> int:
        return len(error_findings(self.review))

    def review_json(self) -> dict[str, Any]:
        return self.review.to_json()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "backend": self.backend, "model": self.model, "year": self.year,
                "type": self.type, "retrieved": [r.to_json() for r in self.retrieved],
                "review": self.review_json(), "rounds": self.rounds, "usage": self.usage.to_json(),
                "seconds": round(self.seconds, 3)}


# ---------------------------------------------------------------------- one run
def _stage_fn(on_stage: StageFn | None, on_event: EventFn | None) -> StageFn:
    """One stage callback that tells both listeners (either may be absent)."""
    def tell(stage: str, detail: str, **extra: Any) -> None:
        if on_stage:
            on_stage(stage, detail)
        if on_event:
            on_event(DraftEvent("stage", stage, detail, **extra))
    return tell


class _Run:
    """One draft in progress: holds what every stage needs and times each stage."""

    def __init__(self, brief: Brief, backend: Backend, on_stage: StageFn | None,
                 on_delta: OnDelta | None, on_event: EventFn | None = None):
        self.brief, self.backend = brief, backend
        self.profile, self.year = brief.profile, brief.year
        self.on_stage = _stage_fn(on_stage, on_event)
        self.on_event = on_event or (lambda event: None)
        self.on_delta = on_delta
        self.usage = Usage()
        self.timings: dict[str, float] = {}
        self.messages_log: list[list[dict[str, str]]] = []
        self.retries = 0
        self.title = plan_title(brief.profile, brief.year)
        self.signer = union_name(brief.org)
        # a backend that composes without reading references (offline) only needs the task
        # sections that order its topics: skip the per-section look-ups it would ignore
        self.wants_refs = bool(getattr(backend, "wants_references", True))

    def timed(self, stage: str, t0: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - t0

    def ask(self, request: Request, *, stream: bool = False, max_chars: int = 0) -> str:
        """The model's answer to `request`; an answer cut off by the token limit, or a stream that
        ended without a finish reason, is asked for once more, then is a BackendError."""
        params: dict[str, Any] = {"max_tokens": min(MAX_TOKENS, int(max_chars * 2) + 256)} if max_chars else {}
        for attempt in (1, 2):
            self.messages_log.append(request.messages())
            done = call(self.backend, request, on_delta=self.on_delta if stream else None, **params)
            self.usage.add(done.usage)
            if done.finish_reason not in CUT_OFF:
                return done.text
            self.retries += 1
            self.on_stage("retry", f"{request.kind}: the answer was cut off",
                          heading=getattr(request, "heading", ""))
        where = getattr(self.backend, "where", f"{self.backend.name}://")
        heading = getattr(request, "heading", "")
        raise failure("cut_off", where, detail=f"the {heading or request.kind}",
                      detail_zh=heading or label("request", request.kind, "zh"))

    def emit(self, text: str) -> None:
        if self.on_delta is not None:
            self.on_delta(text)


# ---------------------------------------------------------------------- outline
def outline_roles(profile: Profile) -> tuple[str, ...]:
    """The level-1 sections to ask for: the profile's, plus the required ones, in plan order."""
    from ghplan.corpus.model import REQUIRED_ROLES

    return tuple(r for r in SECTION_ROLES if r in profile.sections or r in REQUIRED_ROLES)


def suggested_topics(brief: Brief) -> list[Topic]:
    """Topic titles from the project's catalogue: shown to the model, and the fallback when a
    model's outline has too few topics."""
    view = CatalogueView(brief)
    return [Topic(view.topic_title(t), t) for t in view.rank_topics([])]


def make_outline(run: _Run, retrieval: Retrieval) -> Outline:
    p = run.profile
    t0 = time.perf_counter()
    run.on_stage("retrieve", "tasks")
    task_refs = retrieval.get("tasks", K_ROLE["tasks"])
    run.timed("retrieve", t0)
    suggested = suggested_topics(run.brief)
    tasks_budget = int(p.length * 0.62)
    request = OutlineRequest(run.brief, roles=outline_roles(p), suggested=tuple(suggested),
                             references=tuple(task_refs),
                             topic_count=max(4, min(8, round(tasks_budget / 330))),
                             tasks_budget=tasks_budget)
    t0 = time.perf_counter()
    run.on_stage("outline", "")
    text = run.ask(request)
    try:
        outline = parse_outline(text, roles=request.roles, fallback_topics=suggested)
    except OutlineError:
        raise BackendError(say("backend.bad_outline", backend=run.backend.name)) from None
    run.timed("outline", t0)
    return budget(outline, p.length)


# ---------------------------------------------------------------------- expand
class _Writer:
    """Writes the sections in order, each request seeing what the earlier sections said."""

    def __init__(self, run: _Run, outline: Outline, retrieval: Retrieval):
        self.run, self.outline, self.retrieval = run, outline, retrieval
        self.parts: list[str] = [run.title]
        self.written: list[tuple[str, str]] = []
        # sections to write: the opening, each numbered section, a task section per topic
        self.total = 1 + sum(len(s.topics) if s.role == "tasks" and s.topics else 1
                             for _, s in outline.numbered())
        run.emit(run.title + "\n")

    def line(self, text: str) -> None:
        self.parts.append(text)
        self.run.emit(text + "\n")

    def refs(self, role: str, k: int, query: str | None, detail: str) -> tuple[Ref, ...]:
        if not self.run.wants_refs:
            return ()
        t0 = time.perf_counter()
        self.run.on_stage("retrieve", detail)
        got = self.retrieval.get(role, k, query=query)
        self.run.timed("retrieve", t0)
        return tuple(got)

    def section(self, role: str, heading: str, where: str, budget_: int,
                refs: tuple[Ref, ...] = (), topic: str = "") -> None:
        run = self.run
        t0 = time.perf_counter()
        run.on_stage("expand", topic or heading, index=len(self.written) + 1, total=self.total,
                     heading=heading)
        request = SectionRequest(run.brief, role=role, heading=heading, where=where, budget=budget_,
                                 outline=self.outline, references=refs, written=tuple(self.written),
                                 topic=topic)
        answer = run.ask(request, stream=True, max_chars=budget_)
        body = strip_sign_off(tidy_body(answer, heading), run.signer)
        run.emit("\n")
        run.timed("expand", t0)
        self.parts.append(body)
        self.written.append((topic or heading, gist(body)))
        run.on_event(DraftEvent("section", "expand", topic or heading, index=len(self.written),
                                heading=heading, text=body))

    def tasks(self, line: str, topics: list[Topic]) -> None:
        for j, t in enumerate(topics, 1):
            sub = f"（{to_cn(j)}）{t.title}"
            self.line(sub)
            refs = self.refs("tasks", K_TOPIC, t.title, t.title)
            self.section("tasks", sub, prompts.fragment("where", "topic", parent=line, heading=sub),
                         t.budget, refs, topic=t.title)

    def closing(self) -> None:
        self.line("\n".join([self.run.signer, CatalogueView(self.run.brief).closing_date()]))

    def write(self) -> str:
        run, outline = self.run, self.outline
        self.section("opening", prompts.fragment("where", "opening_heading"),
                     prompts.fragment("where", "opening"), outline.opening_budget)
        for number, s in outline.numbered():
            line = f"{number}{s.heading}"
            self.line(line)
            if s.role == "tasks" and s.topics:
                self.tasks(line, s.topics)
                continue
            refs = self.refs(s.role, K_ROLE.get(s.role, 3), None, s.role)
            self.section(s.role, line, prompts.fragment("where", "section", heading=line), s.budget, refs)
        if "closing" in run.profile.sections:
            self.closing()
        return "\n".join(x for x in self.parts if x)


def expand(run: _Run, outline: Outline, retrieval: Retrieval) -> str:
    return _Writer(run, outline, retrieval).write()


# ---------------------------------------------------------------------- review and repair
def _default_reviewer(text: str, *, profile: Profile, year: int, settings: Any) -> Any:
    """Review as `ghplan review --type T --org NAME` would, held to the profile's length target."""
    from ghplan.writer.review.reviewer import review_text

    return review_text(text, org_type=profile.type, year=year, settings=settings,
                       org_name=profile.org, length_target=profile.length)


def error_findings(review: Any) -> list[Any]:
    return [f for f in review.findings if f.severity == "error"]


def _acceptable(old: str, old_review: Any, new: str, new_review: Any) -> bool:
    """A repair is kept when it has no more errors and is still the whole plan: every required
    section the draft had is still there and it did not lose half its text (a model that answers
    "sorry" has few findings, but it is not a plan)."""
    from ghplan.corpus.model import REQUIRED_ROLES

    if len(error_findings(new_review)) > len(error_findings(old_review)):
        return False
    lost = [r for r in REQUIRED_ROLES if old_review.sections.get(r) and not new_review.sections.get(r)]
    return not lost and len(new) >= 0.5 * len(old)


def review_and_repair(run: _Run, text: str, *, rounds: int, reviewer: Callable[..., Any],
                      settings: Any) -> tuple[str, Any, int]:
    def check(t: str) -> Any:
        t0 = time.perf_counter()
        result = reviewer(t, profile=run.profile, year=run.year, settings=settings)
        run.timed("review", t0)
        return result

    run.on_stage("review", "")
    review = check(text)
    done = 0
    while done < rounds and (errors := error_findings(review)):
        done += 1
        t0 = time.perf_counter()
        run.on_stage("repair", f"round {done}: {len(errors)} error(s)")
        fixed = tidy_plan(run.ask(RepairRequest(run.brief, text=text, findings=tuple(errors), round=done),
                                  max_chars=len(text)))
        run.timed("repair", t0)
        new_review = check(fixed)
        if _acceptable(text, review, fixed, new_review):
            text, review = fixed, new_review
    return text, review, done


# ---------------------------------------------------------------------- the pipeline
def _notes(profile: Profile, retrieval: Retrieval, review: Any, rounds: int) -> list[Said]:
    """The draft's notes, each in both languages (writer/data/messages.toml)."""
    notes = [retrieval.note] if retrieval.note else []
    if any(r.fallback for r in retrieval.refs):
        types = sorted({r.type for r in retrieval.refs if r.fallback})
        notes.append(say("draft.fallback_refs",
                         {"type": type_name(profile.type, "zh"), "types": type_names(types, "zh")},
                         type=profile.type, types=", ".join(types)))
    remaining = len(error_findings(review))
    if remaining:
        notes.append(say("draft.errors_remain", errors=remaining, rounds=rounds))
    return notes


def draft(profile: Profile, *, backend: Backend, year: int | None = None,
          settings: Any = None, retrieve: bool = True, repair_rounds: int = DEFAULT_REPAIR_ROUNDS,
          on_stage: StageFn | None = None, on_delta: OnDelta | None = None,
          facts: YearFacts | None = None, retriever: Callable[..., list] | None = None,
          reviewer: Callable[..., Any] | None = None, today: Any = None,
          on_event: EventFn | None = None) -> DraftResult:
    """Draft a plan for `profile`. `year` defaults to the profile's, else next year.
    `on_stage` hears (stage, detail); `on_event` hears typed DraftEvents, sections included."""
    started = time.perf_counter()
    year = year or profile.year or next_year(today)
    t0 = time.perf_counter()
    _stage_fn(on_stage, on_event)("facts", str(year))
    brief = Brief(profile, year, facts or year_facts(year))
    run = _Run(brief, backend, on_stage, on_delta, on_event)
    run.timed("facts", t0)
    retrieval = Retrieval(profile, year, settings=settings, retriever=retriever, enabled=retrieve)
    outline = make_outline(run, retrieval)
    text = expand(run, outline, retrieval)
    text, review, rounds = review_and_repair(run, text, rounds=max(0, repair_rounds),
                                             reviewer=reviewer or _default_reviewer,
                                             settings=settings)
    run.on_event(DraftEvent("done", "done", f"{len(text)} characters"))
    return DraftResult(
        text=text, backend=backend.name, model=backend.model, year=year, type=profile.type,
        retrieved=retrieval.refs, review=review, rounds=rounds, usage=run.usage,
        seconds=time.perf_counter() - started, notes=_notes(profile, retrieval, review, rounds),
        timings=run.timings, outline=outline, prompts=run.messages_log, retries=run.retries)


def next_year(today: Any = None) -> int:
    import datetime as _dt

    return (today or _dt.date.today()).year + 1
