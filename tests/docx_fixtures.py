"""Word, PDF and GBK test documents built here, in the tests (nothing binary is committed).

`plan_docx()` is a hospital union's 2025 plan as a cadre keeps it in Word: headings numbered by
Word itself (numbering.xml: 一、 chineseCounting at level 0, （一） at level 1, 1. decimal at level
2), a table, a header holding the unit's name (which a reader must ignore), a tracked change
already in it (an insertion python-docx's `paragraph.text` would drop, and a deletion), bold and
coloured runs, and the rot ghplan finds: a stale 十四五 reference, a 20xx placeholder, site
boilerplate.
"""
from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt, RGBColor

UNIT = "某市第一人民医院工会"

NUMBERING = (
    f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
    '<w:multiLevelType w:val="multilevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
    '<w:lvlText w:val="%1、"/><w:suff w:val="nothing"/><w:lvlJc w:val="left"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
    '<w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/><w:lvlJc w:val="left"/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
    '<w:lvlText w:val="%3."/><w:suff w:val="nothing"/><w:lvlJc w:val="left"/></w:lvl>'
    '</w:abstractNum>'
)


def _numbered(doc, text: str, level: int, style: str | None = None):
    p = doc.add_paragraph(text, style=style)
    ppr = p._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    return p


def _add_numbering(doc) -> None:
    numbering = doc.part.numbering_part.element
    numbering.insert(0, parse_xml(NUMBERING))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))


def _tracked_paragraph(doc, before: str, inserted: str, deleted: str, after: str):
    """A paragraph holding a tracked insertion and a tracked deletion (accepted: before+inserted+after)."""
    p = doc.add_paragraph(before)
    p._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="901" w:author="张三" w:date="2025-01-05T09:00:00Z">'
        f'<w:r><w:t xml:space="preserve">{inserted}</w:t></w:r></w:ins>'))
    p._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="902" w:author="张三" w:date="2025-01-05T09:00:00Z">'
        f'<w:r><w:delText xml:space="preserve">{deleted}</w:delText></w:r></w:del>'))
    p.add_run(after)
    return p


def plan_docx(year: int = 2025) -> bytes:
    doc = Document()
    _add_numbering(doc)
    doc.sections[0].header.paragraphs[0].text = f"{UNIT}（内部资料）"
    doc.sections[0].footer.paragraphs[0].text = "第1页"
    title = doc.add_paragraph()
    run = title.add_run(f"{UNIT}{year}年工作计划")
    run.bold = True
    run.font.size = Pt(22)
    doc.add_paragraph(f"{year}年是“十四五”规划的收官之年。为做好本年度工会工作，结合我院实际，制定本计划。")
    _numbered(doc, "指导思想", 0, "Heading 1")
    p = doc.add_paragraph("坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大精神，")
    red = p.add_run("紧紧围绕医院中心工作")
    red.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    red.bold = True
    p.add_run("，团结动员全院职工建功立业。")
    _numbered(doc, "工作目标", 0, "Heading 1")
    doc.add_paragraph("会员入会率保持在98%以上，全院职工1200人，职工满意度达到95%。")
    _numbered(doc, "主要任务", 0, "Heading 1")
    _numbered(doc, "加强职工思想政治引领", 1, "Heading 2")
    _tracked_paragraph(doc, "组织职工参加“中国梦·劳动美”主题教育", "，开展第三届护理技能大赛", "和书画展", "。")
    _numbered(doc, "维护职工合法权益", 1, "Heading 2")
    doc.add_paragraph("召开二届三次职工代表大会，审议《医院绩效考核办法》。")
    _numbered(doc, "于20xx年3月前完成困难职工建档。", 2)
    _numbered(doc, "走访慰问一线医护人员。", 2)
    doc.add_paragraph("本文由网友投稿，仅供参考。")
    _numbered(doc, "保障措施", 0, "Heading 1")
    doc.add_paragraph("加强组织领导，落实工作责任，确保各项任务落到实处。")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "时间"
    table.cell(0, 1).text = "工作安排"
    table.cell(1, 0).text = "3月"
    table.cell(1, 1).text = "开展“三八”妇女节系列活动"
    doc.add_paragraph(f"{UNIT}")
    doc.add_paragraph(f"{year - 1}年12月20日")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def plan_file(folder: Path, name: str = "plan2025.docx") -> Path:
    """`plan_docx()` written as `folder/name`: the Word file the review tests hand the CLI."""
    path = Path(folder) / name
    path.write_bytes(plan_docx())
    return path


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (Chinese through a CID font, no embedding)."""
    from pypdf import PdfWriter
    from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, NameObject,
                               NumberObject, TextStringObject)

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): NameObject("/STSong-Light"),
        NameObject("/Encoding"): NameObject("/UniGB-UCS2-H"),
        NameObject("/DescendantFonts"): ArrayObject([writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType0"),
            NameObject("/BaseFont"): NameObject("/STSong-Light"),
            NameObject("/CIDSystemInfo"): DictionaryObject({
                NameObject("/Registry"): TextStringObject("Adobe"),
                NameObject("/Ordering"): TextStringObject("GB1"),
                NameObject("/Supplement"): NumberObject(4)}),
        }))]),
    })
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    ops = ["BT", "/F1 12 Tf", "14 TL", "50 780 Td"]
    for line in lines:
        ops.append(f"<{line.encode('utf-16-be').hex()}> Tj T*")
    ops.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def blank_pdf() -> bytes:
    """A PDF with a page and no text: what a scan looks like to a text reader."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def encrypted_pdf(lines: list[str]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(lines))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def legacy_doc() -> bytes:
    """The first bytes of an OLE2 compound file (a Word 97-2003 .doc) and nothing readable after."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64


def encrypted_docx() -> bytes:
    """An OLE2 container with the EncryptionInfo stream Word writes for a password-protected .docx."""
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le")
            + b"\x00" * 32 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64)

