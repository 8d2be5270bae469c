"""Cut clean corpus documents into heading-aware chunks for the index.

A chunk is one section of a plan (or a run of small sibling sections, or a slice of a long one)
with its heading path. Why this shape:
- Retrieval is asked for "the goals sections of school plans": a chunk must carry one role and
  one org type, so chunks never cross a top-level heading or a role boundary.
- Task items are often one line ("1、进一步增强维护意识；"); embedded alone they are noise, so
  small siblings under the same parent are merged up to `min_chars`.
- m3e-small reads at most 512 tokens (about one per Chinese character); longer sections are
  split at sentence ends, and the full-width stop (。！？；) stays with its sentence.
- Ids are content hashes of exactly what gets embedded, so a rebuild re-embeds only what changed.

This module is pure: no model, no chromadb. Stale detection is passed in (see `StaleFn`) so the
chunker does not care which year a plan is for.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from ghplan.writer.errors import GhplanError
from ghplan.corpus.model import Document, Section

MIN_CHARS = 80      # below this a chunk says too little to embed on its own
MAX_CHARS = 400     # body budget; with the heading prefix it stays under m3e's 512 tokens
MIN_KEEP = 24       # a chunk shorter than this after merging is a bare heading: dropped
PATH_SEP = " > "

# A sentence ends at a full-width (or ASCII) stop, possibly followed by closing quotes/brackets,
# which belong to the sentence they close. A newline also ends a unit.
_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)\]]*|\n|$)")


@dataclass(frozen=True)
class StaleRef:
    """A dated reference found in a chunk: the words and the last year they are current in.

    `until == 0` means "dated but with no end year known": treated as stale whenever the
    stale function says so (stale=True) at the build's target year.
    """
    text: str
    until: int = 0
    stale: bool = True


# text -> the stale references in it, judged for the build's target year
StaleFn = Callable[[str], Sequence[StaleRef]]

NEVER = 9999   # current_until for text with no dated reference


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str                 # what is shown: the chunk's own headings and body
    embed_text: str           # what is embedded and lexically indexed: heading path + text
    heading: str              # the deepest heading common to the chunk
    heading_path: tuple[str, ...]
    doc_id: str
    source: str
    title: str
    org_type: str
    doc_kind: str
    role: str
    plan: bool                # False: summary material (looking back), never drafted from
    stale: bool               # holds a reference stale at the build's target year
    stale_refs: tuple[str, ...] = ()
    current_until: int = NEVER   # last plan year for which every dated reference is current
    duplicate_group: str = ""    # doc_id of the kept document of its near-duplicate group
    position: int = 0            # order within its document
    origin: str = "seed"         # "seed" (bundled 范文) or "user" (the user's own plans)
    org: str = ""                # the organisation its document names (title or signature)

    def metadata(self) -> dict[str, str | int | bool]:
        """Flat scalar metadata for chromadb `where` filters (no lists, no None)."""
        return {
            "doc_id": self.doc_id, "source": self.source, "title": self.title[:200],
            "org_type": self.org_type, "doc_kind": self.doc_kind, "role": self.role,
            "heading": self.heading, "heading_path": PATH_SEP.join(self.heading_path),
            "plan": self.plan, "stale": self.stale, "stale_refs": "、".join(self.stale_refs),
            "current_until": self.current_until, "duplicate_group": self.duplicate_group,
            "position": self.position, "chars": len(self.text),
            "origin": self.origin, "org": self.org[:200],
        }


@dataclass
class _Unit:
    """One section (or a slice of one) on its way to becoming a chunk."""
    path: tuple[str, ...]
    role: str
    plan: bool
    lines: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(x) for x in self.lines)


def content_id(embed_text: str) -> str:
    return hashlib.sha256(embed_text.encode("utf-8")).hexdigest()[:32]


def split_sentences(text: str) -> list[str]:
    """Sentences with their closing punctuation kept; blank pieces dropped."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def pack_sentences(sentences: Iterable[str], max_chars: int) -> list[str]:
    """Greedy packing of whole sentences into pieces of at most max_chars.

    A single sentence longer than max_chars (the one-line pages have some) is cut hard, since
    an over-long input would be silently truncated by the model anyway.
    """
    pieces: list[str] = []
    cur = ""
    for s in sentences:
        while len(s) > max_chars:
            if cur:
                pieces.append(cur)
                cur = ""
            pieces.append(s[:max_chars])
            s = s[max_chars:]
        if cur and len(cur) + len(s) > max_chars:
            pieces.append(cur)
            cur = ""
        cur += s
    if cur:
        pieces.append(cur)
    return pieces


def _section_path(sec: Section) -> tuple[str, ...]:
    path = tuple(p.strip() for p in (sec.path or []) if p and p.strip())
    if not path and sec.heading.strip():
        path = (sec.heading.strip(),)
    return path


def _section_units(sections: Sequence[Section], max_chars: int) -> list[_Unit]:
    """One unit per section (heading line + body), long bodies sliced at sentence ends."""
    units: list[_Unit] = []
    for sec in sections:
        path = _section_path(sec)
        heading = sec.heading.strip()
        body = sec.text.strip()
        if not heading and not body:
            continue
        pieces = pack_sentences(split_sentences(body), max_chars) if body else []
        if not pieces:
            units.append(_Unit(path, sec.role, sec.plan, [heading]))
            continue
        for i, piece in enumerate(pieces):
            # the heading line goes with the first slice; later slices carry it in the path
            lines = [heading, piece] if heading and i == 0 else [piece]
            units.append(_Unit(path, sec.role, sec.plan, lines))
    return units


def _top(path: tuple[str, ...]) -> str:
    return path[0] if path else ""


def _mergeable(a: _Unit, b: _Unit, max_chars: int) -> bool:
    """Merge only within one top-level section, one role, one plan/summary part."""
    return (_top(a.path) == _top(b.path) and a.role == b.role and a.plan == b.plan
            and a.size + b.size <= max_chars)


def _join(a: _Unit, b: _Unit) -> _Unit:
    return _Unit(_common_prefix(a.path, b.path), a.role, a.plan, a.lines + b.lines)


def merge_small(units: list[_Unit], min_chars: int, max_chars: int,
                min_keep: int = 0) -> list[_Unit]:
    """Merge small units into neighbours that share their top-level section and role.

    Forward first (a heading-only unit joins the body that follows it), then backward (a small
    last item joins the item before it). What is still below `min_keep` is dropped: a bare
    heading or a stray "具体工作要点:" tells a drafter nothing.
    """
    fwd: list[_Unit] = []
    for u in units:
        if fwd and fwd[-1].size < min_chars and _mergeable(fwd[-1], u, max_chars):
            fwd[-1] = _join(fwd[-1], u)
        else:
            fwd.append(_Unit(u.path, u.role, u.plan, list(u.lines)))
    out: list[_Unit] = []
    for u in fwd:
        if out and u.size < min_chars and _mergeable(out[-1], u, max_chars):
            out[-1] = _join(out[-1], u)
        else:
            out.append(u)
    return [u for u in out if u.size >= min_keep]


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    # keep at least the top-level heading (merging never crosses it)
    return a[: max(n, 1 if a else 0)]


def _fallback_sections(doc: Document) -> list[Section]:
    """A document with no headings is one untitled section of role 'other'."""
    plan = doc.doc_kind == "plan"
    return [Section(heading="", level=0, role="other", plan=plan, text=doc.text, path=[])]


def chunk_document(doc: Document, stale_fn: StaleFn | None = None,
                   min_chars: int = MIN_CHARS, max_chars: int = MAX_CHARS,
                   duplicate_group: str = "") -> list[Chunk]:
    sections = doc.sections or _fallback_sections(doc)
    units = merge_small(_section_units(sections, max_chars), min_chars, max_chars,
                        min_keep=min(MIN_KEEP, min_chars))
    chunks: list[Chunk] = []
    for pos, u in enumerate(units):
        text = "\n".join(x for x in u.lines if x)
        # the embedded text names the path the chunk's own lines do not already show
        context = [p for p in u.path if p not in u.lines]
        embed_text = (PATH_SEP.join(context) + "\n" + text) if context else text
        refs = list(stale_fn(text)) if stale_fn else []
        stale_now = [r for r in refs if r.stale]
        # the last plan year every reference is current in; a stale reference without an end
        # year makes the chunk unusable for any year (0)
        untils = [r.until if r.until else (0 if r.stale else NEVER) for r in refs]
        chunks.append(Chunk(
            id=content_id(embed_text), text=text, embed_text=embed_text,
            heading=u.path[-1] if u.path else "", heading_path=u.path,
            doc_id=doc.doc_id, source=doc.source, title=doc.title,
            org_type=doc.org_type or "other", doc_kind=doc.doc_kind, role=u.role,
            # a summary document has no plan material whatever its sections say
            plan=bool(u.plan) and doc.doc_kind != "summary",
            stale=bool(stale_now), stale_refs=tuple(dict.fromkeys(r.text for r in stale_now)),
            current_until=min(untils, default=NEVER),
            duplicate_group=duplicate_group or doc.doc_id, position=pos,
            origin=getattr(doc, "origin", "seed") or "seed", org=getattr(doc, "org", "") or "",
        ))
    return chunks


def chunk_documents(docs: Iterable[Document], stale_fn: StaleFn | None = None,
                    min_chars: int = MIN_CHARS, max_chars: int = MAX_CHARS,
                    include_duplicates: bool = False) -> list[Chunk]:
    """Chunks of every kept document; ids unique (first occurrence wins).

    Near-duplicate documents (duplicate_of set) are skipped by default: their content is in the
    kept copy, and indexing both would only feed MMR near-copies to throw away.
    """
    out: list[Chunk] = []
    seen: set[str] = set()
    for doc in docs:
        if doc.duplicate_of and not include_duplicates:
            continue
        group = doc.duplicate_of or doc.doc_id
        for c in chunk_document(doc, stale_fn, min_chars, max_chars, duplicate_group=group):
            if c.id in seen:
                continue
            seen.add(c.id)
            out.append(c)
    return out


def corpus_fingerprint(chunks: Iterable[Chunk]) -> str:
    """One hash over the chunk ids and their labels: changes when the index would change.
    Origin and organisation count only for the user's chunks, so a seed-only index built before
    they existed keeps its fingerprint."""
    h = hashlib.sha256()
    for key in sorted(f"{c.id}|{c.org_type}|{c.role}|{c.plan}|{c.stale}|{c.current_until}"
                      + (f"|{c.origin}|{c.org}" if c.origin != "seed" else "") for c in chunks):
        h.update(key.encode("utf-8"))
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- the corpus, chunked

def default_year() -> int:
    """Plans are written for next year (the corpus pipeline's default target year too)."""
    import datetime
    return datetime.date.today().year + 1


def stale_fn_for(year: int) -> StaleFn | None:
    """Stale references judged for `year`, from corpus/rules/dated.py; None while it is absent."""
    try:
        from ghplan.corpus.rules import dated  # noqa: F401  (owned by the corpus engineers)
    except ImportError:
        return None
    return _dated_adapter(dated, year)


def _dated_adapter(dated, year: int) -> StaleFn | None:
    """`dated.check(text, year)` gives the Findings stale in `year`; the rule behind each finding
    knows the last year it is current in (`until`), which lets retrieval judge other years."""
    check = getattr(dated, "check", None)
    if check is None:
        return None
    try:
        from ghplan.corpus.rules.engine import default_catalogue
        rules = default_catalogue().by_id
    except Exception:
        rules = {}

    def fn(text: str) -> list[StaleRef]:
        refs = []
        for f in check(text, year):
            rule = rules.get(f.rule)
            until = int(getattr(rule, "until", 0) or 0) if rule else 0
            refs.append(StaleRef(text=f.text, until=until, stale=True))
        return refs
    return fn


def load_corpus(source=None, year: int | None = None, seeds: bool = True):
    """The corpus pipeline's build (kept documents and a report per file); `source` (a folder of
    the user's own plans) is read beside the bundled seeds unless `seeds=False`. A folder in
    which no file could be used is an error naming the skipped files and why."""
    try:
        from ghplan.corpus.pipeline import build_corpus
    except ImportError as exc:
        raise GhplanError(f"the corpus pipeline is not available: {exc}") from None
    try:
        from ghplan.corpus.decode import DecodeError
    except ImportError:
        DecodeError = ValueError  # noqa: N806
    try:
        build = build_corpus(source, year=year, seeds=seeds)
    except (DecodeError, OSError) as exc:   # a bad page is the user's input, not our bug
        raise GhplanError(f"corpus: {exc}") from None
    if source is not None and not build.user_files_used():
        why = build.skipped_summary()
        raise GhplanError(f"corpus {source} yielded no chunks: no file in it could be used"
                          + (f" ({why})" if why else " (no files)"))
    return build


def load_documents(source=None, year: int | None = None, seeds: bool = True) -> list[Document]:
    """The cleaned, labelled, deduplicated corpus documents (the lead's corpus pipeline)."""
    return list(load_corpus(source, year, seeds).documents)


def corpus_chunks(source=None, year: int | None = None, seeds: bool = True) -> list[Chunk]:
    year = year or default_year()
    return chunk_documents(load_documents(source, year, seeds), stale_fn_for(year))
