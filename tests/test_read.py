"""corpus/read.py: what users have (.docx, .pdf, GBK text) read as text, with paragraph numbers."""
from __future__ import annotations

import pytest

from ghplan.corpus.decode import DecodeError
from ghplan.corpus.read import read_bytes_as, read_document
from ghplan.corpus.word_numbering import format_number
from tests.docx_fixtures import (UNIT, blank_pdf, encrypted_docx, encrypted_pdf, legacy_doc,
                                 plan_docx, text_pdf)


@pytest.fixture(scope="module")
def plan():
    return read_bytes_as(plan_docx(), "plan.docx")


def test_docx_reads_body_in_order_with_word_numbering(plan):
    texts = [b.text for b in plan.blocks]
    assert texts[0] == f"{UNIT}2025年工作计划"
    assert "一、指导思想" in texts and "二、工作目标" in texts and "四、保障措施" in texts
    assert "（一）加强职工思想政治引领" in texts and "（二）维护职工合法权益" in texts
    assert "1.于20xx年3月前完成困难职工建档。" in texts and "2.走访慰问一线医护人员。" in texts
    assert plan.format == "docx" and plan.encoding == "docx"
    assert [b.paragraph for b in plan.blocks] == list(range(1, len(plan.blocks) + 1))
    kinds = {b.text: b.kind for b in plan.blocks}
    assert kinds["一、指导思想"] == "heading" and kinds["开展“三八”妇女节系列活动"] == "table"
    # the table comes after 保障措施 and before the signature, as in the document
    assert texts.index("四、保障措施") < texts.index("时间") < texts.index("2024年12月20日")


def test_docx_ignores_header_and_footer(plan):
    assert "内部资料" not in plan.text and "第1页" not in plan.text


def test_docx_reads_tracked_changes_as_accepted(plan):
    # python-docx's paragraph.text would drop the insertion; the deletion must not be read
    assert "组织职工参加“中国梦·劳动美”主题教育，开展第三届护理技能大赛。" in plan.text
    assert "书画展" not in plan.text


def test_offsets_map_to_paragraphs(plan):
    assert plan.text == "\n".join(b.text for b in plan.blocks)
    for block, start in zip(plan.blocks, plan.starts):
        assert plan.text[start:start + len(block.text)] == block.text
        assert plan.paragraph_at(start) == block.paragraph
        assert plan.paragraph_at(start + len(block.text)) == block.paragraph   # its "\n"
    at = plan.text.index("20xx")
    assert plan.paragraph_at(at) == 12


def test_text_pdf_is_read():
    lines = ["某县教育局工会2026年工作计划", "一、指导思想", "坚持以习近平新时代中国特色社会主义思想为指导。"]
    r = read_bytes_as(text_pdf(lines), "plan.pdf")
    assert [b.text for b in r.blocks] == lines and r.format == "pdf"


def test_gbk_text_is_read_and_named(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes("某县教育局工会2026年工作计划\r\n一、指导思想\r\n".encode("gbk"))
    r = read_document(path)
    assert r.encoding == "gb18030" and r.crlf and r.text.startswith("某县教育局工会")
    assert r.blocks[1].text == "一、指导思想" and r.paragraph_at(r.text.index("指导")) == 2


@pytest.mark.parametrize("data,name,says", [
    (blank_pdf(), "scan.pdf", "no text layer"),
    (encrypted_pdf(["某县教育局工会2026年工作计划"]), "locked.pdf", "password-protected"),
    (encrypted_docx(), "locked.docx", "password-protected"),
    (legacy_doc(), "old.doc", "save it as .docx"),
    (legacy_doc(), "old.wps", "WPS"),
    (b"PK\x03\x04 not really a zip", "broken.docx", "damaged .docx"),
    (b"", "empty.docx", "empty"),
])
def test_unreadable_documents_are_one_line(data, name, says, monkeypatch):
    monkeypatch.setenv("GHPLAN_SOFFICE", "none")
    with pytest.raises(DecodeError) as exc:
        read_bytes_as(data, name)
    msg = str(exc.value)
    assert says in msg and "\n" not in msg and msg.startswith(name)


def test_word_number_formats():
    assert [format_number(n, "chineseCounting") for n in (1, 10, 11, 20, 23)] == ["一", "十", "十一", "二十", "二十三"]
    assert format_number(3, "decimalEnclosedCircle") == "③"
    assert format_number(2, "ideographTraditional") == "乙"
    assert format_number(4, "upperRoman") == "IV" and format_number(28, "lowerLetter") == "bb"
