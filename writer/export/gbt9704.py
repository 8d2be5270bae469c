"""A plan as a .docx in the GB/T 9704-2012 公文 layout.

The layout follows the national standard for official documents:
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

from ghplan.writer.errors import GhplanError
from ghplan.writer.export.text import Para, classify

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TITLE_PT, BODY_PT, PAGE_PT = 22, 16, 14
LINE_PT = 28
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}


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

    paras = classify(text)
    if not paras:
        raise GhplanError("nothing to export: the plan is empty")
    doc = docx.Document()
    sec = _page_setup(doc)
    # the default style: body font, so anything unstyled is still 仿宋 16 pt
    _set_fonts(doc.styles["Normal"], BODY_FONT, BODY_PT)
    _page_numbers(doc, sec)
    for n, para in enumerate(paras):
        p = doc.paragraphs[0] if n == 0 and doc.paragraphs else doc.add_paragraph()
        _write_para(doc, p, para)
    _sign_off_gap(doc, paras)
    core = doc.core_properties
    core.title = paras[0].text
    core.author = "ghplan"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _page_setup(doc):
    """A4 and the standard margins; the section, for the footers."""
    from docx.shared import Mm

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    sec.header_distance, sec.footer_distance = Mm(15), Mm(25)
    return sec


def _page_numbers(doc, sec) -> None:
    """Page numbers: odd pages right, even pages left (the standard), one character inside."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

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


HEAD_FONT = {"h1": H1_FONT, "h2": H2_FONT}


def _write_para(doc, p, para: Para) -> None:
    """One typed paragraph in its font, size and indent."""
    from docx.shared import Pt

    if para.kind == "title":
        _para_format(p, indent_chars=0, align="center", line_pt=36, size_pt=TITLE_PT)
        _set_fonts(p.add_run(para.text), TITLE_FONT, TITLE_PT)
        blank = doc.add_paragraph()          # one empty line under the title
        _para_format(blank, indent_chars=0)
        return
    if para.kind == "sign":
        _para_format(p, indent_chars=0, align="right")
        p.paragraph_format.right_indent = Pt(BODY_PT * 4)
        _set_fonts(p.add_run(para.text), BODY_FONT, BODY_PT)
        return
    _para_format(p)
    if para.kind not in HEAD_FONT:
        _set_fonts(p.add_run(para.text), BODY_FONT, BODY_PT)
        return
    head, rest = _split_runin(para.text)
    if not rest:
        p.paragraph_format.keep_with_next = True    # a heading never ends a page
    _set_fonts(p.add_run(head), HEAD_FONT[para.kind], BODY_PT)
    if rest:
        _set_fonts(p.add_run(rest), BODY_FONT, BODY_PT)


def _sign_off_gap(doc, paras: list[Para]) -> None:
    """A blank line between the body and the sign-off, which never stands alone on the last page."""
    if not any(pr.kind == "sign" for pr in paras):
        return
    sign_first = next(i for i, pr in enumerate(paras) if pr.kind == "sign")
    body_paras = [pp for pp in doc.paragraphs]
    anchor = body_paras[sign_first + 1] if sign_first + 1 < len(body_paras) else None
    if anchor is not None:
        gap = anchor.insert_paragraph_before("")
        _para_format(gap, indent_chars=0)
        # keep the last body line with the sign-off
        body_paras[sign_first].paragraph_format.keep_with_next = True
        gap.paragraph_format.keep_with_next = True
        anchor.paragraph_format.keep_with_next = True


def _split_runin(line: str) -> tuple[str, str]:
    """A run-in heading (（一）加强组织领导。正文……) split into the heading and its body."""
    m = re.search(r"[。：:]", line)
    if m and m.end() < len(line):
        return line[:m.end()], line[m.end():]
    return line, ""
