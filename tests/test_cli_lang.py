"""Chinese first in the CLI: --lang / GHPLAN_LANG / the locale, Chinese type names, --json everywhere."""
from __future__ import annotations

import json

import pytest

from tests.cli_helpers import ghplan_inprocess

# my own short plan: a stale congress, a chatter phrase, a one-item list, missing sections
PLAN = ("某区人民医院工会2027年工作计划\n一、指导思想\n坚持以党的十八大精神为指导，服务全院职工。以上内容仅供参考。\n"
        "二、工作目标\n（一）全年完成会员实名制录入。\n")
NO_LANG = {"GHPLAN_LANG": None, "LC_ALL": None, "LC_MESSAGES": None}


@pytest.fixture
def plan(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_text(PLAN, "utf-8")
    return p


def test_lang_zh_text_speaks_chinese_and_shows_the_matched_words(plan):
    r = ghplan_inprocess(["--lang", "zh", "review", str(plan), "--no-copy", "--type", "医院"])
    assert r.code == 1, r.err
    lines = r.out.splitlines()
    assert "类型 医院" in lines[0]
    stale = next(line for line in lines if "GH-STALE-PARTY-18" in line)
    assert "  错误  " in stale and "「十八大」" in stale and "二十大" in stale and "过时" in stale
    assert lines[-1].startswith("1 个文件：") and "个错误" in lines[-1]
    assert " error " not in r.out and "errors" not in r.out


def test_lang_en_text_is_english(plan):
    r = ghplan_inprocess(["--lang", "en", "review", str(plan), "--no-copy", "--type", "hospital"],
                         env={"GHPLAN_LANG": "zh"})
    stale = next(line for line in r.out.splitlines() if "GH-STALE-PARTY-18" in line)
    assert "  error  " in stale and "“十八大”" in stale and "out of date" in stale
    assert "errors" in r.out.splitlines()[-1]


@pytest.mark.parametrize("env, chinese", [
    ({**NO_LANG, "LANG": "zh_CN.UTF-8"}, True),
    ({**NO_LANG, "LANG": "C"}, False),
    ({**NO_LANG, "LANG": None}, False),
    ({**NO_LANG, "LANG": "C", "GHPLAN_LANG": "zh"}, True),
    ({**NO_LANG, "LANG": "zh_CN.UTF-8", "GHPLAN_LANG": "en"}, False),
])
def test_environment_and_locale_choose_the_json_message(plan, env, chinese):
    r = ghplan_inprocess(["review", str(plan), "--no-copy", "--type", "hospital", "--json"], env=env)
    doc = json.loads(r.out)
    stale = next(f for f in doc["findings"] if f["rule"] == "GH-STALE-PARTY-18")
    assert doc["lang"] == ("zh" if chinese else "en")
    assert ("过时" in stale["message"]) == chinese
    assert ("out of date" in stale["message"]) == (not chinese)


def test_json_flag_is_format_json(plan):
    a = ghplan_inprocess(["review", str(plan), "--no-copy", "--json"])
    b = ghplan_inprocess(["review", str(plan), "--no-copy", "--format", "json"])
    assert a.code == b.code == 1 and a.out == b.out and json.loads(a.out)["findings"]


def test_json_with_another_format_is_bad_usage(plan):
    r = ghplan_inprocess(["review", str(plan), "--json", "--format", "sarif"])
    assert r.code == 2 and r.err.count("\n") == 1 and "--json" in r.err


@pytest.mark.parametrize("args", [["--lang", "fr", "review", "x.txt"], ["review", "x.txt"]])
def test_bad_language_is_one_line_exit_2(plan, args):
    args = [a if a != "x.txt" else str(plan) for a in args]
    r = ghplan_inprocess(args, env={"GHPLAN_LANG": "klingon"} if "--lang" not in args else None)
    assert r.code == 2, r.err
    assert r.err.startswith("ghplan: error:") and r.err.count("\n") == 1 and "zh" in r.err


@pytest.mark.parametrize("name", ["医院", "卫生院", "医院工会"])
def test_review_takes_chinese_type_names(plan, name):
    r = ghplan_inprocess(["review", str(plan), "--no-copy", "--type", name, "--json"])
    assert json.loads(r.out)["type"] == "hospital"


def test_unknown_type_lists_english_and_chinese_names(plan):
    r = ghplan_inprocess(["review", str(plan), "--type", "银行"])
    assert r.code == 2 and r.err.count("\n") == 1
    assert "hospital 医院" in r.err and "women 女职工委员会" in r.err


def test_rules_text_in_chinese_json_unchanged():
    zh = ghplan_inprocess(["--lang", "zh", "rules"])
    en = ghplan_inprocess(["--lang", "en", "rules"])
    assert zh.out.splitlines()[-1].startswith("共 ") and en.out.splitlines()[-1].endswith(" rules")
    row_zh = next(line for line in zh.out.splitlines() if line.startswith("GH-STALE-PARTY-18 "))
    row_en = next(line for line in en.out.splitlines() if line.startswith("GH-STALE-PARTY-18 "))
    assert row_zh != row_en
    js_zh = json.loads(ghplan_inprocess(["--lang", "zh", "rules", "--json"]).out)
    js_en = json.loads(ghplan_inprocess(["--lang", "en", "rules", "--json"]).out)
    assert js_zh == js_en and all("reason_zh" in r for r in js_en)


def test_type_help_names_only_real_aliases_and_every_type():
    import re

    from ghplan.writer.cli.common import TYPE_HELP
    from ghplan.writer.org_types import chinese_names, resolve_type

    words = re.findall(r"[\u4e00-\u9fff]+", TYPE_HELP)
    assert set(chinese_names().values()) <= set(words)
    assert all(resolve_type(w) for w in words)


def test_refresh_takes_a_chinese_type_and_speaks_chinese(tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("某市实验小学工会2025年工作计划\n一、指导思想\n全面贯彻2025年教育工作会议精神。\n", "utf-8")
    r = ghplan_inprocess(["--lang", "zh", "refresh", str(old), "--year", "2027", "--type", "小学", "--json"])
    doc = json.loads(r.out)
    assert doc["review"]["type"] == "school" and doc["review"]["lang"] == "zh"
    assert any("2027" in f["message"] and "核对" in f["message"] for f in doc["review"]["findings"])
    bad = ghplan_inprocess(["refresh", str(old), "--year", "2027", "--type", "银行"])
    assert bad.code == 2 and bad.err.count("\n") == 1 and "学校" in bad.err


@pytest.mark.parametrize("name, code", [("银行", 2), ("卫生院", 1)])
def test_search_resolves_chinese_types_before_looking_for_the_index(tmp_path, name, code):
    r = ghplan_inprocess(["search", "职工书屋", "--type", name, "--store", str(tmp_path / "none")])
    assert r.code == code and r.err.count("\n") == 1
    assert ("unknown type" in r.err) == (code == 2)


def test_every_reporting_command_has_json():
    import typer

    from ghplan.writer.cli import app

    not_reporting = {"serve"}          # a server: its answers are JSON already

    def leaves(cmd, path=()):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from leaves(sub, (*path, name))
        else:
            yield " ".join(path), cmd

    found = dict(leaves(typer.main.get_command(app)))
    assert {"review", "draft", "search", "refresh", "rules", "facts"} <= set(found)
    missing = [name for name, cmd in found.items() if name not in not_reporting
               and not any("--json" in p.opts for p in cmd.params)]
    assert not missing, missing


def test_lang_after_the_command_says_where_it_goes(plan):
    r = ghplan_inprocess(["review", str(plan), "--lang", "zh"])
    assert r.code == 2 and r.err.count("\n") == 1 and "ghplan --lang zh review" in r.err


def test_long_matches_are_shortened_in_the_middle(tmp_path):
    heading = "（一）扎实推进职工之家建设与基层工会规范化建设工作全面提质增效"   # 32 characters, nothing under it
    p = tmp_path / "long.txt"
    p.write_text(f"某区人民医院工会2027年工作计划\n一、指导思想\n坚持服务职工。\n二、主要工作\n{heading}\n", "utf-8")
    r = ghplan_inprocess(["--lang", "zh", "review", str(p), "--no-copy", "--type", "hospital"])
    line = next(x for x in r.out.splitlines() if "GH-STRUCT-EMPTY-SECTION" in x)
    quoted = line.split("「", 1)[1].split("」", 1)[0]
    assert quoted == heading[:12] + "…" + heading[-11:]
    assert len(quoted) == 24 and heading not in line.split("」", 1)[0]


def test_sarif_message_follows_the_language(plan):
    def messages(language):
        r = ghplan_inprocess(["--lang", language, "review", str(plan), "--no-copy", "--type", "hospital",
                              "--format", "sarif"])
        results = json.loads(r.out)["runs"][0]["results"]
        return {x["ruleId"]: x["message"]["text"] for x in results}
    zh, en = messages("zh"), messages("en")
    assert zh.keys() == en.keys() and "过时" in zh["GH-STALE-PARTY-18"] and "out of date" in en["GH-STALE-PARTY-18"]
