"""Config (disable rules, change severities) and inline markers that silence one line."""
from __future__ import annotations

from ghplan.writer.config import Settings, load_settings
from ghplan.writer.review.reviewer import apply_settings, review_text, silenced_lines, validate_settings

TEXT = ("星河公司工会2027年工作计划\n"
        "深入学习贯彻党的十九大精神。\n"
        "建功“十四五”。\n"
        "## 主要工作\n")


def review(text: str = TEXT, **kw):
    return review_text(text, org_type="enterprise", year=2027, copy=False, **kw)


def by_rule(r) -> dict[str, str]:
    return {f.rule: f.severity for f in r.findings}


def test_disable_by_id_category_or_glob():
    base = by_rule(review())
    assert {"GH-STALE-PARTY-19", "GH-STALE-FYP-14", "GH-MD-HEADING"} <= set(base)
    assert "GH-STALE-FYP-14" not in by_rule(review(settings=Settings(review_disable=["GH-STALE-FYP-14"])))
    no_md = by_rule(review(settings=Settings(review_disable=["markdown"])))
    assert "GH-MD-HEADING" not in no_md and "GH-STALE-PARTY-19" in no_md
    no_stale = by_rule(review(settings=Settings(review_disable=["GH-STALE-*"])))
    assert not any(r.startswith("GH-STALE-") for r in no_stale) and "GH-MD-HEADING" in no_stale


def test_severity_overrides_and_off():
    s = Settings(review_severity={"GH-STALE-FYP-14": "info", "structure": "warning", "GH-MD-HEADING": "off"})
    got = by_rule(review(settings=s))
    assert got["GH-STALE-FYP-14"] == "info" and got["GH-STALE-PARTY-19"] == "error"
    assert got["GH-STRUCT-MISSING-GUIDING"] == "warning"
    assert "GH-MD-HEADING" not in got


def test_config_file_is_read_from_ghplan_toml(tmp_path):
    cfg = tmp_path / "ghplan.toml"
    cfg.write_text('[review]\ndisable = ["GH-MD-HEADING"]\nseverity = { "GH-STALE-FYP-14" = "warning" }\n'
                   "copy_threshold = 80\n", "utf-8")
    s = load_settings(cfg)
    assert validate_settings(s) == []
    got = by_rule(review(settings=s))
    assert "GH-MD-HEADING" not in got and got["GH-STALE-FYP-14"] == "warning"
    assert s.copy_threshold == 80


def test_unknown_rules_and_severities_in_config_are_reported():
    problems = validate_settings(Settings(review_disable=["GH-NO-SUCH"], review_severity={"GH-MD-HEADING": "loud"}))
    assert len(problems) == 2 and "GH-NO-SUCH" in problems[0] and "loud" in problems[1]


def test_inline_marker_silences_its_line_only():
    text = TEXT.replace("建功“十四五”。", "建功“十四五”。<!-- ghplan-disable-line -->")
    got = by_rule(review(text))
    assert "GH-STALE-FYP-14" not in got and "GH-STALE-PARTY-19" in got


def test_inline_marker_with_rule_ids_and_next_line_variant():
    text = TEXT.replace("建功“十四五”。", "建功“十四五”，学习党的十八大精神。 ghplan: ignore GH-STALE-FYP-14")
    got = by_rule(review(text))
    assert "GH-STALE-FYP-14" not in got and "GH-STALE-PARTY-18" in got
    nxt = TEXT.replace("深入学习贯彻党的十九大精神。", "<!-- ghplan-disable-next-line -->\n深入学习贯彻党的十九大精神。")
    assert "GH-STALE-PARTY-19" not in by_rule(review(nxt))


def test_silenced_lines_map():
    marks = silenced_lines("甲\n乙 ghplan: ignore GH-A-B, GH-C\n丙 <!-- ghplan-disable-line -->\n")
    assert marks == {2: frozenset({"GH-A-B", "GH-C"}), 3: None}


def test_apply_settings_keeps_positions():
    r = review()
    kept = apply_settings(r.findings, Settings(review_severity={"stale": "info"}))
    assert [(f.start, f.end, f.text) for f in kept] == [(f.start, f.end, f.text) for f in r.findings]
