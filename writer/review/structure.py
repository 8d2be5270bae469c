"""Structure: does the text have a plan's four required roles, and is it a plan at all?

Roles come from heading words (corpus/rules/roles.toml, shared with the corpus pipeline),
whatever the wording; a plan without a guiding heading may still open with its guiding line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter, sub

from ghplan.corpus import doc_kind, label
from ghplan.corpus.headings import find_headings
from ghplan.corpus.model import REQUIRED_ROLES, Heading
from ghplan.corpus.lexicon import summary_phrases
from ghplan.corpus.rules.model import Finding
from ghplan.corpus.rules.normalize import Normalised, normalise
from ghplan.writer.review.rules import review_data, review_rules, say

SECTION_KEYS = ("guiding", "goals", "tasks", "safeguards", "schedule")


@dataclass(frozen=True)
class Outline:
    headings: tuple[Heading, ...]
    roles: tuple[str, ...]          # one per heading
    present: dict[str, bool]        # the JSON contract's "sections"
    role_chars: dict[str, int]      # characters of text under headings of each role
    body_chars: int                 # characters after the title line


@lru_cache(maxsize=1)
def _cues() -> dict:
    return review_data().get("structure_cues", {})


@lru_cache(maxsize=1)
def _label_res() -> dict[str, re.Pattern]:
    # "工作目标：…" / "保障措施:" as a labelled line counts as the section
    return {role: re.compile("(?:" + "|".join(map(re.escape, words)) + r")\s*[:：]")
            for role, words in _cues().get("inline_labels", {}).items()}


def _summary_cues() -> list[str]:
    """Looking-back phrases (roles.toml [kinds], shared with the labeller)."""
    return list(summary_phrases())


def _title_end(text: str) -> int:
    i = len(text) - len(text.lstrip())
    nl = text.find("\n", i)
    return len(text) if nl < 0 else nl


def outline(text: str, headings: list[Heading] | None = None, norm: Normalised | None = None) -> Outline:
    hs = tuple(find_headings(text) if headings is None else headings)
    roles = tuple(label.section_roles(list(hs)))
    title_end = _title_end(text)
    body_chars = max(0, len(text) - title_end)
    # each heading's stretch up to the next (or the end), taken in C; headings come in reading
    # order, so none is negative unless a caller's are out of order (then clamped, as before)
    starts = list(map(attrgetter("start"), hs))
    sizes = list(map(sub, starts[1:] + [len(text)], starts))
    if sizes and min(sizes) < 0:
        sizes = [max(0, n) for n in sizes]
    role_chars = dict.fromkeys(roles, 0)
    for role, n in zip(roles, sizes):
        role_chars[role] += n
    present = {k: k in roles for k in SECTION_KEYS}
    first = hs[0].start if hs else len(text)
    preamble = normalise(text[min(title_end, first):first]).text
    if not present["guiding"] and any(w in preamble for w in _cues().get("guiding_inline", ())):
        present["guiding"] = True
    for role, rx in _label_res().items():
        if not present.get(role):
            norm = norm or normalise(text)
            present[role] = bool(rx.search(norm.text))
    return Outline(hs, roles, present, role_chars, body_chars)


def _finding(rule_id: str, text: str, start: int, end: int, message: tuple[str, str]) -> Finding:
    """`message` is (English, Chinese), as rules.say renders it."""
    r = review_rules()[rule_id]
    return Finding(rule=rule_id, category="structure", severity=r.severity, start=start, end=end,
                   text=text[start:end], message=message[0], message_zh=message[1])


def _first_cue(text: str, cues: list[str], norm: Normalised | None = None) -> tuple[int, int]:
    """Span of the earliest looking-back phrase, for pointing at why it reads as a summary."""
    norm = norm or normalise(text)
    best = None
    for cue in cues:
        i = norm.text.find(cue)
        if i >= 0 and (best is None or i < best[0]):
            best = (i, i + len(cue))
    return norm.span(*best) if best else (0, 0)


def check(text: str, ol: Outline | None = None, norm: Normalised | None = None) -> list[Finding]:
    ol = ol or outline(text, norm=norm)
    out: list[Finding] = []
    kind = doc_kind.infer_doc_kind(text)
    summary_cues = _summary_cues()
    if kind in ("summary", "mixed"):
        s, e = _first_cue(text, summary_cues, norm)
        if kind == "summary":
            out.append(_finding("GH-STRUCT-SUMMARY", text, s, e, say("struct_summary")))
        else:
            out.append(_finding("GH-STRUCT-MIXED", text, s, e, say("struct_mixed")))
    for role in REQUIRED_ROLES:
        if not ol.present[role]:
            rule_id = f"GH-STRUCT-MISSING-{role.upper()}"
            rule = review_rules()[rule_id]
            out.append(_finding(rule_id, text, 0, 0, say("struct_missing", {"reason": rule.message_zh},
                                                         role=role, reason=rule.reason)))
    share_min = float(_cues().get("tasks_min_share", 0.4))
    tasks = ol.role_chars.get("tasks", 0)
    if ol.present["tasks"] and ol.body_chars >= int(_cues().get("min_chars", 400)) \
            and tasks < share_min * ol.body_chars:
        h = next(h for h, r in zip(ol.headings, ol.roles) if r == "tasks")
        out.append(_finding("GH-STRUCT-TASKS-THIN", text, h.start, h.end,
                            say("struct_tasks_thin", share=tasks * 100 // max(1, ol.body_chars),
                                min=int(share_min * 100))))
    return out
