"""Word (.docx) read as blocks: the body's paragraphs and table cells in document order, tracked
changes accepted, Word numbering rendered (see corpus/read.py for what is read and what is not).

`walk_docx` returns the blocks with the XML pieces each character came from: the tracked-change
writer (writer/export/tracked.py) uses them to put an edit back into the same document.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterator

from ghplan.corpus.decode import DecodeError
from ghplan.corpus.read import SAVE_AS_DOCX, Block, ReadResult, result
from ghplan.corpus.word_numbering import Numbering, Styles, xml_val

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STRICT_W_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


@dataclass
class Piece:
    """Characters [start, end) of a block's text and the element they came from.

    kind: "t" (a w:t; `elem` is it, `offset` the index in its text), "tab", "br", "sym" (one
    character each), or "num" (Word's automatic number: no element, cannot be edited)."""
    start: int
    end: int
    kind: str
    elem: Any = None
    offset: int = 0


@dataclass
class DocxBlock:
    text: str
    kind: str
    p: Any                              # the w:p element
    pieces: list[Piece] = field(default_factory=list)
    prefix: int = 0                     # length of the automatic number at the start
    ps: list[Any] = field(default_factory=list)   # its w:p elements (more than one when joined)


def load_docx_parts(data: bytes, name: str = "document") -> tuple[zipfile.ZipFile, str, str]:
    """The ZIP, the main document part's name and its namespace; DecodeError if it is no Word file."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DecodeError(f"{name}: a damaged .docx (not a readable ZIP); {SAVE_AS_DOCX.replace('open it', 'open it again')}") from None
    if "EncryptionInfo" in names:
        raise DecodeError(f"{name}: the document is password-protected; remove the password and save it as .docx")
    main = _main_part(zf, names)
    if main is None:
        what = "an Excel workbook" if "xl/workbook.xml" in names else \
            "a PowerPoint file" if "ppt/presentation.xml" in names else "a ZIP file"
        raise DecodeError(f"{name}: this is {what}, not a Word document; save the plan as .docx or UTF-8 text")
    head = zf.read(main)[:2000]
    ns = STRICT_W_NS if STRICT_W_NS.encode() in head and W_NS.encode() not in head else W_NS
    return zf, main, ns


def _main_part(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    if "_rels/.rels" in names:
        from lxml import etree

        try:
            rels = etree.fromstring(zf.read("_rels/.rels"))
            for rel in rels:
                if rel.get("Type", "").endswith("/officeDocument"):
                    target = rel.get("Target", "").lstrip("/")
                    if target in names and "word" in target.lower():
                        return target
        except etree.XMLSyntaxError:
            pass
    return "word/document.xml" if "word/document.xml" in names else None


def _xml(zf: zipfile.ZipFile, part: str, name: str):
    from lxml import etree

    try:
        return etree.fromstring(zf.read(part))
    except KeyError:
        return None
    except etree.XMLSyntaxError:
        raise DecodeError(f"{name}: a damaged .docx ({part} is not valid XML); {SAVE_AS_DOCX.replace('open it', 'open it again')}") from None


def _sibling(main: str, rel: str) -> str:
    return f"{main.rsplit('/', 1)[0]}/{rel}" if "/" in main else rel


def read_docx(data: bytes, name: str) -> ReadResult:
    zf, main, ns = load_docx_parts(data, name)
    root = _xml(zf, main, name)
    styles = _xml(zf, _sibling(main, "styles.xml"), name)
    numbering = _xml(zf, _sibling(main, "numbering.xml"), name)
    walked = walk_docx(root, styles, numbering, ns)
    blocks = [Block(b.text, i, b.kind) for i, b in enumerate(walked, 1)]
    if not any(b.text.strip() for b in blocks):
        raise DecodeError(f"{name}: the Word document has no text in its body")
    return result(blocks, "docx", "docx", name)


def walk_docx(root, styles=None, numbering=None, ns: str = W_NS) -> list[DocxBlock]:
    """The body's non-empty paragraphs in order, tracked changes accepted, numbers rendered.

    A paragraph whose mark is a tracked deletion (w:pPr/w:rPr/w:del) joins the next paragraph in
    the same container, as accepting the change does; emptied as well, it is gone (and is not
    counted by Word's numbering)."""
    w = f"{{{ns}}}"
    body = root.find(f"{w}body")
    if body is None:
        return []
    st = Styles(styles, w)
    num = Numbering(numbering, w)
    out: list[DocxBlock] = []
    pending: DocxBlock | None = None     # a paragraph whose mark is deleted, waiting for the next
    for p, in_table in _paragraphs(body, w, False):
        if pending is not None and p.getparent() is not pending.ps[-1].getparent():
            out.append(pending)          # nothing to join in this container: the mark stays
            pending = None
        joins = pending is not None and pending.text[pending.prefix:] != ""
        mark_deleted = _mark_deleted(p, w) and p.getnext() is not None
        block = _paragraph(p, w, st, num, in_table, joined=joins, mark_deleted=mark_deleted)
        if pending is not None:
            if pending.text[pending.prefix:]:
                block = _join(pending, block)
            # an emptied paragraph with a deleted mark is gone: `block` stands as read
            pending = None
        if mark_deleted:
            pending = block
            continue
        out.append(block)
    if pending is not None:
        out.append(pending)
    return [b for b in out if b.text[b.prefix:].strip()]


def _mark_deleted(p, w: str) -> bool:
    ppr = p.find(f"{w}pPr")
    rpr = ppr.find(f"{w}rPr") if ppr is not None else None
    return rpr is not None and (rpr.find(f"{w}del") is not None or rpr.find(f"{w}moveFrom") is not None)


def _join(first: DocxBlock, second: DocxBlock) -> DocxBlock:
    """`first` + `second` as one block (second's automatic number is dropped, as Word does)."""
    shift = len(first.text) - second.prefix
    pieces = list(first.pieces) + [Piece(pc.start + shift, pc.end + shift, pc.kind, pc.elem, pc.offset)
                                   for pc in second.pieces if pc.kind != "num"]
    return DocxBlock(first.text + second.text[second.prefix:], first.kind, first.p, pieces,
                     first.prefix, first.ps + second.ps)


def block_pieces(block: DocxBlock, w: str) -> list[Piece]:
    """The pieces of a block read again from its paragraphs (after its runs were split)."""
    pieces = [pc for pc in block.pieces if pc.kind == "num"]
    pos = block.prefix
    for p in block.ps:
        for kind, elem, text in _runs_text(p, w):
            if text:
                pieces.append(Piece(pos, pos + len(text), kind, elem))
                pos += len(text)
    return pieces


def _paragraphs(parent, w: str, in_table: bool) -> Iterator[tuple[Any, bool]]:
    for child in parent:
        tag = child.tag
        if tag == f"{w}p":
            yield child, in_table
        elif tag == f"{w}tbl":
            for tr in child.iter(f"{w}tr"):
                if tr.getparent() is not child and not _in_same_table(tr, child, w):
                    continue
                for tc in tr:
                    if tc.tag == f"{w}tc":
                        yield from _paragraphs(tc, w, True)
                    elif tc.tag in (f"{w}sdt", f"{w}customXml"):
                        for inner in tc.iter(f"{w}tc"):
                            yield from _paragraphs(inner, w, True)
        elif tag in (f"{w}sdt", f"{w}customXml", f"{w}ins", f"{w}moveTo"):
            content = child.find(f"{w}sdtContent") if tag == f"{w}sdt" else child
            if content is not None:
                yield from _paragraphs(content, w, in_table)


def _in_same_table(tr, tbl, w: str) -> bool:
    """A row wrapped in sdt/customXml still belongs to `tbl`, a nested table's row does not."""
    node = tr.getparent()
    while node is not None and node is not tbl:
        if node.tag == f"{w}tbl":
            return False
        node = node.getparent()
    return node is tbl


_SKIP_CONTAINERS = ("del", "moveFrom", "pPr", "rPr", "commentRangeStart", "commentRangeEnd",
                    "bookmarkStart", "bookmarkEnd", "proofErr", "permStart", "permEnd")


def _paragraph(p, w: str, st: "Styles", num: "Numbering", in_table: bool, joined: bool = False,
               mark_deleted: bool = False) -> DocxBlock:
    ppr = p.find(f"{w}pPr")
    style_id = xml_val(ppr, f"{w}pStyle", w) if ppr is not None else None
    block = DocxBlock("", "table" if in_table else "paragraph", p, ps=[p])
    runs = [(kind, elem, text) for kind, elem, text in _runs_text(p, w) if text]
    body = "".join(text for _, _, text in runs)
    # once accepted, a paragraph joined to the one before, or emptied with its mark deleted, is
    # gone and Word does not count it; an empty paragraph that stays is counted but not read
    gone = joined or (mark_deleted and not body)
    prefix = "" if gone else num.prefix(ppr, style_id, st)
    pos = 0
    if prefix:
        block.pieces.append(Piece(0, len(prefix), "num"))
        pos = block.prefix = len(prefix)
    for kind, elem, text in runs:
        block.pieces.append(Piece(pos, pos + len(text), kind, elem))
        pos += len(text)
    block.text = prefix + body
    if not in_table and st.is_heading(ppr, style_id):
        block.kind = "heading"
    return block


def _runs_text(parent, w: str) -> Iterator[tuple[str, Any, str]]:
    """(kind, element, text) for every character-bearing element, tracked changes accepted."""
    for child in parent:
        local = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if local in _SKIP_CONTAINERS or not local:
            continue
        if local == "r":
            rpr = child.find(f"{w}rPr")
            if rpr is not None and rpr.find(f"{w}vanish") is not None and \
                    xml_val(rpr, f"{w}vanish", w) not in ("0", "false"):
                continue
            for el in child:
                tag = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
                if tag == "t":
                    yield "t", el, el.text or ""
                elif tag == "tab":
                    yield "tab", el, "\t"
                elif tag in ("br", "cr"):
                    if el.get(f"{w}type") in ("page", "column"):
                        continue
                    yield "br", el, "\n"
                elif tag == "noBreakHyphen":
                    yield "sym", el, "-"
        elif local in ("ins", "moveTo", "hyperlink", "smartTag", "fldSimple", "customXml", "dir", "bdo"):
            yield from _runs_text(child, w)
        elif local == "sdt":
            content = child.find(f"{w}sdtContent")
            if content is not None:
                yield from _runs_text(content, w)
