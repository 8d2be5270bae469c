"""The corpus pipeline: raw page → documents → clean labelled sections.

decode → scan (one pass of the shared rule catalogue) → cut related lists → split compilations
→ strip boilerplate → find headings → sections with roles → label org type and doc kind →
tag stale references → (across pages) drop near-duplicates.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

from ghplan.corpus import clean, dedup, label, split
from ghplan.corpus.doc_kind import infer_doc_kind, plan_part_start
from ghplan.corpus.decode import DecodeError, read_text
from ghplan.corpus.headings import find_headings
from ghplan.corpus.lexicon import cue_words
from ghplan.corpus.model import Document, PageResult, Section, Stale
from ghplan.corpus.org import document_org
from ghplan.corpus.rules.engine import Catalogue, default_catalogue
from ghplan.corpus.rules.model import Finding

MIN_DOC_CJK = 60          # a "document" with fewer Chinese characters than this is debris
_CJK = re.compile(r"[\u4e00-\u9fff]")


def default_year() -> int:
    return date.today().year + 1


def bundled_seeds() -> list[Path]:
    root = resources.files("ghplan.corpus").joinpath("seeds")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


# Conversion damage that splits a stale word apart (新農(nóng)村建設(shè)): the stale check reads the text
# with these spans taken out, and its findings are mapped back onto the page.
_SPLITTING_DAMAGE = ("GH-MOJI-PINYIN",)


def _without_spans(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """`text` with the spans cut out, and for each kept character its index on the page."""
    keep = [True] * len(text)
    for s, e in spans:
        keep[s:e] = [False] * (e - s)
    index = [i for i, k in enumerate(keep) if k]
    return "".join(text[i] for i in index), index


def _stale_findings(text: str, year: int, findings: Iterable[Finding] = ()) -> list[Finding]:
    from ghplan.corpus.rules import dated   # the year logic over the dated rules

    cuts = [(f.start, f.end) for f in findings if f.rule in _SPLITTING_DAMAGE]
    if not cuts:
        return dated.check(text, year)
    view, index = _without_spans(text, cuts)
    out = []
    for f in dated.check(view, year):
        if f.end <= f.start:
            continue
        s, e = index[f.start], index[f.end - 1] + 1
        out.append(replace(f, start=s, end=e, text=text[s:e]))
    return out


def _sections(text: str) -> list[Section]:
    headings = find_headings(text)
    roles = label.section_roles(headings)
    sections: list[Section] = []
    first = headings[0].start if headings else len(text)
    preamble = text[:first].strip()
    if preamble:
        role = "guiding" if any(w in preamble for w in cue_words("guiding_preamble")) else "other"
        sections.append(Section(heading="", level=0, role=role, plan=True, text=preamble, path=[]))
    path: list[tuple[int, str]] = []
    for i, (h, role) in enumerate(zip(headings, roles)):
        nxt = headings[i + 1].start if i + 1 < len(headings) else len(text)
        while path and path[-1][0] >= h.level:
            path.pop()
        path.append((h.level, h.title))
        body = text[h.end:nxt].strip().lstrip("。:：,，.;；、").strip()   # the heading's own stop
        sections.append(Section(heading=h.title, level=h.level, role=role, plan=True,
                                text=body, path=[p for _, p in path]))
    return sections


def _mark_plan_part(doc: Document) -> None:
    """Summary sections are not plan material; in a mixed document, the part from 下半年… is."""
    if doc.doc_kind == "plan":
        return
    cut = plan_part_start(doc.text) if doc.doc_kind == "mixed" else -1
    seen = 0
    in_plan = False
    for s in doc.sections:
        pos = doc.text.find(s.text, seen) if s.text else -1
        if pos >= 0:
            seen = pos
        words = s.heading + s.text[:20]
        if cut >= 0 and (pos >= cut or any(w in words for w in cue_words("plan_part_section"))):
            in_plan = True
        s.plan = in_plan


def _document(title: str, body: str, source: str, index: int, lead: str = "") -> Document | None:
    """`lead`: a short page preamble (the page's title line) kept at the top of the text;
    labels are read from the body alone, never from it."""
    if len(_CJK.findall(body)) < MIN_DOC_CJK:
        return None
    text = f"{lead}\n{body}" if lead else body
    doc = Document(title=title, org_type=label.infer_org_type(body), doc_kind=infer_doc_kind(body),
                   text=text, source=source)
    doc.sections = _sections(text)
    _mark_plan_part(doc)
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    doc.doc_id = f"{Path(source).stem}#{index}-{digest}"
    return doc


def _dominant(values: Iterable[str], weights: Iterable[int], empty: str) -> str:
    tally: dict[str, int] = {}
    for v, w in zip(values, weights):
        tally[v] = tally.get(v, 0) + w
    return max(tally, key=lambda k: tally[k]) if tally else empty


def inspect_text(text: str, source: str = "-", year: int | None = None,
                 catalogue: Catalogue | None = None) -> PageResult:
    """One raw page, on its own. Offsets in `removed` and `stale` point into `text`."""
    year = year or default_year()
    catalogue = catalogue or default_catalogue()
    findings = [f for f in catalogue.scan(text) if f.category != "stale"]
    end = split.related_cut(findings, len(text))
    teasers = [f for f in findings if f.rule.startswith("GH-REL-TEASER")]
    markers = [f for f in findings
               if not any(t.start <= f.start < t.end for t in teasers)]   # titles inside teasers are links
    documents: list[Document] = []
    removed = [clean.Removed(f.category, f.rule, text[f.start:end], f.start, end)
               for f in findings if f.rule == "GH-REL-LIST" and f.start == end]
    tail = text[end:]
    if tail and not removed:
        removed.append(clean.Removed("related", "GH-REL-LIST", tail, end, len(text)))
    for f in findings:
        if f.category == "compilation" and f.start < end:
            removed.append(clean.Removed(f.category, f.rule, f.text, f.start, f.end))
    lead = ""
    for i, seg in enumerate(split.split_page(text, markers, end)):
        seg_findings = [replace(f, start=f.start - seg.start, end=f.end - seg.start)
                        for f in findings if seg.start <= f.start and f.end <= seg.end]
        body, gone = clean.clean_text(text[seg.start:seg.end], catalogue, offset=seg.start,
                                      findings=seg_findings)
        removed.extend(gone)
        title, _ = clean.clean_text(seg.title, catalogue) if seg.title else ("", [])
        if not documents and not lead and len(_CJK.findall(body)) < MIN_DOC_CJK and seg.start == 0:
            lead = body.strip()       # a compilation's preamble: its title line leads the first piece
            continue
        doc = _document(title.strip(), body, source, i, lead if not documents else "")
        if doc is not None:
            documents.append(doc)
    stale = [Stale(f.text, f.rule, f.dated, f.start, f.end) for f in _stale_findings(text, year, findings)]
    removed.sort(key=lambda r: (r.start, r.end))
    weights = [len(d.text) for d in documents]
    org_type = _dominant((d.org_type for d in documents), weights, "other")
    doc_kind = _dominant((d.doc_kind for d in documents), weights, "plan")
    if sum(weights) < label.SHORT_BODY:      # too little body left to judge: read the whole page
        org_type, doc_kind = label.infer_org_type(text), infer_doc_kind(text)
    return PageResult(source=source, org_type=org_type, doc_kind=doc_kind,
                      documents=documents, removed=removed, stale=stale)


# Files a corpus folder may hold. Text files are read by corpus/decode.py (a Word file renamed
# .txt stays refused, with a line saying what it is); Word, PDF and legacy Word/WPS files by
# corpus/read.py's read_document (legacy ones converted through LibreOffice when it is there).
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
DOC_SUFFIXES = (".docx", ".docm", ".pdf")
LEGACY_SUFFIXES = (".doc", ".wps", ".rtf", ".dot", ".wpt")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + DOC_SUFFIXES


def read_page(path: Path | str) -> tuple[str, str]:
    """(text, format) of one page; every failure is a one-line DecodeError."""
    p = Path(path)
    if p.suffix.lower() in TEXT_SUFFIXES or p.suffix.lower() not in DOC_SUFFIXES + LEGACY_SUFFIXES:
        return read_text(p).text, "text"
    try:
        from ghplan.corpus.read import read_document   # the Word/PDF reader
    except ImportError:
        raise DecodeError(f"{p}: {p.suffix.lower()} files cannot be read here; save it as UTF-8 text") from None
    got = read_document(p)
    if not got.text.strip():
        raise DecodeError(f"{p}: the file is empty")
    return got.text, str(got.format)


def inspect_path(path: Path | str, year: int | None = None) -> PageResult:
    text, _ = read_page(path)
    return inspect_text(text, source=str(path), year=year)


@dataclass
class FileReport:
    """One file of a corpus folder: used or skipped, and why."""
    path: str
    used: bool
    reason: str
    origin: str = "user"
    format: str = ""           # "text", "docx", "pdf" when read
    documents: int = 0         # documents found in it (before near-duplicates are dropped)

    def to_json(self) -> dict:
        return {"path": self.path, "used": self.used, "reason": self.reason, "origin": self.origin,
                "format": self.format, "documents": self.documents}


@dataclass
class CorpusBuild:
    pages: list[PageResult]
    documents: list[Document]                  # kept documents (duplicates dropped)
    duplicates: list[tuple[str, str, float]] = field(default_factory=list)   # (kept id, dropped id, sim)
    files: list[FileReport] = field(default_factory=list)   # every file looked at, used or skipped

    def user_files_used(self) -> int:
        return sum(1 for f in self.files if f.used and f.origin == "user")

    def skipped_summary(self, limit: int = 3) -> str:
        """The skipped user files and why, on one line (for an error that nothing was usable)."""
        skipped = [f for f in self.files if not f.used and f.origin == "user"]
        text = "; ".join(f"{Path(f.path).name}: {f.reason}" for f in skipped[:limit])
        more = len(skipped) - limit
        return text + (f"; and {more} more" if more > 0 else "")

    def report(self) -> dict:
        removed: dict[str, int] = {}
        for p in self.pages:
            for r in p.removed:
                removed[r.category] = removed.get(r.category, 0) + 1
        by_type: dict[str, int] = {}
        by_kind: dict[str, int] = {}
        by_origin: dict[str, int] = {}
        for d in self.documents:
            by_type[d.org_type] = by_type.get(d.org_type, 0) + 1
            by_kind[d.doc_kind] = by_kind.get(d.doc_kind, 0) + 1
            by_origin[d.origin] = by_origin.get(d.origin, 0) + 1
        return {
            "pages": len(self.pages),
            "documents_found": sum(len(p.documents) for p in self.pages),
            "documents_kept": len(self.documents),
            "removed_by_category": dict(sorted(removed.items())),
            "duplicates": [{"kept": k, "dropped": d, "similarity": s} for k, d, s in self.duplicates],
            "by_type": dict(sorted(by_type.items())),
            "by_kind": dict(sorted(by_kind.items())),
            "by_origin": dict(sorted(by_origin.items())),
            "files": [f.to_json() for f in self.files],
        }


def corpus_files(source: Path | str) -> list[tuple[Path, str]]:
    """Every file under `source` (recursively, in name order) with "" when it is to be read or
    the reason it is skipped. A single file is taken as it is."""
    src = Path(source)
    if not src.is_dir():
        return [(src, "")]
    out: list[tuple[Path, str]] = []
    for p in sorted(src.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(src).parts
        suffix = p.suffix.lower()
        if any(part.startswith(".") for part in rel):
            out.append((p, "hidden file or folder"))
        elif p.name.startswith("~$"):
            out.append((p, "a Word lock file (the document is open in Word or WPS)"))
        elif suffix not in SUPPORTED_SUFFIXES + LEGACY_SUFFIXES:
            what = f"{suffix} files" if suffix else "files without an extension"
            out.append((p, f"unsupported file type: {what} are not read "
                           f"(supported: {' '.join(SUPPORTED_SUFFIXES)})"))
        else:
            out.append((p, ""))
    return out


def page_paths(source: Path | str | None) -> list[Path]:
    """The pages a build reads: the bundled seeds, or the supported files under `source`."""
    if source is None:
        return bundled_seeds()
    return [p for p, why in corpus_files(source) if not why]


def _reason(exc: Exception, path: Path) -> str:
    """A DecodeError's line without the path it starts with (the report names the file)."""
    text = str(exc)
    prefix = f"{path}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def _read_pages(files: list[tuple[Path, str]], origin: str, year: int | None,
                progress: Callable[[str], None] | None,
                pages: list[PageResult], reports: list[FileReport]) -> None:
    for path, why in files:
        if why:
            reports.append(FileReport(str(path), False, why, origin))
            continue
        if progress:
            progress(str(path))
        try:
            text, fmt = read_page(path)
        except DecodeError as exc:
            reports.append(FileReport(str(path), False, _reason(exc, path), origin))
            continue
        page = inspect_text(text, source=str(path), year=year)
        if not page.documents:
            reports.append(FileReport(str(path), False, "no plan text in it after cleaning "
                                      f"(a document needs {MIN_DOC_CJK}+ Chinese characters)", origin, fmt))
            continue
        for d in page.documents:
            d.origin = origin
            d.org = document_org(d.title, d.text)
        pages.append(page)
        n = len(page.documents)
        reports.append(FileReport(str(path), True, f"{n} document{'s' if n > 1 else ''} ({fmt})",
                                  origin, fmt, n))


def build_corpus(source: Path | str | None = None, year: int | None = None,
                 progress: Callable[[str], None] | None = None, seeds: bool = True) -> CorpusBuild:
    """The corpus as kept, de-duplicated documents.

    Without `source`: the bundled seed pages (origin "seed"). With `source` (a folder, read
    recursively, or one file): the user's own plans (origin "user"), beside the bundled seeds
    unless `seeds=False`. Every file is reported used or skipped, with the reason; a file that
    cannot be read is skipped, not fatal (the caller decides what to do when none was usable).
    The user's documents come first, so a user's copy of a seed page is the one kept.
    """
    pages: list[PageResult] = []
    files: list[FileReport] = []
    if source is not None:
        _read_pages(corpus_files(source), "user", year, progress, pages, files)
    if source is None or seeds:
        for path in bundled_seeds():
            if progress:
                progress(str(path))
            page = inspect_path(path, year=year)       # bundled: a failure here is our bug
            for d in page.documents:
                d.org = document_org(d.title, d.text)
            pages.append(page)
            files.append(FileReport(str(path), True, f"bundled seed page, {len(page.documents)} documents",
                                    "seed", "text", len(page.documents)))
    docs = [d for p in pages for d in p.documents]
    pairs = dedup.duplicate_pairs([d.text for d in docs])
    dropped = {j for _, j, _ in pairs}
    for i, j, _ in pairs:
        docs[j].duplicate_of = docs[i].doc_id
    return CorpusBuild(
        pages=pages,
        documents=[d for k, d in enumerate(docs) if k not in dropped],
        duplicates=[(docs[i].doc_id, docs[j].doc_id, s) for i, j, s in pairs],
        files=files,
    )
