"""Changes a person can accept or reject: edits written into the user's own .docx as Word tracked
changes, each with a comment saying why.

    tracked_docx(original, edits, when=…)   every edit a w:del/w:ins by "ghplan", dated, commented
    annotated_docx(original, notes)         a comment on each span, nothing changed
    apply_tracked(...)                      the same as tracked_docx, and which edits could not be placed
    block_edits(read, start, end, new, …)   an edit at offsets into ReadResult.text, cut per block

An Edit addresses a block as corpus/read.py reads it: `paragraph` is Block.paragraph, `start`/`end`
are offsets into that block's text (Word's automatic number included, which cannot itself be
changed: an edit touching it is skipped). `end == len(block.text) + 1` also deletes the paragraph
mark, so accepting the change joins the paragraph to the next one (a whole paragraph deleted with
its mark disappears). Accepting every change gives exactly the edited text, as read_document reads
it; the runs keep the user's own formatting (an insertion takes the run properties of the text it
replaces, else of the text before it).
"""
from __future__ import annotations

import copy
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

from lxml import etree

from ghplan.corpus.read import ReadResult
from ghplan.corpus.word import W_NS, DocxBlock, block_pieces, load_docx_parts, walk_docx
from ghplan.writer.export.docx_runs import (TRACK_CONTAINERS, W, XML_SPACE, lift_out_of_tracking,
                                          runs_in, split_at, top)

__all__ = ["Edit", "TrackedResult", "tracked_docx", "annotated_docx", "apply_tracked", "block_edits"]

COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


@dataclass(frozen=True)
class Edit:
    paragraph: int   # Block.paragraph
    start: int       # offsets within that block's text
    end: int
    new: str         # "" deletes
    rule: str
    comment: str     # rule id, reason and, for a stale reference, what replaced it and why


@dataclass(frozen=True)
class TrackedResult:
    data: bytes
    applied: tuple[Edit, ...]
    skipped: tuple[Edit, ...]      # overlapping another edit, outside its block, or on Word's own number


def tracked_docx(original: bytes, edits: Sequence[Edit], *, author: str = "ghplan",
                 when: datetime) -> bytes:
    """`original` with every edit a tracked change (w:del/w:ins) carrying a comment."""
    return apply_tracked(original, edits, author=author, when=when).data


def annotated_docx(original: bytes, notes: Sequence[Edit], *, author: str = "ghplan",
                   when: datetime | None = None) -> bytes:
    """`original` with a comment on each note's span and no change applied."""
    return apply_tracked(original, notes, author=author, when=when or datetime.now(timezone.utc),
                         change=False).data


def block_edits(read: ReadResult, start: int, end: int, new: str, rule: str, comment: str) -> list[Edit]:
    """An edit at offsets into `read.text`, cut into edits per block: the replacement goes to the
    first block, the rest of the span is deleted block by block (a "\\n" between two blocks inside
    the span deletes the first one's paragraph mark)."""
    out: list[Edit] = []
    first = True
    for block, bstart in zip(read.blocks, read.starts):
        bend = bstart + len(block.text)
        if bend + 1 <= start or bstart >= end and not (first and bstart == start == end):
            continue
        if bstart > end:
            break
        s = max(start, bstart) - bstart
        e = min(end, bend + 1) - bstart           # may take the block's "\n": its mark
        if e <= s and not (first and start == end):
            continue
        out.append(Edit(block.paragraph, s, e, new if first else "", rule, comment))
        first = False
    return out


# --------------------------------------------------------------------------- the work

class _Doc:
    def __init__(self, original: bytes) -> None:
        self.zf, self.main, ns = load_docx_parts(original)
        if ns != W_NS:
            raise ValueError("a Strict Open XML document cannot carry ghplan's changes; save it as an ordinary .docx")
        self.root = etree.fromstring(self.zf.read(self.main))
        self.styles = self._part("styles.xml")
        self.numbering = self._part("numbering.xml")
        self.blocks: list[DocxBlock] = walk_docx(self.root, self.styles, self.numbering, W_NS)
        ids = [int(v) for el in self.root.iter() for v in [el.get(f"{W}id")] if v and v.lstrip("-").isdigit()]
        self.next_id = max(ids, default=0) + 1
        self.comments_part, self.comments = self._comments()
        cids = [int(c.get(f"{W}id")) for c in self.comments.findall(f"{W}comment")
                if (c.get(f"{W}id") or "").isdigit()]
        # one id space for comments and revisions: Word wants every annotation's id unique
        self.next_id = max(cids + [self.next_id - 1]) + 1

    def _part(self, name: str):
        part = f"{self.main.rsplit('/', 1)[0]}/{name}"
        try:
            return etree.fromstring(self.zf.read(part))
        except KeyError:
            return None

    def _rels_name(self) -> str:
        folder, _, base = self.main.rpartition("/")
        return f"{folder}/_rels/{base}.rels"

    def _comments(self):
        try:
            rels = etree.fromstring(self.zf.read(self._rels_name()))
        except KeyError:
            rels = None
        if rels is not None:
            for rel in rels:
                if rel.get("Type") == COMMENTS_REL:
                    part = f"{self.main.rsplit('/', 1)[0]}/{rel.get('Target').lstrip('/')}".replace("word/word/", "word/")
                    try:
                        return part, etree.fromstring(self.zf.read(part))
                    except KeyError:
                        break
        return None, etree.Element(f"{W}comments", nsmap={"w": W_NS})

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id - 1)

    def save(self) -> bytes:
        part = self.comments_part or f"{self.main.rsplit('/', 1)[0]}/comments.xml"
        replaced = {self.main: _xml(self.root), part: _xml(self.comments)}
        if self.comments_part is None and len(self.comments):
            replaced[self._rels_name()] = self._with_comments_rel()
            replaced["[Content_Types].xml"] = self._with_comments_type(part)
        elif not len(self.comments):
            replaced.pop(part)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            names = set()
            for info in self.zf.infolist():
                names.add(info.filename)
                data = replaced.get(info.filename, self.zf.read(info.filename))
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
            for name, data in replaced.items():
                if name not in names:
                    out.writestr(name, data)
        return buf.getvalue()

    def _with_comments_rel(self) -> bytes:
        try:
            rels = etree.fromstring(self.zf.read(self._rels_name()))
        except KeyError:
            rels = etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
        taken = {r.get("Id") for r in rels}
        n = 1
        while f"rIdGhplan{n}" in taken:
            n += 1
        etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship", Id=f"rIdGhplan{n}", Type=COMMENTS_REL,
                         Target="comments.xml")
        return _xml(rels)

    def _with_comments_type(self, part: str) -> bytes:
        types = etree.fromstring(self.zf.read("[Content_Types].xml"))
        if not any(o.get("PartName") == f"/{part}" for o in types):
            etree.SubElement(types, f"{{{CT_NS}}}Override", PartName=f"/{part}", ContentType=COMMENTS_CT)
        return _xml(types)


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _date(when: datetime) -> str:
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def apply_tracked(original: bytes, edits: Sequence[Edit], *, author: str = "ghplan",
                  when: datetime, change: bool = True) -> TrackedResult:
    """Write `edits` into `original`: as tracked changes with comments (`change`), or as
    comments alone. Edits that overlap an earlier one in the same block, fall outside it or touch
    Word's automatic number are skipped and returned as such."""
    doc = _Doc(original)
    by_par: dict[int, list[Edit]] = {}
    for e in edits:
        by_par.setdefault(e.paragraph, []).append(e)
    applied: list[Edit] = []
    skipped: list[Edit] = []
    stamp = _date(when)
    for number, group in by_par.items():
        if not 1 <= number <= len(doc.blocks):
            skipped.extend(group)
            continue
        block = doc.blocks[number - 1]
        # right to left, so the offsets of the edits still to do stay valid
        ordered = sorted(group, key=lambda e: (e.start, e.end), reverse=True)
        left = len(block.text) + 2
        for e in ordered:
            ok = 0 <= e.start <= e.end <= len(block.text) + 1 and e.end <= left
            if change and e.start < block.prefix:
                ok = False                       # Word's own number: not ours to change
            if not ok:
                skipped.append(e)
                continue
            if change:
                _change(doc, block, e, author, stamp)
            else:
                _annotate(doc, block, e, author, stamp)
            applied.append(e)
            left = e.start
    applied.sort(key=lambda e: (e.paragraph, e.start))
    return TrackedResult(doc.save(), tuple(applied), tuple(skipped))


def _change(doc: _Doc, block: DocxBlock, e: Edit, author: str, stamp: str) -> None:
    end_text = min(e.end, len(block.text))
    split_at(block, end_text)
    split_at(block, e.start)
    runs = runs_in(block, e.start, end_text)
    # which w:p holds the position (for a pure insertion and the paragraph mark)
    dels: list = []
    for run in runs:
        if dels and dels[-1].getnext() is run and run.getparent() is dels[-1].getparent():
            wrapper = dels[-1]
        else:
            wrapper = etree.Element(f"{W}del", {f"{W}id": doc.new_id(), f"{W}author": author, f"{W}date": stamp})
            run.addprevious(wrapper)
            dels.append(wrapper)
        wrapper.append(run)
        for t in run.iter(f"{W}t"):
            t.tag = f"{W}delText"
        for t in run.iter(f"{W}instrText"):
            t.tag = f"{W}delInstrText"
    ins = None
    if e.new:
        style_run = runs[0] if runs else _run_before(block, e.start)
        if style_run is None:
            style_run = _run_after(block, e.start)
        ins = etree.Element(f"{W}ins", {f"{W}id": doc.new_id(), f"{W}author": author, f"{W}date": stamp})
        ins.append(_text_run(e.new, style_run))
        if dels:
            lift_out_of_tracking(dels[-1], doc.new_id).addnext(ins)
        else:
            before = _run_before(block, e.start)
            after = _run_after(block, e.start)
            if before is not None:
                lift_out_of_tracking(before, doc.new_id).addnext(ins)
            elif after is not None:
                _first_anchor(after).addprevious(ins)
            else:
                p = block.ps[0]
                ppr = p.find(f"{W}pPr")
                if ppr is not None:
                    ppr.addnext(ins)
                else:
                    p.insert(0, ins)
    mark_p = None
    if e.end == len(block.text) + 1:
        mark_p = _para_at_end(block)
        nxt = mark_p.getnext() if mark_p is not None else None
        if nxt is not None and nxt.tag == f"{W}p":      # read_document joins it to the next paragraph
            _delete_mark(doc, mark_p, author, stamp)
        else:
            mark_p = None
    first = dels[0] if dels else ins
    last = ins if ins is not None else (dels[-1] if dels else None)
    if first is None:          # only a paragraph mark went
        if mark_p is None:
            return
        anchor = _last_content(mark_p)
        _comment(doc, mark_p, anchor, anchor, e.comment, author, stamp, empty=anchor is None)
        return
    _comment(doc, _para_of(first), first, last, e.comment, author, stamp)


def _first_anchor(run):
    """Where to put something right before `run`: before any tracked container it sits in."""
    node = run
    while node.getparent() is not None and node.getparent().tag in TRACK_CONTAINERS:
        node = node.getparent()
    return node


def _run_before(block: DocxBlock, offset: int):
    best = None
    for pc in block_pieces(block, W):
        if pc.kind != "num" and pc.end <= offset:
            best = pc.elem.getparent()
    return best


def _run_after(block: DocxBlock, offset: int):
    for pc in block_pieces(block, W):
        if pc.kind != "num" and pc.start >= offset:
            return pc.elem.getparent()
    return None


def _text_run(text: str, style_run) -> Any:
    run = etree.Element(f"{W}r")
    if style_run is not None:
        rpr = style_run.find(f"{W}rPr")
        if rpr is not None:
            rpr = copy.deepcopy(rpr)
            for tracked in rpr.findall(f"{W}rPrChange"):
                rpr.remove(tracked)
            run.append(rpr)
    parts = text.split("\n")
    for i, part in enumerate(parts):
        if i:
            etree.SubElement(run, f"{W}br")
        chunks = part.split("\t")
        for j, chunk in enumerate(chunks):
            if j:
                etree.SubElement(run, f"{W}tab")
            if chunk:
                t = etree.SubElement(run, f"{W}t")
                t.text = chunk
                t.set(XML_SPACE, "preserve")
    return run


def _para_of(el):
    node = el
    while node is not None and node.tag != f"{W}p":
        node = node.getparent()
    return node


def _para_at_end(block: DocxBlock):
    return block.ps[-1] if block.ps else None


def _last_content(p):
    kids = [c for c in p if c.tag != f"{W}pPr"]
    return kids[-1] if kids else None


def _delete_mark(doc: _Doc, p, author: str, stamp: str) -> None:
    ppr = p.find(f"{W}pPr")
    if ppr is None:
        ppr = etree.Element(f"{W}pPr")
        p.insert(0, ppr)
    rpr = ppr.find(f"{W}rPr")
    if rpr is None:
        rpr = etree.Element(f"{W}rPr")
        tail = [c for c in ppr if c.tag in (f"{W}sectPr", f"{W}pPrChange")]
        if tail:
            tail[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.insert(0, etree.Element(f"{W}del", {f"{W}id": doc.new_id(), f"{W}author": author, f"{W}date": stamp}))


def _annotate(doc: _Doc, block: DocxBlock, e: Edit, author: str, stamp: str) -> None:
    start = max(e.start, block.prefix)
    end = max(start, min(e.end, len(block.text)))
    if end > start:
        split_at(block, end)
        split_at(block, start)
        runs = runs_in(block, start, end)
    else:
        runs = []
    if not runs:                               # Word's number or an empty span: the whole paragraph
        runs = runs_in(block, block.prefix, len(block.text))
    if not runs:
        p = block.ps[0]
        _comment(doc, p, None, None, e.comment, author, stamp, empty=True)
        return
    _comment(doc, _para_of(runs[0]), runs[0], runs[-1], e.comment, author, stamp)


def _comment(doc: _Doc, p, first, last, text: str, author: str, stamp: str, empty: bool = False) -> None:
    """A comment on [first … last] (elements inside paragraphs), or at the end of `p` when empty."""
    cid = doc.new_id()
    start = etree.Element(f"{W}commentRangeStart", {f"{W}id": cid})
    end = etree.Element(f"{W}commentRangeEnd", {f"{W}id": cid})
    ref = etree.Element(f"{W}r")
    etree.SubElement(ref, f"{W}commentReference", {f"{W}id": cid})
    if empty or first is None:
        anchor = _last_content(p)
        if anchor is None:
            ppr = p.find(f"{W}pPr")
            if ppr is not None:
                ppr.addnext(start)
            else:
                p.insert(0, start)
        else:
            anchor.addnext(start)
        start.addnext(end)
    else:
        top(first).addprevious(start)
        top(last).addnext(end)
    end.addnext(ref)
    comment = etree.SubElement(doc.comments, f"{W}comment",
                               {f"{W}id": cid, f"{W}author": author, f"{W}date": stamp,
                                f"{W}initials": author[:2].upper() or "GH"})
    for i, line in enumerate(text.split("\n") or [""]):
        cp = etree.SubElement(comment, f"{W}p")
        if i == 0:
            r0 = etree.SubElement(cp, f"{W}r")
            etree.SubElement(r0, f"{W}annotationRef")
        r = etree.SubElement(cp, f"{W}r")
        t = etree.SubElement(r, f"{W}t")
        t.text = line
        t.set(XML_SPACE, "preserve")
