"""Export: .md/.txt keep the reviewed text; .docx is a GB/T 9704 公文 (fonts with East-Asian
slots, sizes, A4 margins, PAGE field footers), written atomically. Rendering through LibreOffice
is checked when it is installed and skipped otherwise."""
from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from ghplan.writer.errors import GhplanError, UsageError
from ghplan.writer.draft.backends.offline import OfflineBackend

from ghplan.writer.draft.pipeline import draft
from ghplan.writer.export import classify, export, to_markdown
from ghplan.writer.draft.profile import example_profile

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def plan() -> str:
    return draft(example_profile("hospital"), backend=OfflineBackend(), year=2027, retrieve=False).text


@pytest.fixture(scope="module")
def docx_path(plan, tmp_path_factory) -> Path:
    return export(plan, tmp_path_factory.mktemp("docx") / "plan.docx")


def run_fonts(paragraph):
    out = []
    for r in paragraph.runs:
        rfonts = r._r.rPr.find(f"{W}rFonts")
        out.append((rfonts.get(f"{W}eastAsia"), r.font.size.pt if r.font.size else None, r.text))
    return out


def test_classify_title_headings_and_sign_off(plan):
    paras = classify(plan)
    assert paras[0].kind == "title" and paras[0].text.endswith("2027年工作计划")
    assert [p.kind for p in paras[-2:]] == ["sign", "sign"]
    kinds = {p.kind for p in paras}
    assert {"h1", "h2", "h3", "body"} <= kinds


def test_docx_page_setup(docx_path):
    import docx

    d = docx.Document(str(docx_path))
    s = d.sections[0]
    assert round(s.page_width.mm) == 210 and round(s.page_height.mm) == 297
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]


def test_docx_fonts_and_sizes(docx_path, plan):
    import docx

    d = docx.Document(str(docx_path))
    paras = [p for p in d.paragraphs if p.text.strip()]
    title = run_fonts(paras[0])
    assert title == [("方正小标宋简体", 22.0, plan.splitlines()[0])]
    assert paras[0].alignment == 1   # centred
    h1 = next(p for p in paras if p.text.startswith("一、"))
    assert run_fonts(h1)[0][:2] == ("黑体", 16.0)
    h2 = next(p for p in paras if p.text.startswith("（一）"))
    assert run_fonts(h2)[0][:2] == ("楷体_GB2312", 16.0)
    body = paras[1]
    assert run_fonts(body)[0][:2] == ("仿宋_GB2312", 16.0)
    assert round(body.paragraph_format.first_line_indent.pt) == 32
    assert round(body.paragraph_format.line_spacing.pt) == 28
    # a run-in safeguard heading: 楷体 for the heading, 仿宋 for what follows
    runin = next(p for p in paras if p.text.startswith("（一）") and "。" in p.text[:-1])
    fonts = run_fonts(runin)
    assert fonts[0][0] == "楷体_GB2312" and fonts[0][2].endswith("。") and fonts[1][0] == "仿宋_GB2312"
    # the sign-off is right-aligned and never alone on the last page; headings stay with their text
    assert paras[-1].text == "2027年1月" and paras[-1].alignment == 2
    assert paras[-3].paragraph_format.keep_with_next and paras[-2].paragraph_format.keep_with_next
    assert h1.paragraph_format.keep_with_next and h2.paragraph_format.keep_with_next
    # every run names an East-Asian font (what Word and WPS use for Chinese)
    assert all(f[0] for p in paras for f in run_fonts(p))
    # the Normal style too, so unstyled text still comes out in 仿宋
    normal = d.styles["Normal"].element.rPr.find(f"{W}rFonts")
    assert normal.get(f"{W}eastAsia") == "仿宋_GB2312"


def test_docx_footer_page_numbers_odd_and_even(docx_path):
    with zipfile.ZipFile(docx_path) as z:
        names = z.namelist()
        footers = [n for n in names if n.startswith("word/footer")]
        settings = z.read("word/settings.xml").decode()
        assert len(footers) == 2
        for n in footers:
            xml = z.read(n).decode()
            assert 'w:fldCharType="begin"' in xml and "PAGE" in xml and 'w:fldCharType="end"' in xml
            assert "— " in xml
        assert "evenAndOddHeaders" in settings


def test_md_and_txt_keep_the_reviewed_text(plan, tmp_path):
    from ghplan.writer.review.reviewer import review_text

    md = export(plan, tmp_path / "p.md").read_text("utf-8")
    txt = export(plan, tmp_path / "p.txt").read_text("utf-8")
    assert txt == plan + "\n"
    assert md.replace("\n\n", "\n") == plan + "\n"
    assert "#" not in md and "**" not in md
    assert review_text(md, org_type="hospital", year=2027).to_json()["summary"]["errors"] == 0
    assert to_markdown(plan).count("\n\n") == len(plan.splitlines()) - 1


def test_writes_are_atomic_and_bad_paths_fail_early(plan, tmp_path):
    out = tmp_path / "p.docx"
    out.write_text("old", "utf-8")
    export(plan, out)
    assert zipfile.is_zipfile(out)
    assert [p.name for p in tmp_path.iterdir()] == ["p.docx"]     # no temp files left behind
    assert out.stat().st_mode & 0o044                              # readable like any document
    with pytest.raises(GhplanError) as err:
        export(plan, tmp_path / "p.pdf")
    assert isinstance(err.value, UsageError)
    with pytest.raises(GhplanError):
        export(plan, tmp_path / "missing-dir" / "p.docx")
    assert not (tmp_path / "p.pdf").exists()


@pytest.mark.slow       # renders through LibreOffice when installed
def test_docx_renders_with_libreoffice_if_installed(docx_path, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice not installed (scripts/render_docx.sh renders for a human look)")
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(docx_path)], check=True, capture_output=True, timeout=180,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    pdf = tmp_path / "plan.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "595.3" in info or "595.28" in info or "A4" in info        # A4 width in points
        pages = int(next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages")))
        assert pages >= 2
