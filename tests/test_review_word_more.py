"""Word files in review, beyond test_review_docx.py (issue 13): SARIF carries the paragraph
number of each finding in a .docx; a legacy .doc goes through LibreOffice when soffice is on
PATH (and says so), and without soffice it is one "save as .docx" line, exit 2."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ghplan.writer.cli import app
from tests.docx_fixtures import plan_file

runner = CliRunner()


def run(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env)


@pytest.fixture()
def plan(tmp_path) -> Path:
    return plan_file(tmp_path)


def test_sarif_carries_the_paragraph_of_each_finding_in_a_word_file(plan):
    as_json = run("review", str(plan), "--year", "2027", "--no-copy", "-f", "json")
    expected = {(f["rule"], f["start"]): f["paragraph"] for f in json.loads(as_json.stdout.splitlines()[0])["findings"]}
    r = run("review", str(plan), "--year", "2027", "--no-copy", "--format", "sarif")
    assert r.exit_code == 1, r.output
    results = json.loads(r.stdout)["runs"][0]["results"]
    assert len(results) == len(expected) and len({p for p in expected.values()}) > 3
    for res in results:
        loc = res["locations"][0]
        n = expected[(res["ruleId"], loc["physicalLocation"]["region"]["charOffset"])]
        assert res["properties"]["paragraph"] == n
        assert loc["logicalLocations"][0]["name"] == f"paragraph {n}"
    title = next(res for res in results if res["ruleId"] == "GH-STALE-TITLE-YEAR")
    assert title["properties"]["paragraph"] == 1


def test_sarif_of_a_text_file_has_no_paragraph(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_text("某县总工会2025年工作计划\n一、指导思想\n深入贯彻党的十九大精神。\n", "utf-8")
    r = run("review", str(p), "--year", "2027", "--no-copy", "--format", "sarif")
    results = json.loads(r.stdout)["runs"][0]["results"]
    assert results and all("paragraph" not in res["properties"] for res in results)
    assert all("logicalLocations" not in res["locations"][0] for res in results)


# ---------------------------------------------------------------- legacy .doc
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def legacy(tmp_path_factory) -> Path:
    """A real Word 97 .doc: our .docx saved as .doc by LibreOffice."""
    d = tmp_path_factory.mktemp("legacy")
    src = plan_file(d)
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{d / 'profile'}", "--headless",
                    "--convert-to", "doc", "--outdir", str(d), str(src)], capture_output=True, timeout=180)
    out = d / "plan2025.doc"
    assert out.exists() and out.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"     # an OLE container
    src.unlink()
    return out


@pytest.mark.slow       # two LibreOffice runs (save as .doc, then review converts it back)
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_legacy_doc_is_converted_through_libreoffice_and_says_so(legacy):
    r = run("review", str(legacy), "--year", "2027", "--no-copy", "-f", "json",
            env={"GHPLAN_SOFFICE": None})
    assert r.exit_code == 1, r.output
    assert "converted to .docx through LibreOffice" in r.stderr and "plan2025.doc" in r.stderr
    found = {f["rule"]: f for f in json.loads(r.stdout.splitlines()[0])["findings"]}
    assert {"GH-STALE-TITLE-YEAR", "GH-STALE-YEAR-CLAIM"} <= set(found)
    assert found["GH-STALE-TITLE-YEAR"]["paragraph"] == 1


@pytest.mark.parametrize("name", ["plan2025.doc", "plan2025.wps"])
def test_without_soffice_on_path_it_says_save_as_docx_and_exits_2(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)     # an OLE header, as Word writes
    empty = tmp_path / "bin"
    empty.mkdir()
    r = run("review", str(p), "--year", "2027", env={"GHPLAN_SOFFICE": None, "PATH": str(empty)})
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ghplan: error: ") and "save it as .docx" in lines[0]
    assert "LibreOffice" not in r.stderr or "converted" not in r.stderr
    assert os.environ.get("PATH") != str(empty)          # the runner put PATH back
