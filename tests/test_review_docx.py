"""`ghplan review` on what users have: Word (with tracked changes out), PDF, GBK, folders, and the
one-line refusals (scan, password, legacy .doc/.wps)."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from typer.testing import CliRunner

from ghplan.corpus.read import read_bytes_as, read_document
from ghplan.writer.cli import app
from tests.docx_fixtures import (blank_pdf, encrypted_docx, encrypted_pdf, legacy_doc, plan_file,
                                 text_pdf)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def run(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env)


@pytest.fixture()
def plan(tmp_path) -> Path:
    return plan_file(tmp_path, "计划2025.docx")


def _findings(out: str) -> list[dict]:
    return json.loads(out.splitlines()[0])["findings"]


def test_review_of_a_word_file_finds_the_rot_with_paragraph_numbers(plan):
    r = run("review", str(plan), "--year", "2027", "--no-copy", "-f", "json")
    assert r.exit_code == 1, r.output
    text = read_document(plan).text
    found = {f["rule"]: f for f in _findings(r.stdout)}
    assert {"GH-STALE-TITLE-YEAR", "GH-STALE-YEAR-CLAIM", "GH-PH-YEAR"} <= set(found)
    for f in found.values():
        assert text[f["start"]:f["end"]] == f["text"]             # the contract, on the extracted text
    assert found["GH-STALE-TITLE-YEAR"]["paragraph"] == 1
    assert found["GH-STALE-YEAR-CLAIM"]["paragraph"] == 2
    assert found["GH-PH-YEAR"]["paragraph"] == 12                 # 1.于20xx年… (Word's own number)
    assert "内部资料" not in json.dumps(found, ensure_ascii=False)     # the header is not the plan


def test_fix_on_a_word_file_writes_tracked_changes_with_comments(plan, tmp_path):
    out = tmp_path / "计划2027.docx"
    original = plan.read_bytes()
    r = run("review", str(plan), "--year", "2027", "--no-copy", "--fix", "--out", str(out), "-f", "json")
    assert r.exit_code == 1, r.output                             # 20xx and the signature date are left for a person
    data = out.read_bytes()
    docx.Document(io.BytesIO(data))                               # a valid .docx
    accepted = read_bytes_as(data, out.name).text
    # accepting every change gives the fixed text: the same text the text fixer produces
    fixed_text = run("review", str(plan), "--year", "2027", "--no-copy", "--fix", "--out", "-")
    assert fixed_text.exit_code == 1
    assert accepted == fixed_text.stdout.rstrip("\n")
    assert accepted.startswith("某市第一人民医院工会2027年工作计划\n2027年是“十五五”规划的深入实施之年")
    assert "仅供参考" not in accepted and "第三届护理技能大赛" in accepted and "1200人" in accepted
    zf = zipfile.ZipFile(io.BytesIO(data))
    body = etree.fromstring(zf.read("word/document.xml"))
    ours = [e for e in body.iter(f"{W}ins", f"{W}del") if e.get(f"{W}author") == "ghplan"]
    assert ours and all(e.get(f"{W}date") for e in ours)
    comments = ["".join(c.itertext()) for c in etree.fromstring(zf.read("word/comments.xml"))]
    assert len(comments) == 3
    stale = next(c for c in comments if "GH-STALE-YEAR-CLAIM" in c)
    assert "已将“2025年是“十四五”规划的收官之年”改为“2027年是“十五五”规划的深入实施之年”" in stale
    assert "原因" in stale
    rest = json.loads(r.stdout.splitlines()[0])
    assert {f["rule"] for f in rest["findings"]} == {"GH-PH-YEAR", "GH-STALE-SIGNATURE-DATE"}
    assert all("paragraph" in f for f in rest["findings"])
    assert plan.read_bytes() == original     # the input is left alone (a rebuilt .docx would differ in zip times)


def test_fix_never_writes_text_into_a_docx_even_from_text(tmp_path):
    src = tmp_path / "plan.txt"
    src.write_text("2025年某厂工会工作计划\n以下是小编整理的工会工作计划范文，希望对大家有所帮助。\n"
                   "一、指导思想\n坚持以习近平新时代中国特色社会主义思想为指导。\n", "utf-8")
    out = tmp_path / "plan.docx"
    run("review", str(src), "--year", "2027", "--no-copy", "--fix", "--out", str(out))
    data = out.read_bytes()
    assert data.startswith(b"PK")
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    assert any(e.get(f"{W}author") == "ghplan" for e in body.iter(f"{W}del"))
    assert "小编" not in read_bytes_as(data, "plan.docx").text


def test_annotate_writes_a_commented_copy_and_changes_nothing(plan, tmp_path):
    out = tmp_path / "批注.docx"
    r = run("review", str(plan), "--year", "2027", "--no-copy", "--annotate", str(out))
    assert r.exit_code == 1
    data = out.read_bytes()
    assert read_bytes_as(data, out.name).text == read_document(plan).text
    zf = zipfile.ZipFile(io.BytesIO(data))
    body = etree.fromstring(zf.read("word/document.xml"))
    assert not [e for e in body.iter(f"{W}ins", f"{W}del") if e.get(f"{W}author") == "ghplan"]
    comments = ["".join(c.itertext()) for c in etree.fromstring(zf.read("word/comments.xml"))]
    assert len(comments) == 5 and any("GH-PH-YEAR" in c for c in comments)


def test_gbk_round_trip_keeps_the_encoding(tmp_path):
    src = tmp_path / "gbk.txt"
    old = "2025年某厂工会工作计划\r\n一、指导思想\r\n建功“十四五”。\r\n"
    src.write_bytes(old.encode("gbk"))
    r = run("review", str(src), "--year", "2027", "--no-copy", "--fix", "--in-place")
    assert "read as GB18030" in r.stderr
    raw = src.read_bytes()
    assert raw.decode("gbk") == raw.decode("gb18030")
    assert "十五五" in raw.decode("gbk") and b"\r\n" in raw             # its encoding and line ends kept
    out = tmp_path / "utf8.txt"
    src.write_bytes(old.encode("gbk"))
    run("review", str(src), "--year", "2027", "--no-copy", "--fix", "--out", str(out), "--out-encoding", "utf-8")
    assert "十五五" in out.read_bytes().decode("utf-8")


def test_pdf_with_text_is_reviewed(tmp_path):
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(text_pdf(["某县教育局工会2027年工作计划", "一、指导思想", "坚持以邓小平理论和“三个代表”重要思想为指导，深入贯彻十七大精神。"]))
    r = run("review", str(pdf), "--year", "2027", "--no-copy", "-f", "json")
    found = _findings(r.stdout)
    stale = [f for f in found if f["text"] == "十七大"]
    assert stale and stale[0]["paragraph"] == 3


@pytest.mark.parametrize("name,make,says", [
    ("scan.pdf", blank_pdf, "no text layer"),
    ("locked.pdf", lambda: encrypted_pdf(["某县教育局工会2027年工作计划"]), "password-protected"),
    ("locked.docx", encrypted_docx, "password-protected"),
    ("old.doc", legacy_doc, "save it as .docx"),
    ("old.wps", legacy_doc, "save it as .docx"),
])
def test_what_cannot_be_read_is_one_line_and_exit_2(tmp_path, name, make, says):
    p = tmp_path / name
    p.write_bytes(make())
    r = run("review", str(p), env={"GHPLAN_SOFFICE": "none"})
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ghplan: error: ") and says in lines[0]


def test_review_dir_reviews_every_supported_file(tmp_path, plan):
    folder = tmp_path / "plans"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.docx").write_bytes(plan.read_bytes())
    (folder / "sub" / "b.txt").write_bytes((FIXTURES / "clean_hospital.txt").read_text("utf-8").encode("gbk"))
    (folder / "c.md").write_text((FIXTURES / "clean_school.txt").read_text("utf-8"), "utf-8")
    (folder / "~$a.docx").write_bytes(b"lock")                 # Word's lock file
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "x.txt").write_text("x", "utf-8")
    (folder / "notes.xlsx").write_bytes(b"PK")
    (folder / "old.doc").write_bytes(legacy_doc())
    r = run("review", str(folder), "--year", "2027", "--no-copy", "--format", "json", env={"GHPLAN_SOFFICE": "none"})
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [Path(row["file"]).relative_to(folder).as_posix() for row in rows] == ["a.docx", "c.md", "sub/b.txt"]
    assert r.exit_code == 1                                     # a.docx has errors; nothing unreadable
    assert "skipped" in r.stderr and "old.doc" in r.stderr
