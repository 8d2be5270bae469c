"""Output contracts: JSON (exact keys, 1-based line/col, offsets), text lines, SARIF 2.1.0."""
from __future__ import annotations

import io
import json
import re

from ghplan.writer.review.report import Extra, render_json, render_text, sarif
from ghplan.writer.review.reviewer import review_text

TEXT = ("红星厂工会2027年工作计划\n"
        "一、指导思想\n"
        "坚持以科学发展观为指导，建功“十四五”。\n"
        "三、主要工作\n"
        "做好xx工作。\n")
LINE = re.compile(r"^(?P<file>\S+):(?P<line>\d+):(?P<col>\d+)  (?P<sev>error|warning|info)  (?P<rule>GH-[A-Z0-9-]+)  (?P<msg>.+)$")


def result(text: str = TEXT, **kw):
    kw.setdefault("copy", False)
    return review_text(text, file="plan.txt", year=2027, **kw)


def test_json_contract_has_exactly_the_documented_keys():
    obj = result(org_type="enterprise").to_json()
    assert list(obj) == ["file", "type", "year", "sections", "findings", "summary",
                         "declared_type", "declared_from", "body_type", "lang"]   # the documented order, added fields last
    assert obj["file"] == "plan.txt" and obj["type"] == "enterprise" and obj["year"] == 2027
    assert list(obj["sections"]) == ["guiding", "goals", "tasks", "safeguards", "schedule"]
    assert all(isinstance(v, bool) for v in obj["sections"].values())
    assert list(obj["summary"]) == ["errors", "warnings", "infos"]
    assert obj["findings"]
    for f in obj["findings"]:
        assert list(f) == ["rule", "category", "severity", "line", "col", "start", "end", "text", "message", "suggestion"]


def test_json_offsets_and_line_col_agree_with_the_text():
    obj = result(org_type="enterprise").to_json()
    lines = TEXT.split("\n")
    for f in obj["findings"]:
        assert TEXT[f["start"]:f["end"]] == f["text"]
        line = lines[f["line"] - 1]
        assert line[f["col"] - 1:f["col"] - 1 + len(f["text"])] == f["text"].split("\n")[0]
    fyp = next(f for f in obj["findings"] if f["rule"] == "GH-STALE-FYP-14")
    assert (fyp["line"], fyp["col"], fyp["text"], fyp["suggestion"]) == (3, 16, "十四五", "十五五")
    summary = obj["summary"]
    assert summary["errors"] == sum(f["severity"] == "error" for f in obj["findings"])


def test_json_lines_one_object_per_file():
    buf = io.StringIO()
    render_json([result(org_type="enterprise"), result(org_type="school")], file=buf)
    rows = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert [r["type"] for r in rows] == ["enterprise", "school"]


def test_text_report_lines_are_file_line_col_severity_rule_message():
    r = result()
    buf = io.StringIO()
    render_text([r], [Extra()], color=False, file=buf)
    out = buf.getvalue().splitlines()
    assert out[0].startswith("plan.txt: type ") and "inferred" in out[0]
    body = [line for line in out[1:-1]]
    assert len(body) == len(r.findings)
    parsed = [LINE.match(line) for line in body]
    assert all(parsed), body
    pairs = {(m["rule"], int(m["line"]), int(m["col"])) for m in parsed}
    for f in r.findings:
        assert (f.rule, *r.line_col(f.start)) in pairs
    assert out[-1] == f"{r.counts()['errors']} errors, {r.counts()['warnings']} warnings, 0 infos in 1 file"
    fyp = next(line for line in body if "GH-STALE-FYP-14" in line)
    assert fyp.endswith("→ 十五五 (--fix)")


def test_coloured_text_has_ansi_codes_and_family_headings():
    buf = io.StringIO()
    render_text([result()], [Extra()], color=True, file=buf)
    assert "\x1b[" in buf.getvalue() and "stale" in buf.getvalue()


def test_sarif_2_1_0_log():
    r = result(org_type="enterprise")
    log = sarif([r])
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = [x["id"] for x in run["tool"]["driver"]["rules"]]
    assert run["tool"]["driver"]["name"] == "ghplan" and run["columnKind"] == "unicodeCodePoints"
    assert len(run["results"]) == len(r.findings)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for res, f in zip(run["results"], r.findings):
        assert rules[res["ruleIndex"]] == res["ruleId"] == f.rule
        assert res["level"] == levels[f.severity]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == r.line_col(f.start)
        assert (region["charOffset"], region["charLength"]) == (f.start, f.end - f.start)
        assert region["snippet"]["text"] == f.text
        assert ("fixes" in res) == f.fixable
    fix = next(res for res in run["results"] if res["ruleId"] == "GH-STALE-FYP-14")["fixes"][0]
    assert fix["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "十五五"
    json.dumps(log)    # serialisable


# ---------------------------------------------------------------- any text: no crash, exact positions
from hypothesis import given, settings, strategies as st  # noqa: E402

_PIECES = ["一、", "二、", "（一）", "(二)", "1.", "2、", "（1）", "\n", "。", "，", "十七大", "党的", "中国工会",
           "十四五", "2023年是关键之年", "2019年", "以科学发展观为指导", "小编", "xx", "*", "**", "## ", "教职工",
           "患者", "建党100周年", "第二十五个教师节", "指导思想", "工作目标", "主要工作", "保障措施", "職工", "，",
           "ghplan: ignore", "<!-- ghplan-disable-line -->", "\r\n", "\u3000", "锟斤拷", ".", "、."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.sampled_from(["school", "hospital", "enterprise"]),
       st.integers(min_value=2006, max_value=2030))
def test_any_text_reviews_with_exact_positions(pieces, org_type, year):
    text = "".join(pieces)
    r = review_text(text, org_type=org_type, year=year, copy=False)
    obj = r.to_json()
    for f in obj["findings"]:
        assert text[f["start"]:f["end"]] == f["text"]
        assert 0 <= f["start"] <= f["end"] <= len(text)
        assert f["line"] >= 1 and f["col"] >= 1
    from ghplan.writer.review.fix import fix_text

    fixed = fix_text(text, r.findings).text          # --fix never crashes and its output reviews too
    again = review_text(fixed, org_type=org_type, year=year, copy=False)
    assert all(fixed[f.start:f.end] == f.text for f in again.findings)
