"""Requests → chat messages: fills the templates in prompts/ from a request's typed fields.

All prose is in prompts/*.md and prompts/fragments.toml; this module only picks the pieces and
joins them. Pure functions: a request in, text out.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from ghplan import prompts
from ghplan.writer.draft.requests import (Brief, Message, OutlineRequest, RepairRequest, RewriteRequest,
                                          SectionRequest)

if TYPE_CHECKING:
    from ghplan.corpus.rules.model import Finding
    from ghplan.writer.draft.facts import YearFacts
    from ghplan.writer.draft.profile import Profile
    from ghplan.writer.draft.retrieval import Ref

REF_CHARS = 300          # characters of each retrieved section shown to the model
MAX_FINDINGS = 40        # a repair prompt lists at most this many


frag = prompts.fragment


# ---------------------------------------------------------------------- names
def union_name(org: str) -> str:
    """The signing body: the org as given when it is a union or committee, else its union."""
    names = prompts.fragments()["names"]
    return org if any(w in org for w in names["union_words"]) else org + names["union_suffix"]


def plan_title(profile: "Profile", year: int) -> str:
    return frag("names", "title", union=union_name(profile.org), year=year)


def type_vocab(org_type: str) -> tuple[str, list[str], list[str]]:
    """(Chinese type name, words that belong, words that betray another type)."""
    from ghplan.corpus.label import vocabularies

    v = vocabularies().get(org_type)
    if v is None:
        return org_type, [], []
    return v.name, list(v.belongs), list(v.betray)


# ---------------------------------------------------------------------- pieces
def facts_text(f: "YearFacts") -> str:
    none = frag("facts", "none")
    return prompts.render(
        "facts", guiding=f.guiding, party_congress_name=f.party_congress_name,
        plenums_note=frag("facts", "plenums_note", plenums="、".join(f.plenums)) if f.plenums else "",
        five_year_plan_name=f.five_year_plan_name, five_year_plan=f.five_year_plan,
        fyp_start=f.five_year_plan_span[0], fyp_end=f.five_year_plan_span[1], year=f.year,
        fyp_stage=f.fyp_stage, union_congress_name=f.union_congress_name, study_line=f.study_line(),
        campaigns="、".join(f.campaigns) or none, recent_campaigns="、".join(f.recent_campaigns) or none,
        stale="、".join(f.stale) or none).rstrip("\n")


def profile_text(profile: "Profile") -> str:
    lines: list[str] = []
    listed = (("member_count", profile.member_count and str(profile.member_count)),
              ("departments", "、".join(profile.departments)),
              ("achievements", "；".join(profile.achievements)),
              ("priorities", "；".join(profile.priorities)),
              ("events", "；".join(frag("profile", "event", month=e.month, name=e.name)
                                   for e in profile.events)))
    lines += [frag("profile", key, value=value) for key, value in listed if value]
    lines.append(frag("profile", "tone", value=frag("tone", profile.tone)))
    return "\n" + frag("profile", "heading") + "\n\n" + "\n".join(lines)


def details_text(profile: "Profile", role: str) -> str:
    bits: list[str] = []
    if role == "tasks" and profile.departments:
        bits.append(frag("details", "departments", value="、".join(profile.departments[:5])))
    if role in ("tasks", "goals") and profile.priorities:
        bits.append(frag("details", "priorities", value="、".join(profile.priorities)))
    if role == "schedule" and profile.events:
        bits.append(frag("details", "events", value="；".join(
            frag("profile", "event", month=e.month, name=e.name) for e in profile.events)))
    if role == "goals" and profile.member_count:
        bits.append(frag("details", "members", value=profile.member_count))
    return "；".join(bits) or frag("details", "none")


def references_text(refs: Iterable["Ref"]) -> str:
    lines = []
    for i, r in enumerate(refs, 1):
        text = re.sub(r"\s+", " ", r.text).strip()
        if len(text) > REF_CHARS:
            text = text[:REF_CHARS] + frag("references", "excerpt")
        lines.append(frag("references", "item", n=i,
                          type_name=type_vocab(r.type)[0] if r.type else frag("references", "unknown_type"),
                          heading=frag("references", "heading", heading=r.heading) if r.heading else "",
                          text=text))
    return "\n".join(lines) or frag("references", "none")


def written_text(written: Iterable[tuple[str, str]]) -> str:
    lines = [frag("written", "item", heading=h, gist=g) for h, g in written]
    return "\n".join(lines) or frag("written", "none")


def findings_text(text: str, findings: Iterable["Finding"]) -> str:
    """One line per finding, in Chinese: where, which rule, the words, why, what to do."""
    lines = []
    for f in list(findings)[:MAX_FINDINGS]:
        line = text.count("\n", 0, f.start) + 1
        col = f.start - (text.rfind("\n", 0, f.start) + 1) + 1
        hint = (frag("findings", "suggestion", suggestion=f.suggestion) if f.suggestion
                else frag("findings", "delete") if f.fixable else "")
        message = getattr(f, "message_zh", "") or f.message
        lines.append(frag("findings", "item", line=line, col=col, rule=f.rule, text=f.text,
                          message=message, hint=hint))
    return "\n".join(lines)


# ---------------------------------------------------------------------- messages
def system_prompt(brief: Brief) -> str:
    name, belongs, betray = type_vocab(brief.type)
    return prompts.render(
        "system", org=union_name(brief.org), title=plan_title(brief.profile, brief.year),
        type_name=name, year=brief.year, facts=facts_text(brief.facts),
        belongs="、".join(belongs), betray="、".join(betray) or frag("facts", "none"),
        profile=profile_text(brief.profile))


def _chat(brief: Brief, user: str) -> list[Message]:
    return [{"role": "system", "content": system_prompt(brief)}, {"role": "user", "content": user}]


def outline_messages(r: OutlineRequest) -> list[Message]:
    p = r.brief.profile
    user = prompts.render(
        "outline", title=plan_title(p, r.brief.year), type_name=type_vocab(p.type)[0],
        schedule_hint=frag("outline", "schedule_hint") if "schedule" in r.roles else "",
        topic_count=r.topic_count, topics="\n".join(f"- {t.title}" for t in r.suggested),
        priorities="\n".join(f"- {x}" for x in p.priorities) or frag("outline", "no_priorities"),
        references=references_text(r.references))
    return _chat(r.brief, user)


def section_messages(r: SectionRequest) -> list[Message]:
    p = r.brief.profile
    user = prompts.render(
        "section", title=plan_title(p, r.brief.year), where=r.where, outline=r.outline.render(),
        written=written_text(r.written), budget=r.budget, shape=frag("shapes", r.role),
        heading=r.heading, belongs="、".join(type_vocab(p.type)[1]), org=union_name(p.org),
        details=details_text(p, r.role), year=r.brief.year, references=references_text(r.references))
    return _chat(r.brief, user)


def repair_messages(r: RepairRequest) -> list[Message]:
    p = r.brief.profile
    user = prompts.render(
        "repair", title=plan_title(p, r.brief.year), count=len(r.findings), year=r.brief.year,
        belongs="、".join(type_vocab(p.type)[1]), findings=findings_text(r.text, r.findings),
        text=r.text)
    return _chat(r.brief, user)


def rewrite_messages(r: RewriteRequest) -> list[Message]:
    none = frag("facts", "none")
    user = prompts.render(
        "rewrite", title=r.title or plan_title(r.brief.profile, r.brief.year), year=r.brief.year,
        findings=findings_text(r.paragraph, r.findings) or none,
        keep="\n".join(f"- {k}" for k in r.keep) or none, paragraph=r.paragraph)
    return _chat(r.brief, user)
