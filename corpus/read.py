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

The Word reader is corpus/word.py (its numbering corpus/word_numbering.py); `walk_docx` there
returns the blocks with the XML pieces each character came from, for the tracked-change writer.
"""
from __future__ import annotations

import bisect
import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ghplan.corpus.decode import DecodeError, decode_bytes, read_bytes

__all__ = ["Block", "ReadResult", "read_document", "read_bytes_as", "SUPPORTED", "LEGACY"]

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


def result(blocks: list[Block], fmt: str, encoding: str, source: str, note: str = "",
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
        from ghplan.corpus.word import read_docx   # the Word reader needs this module's types

        return read_docx(data, name)
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
    return result(blocks, "text", decoded.encoding, name, text=text, starts=starts,
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
        from ghplan.corpus.word import read_docx

        converted = read_docx(out.read_bytes(), name)
    note = f"{name}: {what}, converted to .docx through LibreOffice ({soffice}) to read it"
    return ReadResult(converted.text, converted.blocks, converted.starts, "docx", "docx", name, note)


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
    return result(blocks, "pdf", "pdf", name)
