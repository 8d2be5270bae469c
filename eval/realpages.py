"""Scoring for `ghplan eval realpages`: cleaning, labelling and review measured on labelled real pages.

Pure functions only: a labelled page (`LabelledPage`) and what ghplan did with it (`Observed`,
filled by eval/realpages_run.py) go in, numbers come out. The definitions follow the dev set's
"How to score" (../shared/devset/README.md):

- strings are compared after NFKC with all whitespace dropped (`norm`);
- boilerplate *removed by cleaning*: a snippet of ≥ 4 normalised characters that no longer occurs
  in the page's cleaned documents, concatenated; shorter snippets are not scored for cleaning;
- boilerplate / stale *found by review*: some finding's [start, end) overlaps the snippet's first
  occurrence in the raw text (a finding of any severity counts);
- stale *reported by cleaning*: the snippet's first occurrence overlaps a reported stale span, or
  its text contains / is contained in a reported stale text;
- a heading is *kept* when its first 8 characters, its marker (一、 (一) 1、 # ** …) stripped,
  occur in the cleaned text. The marker is the numbering and the Markdown around it: a bold
  heading's closing ** goes with its opening one (`1. **完善组织架构**` → 完善组织架构), `1、` is a
  marker even when a digit follows (`1、20…`), and an English page's `I.` / `(a)` are markers too;
- a heading is keyed on its *real* text: the page's labelled boilerplate snippets that lie inside
  it (pinyin mojibake 字(pīn), a placeholder 20__ / xx, a spun word) are dropped from it first,
  longest first, as the label rules say those substrings are not part of the document. Keying on
  the rot itself would make this measure demand the very characters the boilerplate measure asks
  cleaning to remove (both cannot hold); the literal key (damage kept) is still reported beside it
  as `literal_kept` so the two readings can be compared. A pinyin token 字(pīn) is the real
  character plus its damage, so only the bracket goes; a heading that is nothing but labelled rot
  has no real text and is left out, like a bare marker;
- *content kept*: the characters outside every boilerplate snippet that still occur, in order,
  in the cleaned text (their longest common subsequence), as a share of all of them. Every page
  counts, whatever its language: a page the labels treat as content (an English translation of a
  plan, say) that cleaning drops loses all its characters here, even if dropping it is right for
  ghplan's corpus; it is not all-boilerplate (that is site chrome, by the README), so it also
  counts as *rejected*;
- an *all-boilerplate* page (fewer than ALL_BOILERPLATE_CHARS letters outside its snippets, or
  under ALL_BOILERPLATE_SHARE of its characters) must yield no document; a page with real content that yields none is *rejected*.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ghplan.eval.realpages_families import boilerplate_family, stale_family

MIN_CLEANING_SNIPPET = 4        # normalised characters; shorter snippets are not scored for cleaning
HEADING_KEY = 8                 # a heading is matched by its first 8 characters
ALL_BOILERPLATE_CHARS = 60      # fewer letters (Chinese or other) outside the snippets: all-boilerplate
ALL_BOILERPLATE_SHARE = 0.10    # … or less than this share of the page's characters
_WS = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")
_CN_NUM = "〇零一二三四五六七八九十百"
_ROMAN = "(?:X{0,3}(?:IX|IV|V?I{0,3}))"   # I … XXXIX, upper case only (English headings: "I. Review")
_MARKER = re.compile(
    rf"^(?:#+|\*+|第[{_CN_NUM}\d]+[、,.:]?|[{_CN_NUM}]+[、.]|\([{_CN_NUM}\d]+\)[、.]?|"
    rf"\d+(?:、|\.(?!\d)|\))|[①-⑳]|(?=[IVX]){_ROMAN}\.|\([a-z]\))")
_CLOSING_BOLD = re.compile(r"\*+$")       # the other half of a **bold** heading
_PINYIN_TOKEN = re.compile(r"([^\W\d_])\(([a-zü\u00e0-\u01dc]+)\)")   # 字(pīn), normalised


@dataclass(frozen=True)
class LabelledPage:
    """One dev-set record: its raw text and what a careful reader marked in it."""
    id: str
    text: str
    org_type: str
    doc_kind: str
    boilerplate: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "LabelledPage":
        return cls(id=str(rec["id"]), text=rec["text"], org_type=rec["org_type"], doc_kind=rec["doc_kind"],
                   boilerplate=tuple(rec.get("boilerplate") or ()), stale=tuple(rec.get("stale") or ()),
                   sections=tuple(rec.get("sections") or ()))


@dataclass
class Observed:
    """What corpus inspect and review made of one page (offsets into the raw text)."""
    documents: list[str] = field(default_factory=list)      # cleaned document texts
    org_type: str = ""
    doc_kind: str = ""
    stale: list[tuple[str, int, int]] = field(default_factory=list)    # cleaning's reported stale
    findings: list[tuple[int, int, str]] = field(default_factory=list)  # review: start, end, category
    inspect_error: str = ""
    review_error: str = ""


# --- the string rules ------------------------------------------------------------------------

def norm(s: str) -> str:
    """NFKC, then every whitespace character dropped."""
    return _WS.sub("", unicodedata.normalize("NFKC", s))


def first_span(text: str, snippet: str) -> tuple[int, int] | None:
    """[start, end) of the snippet's first occurrence in the raw text, None when absent."""
    i = text.find(snippet) if snippet else -1
    return (i, i + len(snippet)) if i >= 0 else None


def overlaps(spans: Iterable[tuple[int, int]], span: tuple[int, int] | None) -> bool:
    """Does any [start, end) in `spans` overlap `span`? (An empty span overlaps nothing.)"""
    if span is None or span[1] <= span[0]:
        return False
    return any(s < span[1] and span[0] < e and s < e for s, e in spans)


def heading_key(heading: str) -> str:
    """The heading's first HEADING_KEY characters, normalised, its numbering marker stripped."""
    h = norm(heading)
    for _ in range(3):                      # e.g. "**一、", "### 1." or "1. **"
        stripped = _MARKER.sub("", h, count=1)
        if stripped == h:
            break
        h = stripped
    if h != norm(heading) or h.startswith("*"):
        h = _CLOSING_BOLD.sub("", h)        # "1. **完善组织架构**": the bold mark closes too
    return h[:HEADING_KEY]


def without_rot(heading: str, rot: Iterable[str] = ()) -> str:
    """The heading, normalised, with the labelled boilerplate snippets inside it dropped (longest
    first). A pinyin-mojibake snippet 字(pīn) is the real character plus the damage, so only the
    bracketed pinyin goes; a heading that is all rot comes back empty."""
    real = norm(heading)
    for snip in sorted({norm(r) for r in rot if r}, key=len, reverse=True):
        if snip in real:
            m = _PINYIN_TOKEN.fullmatch(snip)
            real = real.replace(snip, m.group(1) if m else "")
    return real


def heading_kept(heading: str, cleaned_norm: str, rot: Iterable[str] = ()) -> bool | None:
    """True/False; None when nothing is left of the heading once its marker is stripped.
    `rot`: the page's boilerplate snippets, dropped from the heading before it is keyed."""
    key = heading_key(without_rot(heading, rot))
    return (key in cleaned_norm) if key else None


def removed_by_cleaning(snippet: str, cleaned_norm: str) -> bool | None:
    """True when the snippet no longer occurs; None when it is too short to score."""
    s = norm(snippet)
    if len(s) < MIN_CLEANING_SNIPPET:
        return None
    return s not in cleaned_norm


def stale_reported(snippet: str, span: tuple[int, int] | None, reported: Sequence[tuple[str, int, int]]) -> bool:
    if overlaps(((s, e) for _, s, e in reported if s >= 0), span):
        return True
    s = norm(snippet)
    return bool(s) and any(s in norm(t) or (norm(t) and norm(t) in s) for t, _, _ in reported)


# --- content kept ----------------------------------------------------------------------------

def content_segments(text: str, snippets: Iterable[str]) -> list[str]:
    """The raw text outside every occurrence of every snippet, as normalised runs in order."""
    mask = bytearray(len(text))
    for snip in snippets:
        if not snip:
            continue
        i = text.find(snip)
        while i >= 0:
            mask[i:i + len(snip)] = b"\x01" * len(snip)
            i = text.find(snip, i + 1)
    runs: list[str] = []
    start = None
    for i, m in enumerate(mask):
        if not m and start is None:
            start = i
        elif m and start is not None:
            runs.append(text[start:i])
            start = None
    if start is not None:
        runs.append(text[start:])
    return [r for r in (norm(x) for x in runs) if r]


def kept_in_order(segments: Sequence[str], cleaned_norm: str) -> int:
    """How many characters of `segments` (joined, in order) still occur in order in
    `cleaned_norm`: the length of their longest common subsequence.

    Bit-parallel (Hyyrö 2004): one big integer holds a row of the LCS table, one step per
    character of the content, so a page of several thousand characters takes milliseconds.
    """
    content = "".join(segments)
    if not content or not cleaned_norm:
        return 0
    masks: dict[str, int] = {}
    for i, ch in enumerate(cleaned_norm):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(cleaned_norm)) - 1
    row = full
    for ch in content:
        u = row & masks.get(ch, 0)
        row = ((row + u) | (row - u)) & full
    return len(cleaned_norm) - bin(row).count("1")


def content_chars(segments: Sequence[str]) -> int:
    return sum(len(s) for s in segments)


def is_all_boilerplate(segments: Sequence[str], page_text: str) -> bool:
    """Nearly nothing but labelled boilerplate: few letters left, or a small share of the page."""
    letters = sum(len(_LETTER.findall(s)) for s in segments)
    total = len(norm(page_text))
    return letters < ALL_BOILERPLATE_CHARS or (total > 0 and content_chars(segments) / total < ALL_BOILERPLATE_SHARE)


# --- one page --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SnippetScore:
    text: str
    family: str
    review: bool                 # found by review (overlap rule)
    cleaning: bool | None        # removed / reported by cleaning; None: not scored (too short)


@dataclass
class PageScore:
    id: str
    org_type: tuple[str, str]            # (label, predicted)
    doc_kind: tuple[str, str]
    documents: int
    all_boilerplate: bool
    boilerplate: list[SnippetScore]
    stale: list[SnippetScore]
    headings: list[tuple[str, bool]]     # (heading, kept); headings with nothing after the marker left out
    content_chars: int
    content_kept: int
    errors: list[str] = field(default_factory=list)
    headings_literal: int = 0            # headings kept by the literal key (labelled rot not dropped)

    @property
    def rejected(self) -> bool:
        """Cleaning failed, or real content yet no document."""
        return any(e.startswith("inspect") for e in self.errors) or (not self.all_boilerplate and self.documents == 0)


def score_page(page: LabelledPage, obs: Observed) -> PageScore:
    failed = bool(obs.inspect_error)
    cleaned = "" if failed else norm("".join(obs.documents))
    spans = [(s, e) for s, e, _ in obs.findings]
    boiler = []
    for snip in page.boilerplate:
        cleaning = removed_by_cleaning(snip, cleaned)
        boiler.append(SnippetScore(snip, boilerplate_family(snip), overlaps(spans, first_span(page.text, snip)),
                                   (False if failed and cleaning is not None else cleaning)))
    stale = []
    for snip in page.stale:
        span = first_span(page.text, snip)
        stale.append(SnippetScore(snip, stale_family(snip), overlaps(spans, span),
                                  stale_reported(snip, span, obs.stale)))
    headings = [(h, bool(k)) for h in page.sections
                if (k := heading_kept(h, cleaned, page.boilerplate)) is not None]
    literal = sum(bool(heading_kept(h, cleaned)) for h, _ in headings)
    segments = content_segments(page.text, page.boilerplate)
    errors = [f"inspect: {obs.inspect_error}"] if obs.inspect_error else []
    errors += [f"review: {obs.review_error}"] if obs.review_error else []
    return PageScore(
        id=page.id, org_type=(page.org_type, obs.org_type or "error"),
        doc_kind=(page.doc_kind, obs.doc_kind or "error"), documents=len(obs.documents),
        all_boilerplate=is_all_boilerplate(segments, page.text), boilerplate=boiler, stale=stale, headings=headings,
        content_chars=content_chars(segments), content_kept=0 if failed else kept_in_order(segments, cleaned),
        errors=errors, headings_literal=literal)


# --- the whole set ---------------------------------------------------------------------------

def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def recall_table(snippets: Sequence[SnippetScore], cleaning_key: str) -> dict[str, Any]:
    """{"snippets", "review_found", "review_recall", "cleaning_scored", <cleaning_key>, "cleaning_recall"}."""
    scored = [s for s in snippets if s.cleaning is not None]
    found = sum(s.review for s in snippets)
    cleaned = sum(bool(s.cleaning) for s in scored)
    return {"snippets": len(snippets), "review_found": found, "review_recall": ratio(found, len(snippets)),
            "cleaning_scored": len(scored), cleaning_key: cleaned, "cleaning_recall": ratio(cleaned, len(scored))}


def by_family(snippets: Sequence[SnippetScore], cleaning_key: str) -> dict[str, dict[str, Any]]:
    families = sorted({s.family for s in snippets})
    return {f: recall_table([s for s in snippets if s.family == f], cleaning_key) for f in families}


def accuracy(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """{"correct", "total", "accuracy", "confusion": {label: {predicted: count}}}."""
    confusion: dict[str, dict[str, int]] = {}
    for label, pred in pairs:
        row = confusion.setdefault(label, {})
        row[pred] = row.get(pred, 0) + 1
    correct = sum(label == pred for label, pred in pairs)
    return {"correct": correct, "total": len(pairs), "accuracy": ratio(correct, len(pairs)),
            "confusion": {k: dict(sorted(v.items())) for k, v in sorted(confusion.items())}}


def worst_misses(pages: Sequence[PageScore], kind: str, per_family: int) -> dict[str, list[dict[str, Any]]]:
    """Per family, the snippets review missed, longest first; ones cleaning also missed before others."""
    out: dict[str, list[tuple]] = {}
    for p in pages:
        for s in getattr(p, kind):
            if not s.review:
                out.setdefault(s.family, []).append((s.cleaning is not True, len(norm(s.text)), p.id, s))
    result: dict[str, list[dict[str, Any]]] = {}
    for fam in sorted(out):
        rows = sorted(out[fam], key=lambda r: (not r[0], -r[1], r[2]))[:per_family]
        result[fam] = [{"id": pid, "text": s.text, "cleaning": s.cleaning} for _, _, pid, s in rows]
    return result


def page_json(p: PageScore) -> dict[str, Any]:
    def counts(snips: Sequence[SnippetScore]) -> dict[str, int]:
        return {"snippets": len(snips), "review": sum(s.review for s in snips),
                "cleaning": sum(bool(s.cleaning) for s in snips)}
    return {"id": p.id, "org_type": list(p.org_type), "doc_kind": list(p.doc_kind), "documents": p.documents,
            "all_boilerplate": p.all_boilerplate, "rejected": p.rejected,
            "boilerplate": counts(p.boilerplate), "stale": counts(p.stale),
            "headings": {"total": len(p.headings), "kept": sum(k for _, k in p.headings)},
            "content": {"chars": p.content_chars, "kept": p.content_kept}, "errors": p.errors}


def summarise(pages: Sequence[PageScore], *, worst: int = 5) -> dict[str, Any]:
    """The whole set's figures: the JSON contract of `ghplan eval realpages --json` (without
    the run's own fields: pages_file, year, seconds)."""
    boiler = [s for p in pages for s in p.boilerplate]
    stale = [s for p in pages for s in p.stale]
    heads = [k for p in pages for _, k in p.headings]
    literal = sum(p.headings_literal for p in pages)
    chars = sum(p.content_chars for p in pages)
    kept = sum(p.content_kept for p in pages)
    allb = [p for p in pages if p.all_boilerplate]
    return {
        "pages": len(pages),
        "boilerplate": {"overall": recall_table(boiler, "cleaning_removed"),
                        "by_category": by_family(boiler, "cleaning_removed")},
        "stale": {"overall": recall_table(stale, "cleaning_reported"),
                  "by_family": by_family(stale, "cleaning_reported")},
        "headings": {"total": len(heads), "kept": sum(heads), "recall": ratio(sum(heads), len(heads)),
                     "literal_kept": literal, "literal_recall": ratio(literal, len(heads))},
        "content": {"chars": chars, "kept": kept, "share": ratio(kept, chars)},
        "org_type": accuracy([p.org_type for p in pages]),
        "doc_kind": accuracy([p.doc_kind for p in pages]),
        "rejected": {"count": sum(p.rejected for p in pages), "ids": [p.id for p in pages if p.rejected]},
        "all_boilerplate": {"pages": [p.id for p in allb],
                            "yielding_documents": [p.id for p in allb if p.documents]},
        "errors": [{"id": p.id, "error": e} for p in pages for e in p.errors],
        "worst_misses": {"boilerplate": worst_misses(pages, "boilerplate", worst),
                         "stale": worst_misses(pages, "stale", worst)},
        "per_page": [page_json(p) for p in pages],
    }
