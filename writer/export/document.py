"""Export a plan as .md, .txt or .docx (GB/T 9704-2012 公文 layout), always written atomically.

The .docx follows the national standard for official documents:
- A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
- title in 方正小标宋简体 22 pt (二号), centred;
- body in 仿宋_GB2312 16 pt (三号), first line indented two characters, fixed 28 pt lines;
- level-1 headings (一、) in 黑体, level-2 (（一）) in 楷体_GB2312, levels 3 and 4 in the body font;
- page numbers in the footer as "— N —" (a PAGE field) in 宋体 14 pt, odd pages right, even left;
- every run names its East-Asian font in w:rFonts/@w:eastAsia, which is what Word and WPS read
  for Chinese text (python-docx's font.name only sets the Latin slots).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from ghplan.corpus import markers
from ghplan.writer.io import write_atomic
from ghplan.writer.errors import GhplanError, UsageError


FORMATS = (".md", ".txt", ".docx")

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TITLE_PT, BODY_PT, PAGE_PT = 22, 16, 14
LINE_PT = 28
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}

# heading levels at a line start (corpus/markers.py's fragments); only 一、 for level 1, and level 3
# without markers.LEVEL3's (?!\d), as export has always read them
_H1 = re.compile(rf"^{markers.CN}、")
_H2 = re.compile(rf"^{markers.LEVEL2}")
_H3 = re.compile(r"^\d{1,2}[.、．]")
_H4 = re.compile(rf"^{markers.LEVEL4}")
_DATE = markers.DATE_LINE


def check_out_path(path: str | Path) -> Path:
    """Fail early (before drafting) on a path we cannot write: bad extension, missing directory."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"--out must end in {', '.join(FORMATS)}, got {path.name!r}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: directory {parent} does not exist")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a directory")
    return path


# ---------------------------------------------------------------------- paragraphs
@dataclass(frozen=True)
class Para:
    kind: str      # title | body | h1 | h2 | h3 | h4 | sign
    text: str


def classify(text: str) -> list[Para]:
    """The plan's lines as typed paragraphs: title first, the sign-off (落款) last."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
    if not lines:
        return []
    paras = [Para("title", lines[0])]
    body = lines[1:]
    sign: list[str] = []
    if body and _DATE.match(body[-1]):
        sign = [body.pop()]
        if body and len(body[-1]) <= 40 and not re.search(r"[。；;：:]", body[-1]) \
                and not (_H1.match(body[-1]) or _H2.match(body[-1]) or _H3.match(body[-1])):
            sign.insert(0, body.pop())
    for ln in body:
        kind = ("h1" if _H1.match(ln) else "h2" if _H2.match(ln) else "h4" if _H4.match(ln)
                else "h3" if _H3.match(ln) else "body")
        paras.append(Para(kind, ln))
    paras.extend(Para("sign", s) for s in sign)
    return paras


def to_markdown(text: str) -> str:
    """Paragraphs separated by blank lines: renders as Markdown, reviews like the plain text
    (no heading or emphasis marks, which are rot in a printed plan)."""
    return "\n\n".join(p.text for p in classify(text)) + "\n"


def to_txt(text: str) -> str:
    return "\n".join(p.text for p in classify(text)) + "\n"


# ---------------------------------------------------------------------- docx
def _set_fonts(run_or_style, east_asia: str, size_pt: float | None = None, latin: str = LATIN_FONT,
               bold: bool | None = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = latin
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    el = run_or_style.element
    rpr = el.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia),
                        ("w:cs", latin)):
        rfonts.set(qn(attr), value)
    rfonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _para_format(p, *, indent_chars: float = 2, align: str = "justify", line_pt: float = LINE_PT,
                 size_pt: float = BODY_PT) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    fmt = p.paragraph_format
    fmt.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                     "right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(size_pt * indent_chars) if indent_chars else Pt(0)
    fmt.widow_control = False


def _add_page_field(paragraph, font_pt: float) -> None:
    """— PAGE — as a real field (fldChar begin / instrText / separate / end)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(text: str | None = None):
        r = paragraph.add_run(text or "")
        _set_fonts(r, PAGE_FONT, font_pt, latin=PAGE_FONT)
        return r

    run("— ")
    begin = run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "begin")
    begin._r.append(fld)
    instr_run = run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instr_run._r.append(instr)
    sep_run = run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    sep_run._r.append(sep)
    run("1")
    end_run = run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    end_run._r.append(end)
    run(" —")


def to_docx_bytes(text: str) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    paras = classify(text)
    if not paras:
        raise GhplanError("nothing to export: the plan is empty")
    doc = docx.Document()
    # page: A4 and the standard margins
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    sec.header_distance, sec.footer_distance = Mm(15), Mm(25)
    # the default style: body font, so anything unstyled is still 仿宋 16 pt
    normal = doc.styles["Normal"]
    _set_fonts(normal, BODY_FONT, BODY_PT)
    # page numbers: odd pages right, even pages left (the standard), one character inside
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(PAGE_PT)
        else:
            p.paragraph_format.left_indent = Pt(PAGE_PT)
        _add_page_field(p, PAGE_PT)

    first = True
    for para in paras:
        p = doc.paragraphs[0] if first and doc.paragraphs else doc.add_paragraph()
        first = False
        if para.kind == "title":
            _para_format(p, indent_chars=0, align="center", line_pt=36, size_pt=TITLE_PT)
            _set_fonts(p.add_run(para.text), TITLE_FONT, TITLE_PT)
            blank = doc.add_paragraph()          # one empty line under the title
            _para_format(blank, indent_chars=0)
            continue
        if para.kind == "sign":
            _para_format(p, indent_chars=0, align="right")
            p.paragraph_format.right_indent = Pt(BODY_PT * 4)
            _set_fonts(p.add_run(para.text), BODY_FONT, BODY_PT)
            continue
        _para_format(p)
        if para.kind in ("h1", "h2") and not _split_runin(para.text)[1]:
            p.paragraph_format.keep_with_next = True    # a heading never ends a page
        if para.kind == "h1":
            head, rest = _split_runin(para.text)
            _set_fonts(p.add_run(head), H1_FONT, BODY_PT)
            if rest:
                _set_fonts(p.add_run(rest), BODY_FONT, BODY_PT)
        elif para.kind == "h2":
            head, rest = _split_runin(para.text)
            _set_fonts(p.add_run(head), H2_FONT, BODY_PT)
            if rest:
                _set_fonts(p.add_run(rest), BODY_FONT, BODY_PT)
        else:
            _set_fonts(p.add_run(para.text), BODY_FONT, BODY_PT)
    if any(pr.kind == "sign" for pr in paras):
        # a blank line between the body and the sign-off
        sign_first = next(i for i, pr in enumerate(paras) if pr.kind == "sign")
        body_paras = [pp for pp in doc.paragraphs]
        anchor = body_paras[sign_first + 1] if sign_first + 1 < len(body_paras) else None
        if anchor is not None:
            gap = anchor.insert_paragraph_before("")
            _para_format(gap, indent_chars=0)
            # the sign-off never stands alone on the last page: keep the last body line with it
            body_paras[sign_first].paragraph_format.keep_with_next = True
            gap.paragraph_format.keep_with_next = True
            anchor.paragraph_format.keep_with_next = True
    core = doc.core_properties
    core.title = paras[0].text
    core.author = "ghplan"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _split_runin(line: str) -> tuple[str, str]:
    """A run-in heading (（一）加强组织领导。正文……) split into the heading and its body."""
    m = re.search(r"[。：:]", line)
    if m and m.end() < len(line):
        return line[:m.end()], line[m.end():]
    return line, ""


# ---------------------------------------------------------------------- entry point
def export(text: str, path: str | Path) -> Path:
    """Write `text` to `path` in the format its extension names; atomic."""
    path = check_out_path(path)
    ext = path.suffix.lower()
    if ext == ".docx":
        data: bytes | str = to_docx_bytes(text)
    elif ext == ".md":
        data = to_markdown(text)
    else:
        data = to_txt(text)
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None   # bad --out
    return path


