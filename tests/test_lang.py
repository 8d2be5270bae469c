"""The user's language: one resolver (writer/lang.py) for the CLI, the API and the server."""
from __future__ import annotations

import pytest

import ghplan
from ghplan.writer.errors import UsageError
from ghplan.writer.lang import check_lang, locale_lang, resolve_lang

# a short plan of my own with a stale reference, a chatter phrase and missing sections
PLAN = "某区人民医院工会2027年工作计划\n一、指导思想\n坚持以党的十八大精神为指导。以上内容仅供参考。\n"


@pytest.mark.parametrize("env, want", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.Big5"}, "zh"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "POSIX"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({}, "en"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),          # LC_ALL wins, as setlocale(3) reads it
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C"}, "zh"),
    ({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_SG"}, "zh"),   # an empty variable is unset
])
def test_the_locale_chooses(env, want):
    assert locale_lang(env) == want
    assert resolve_lang(None, env) == want


def test_ghplan_lang_beats_the_locale_and_an_explicit_choice_beats_both():
    assert resolve_lang(None, {"GHPLAN_LANG": "en", "LANG": "zh_CN.UTF-8"}) == "en"
    assert resolve_lang(None, {"GHPLAN_LANG": "zh", "LC_ALL": "C"}) == "zh"
    assert resolve_lang("en", {"GHPLAN_LANG": "zh"}) == "en"
    assert resolve_lang("zh", {"LANG": "C"}) == "zh"


@pytest.mark.parametrize("given, want", [("zh", "zh"), ("ZH", "zh"), ("zh-CN", "zh"), ("zh_CN", "zh"),
                                         ("en", "en"), ("en_US", "en")])
def test_codes_are_normalised(given, want):
    assert check_lang(given) == want


@pytest.mark.parametrize("bad", ["fr", "chinese", "", "  "])
def test_an_unknown_language_is_bad_usage(bad):
    with pytest.raises(UsageError, match="zh .* en"):
        check_lang(bad)
    if bad.strip():
        with pytest.raises(UsageError):
            resolve_lang(None, {"GHPLAN_LANG": bad})


def test_review_json_message_follows_the_language(monkeypatch):
    monkeypatch.delenv("GHPLAN_LANG", raising=False)
    zh = ghplan.review(PLAN, type="hospital", year=2027, lang="zh", copy=False)
    en = zh.to_json(lang="en")
    as_zh = zh.to_json()
    assert as_zh["lang"] == "zh" and en["lang"] == "en"
    assert len(as_zh["findings"]) == len(en["findings"]) >= 3
    for f, fz, fe in zip(zh.findings, as_zh["findings"], en["findings"]):
        assert fe["message"] == f.message
        assert fz["message"] == (f.message_zh or f.message)
        assert {k: v for k, v in fz.items() if k != "message"} == {k: v for k, v in fe.items() if k != "message"}
    # every finding here has a Chinese message, and it reads as Chinese
    assert all(any("\u4e00" <= c <= "\u9fff" for c in f["message"].replace(f["text"], ""))
               for f in as_zh["findings"])


def test_review_lang_defaults_to_the_environment(monkeypatch):
    monkeypatch.setenv("GHPLAN_LANG", "zh")
    r = ghplan.review(PLAN, type="hospital", year=2027, copy=False)
    assert r.lang == "zh" and r.to_json()["lang"] == "zh"
    monkeypatch.delenv("GHPLAN_LANG")
    monkeypatch.setenv("LC_ALL", "C")
    assert ghplan.review(PLAN, type="hospital", year=2027, copy=False).lang == "en"


def test_review_rejects_a_bad_lang():
    with pytest.raises(UsageError):
        ghplan.review(PLAN, lang="fr", copy=False)


def test_draft_and_search_take_chinese_types_and_lang_through_the_api(tmp_path, monkeypatch):
    monkeypatch.setenv("GHPLAN_STORE", str(tmp_path / "no-index"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    plan = ghplan.draft("某县第二中学工会", "中学", year=2027, backend="offline", retrieve=False, lang="zh")
    assert plan.type == "school" and plan.to_json()["review"]["lang"] == "zh"
    with pytest.raises(UsageError, match="医院"):
        ghplan.search("职工书屋", type="银行")
    with pytest.raises(ghplan.IndexUnavailable):      # the Chinese name resolved; only the index is missing
        ghplan.search("职工书屋", type="卫生院")
