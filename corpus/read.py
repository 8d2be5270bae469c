"""What users have, read as text: .txt/.md (UTF-8 or GB18030/GBK), .docx, .pdf with a text layer.

    read_document(path) -> ReadResult      every failure is a one-line DecodeError (a ValueError)
    read_bytes_as(data, name) -> ReadResult    the same for bytes that came without a file (uploads)

A ReadResult is the document's text as one string (blocks joined with "\\n") and its blocks in
document order, each with the 1-based `paragraph` number a user is told. Offsets into `text` map
back to a block with `paragraph_at`, and `starts[i]` is where block i begins in `text`.

Word (.docx): body paragraphs and table cells in order (one block per paragraph, a table cell's
paragraphs are `table` blocks), empty paragraphs skipped, headers, footers, footnotes, comments and
text boxes ignored. Tracked changes read as accepted: text inside `w:ins`/`w:moveTo` counts, text
inside `w:del`/`w:moveFrom` does not (python-docx's `paragraph.text` drops insertions, so the XML
is walked here). Word's automatic numbering is rendered as Word shows it (numbering.xml: 一、,
（一）, 1., ①, …), so a heading numbered by Word reads like one typed by hand. A soft line break
inside a paragraph is a "\\n" inside the block.

PDF: the text layer (pypdf), page-number lines dropped, lines that a page merely wrapped joined.
A PDF without text (a scan), an encrypted file, or a legacy .doc/.wps/.rtf is one clear line
saying what to do; a legacy file is converted through LibreOffice headless when `soffice` is on
PATH (or $GHPLAN_SOFFICE names it; GHPLAN_SOFFICE=none turns that off), and the result's
`note` says so (the CLI prints it on stderr).

`walk_docx` (the blocks with the XML pieces each character came from) is what the tracked-change
writer uses to put an edit back into the same document.
"""
from __future__ import annotations

import bisect
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ghplan.corpus.decode import DecodeError, decode_bytes, read_bytes
from ghplan.corpus.numerals import to_cn

__all__ = ["Block", "ReadResult", "read_document", "read_bytes_as", "SUPPORTED", "LEGACY",
           "DocxBlock", "Piece", "walk_docx", "block_pieces", "load_docx_parts", "W_NS"]

TEXT_EXT = (".txt", ".md", ".markdown", ".text")
DOCX_EXT = (".docx", ".docm")
PDF_EXT = (".pdf",)
LEGACY = (".doc", ".wps", ".rtf", ".dot", ".wpt")
SUPPORTED = TEXT_EXT + DOCX_EXT + PDF_EXT          # what `review DIR` picks up (and LEGACY with soffice)

SAVE_AS_DOCX = "open it in Word or WPS and save it as .docx (文件 → 另存为 → Word 文档)"


@dataclass(frozen=True)
class Block:
    """One body paragraph or table-cell paragraph, in document order."""
    text: str
    paragraph: int      # 1-based position among the document's blocks (what a user is told)
    kind: str           # "paragraph" | "heading" | "table"


@dataclass(frozen=True)
class ReadResult:
    text: str                   # blocks joined with "\n" (for .txt/.md: the decoded text)
    blocks: tuple[Block, ...]
    starts: tuple[int, ...]     # offset of each block in `text`
    format: str                 # "text" | "docx" | "pdf"
    encoding: str               # "utf-8" | "gb18030" for text; "docx"/"pdf" otherwise
    source: str
    note: str = ""              # something the user should hear (converted through LibreOffice, …)
    crlf: bool = False          # a text file that came with CRLF line ends (to write it back alike)

    def paragraph_at(self, offset: int) -> int:
        """The `paragraph` number of the block holding `offset` (0 for an empty document)."""
        if not self.blocks:
            return 0
        i = max(0, bisect.bisect_right(self.starts, offset) - 1)
        return self.blocks[i].paragraph

    def block_at(self, offset: int) -> tuple[Block, int]:
        """The block holding `offset` and the offset within that block's text."""
        i = max(0, bisect.bisect_right(self.starts, offset) - 1)
        return self.blocks[i], offset - self.starts[i]


def _result(blocks: list[Block], fmt: str, encoding: str, source: str, note: str = "",
            text: str | None = None, starts: list[int] | None = None, crlf: bool = False) -> ReadResult:
    if starts is None:
        starts, pos = [], 0
        for b in blocks:
            starts.append(pos)
            pos += len(b.text) + 1
    joined = "\n".join(b.text for b in blocks) if text is None else text
    return ReadResult(joined, tuple(blocks), tuple(starts), fmt, encoding, source, note, crlf)


# --------------------------------------------------------------------------- entry points

def read_document(path: Path | str) -> ReadResult:
    """Read a plan the user has; every failure is a one-line DecodeError."""
    p = Path(path)
    return read_bytes_as(read_bytes(p), str(p))


def read_bytes_as(data: bytes, name: str) -> ReadResult:
    """Read bytes as the document `name` names (its extension, else its content)."""
    ext = os.path.splitext(name)[1].lower()
    if not data.strip():
        raise DecodeError(f"{name}: the file is empty")
    if data.startswith(b"\xd0\xcf\x11\xe0"):       # OLE2: legacy Word/WPS, or an encrypted .docx
        if _ole_encrypted(data):
            raise DecodeError(f"{name}: the document is password-protected; remove the password "
                              f"(Word: 文件 → 信息 → 保护文档) and save it as .docx")
        return _legacy(data, name)
    if ext in LEGACY or data.startswith(b"{\\rtf"):
        return _legacy(data, name)
    if data.startswith(b"PK\x03\x04") or ext in DOCX_EXT:
        return _read_docx(data, name)
    if data.startswith(b"%PDF") or ext in PDF_EXT:
        return _read_pdf(data, name)
    return _read_text(data, name)


def _read_text(data: bytes, name: str) -> ReadResult:
    decoded = decode_bytes(data, name)
    text = decoded.text
    if not text.strip():
        raise DecodeError(f"{name}: the file is empty")
    blocks, starts, pos = [], [], 0
    for i, line in enumerate(text.split("\n"), 1):
        blocks.append(Block(line, i, "paragraph"))
        starts.append(pos)
        pos += len(line) + 1
    return _result(blocks, "text", decoded.encoding, name, text=text, starts=starts,
                   crlf=b"\r\n" in data)


# --------------------------------------------------------------------------- legacy formats

def _ole_encrypted(data: bytes) -> bool:
    """An encrypted OOXML file is an OLE container holding an EncryptionInfo stream."""
    return "EncryptionInfo".encode("utf-16-le") in data[:1 << 20] or \
        "EncryptedPackage".encode("utf-16-le") in data[:1 << 20]


def _soffice() -> str | None:
    """LibreOffice's soffice: $GHPLAN_SOFFICE (a path; empty or "none" turns conversion off), else PATH."""
    env = os.environ.get("GHPLAN_SOFFICE")
    if env is not None:
        return None if env.strip().lower() in ("", "none", "0", "off") else env
    return shutil.which("soffice") or shutil.which("libreoffice")


def _legacy(data: bytes, name: str) -> ReadResult:
    ext = os.path.splitext(name)[1].lower() or ".doc"
    what = {".wps": "a WPS .wps file", ".rtf": "an RTF file"}.get(ext, f"a legacy Word {ext} file")
    soffice = _soffice()
    if not soffice:
        raise DecodeError(f"{name}: {what} cannot be read; {SAVE_AS_DOCX}")
    with tempfile.TemporaryDirectory(prefix="ghplan-convert-") as tmp:
        src = Path(tmp) / f"input{ext if ext in LEGACY else '.doc'}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        try:
            proc = subprocess.run(
                [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                 "--convert-to", "docx", "--outdir", tmp, str(src)],
                capture_output=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired):
            proc = None
        out = src.with_suffix(".docx")
        if proc is None or not out.exists():
            raise DecodeError(f"{name}: {what} could not be converted with LibreOffice; {SAVE_AS_DOCX}")
        result = _read_docx(out.read_bytes(), name)
    note = f"{name}: {what}, converted to .docx through LibreOffice ({soffice}) to read it"
    return ReadResult(result.text, result.blocks, result.starts, "docx", "docx", name, note)


# --------------------------------------------------------------------------- PDF

_PAGE_NO = re.compile(r"^\s*(?:[-–—－]\s*\d+\s*[-–—－]|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d{1,3})\s*$")
_SENTENCE_END = tuple("。！？；：!?;:」』”）)")
_ITEM_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、]|第[一二三四五六七八九十]+)")


def _read_pdf(data: bytes, name: str) -> ReadResult:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:     # pragma: no cover - pypdf is a dependency
        raise DecodeError(f"{name}: reading PDF needs pypdf (pip install pypdf); or {SAVE_AS_DOCX}") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")   # an owner password alone still opens with an empty user password
            except Exception:   # noqa: BLE001 - unsupported crypto is the same answer to the user
                ok = 0
            if not ok:
                raise DecodeError(f"{name}: the PDF is password-protected; remove the password, "
                                  f"or {SAVE_AS_DOCX.replace('open it', 'open the original')}")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DecodeError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types (PdfReadError, KeyError, …) on a damaged file
        kind = "damaged PDF" if isinstance(exc, PdfReadError) else f"PDF pypdf cannot read: {type(exc).__name__}"
        raise DecodeError(f"{name}: not a readable PDF ({kind}); open the original and save it as .docx") from None
    lines: list[str] = []
    for page in pages:
        page_lines = [ln.rstrip() for ln in page.replace("\r", "\n").split("\n")]
        page_lines = [ln for ln in page_lines if ln.strip() and not _PAGE_NO.match(ln)]
        width = max((len(ln.strip()) for ln in page_lines), default=0)
        for ln in page_lines:
            ln = ln.strip()
            prev = lines[-1] if lines else None
            wrapped = (prev is not None and width >= 12 and len(prev) >= width - 2
                       and not prev.endswith(_SENTENCE_END) and not _ITEM_START.match(ln))
            if wrapped:
                lines[-1] = prev + ln
            else:
                lines.append(ln)
    if sum(len(ln) for ln in lines) < 10:
        raise DecodeError(f"{name}: the PDF has no text layer (a scan?); {SAVE_AS_DOCX.replace('open it', 'open the original')}, "
                          f"or run OCR on it first")
    blocks = [Block(ln, i, "paragraph") for i, ln in enumerate(lines, 1)]
    return _result(blocks, "pdf", "pdf", name)


# --------------------------------------------------------------------------- Word (.docx)

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


def _read_docx(data: bytes, name: str) -> ReadResult:
    zf, main, ns = load_docx_parts(data, name)
    root = _xml(zf, main, name)
    styles = _xml(zf, _sibling(main, "styles.xml"), name)
    numbering = _xml(zf, _sibling(main, "numbering.xml"), name)
    walked = walk_docx(root, styles, numbering, ns)
    blocks = [Block(b.text, i, b.kind) for i, b in enumerate(walked, 1)]
    if not any(b.text.strip() for b in blocks):
        raise DecodeError(f"{name}: the Word document has no text in its body")
    return _result(blocks, "docx", "docx", name)


def walk_docx(root, styles=None, numbering=None, ns: str = W_NS) -> list[DocxBlock]:
    """The body's non-empty paragraphs in order, tracked changes accepted, numbers rendered.

    A paragraph whose mark is a tracked deletion (w:pPr/w:rPr/w:del) joins the next paragraph in
    the same container, as accepting the change does; emptied as well, it is gone (and is not
    counted by Word's numbering)."""
    w = f"{{{ns}}}"
    body = root.find(f"{w}body")
    if body is None:
        return []
    st = _Styles(styles, w)
    num = _Numbering(numbering, w)
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


def _paragraph(p, w: str, st: "_Styles", num: "_Numbering", in_table: bool, joined: bool = False,
               mark_deleted: bool = False) -> DocxBlock:
    ppr = p.find(f"{w}pPr")
    style_id = _val(ppr, f"{w}pStyle", w) if ppr is not None else None
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
                    _val(rpr, f"{w}vanish", w) not in ("0", "false"):
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


def _val(parent, tag: str, w: str) -> str | None:
    if parent is None:
        return None
    el = parent.find(tag)
    return None if el is None else el.get(f"{w}val")


class _Styles:
    """Paragraph styles: basedOn chains, outline levels, heading names, numbering by style."""

    def __init__(self, root, w: str) -> None:
        self.w = w
        self.by_id: dict[str, Any] = {}
        self.default: str | None = None
        if root is None:
            return
        for s in root.findall(f"{w}style"):
            if s.get(f"{w}type") == "paragraph":
                sid = s.get(f"{w}styleId")
                self.by_id[sid] = s
                if s.get(f"{w}default") in ("1", "true"):
                    self.default = sid

    def chain(self, style_id: str | None) -> Iterator[Any]:
        seen: set[str] = set()
        sid = style_id or self.default
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            s = self.by_id[sid]
            yield s
            sid = _val(s, f"{self.w}basedOn", self.w)

    def is_heading(self, ppr, style_id: str | None) -> bool:
        w = self.w
        if ppr is not None and ppr.find(f"{w}outlineLvl") is not None:
            return (_val(ppr, f"{w}outlineLvl", w) or "9") != "9"
        for s in self.chain(style_id):
            name = (_val(s, f"{w}name", w) or "").lower()
            if name.startswith(("heading", "标题")) or name == "title":
                return True
            spr = s.find(f"{w}pPr")
            if spr is not None and spr.find(f"{w}outlineLvl") is not None:
                return (_val(spr, f"{w}outlineLvl", w) or "9") != "9"
        return bool(style_id) and style_id.lower().startswith(("heading", "title"))

    def numpr(self, style_id: str | None) -> tuple[str | None, str | None]:
        """(numId, ilvl) a style gives a paragraph, if any."""
        w = self.w
        for s in self.chain(style_id):
            spr = s.find(f"{w}pPr")
            npr = spr.find(f"{w}numPr") if spr is not None else None
            if npr is not None:
                return _val(npr, f"{w}numId", w), _val(npr, f"{w}ilvl", w)
        return None, None


_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _roman(n: int) -> str:
    vals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter: a..z, aa..zz, …
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _cn(n: int) -> str:
    if 0 <= n <= 99:
        return to_cn(n)
    if n < 1000:
        h, rest = divmod(n, 100)
        if not rest:
            return to_cn(h) + "百"
        return to_cn(h) + "百" + ("零" + to_cn(rest) if rest < 10 else
                                 ("一" + to_cn(rest) if rest < 20 else to_cn(rest)))
    return str(n)


def format_number(n: int, fmt: str) -> str:
    """A counter as Word shows it in the number format `fmt` (ST_NumberFormat)."""
    if fmt in ("decimal", "decimalZero") or not fmt:
        return f"{n:02d}" if fmt == "decimalZero" and n < 10 else str(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "koreanCounting", "japaneseLegal"):
        return _cn(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "koreanDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt in ("chineseLegalSimplified",):
        return "".join(_LEGAL[int(d)] for d in str(n)) if n >= 10 else _LEGAL[n]
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return _CIRCLED[n - 1] if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalHalfWidth":
        return str(n)
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "none":
        return ""
    return str(n)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    suff: str = "tab"
    legal: bool = False
    restart: int | None = None


class _Numbering:
    """numbering.xml: the counters Word keeps while it lays the document out."""

    def __init__(self, root, w: str) -> None:
        self.w = w
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if root is None:
            return
        for an in root.findall(f"{w}abstractNum"):
            self.abstract[an.get(f"{w}abstractNumId")] = {
                int(lvl.get(f"{w}ilvl", "0")): self._level(lvl) for lvl in an.findall(f"{w}lvl")}
        for n in root.findall(f"{w}num"):
            aid = _val(n, f"{w}abstractNumId", w)
            starts: dict[int, int] = {}
            lvls: dict[int, _Level] = {}
            for ov in n.findall(f"{w}lvlOverride"):
                ilvl = int(ov.get(f"{w}ilvl", "0"))
                so = _val(ov, f"{w}startOverride", w)
                if so is not None and so.lstrip("-").isdigit():
                    starts[ilvl] = int(so)
                lvl = ov.find(f"{w}lvl")
                if lvl is not None:
                    lvls[ilvl] = self._level(lvl)
            self.nums[n.get(f"{w}numId")] = (aid or "", starts, lvls)

    def _level(self, lvl) -> _Level:
        w = self.w
        start = _val(lvl, f"{w}start", w)
        restart = _val(lvl, f"{w}lvlRestart", w)
        legal = lvl.find(f"{w}isLgl")
        return _Level(start=int(start) if start and start.lstrip("-").isdigit() else 1,
                      fmt=_val(lvl, f"{w}numFmt", w) or "decimal",
                      text=_val(lvl, f"{w}lvlText", w) or "",
                      suff=_val(lvl, f"{w}suff", w) or "tab",
                      legal=legal is not None and legal.get(f"{w}val") not in ("0", "false"),
                      restart=int(restart) if restart and restart.isdigit() else None)

    def prefix(self, ppr, style_id: str | None, st: _Styles) -> str:
        w = self.w
        npr = ppr.find(f"{w}numPr") if ppr is not None else None
        num_id = _val(npr, f"{w}numId", w) if npr is not None else None
        ilvl_s = _val(npr, f"{w}ilvl", w) if npr is not None else None
        if num_id is None:
            num_id, style_ilvl = st.numpr(style_id)
            ilvl_s = ilvl_s or style_ilvl
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        aid, starts, overrides = self.nums[num_id]
        levels = self.abstract.get(aid, {})
        ilvl = int(ilvl_s) if ilvl_s and ilvl_s.isdigit() else 0
        level = overrides.get(ilvl) or levels.get(ilvl)
        if level is None:
            return ""
        counters = self.counters.setdefault(aid, {})
        if num_id not in self.started:          # a new list instance with its own start values
            self.started.add(num_id)
            for lv, value in starts.items():
                counters[lv] = value - 1
                for deeper in [k for k in counters if k > lv]:
                    del counters[deeper]

        def start_of(lv: int) -> int:
            if lv in starts:
                return starts[lv]
            ld = overrides.get(lv) or levels.get(lv)
            return ld.start if ld else 1

        counters[ilvl] = counters.get(ilvl, start_of(ilvl) - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            ld = overrides.get(deeper) or levels.get(deeper)
            if ld is None or ld.restart is None or ld.restart > ilvl:
                del counters[deeper]
        if level.fmt == "bullet":
            return ""                            # a bullet is no number; plans number by hand

        def sub(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            ld = overrides.get(lv) or levels.get(lv) or _Level()
            value = counters.get(lv, start_of(lv))
            return format_number(value, "decimal" if level.legal and lv != ilvl else ld.fmt)

        text = re.sub(r"%([1-9])", sub, level.text)
        if not text:
            return ""
        return text + (" " if level.suff == "space" else "")
