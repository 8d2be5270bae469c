"""Review a work-plan text: every rule family → one sorted list of findings.

Families: structure (structure.py), boilerplate/placeholders/chatbot/markdown/mojibake (the shared
catalogue), staleness for the plan year (corpus/rules/dated.py), wrong organisation
(orgcheck.py), numbering (numbering.py), copying (copycheck.py). The text is normalised and
matched once; every finding points into the text as given (`text == input[start:end]`).

JSON contract of `ReviewResult.to_json()` (one object per reviewed file):
    {"file", "type", "year",
     "sections": {"guiding", "goals", "tasks", "safeguards", "schedule"},   # bools
     "findings": [{"rule", "category", "severity", "line", "col", "start", "end", "text",
                   "message", "suggestion"}],                                # line/col 1-based
     "summary": {"errors", "warnings", "infos"},
     "declared_type", "declared_from", "body_type"}    # added fields: what the plan names, what its body reads as
`message` is in the result's language, named by the added field "lang" ("en" unless a caller chose:
`to_json(lang=)`, `ReviewResult.lang`; writer/lang.py).
"""
from __future__ import annotations

import bisect
import fnmatch
import functools
import gc
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from ghplan.corpus import label
from ghplan.corpus.headings import find_headings
from ghplan.corpus.model import ORG_TYPES, Heading
from ghplan.corpus.rules import dated
from ghplan.corpus.rules.engine import Match, default_catalogue
from ghplan.corpus.rules.model import SEVERITIES, Finding
from ghplan.corpus.rules.normalize import normalise
from ghplan.writer.review.spans import overlap_test
from ghplan.writer.review import broken, generated, numbering, orgcheck, structure
from ghplan.writer.config import Settings
from ghplan.writer.lang import check_lang, pick
from ghplan.writer.review.rules import all_rules, review_data, review_rules

if TYPE_CHECKING:
    from ghplan.writer.review.copycheck import CopyIndex

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
# A marker on a line silences that line (or, -next-line, the one below); ids narrow it.
_MARKER = re.compile(
    r"(?:<!--\s*)?ghplan(?P<kind>-disable-next-line|-disable-line|:\s*ignore|:\s*disable)"
    r"(?P<ids>(?:[\s:,]+GH-[A-Z0-9-]+)*)\s*(?:-->)?")


class ReviewError(ValueError):
    """Bad arguments to a review (unknown org type, year outside the table)."""


@dataclass
class ReviewResult:
    file: str
    text: str = field(repr=False)
    org_type: str
    org_type_inferred: bool
    year: int
    year_source: str                  # given | title | default
    sections: dict[str, bool]
    findings: list[Finding]
    encoding: str = "utf-8"
    declared_type: str | None = None  # the type the title, --type, --org or a profile names
    declared_from: str | None = None  # type | org | profile | title
    body_type: str = "other"          # the type the body's vocabulary reads as
    # how the file was read (corpus.read.ReadResult): a Word or PDF file adds `paragraph` per finding
    read: Any = field(default=None, repr=False, compare=False)
    lang: str = "en"                  # the language of `message` in to_json (writer/lang.py)

    def counts(self) -> dict[str, int]:
        c = {"errors": 0, "warnings": 0, "infos": 0}
        for f in self.findings:
            c[f.severity + "s"] += 1
        return c

    @property
    def errors(self) -> int:
        return self.counts()["errors"]

    @cached_property
    def lines(self) -> "LineIndex":
        return LineIndex(self.text)

    def line_col(self, offset: int) -> tuple[int, int]:
        return self.lines.line_col(offset)

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        """The JSON contract above; `message` in `lang` (zh or en, default the result's own
        `lang`), the English one where a finding has no Chinese."""
        lang = check_lang(lang) if lang else self.lang
        idx = self.lines
        findings = []
        for f in self.findings:
            line, col = idx.line_col(f.start)
            row = {"rule": f.rule, "category": f.category, "severity": f.severity,
                   "line": line, "col": col, "start": f.start, "end": f.end, "text": f.text,
                   "message": pick(lang, f.message, f.message_zh), "suggestion": f.suggestion}
            if self.read is not None and self.read.format != "text":
                row["paragraph"] = self.read.paragraph_at(f.start)    # added field: where in the document
            findings.append(row)
        return {"file": self.file, "type": self.org_type, "year": self.year,
                "sections": dict(self.sections), "findings": findings, "summary": self.counts(),
                "declared_type": self.declared_type, "declared_from": self.declared_from,
                "body_type": self.body_type, "lang": lang}


class LineIndex:
    """Offsets -> 1-based (line, column), column counted in characters."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


# ---------------------------------------------------------------------------- arguments
def resolve_year(text: str, year: int | None, today: date | None = None) -> tuple[int, str]:
    """The plan year: as given, else the title's (when the table covers it), else next year."""
    lo, hi = dated.year_range()
    if year is not None:
        if not lo <= year <= hi:
            raise ReviewError(f"year {year} is out of range: ghplan knows plan years {lo}–{hi}")
        return year, "given"
    for y in dated.title_years(text):
        if lo <= y <= hi:
            return y, "title"
    return (today or date.today()).year + 1, "default"


def resolve_type(text: str, org_type: str | None) -> tuple[str, bool]:
    if org_type is not None:
        if org_type not in ORG_TYPES and org_type != "other":   # "other": inferred, nothing to check
            raise ReviewError(f"unknown type {org_type!r}: use one of {', '.join(ORG_TYPES)}")
        return org_type, False
    return label.infer_org_type(text), True


def resolve_declared(text: str, org_type: str | None, org_name: str | None = None,
                     profile_name: str | None = None) -> tuple[str, bool, "orgcheck.Declared | None", str]:
    """(type reviewed by, inferred?, what the plan declares, what its body reads as).

    The organisation a plan names wins: --type, else --org, else a profile's name, else its title
    line; only a plan that names none is reviewed by the type its body reads as.
    """
    body = label.infer_org_type(text)
    # with no type given, the type reviewed by is the body's (one labelling pass, not two)
    org, inferred = (body, True) if org_type is None else resolve_type(text, org_type)
    decl = orgcheck.declared(text, org_type, org_name, profile_name)
    if decl is not None and inferred:
        # a type read from the title is still read from the text; --org or a profile gives it
        org, inferred = decl.org_type, decl.source == "title"
    return org, inferred, decl, body


# ---------------------------------------------------------------------------- families
@lru_cache(maxsize=1)
def _fix_policy() -> tuple[frozenset[str], frozenset[str]]:
    fix = review_data().get("fix", {})
    return frozenset(fix.get("categories", ())), frozenset(fix.get("skip", ()))


def _keeps_heading(text: str, f: Finding) -> bool:
    """A Markdown heading mark may go only if its line is still a heading without it
    ("## 二、工作目标"): deleting the mark of "## 工作目标" would turn the heading into a plain
    line and lose its section, so `--fix` would add a missing-section error. Left to a person."""
    if f.rule != "GH-MD-HEADING":
        return True
    end = text.find("\n", f.end)
    line = text[f.end:len(text) if end < 0 else end]
    return any(h.start == 0 for h in find_headings(line))


# "## 一、指导思想": the mark hides a numbered heading (an unnumbered "## 指导思想" is a heading as it is)
_MD_HEADING = re.compile(r"(?m)^[ \t]*#{1,6}[ \t]*(?=[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.、．])")
_EXAMPLES = re.compile(r"[(（]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]")


def plan_headings(text: str) -> list[Heading]:
    """The headings review reads the plan by: "## 一、…" is 一、 (the mark blanked). A text
    without "#" has no such mark: one find in C, where the pattern, led by ^ under MULTILINE,
    is tried at every position (~1.5 ms a megabyte)."""
    return find_headings(_MD_HEADING.sub(lambda m: " " * len(m.group()), text) if "#" in text else text)


@lru_cache(maxsize=4096)     # a pure function of two strings; a long text repeats its pairs
def fit_message(message: str, matched: str) -> str:
    """A rule's message names its examples in brackets (一起来看看吧, 快来看看); when what was
    matched is none of them (仅供参考), the brackets name what was matched instead."""
    m = _EXAMPLES.search(message)
    if not m or not matched.strip():
        return message
    examples = [e.strip(" …….。") for e in re.split(r"[,，、/]|\s+or\s+", m.group(1))]
    seen = normalise(matched).text
    if any(e and (e in seen or seen in e) for e in examples):
        return message
    one = " ".join(matched.split())
    one = one if len(one) <= 20 else one[:19] + "…"
    left, right = ("（", "）") if m.group().startswith("（") else ("(", ")")
    return message[:m.start()] + f"{left}“{one}”{right}" + message[m.end():]


def _matched(norm: str, text: str) -> tuple[list[Match], list[Match]]:
    """(the shared catalogue's hits, generated.py's), from one match of both catalogues; the
    shared hits are those `default_catalogue().match(norm, original=text)` makes, as long as
    the review rules leave its rules' readings alone (they yield to none of them). The dated
    rules whose hits neither reader takes (dated.check reads years itself; _catalogue_findings
    leaves dated rules to it) are not matched."""
    both, own = generated.with_shared()
    hits = both.match(norm, original=text, skip=dated.unread_rules())
    return [h for h in hits if h.rule.id not in own], [h for h in hits if h.rule.id in own]


def _catalogue_findings(text: str, norm, hits) -> list[Finding]:
    """Boilerplate and damage: fixable when deleting it is certain (see review.toml [fix])."""
    cats, skip = _fix_policy()
    out = []
    for f in default_catalogue().scan(text, norm, hits=[h for h in hits if h.rule.category != dated.CATEGORY]):
        fixable = f.category in cats and f.rule not in skip and _keeps_heading(text, f)
        # built directly: dataclasses.replace costs ~5x a constructor, once per finding
        out.append(Finding(f.rule, f.category, f.severity, f.start, f.end, f.text,
                           fit_message(f.message, f.text), f.suggestion, fixable, f.dated,
                           fit_message(f.message_zh, f.text)))
    return out


@lru_cache(maxsize=1)
def _supersedes() -> dict[str, tuple[str, ...]]:
    """Rule id -> the rules it replaces at the same place, for the few rules that replace any."""
    return {rid: tuple(r.extra["supersedes"]) for rid, r in review_rules().items() if r.extra.get("supersedes")}


def _superseded(findings: list[Finding]) -> list[Finding]:
    """A specific rule replaces a generic one at the same place (GH-NUM-STRAY-DOT over GH-STRAY-DOT);
    a finding made twice (same rule and span) is kept once."""
    table = _supersedes()
    rules = list(map(attrgetter("rule"), findings))
    if table.keys().isdisjoint(rules):     # the usual case, told in C: no replacing rule, so only
        keys = set(zip(rules, map(attrgetter("start"), findings), map(attrgetter("end"), findings)))
        if len(keys) == len(findings):     # repeats to drop, and here none
            return list(findings)
    spans: dict[tuple[int, int], set[str]] = {}
    for f in findings:
        if f.rule in table:
            spans.setdefault((f.start, f.end), set()).update(table[f.rule])
    seen: set[tuple[str, int, int]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.start, f.end)
        if key in seen or (spans and f.rule in spans.get((f.start, f.end), ())):
            continue
        seen.add(key)
        out.append(f)
    return out


def _matches(pattern: str, f: Finding) -> bool:
    return pattern == f.rule or pattern == f.category or fnmatch.fnmatchcase(f.rule, pattern)


def apply_settings(findings: list[Finding], settings: Settings) -> list[Finding]:
    """Config: disabled rules (ids, categories or globs like GH-MD-*) and severity overrides."""
    if not settings.review_disable and not settings.review_severity:
        return list(findings)          # the default: nothing to test each finding against
    out = []
    for f in findings:
        if any(_matches(p, f) for p in settings.review_disable):
            continue
        sev = next((s for p, s in settings.review_severity.items() if p == f.rule), None) \
            or next((s for p, s in settings.review_severity.items() if _matches(p, f)), None)
        if sev in ("off", "none"):
            continue
        out.append(replace(f, severity=sev) if sev in SEVERITY_RANK else f)
    return out


def validate_settings(settings: Settings) -> list[str]:
    """Problems with the review part of a config: unknown rule ids, unknown severities."""
    known = set(all_rules())
    cats = {r.category for r in all_rules().values()}
    problems = []
    for p in list(settings.review_disable) + list(settings.review_severity):
        if p not in known and p not in cats and not any(fnmatch.fnmatchcase(r, p) for r in known):
            problems.append(f"unknown rule or category {p!r}")
    for p, s in settings.review_severity.items():
        if s not in SEVERITY_RANK and s not in ("off", "none"):
            problems.append(f"bad severity {s!r} for {p} (use error, warning, info or off)")
    return problems


def silenced_lines(text: str) -> dict[int, frozenset[str] | None]:
    """Line number -> rule ids silenced there (None: all) from inline ghplan markers."""
    out: dict[int, frozenset[str] | None] = {}
    if "ghplan" not in text:    # every marker spells it (a find in C, where the pattern tries each position)
        return out
    idx = None                  # line starts only for a text that holds a marker
    for m in _MARKER.finditer(text):
        idx = idx or LineIndex(text)
        line = idx.line(m.start()) + (1 if m.group("kind") == "-disable-next-line" else 0)
        ids = frozenset(re.findall(r"GH-[A-Z0-9-]+", m.group("ids") or "")) or None
        prev = out.get(line, frozenset())
        out[line] = None if ids is None or prev is None else prev | ids
    return out


def apply_markers(text: str, findings: list[Finding]) -> list[Finding]:
    silenced = silenced_lines(text)
    if not silenced:
        return findings
    idx = LineIndex(text)
    out = []
    for f in findings:
        line = idx.line(f.start)
        if line in silenced and (silenced[line] is None or f.rule in silenced[line]):
            continue
        out.append(f)
    return out


def in_order(findings: list[Finding]) -> list[Finding]:
    """Sorted by (start, end, severity, rule), ties as given. The keys are built by map and zip
    in C, not by a Python key function per finding (a rot-heavy megabyte has ~5,000 findings)."""
    keys = list(zip(map(attrgetter("start"), findings), map(attrgetter("end"), findings),
                    map(SEVERITY_RANK.get, map(attrgetter("severity"), findings), repeat(9)),
                    map(attrgetter("rule"), findings)))
    return [findings[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]


def _no_cycle_collection(fn):
    """A review makes ~10^5 small objects a megabyte (hits, spans, findings) that reference
    counting frees; the cyclic collector would still walk the heap every ~700 allocations
    (10-20% of a long review). Paused while `fn` runs, resumed after if it was on."""
    @functools.wraps(fn)
    def paused(*args, **kwargs):
        was_on = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_on:
                gc.enable()
    return paused


@_no_cycle_collection
def review_text(text: str, *, org_type: str | None = None, year: int | None = None,
                settings: Settings | None = None, corpus_index: "CopyIndex | None" = None,
                file: str = "-", copy: bool = True, today: date | None = None,
                encoding: str = "utf-8", org_name: str | None = None, profile_name: str | None = None,
                length_target: int | None = None) -> ReviewResult:
    """Review one text. `corpus_index` defaults to the bundled corpus (built once per process);
    `copy=False` or a copy_threshold of 0 skips the copy check. `org_name` (--org) and
    `profile_name` name the organisation; `length_target` (characters) is the draft's target."""
    settings = settings or Settings()
    plan_year, year_source = resolve_year(text, year, today)
    org, inferred, decl, body_type = resolve_declared(text, org_type, org_name, profile_name)

    norm = label.normalised(text)        # labelling above normalised it
    hits, own_hits = _matched(norm.text, text)
    headings = plan_headings(text)
    ol = structure.outline(text, headings, norm)

    findings: list[Finding] = []
    findings += _catalogue_findings(text, norm, hits)
    findings += generated.check(text, norm, findings, hits=own_hits)
    findings += dated.check(text, plan_year, norm, hits)
    findings += structure.check(text, ol, norm)
    on_rot = overlap_test((f.start, f.end) for f in findings)
    findings += [f for f in broken.check(text, ol, norm, length_target=length_target)   # a page's tail of
                 if f.rule != "GH-STRUCT-TRUNCATED" or not on_rot(f.start, f.end)]        # rot is not a cut
    findings += orgcheck.check(text, org, norm, body_type=body_type, decl=decl)
    findings += numbering.check(text, headings)
    if copy and settings.copy_threshold > 0:
        if corpus_index is None:
            from ghplan.writer.review.copycheck import default_index
            corpus_index = default_index()
        findings += corpus_index.check(text, settings.copy_threshold, norm)

    findings = _superseded(findings)
    findings = apply_settings(findings, settings)
    findings = apply_markers(text, findings)
    findings = in_order(findings)
    return ReviewResult(file=file, text=text, org_type=org, org_type_inferred=inferred, year=plan_year,
                        year_source=year_source, sections=ol.present, findings=findings,
                        encoding=encoding, declared_type=decl.org_type if decl else None,
                        declared_from=decl.source if decl else None, body_type=body_type)
