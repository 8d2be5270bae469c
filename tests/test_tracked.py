"""writer/export/tracked.py: edits written into the user's .docx as Word tracked changes with comments."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

import docx
import pytest
from lxml import etree

from ghplan.corpus.read import read_bytes_as
from ghplan.writer.export.tracked import (Edit, annotated_docx, apply_tracked, block_edits,
                                          tracked_docx)
from tests.docx_fixtures import plan_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WHEN = datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def original():
    data = plan_docx()
    return data, read_bytes_as(data, "plan.docx")


def _spans(text: str) -> list[tuple[int, int, str]]:
    at = text.index
    line = at("本文由网友投稿")
    return [
        (at("十四五"), at("十四五") + 3, "十五五"),
        (at("2025年工作计划"), at("2025年工作计划") + 4, "2027"),
        (at("紧紧围绕"), at("紧紧围绕") + 4, "始终围绕"),            # inside a bold red run
        (line, text.index("\n", line) + 1, ""),                     # a whole paragraph
        (at("第三届"), at("第三届") + 3, "第四届"),                  # inside someone's tracked insertion
        (at("20xx"), at("20xx") + 4, "2027"),
        (at("困难职工"), at("困难职工"), "全部"),                     # a pure insertion
    ]


def _expected(text: str, spans) -> str:
    for s, e, new in sorted(spans, reverse=True):
        text = text[:s] + new + text[e:]
    return text


def _tracked(original):
    data, read = original
    spans = _spans(read.text)
    edits = [x for s, e, new in spans
             for x in block_edits(read, s, e, new, "GH-TEST", f"GH-TEST {read.text[s:e]!r} → {new!r}")]
    return apply_tracked(data, edits, when=WHEN), _expected(read.text, spans), edits


def _part(data: bytes, name: str):
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def test_accepting_every_change_gives_the_edited_text(original):
    result, expected, edits = _tracked(original)
    assert not result.skipped and len(result.applied) == len(edits)
    assert read_bytes_as(result.data, "out.docx").text == expected
    docx.Document(io.BytesIO(result.data))           # python-docx opens it


def test_every_change_is_tracked_by_ghplan_dated_and_commented(original):
    result, _, edits = _tracked(original)
    body = _part(result.data, "word/document.xml")
    ours = [el for el in body.iter(f"{W}ins", f"{W}del") if el.get(f"{W}author") == "ghplan"]
    assert len(ours) >= len(edits)
    assert {el.get(f"{W}date") for el in ours} == {"2026-12-01T08:30:00Z"}
    deleted = "".join(t.text for d in ours if d.tag == f"{W}del" for t in d.iter(f"{W}delText"))
    assert "十四五" in deleted and "紧紧围绕" in deleted and "本文由网友投稿" in deleted
    comments = _part(result.data, "word/comments.xml").findall(f"{W}comment")
    texts = ["".join(c.itertext()) for c in comments]
    assert len(comments) == len(edits) and any("'十四五' → '十五五'" in t for t in texts)
    ids = {c.get(f"{W}id") for c in comments}
    assert ids == {el.get(f"{W}id") for el in body.iter(f"{W}commentRangeStart")}
    assert ids == {el.get(f"{W}id") for el in body.iter(f"{W}commentReference")}
    all_ids = [el.get(f"{W}id") for el in body.iter(f"{W}ins", f"{W}del")] + sorted(ids)
    assert len(all_ids) == len(set(all_ids))                     # one id space, no clash
    zf = zipfile.ZipFile(io.BytesIO(result.data))
    assert "word/comments.xml" in zf.read("[Content_Types].xml").decode()
    assert "comments.xml" in zf.read("word/_rels/document.xml.rels").decode()


def test_the_users_formatting_is_kept(original):
    result, _, _ = _tracked(original)
    body = _part(result.data, "word/document.xml")
    ins = next(i for i in body.iter(f"{W}ins") if "始终围绕" in "".join(i.itertext()))
    rpr = ins.find(f"{W}r/{W}rPr")
    assert rpr is not None and rpr.find(f"{W}b") is not None
    assert rpr.find(f"{W}color").get(f"{W}val") == "C00000"
    # the other author's insertion is still theirs
    assert any(el.get(f"{W}author") == "张三" for el in body.iter(f"{W}ins"))


def test_an_edit_on_words_own_number_is_skipped(original):
    data, read = original
    heading = next(b for b in read.blocks if b.text == "一、指导思想")
    result = apply_tracked(data, [Edit(heading.paragraph, 0, 2, "二、", "GH-NUM-GAP", "x")], when=WHEN)
    assert len(result.skipped) == 1 and not result.applied


def test_annotated_copy_has_comments_and_no_change(original):
    data, read = original
    at = read.text.index("20xx")
    notes = block_edits(read, at, at + 4, "", "GH-PH-20XX", "GH-PH-20XX 占位符：年份未填写")
    heading = next(b for b in read.blocks if b.text == "一、指导思想")
    notes.append(Edit(heading.paragraph, 0, 2, "", "GH-NUM", "on Word's own number: the paragraph"))
    out = annotated_docx(data, notes, when=WHEN)
    assert read_bytes_as(out, "a.docx").text == read.text
    body = _part(out, "word/document.xml")
    assert not [el for el in body.iter(f"{W}ins", f"{W}del") if el.get(f"{W}author") == "ghplan"]
    texts = ["".join(c.itertext()) for c in _part(out, "word/comments.xml").findall(f"{W}comment")]
    assert texts == ["GH-PH-20XX 占位符：年份未填写", "on Word's own number: the paragraph"]


def test_tracked_docx_is_apply_tracked_data(original):
    data, read = original
    edits = block_edits(read, 0, 0, "（草案）", "GH-TEST", "x")
    out = tracked_docx(data, edits, when=WHEN)
    assert read_bytes_as(out, "t.docx").text == "（草案）" + read.text
