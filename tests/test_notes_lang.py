"""Chinese first beyond review findings: the draft's notes, search and facts text, in the chosen
language from one table (writer/data/messages.toml), English unchanged under en."""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.cli_helpers import ghplan_inprocess

NO_MODEL = {"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, "GHPLAN_TIMEOUT": None}


def _han(s: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in s)


# ---------------------------------------------------------------------- the table
def test_every_message_has_both_languages_and_no_extra_chinese_value():
    from ghplan.writer import messages

    raw = tomllib.loads((Path(messages.__file__).parent / "data" / "messages.toml").read_text("utf-8"))
    flat = messages._flatten(raw["messages"])
    assert len(flat) >= 15 and all(e.get("en") and _han(e.get("zh", "")) for e in flat.values())
    assert set(messages._data()[0]) == set(flat)        # templates() accepted every entry


def test_said_is_its_english_text_and_carries_the_chinese():
    from ghplan.writer.messages import say

    s = say("draft.errors_remain", errors=3, rounds=2)
    assert s == "3 review error(s) remain after 2 repair round(s)" and isinstance(s, str)
    assert s.text("zh") == "修改 2 轮后仍有 3 个审校错误" and s.text("en") == s
    assert json.dumps([s]) == json.dumps([str(s)])      # JSON shapes keep their English strings


# ---------------------------------------------------------------------- draft notes
def _draft_cli(lang: str, tmp_path: Path):
    out = tmp_path / f"plan-{lang}.md"
    return ghplan_inprocess(["--lang", lang, "draft", "--org", "某县人民医院工会", "--type", "医院",
                             "--year", "2027", "--no-retrieve", "--backend", "offline", "--out", str(out)],
                            env=NO_MODEL)


def test_draft_notes_are_chinese_under_zh(tmp_path):
    r = _draft_cli("zh", tmp_path)
    assert r.code == 0, r.err
    lines = r.err.splitlines()
    assert "ghplan：提示：未检索范文（--no-retrieve）：本次起草不参考范文" in lines
    assert any(line.startswith("ghplan：已写入 ") for line in lines)
    assert "note:" not in r.err and "wrote" not in r.err


def test_draft_notes_stay_english_under_en(tmp_path):
    r = _draft_cli("en", tmp_path)
    assert r.code == 0, r.err
    assert "ghplan: note: retrieval off (--no-retrieve): drafting without reference plans" in r.err.splitlines()
    assert any(line.startswith("ghplan: wrote ") for line in r.err.splitlines()) and not _han(r.err.split("(")[0])


@dataclass
class _Hit:
    id: str
    text: str
    org_type: str
    role: str
    fallback: bool = True
    source: str = "stand-in"
    score: float = 0.5


def _review_with_errors(text, **kw):
    # a reviewer that always finds one error: the "errors remain" note must follow
    return SimpleNamespace(findings=[SimpleNamespace(severity="error")], sections={}, lang="en")


def test_library_notes_carry_both_languages():
    from ghplan.writer.draft.backends.offline import OfflineBackend
    from ghplan.writer.draft.pipeline import draft
    from ghplan.writer.draft.profile import minimal_profile

    def retriever(profile, role, k, query=None, year=None, settings=None):
        return [_Hit(f"{role}-1", "开展职工读书月活动，建好用好职工书屋。", "school", role)]

    r = draft(minimal_profile("某县人民医院工会", "hospital"), backend=OfflineBackend(), year=2027,
              retriever=retriever, reviewer=_review_with_errors, repair_rounds=0)
    assert r.notes == ["few hospital plans in the index: references also from school",
                       "1 review error(s) remain after 0 repair round(s)"]
    assert r.notes_in("zh") == ["索引中医院计划较少：也参考了学校的计划", "修改 0 轮后仍有 1 个审校错误"]
    assert r.notes_in("en") == r.notes


def test_a_skipped_index_note_in_chinese():
    from ghplan.writer.draft.backends.offline import OfflineBackend
    from ghplan.writer.draft.pipeline import draft
    from ghplan.writer.draft.profile import minimal_profile
    from ghplan.writer.index.store import NoIndexError

    def retriever(*a, **k):
        raise NoIndexError("no index yet at /x: run ghplan index build")

    r = draft(minimal_profile("某厂工会", "enterprise"), backend=OfflineBackend(), year=2027, retriever=retriever)
    assert r.notes_in("zh") == ["未能检索范文（no index yet at /x: run ghplan index build）：本次起草不参考范文"]


def test_api_draft_notes_follow_the_request_language(tmp_path):
    from ghplan.writer.config import Settings
    from ghplan.writer.draft.backends.offline import OfflineBackend
    from ghplan.writer.draft.profile import minimal_profile
    from ghplan.writer.serve.routes_draft import run_draft

    state = SimpleNamespace(settings=Settings(store_dir=tmp_path / "no-index", chroma_url=""))
    profile = minimal_profile("某厂工会", "enterprise", year=2027)
    zh = run_draft(profile, OfflineBackend(), state, None, "zh")
    en = run_draft(profile, OfflineBackend(), state, None, "en")
    assert len(zh["notes"]) == 1 and zh["notes"][0].startswith("未能检索范文")
    # the reason is the index layer's English line, read back to Chinese (writer/localize.py)
    assert "还没有检索索引" in zh["notes"][0] and "no index yet" not in zh["notes"][0], zh["notes"]
    assert en["notes"][0].startswith("retrieval skipped") and set(zh) == set(en)


RETRY_SCRIPT = '''[[responses]]
stage = "outline"
finish = "length"
text = "一、指导思想"
[[responses]]
stage = "outline"
text = "一、指导思想\\n二、工作目标\\n三、主要工作\\n（一）建好职工书屋\\n四、保障措施"
[[responses]]
repeat = true
stage = "section"
text = "结合本单位实际，细化分工，按期完成各项任务。"
[[responses]]
repeat = true
stage = "opening"
text = "为做好全年工会工作，制定本计划。"
'''


@pytest.mark.parametrize("lang, want", [("zh", "[重试] 大纲的回答被截断：重新请求"),
                                        ("en", "[retry] the outline was cut off: asking again")])
def test_a_cut_off_answer_says_it_is_asked_again(tmp_path, lang, want):
    script = tmp_path / "mock.toml"
    script.write_text(RETRY_SCRIPT, "utf-8")
    r = ghplan_inprocess(["--lang", lang, "draft", "--org", "某县人民医院工会", "--type", "hospital",
                          "--year", "2027", "--no-retrieve", "--rounds", "0", "--backend", "mock",
                          "--mock-script", str(script), "--json"], env=NO_MODEL)
    assert r.code in (0, 1), r.err
    assert want in r.err.splitlines()


# ---------------------------------------------------------------------- search and facts text
def _result(hits: int = 1, fallback: bool = True, k: int = 3):
    from ghplan.writer.index.results import Hit, SearchResult

    made = [Hit(id=f"c{i}", text="建好用好职工书屋，开展读书分享活动。", source="seed-a.txt",
                org_type="government" if fallback else "hospital", role="tasks", heading="（二）职工书屋",
                heading_path="三、主要任务 > （二）职工书屋", doc_id="d", title="t", score=0.0123,
                fallback=fallback) for i in range(hits)]
    res = SearchResult(query="职工书屋", type="hospital", role="tasks", k=k, hits=made, available=1,
                       fallback_types=["government"] if fallback else [],
                       fallback_reason="only 1 tasks sections of hospital plans in the index; fell back to government")
    res.short_note = "asked for 3, found 1: the index holds no more servable tasks chunks of hospital" if hits < k else ""
    return res


def test_search_text_in_chinese():
    from ghplan.writer.cli.search_text import lines

    out = lines(_result(), "zh")
    assert out[0] == "提示：索引中医院的主要任务段落只有 1 段：已用机关事业单位的计划补足（替补顺序：机关事业单位、企业、学校）"
    assert out[1].startswith("提示：要 3 条，只找到 1 条：索引中医院及替补类型（机关事业单位、企业、学校）已没有更多可用的主要任务段落")
    assert out[2] == "1. [机关事业单位/主要任务]（替补） 三、主要任务 > （二）职工书屋  — seed-a.txt  得分 0.0123"
    assert lines(_result(hits=0, fallback=False), "zh")[-1] == "没有结果"
    assert all(_han(line.split("]")[0]) for line in out if line[:1].isdigit())


def test_search_text_in_english_is_as_it_was():
    from ghplan.writer.cli.search_text import lines

    out = lines(_result(), "en")
    assert out[0] == "note: only 1 tasks sections of hospital plans in the index; fell back to government"
    assert out[1].startswith("note: asked for 3, found 1")
    assert out[2] == "1. [government/tasks] (fallback) 三、主要任务 > （二）职工书屋  — seed-a.txt  score 0.0123"
    assert lines(_result(hits=0, fallback=False), "en")[-1] == "no results"


def test_search_command_prints_chinese_under_zh(monkeypatch, tmp_path):
    from ghplan.writer.index import retrieve, store

    monkeypatch.setattr(store, "location_from", lambda *a, **k: None)
    monkeypatch.setattr(retrieve, "search", lambda *a, **k: _result())
    zh = ghplan_inprocess(["--lang", "zh", "search", "职工书屋", "--type", "医院"], env={"GHPLAN_STORE": str(tmp_path)})
    en = ghplan_inprocess(["--lang", "en", "search", "职工书屋", "--type", "医院"], env={"GHPLAN_STORE": str(tmp_path)})
    assert zh.code == 0 and en.code == 0, (zh.err, en.err)
    assert zh.out.startswith("提示：索引中医院") and "得分" in zh.out and "note:" not in zh.out
    assert en.out.startswith("note: only 1") and "score 0.0123" in en.out


@pytest.mark.parametrize("lang, first, label, expected", [
    ("zh", "2028 年计划依据的事实（事实文件：无）", "  党代会", "  党的二十一大 预计 2027 年召开；2028 年起的计划引用它"),
    ("en", "Facts for a 2028 plan (facts file: none)", "  party-congress ", "  党的二十一大 due 2027; plans from 2028 cite it"),
])
def test_facts_text_follows_the_language(lang, first, label, expected):
    r = ghplan_inprocess(["--lang", lang, "facts", "--year", "2028"], env={"GHPLAN_FACTS": None})
    assert r.code == 0, r.err
    out = r.out.splitlines()
    assert out[0] == first and any(line.startswith(label) for line in out) and expected in out
    assert ("Party line:" in r.out) == (lang == "en") and ("党的精神：" in r.out) == (lang == "zh")


# ---------------------------------------------------------------------- failures in Chinese
def test_every_model_failure_has_a_chinese_line_and_its_english_is_unchanged():
    from ghplan.writer.draft.backends.failures import KINDS, failure

    for kind in (*KINDS, "other"):
        err = failure(kind, "http://127.0.0.1:9/v1", timeout=2, status=503, detail="x", model="m")
        assert _han(err.args[0].zh) and "http://127.0.0.1:9/v1" in err.args[0].zh, kind
    assert str(failure("timeout", "http://h/v1", timeout=1.5)) == "model request timed out after 1.5s at http://h/v1"
    assert failure("timeout", "http://h/v1", timeout=1.5).args[0].zh == "模型请求超时（1.5 秒无响应）：http://h/v1"
    assert str(failure("429", "http://h/v1", attempts=3)) == "model endpoint http://h/v1: rate limited (HTTP 429) after 3 attempts"


TIMEOUT_SCRIPT = '[[responses]]\nstage = "outline"\nerror = "timeout"\n'


@pytest.mark.parametrize("lang, want", [
    ("zh", "ghplan: error: 模型请求超时（60 秒无响应）：mock://"),
    ("en", "ghplan: error: model request timed out after 60s at mock://"),
])
def test_a_model_timeout_line_follows_the_language(tmp_path, lang, want):
    script = tmp_path / "t.toml"
    script.write_text(TIMEOUT_SCRIPT, "utf-8")
    r = ghplan_inprocess(["--lang", lang, "draft", "--org", "某厂工会", "--type", "企业", "--backend", "mock",
                          "--mock-script", str(script), "--no-retrieve", "--quiet"], env=NO_MODEL)
    assert r.code == 3 and r.err.splitlines() == [want], r.err


@pytest.mark.parametrize("lang, want", [
    ("zh", "ghplan: error: “tone”应为 standard, concise, detailed 之一，实际为“响亮”"),
    ("en", "ghplan: error: 'tone' must be one of standard, concise, detailed, got '响亮'"),
])
def test_a_bad_profile_line_follows_the_language(tmp_path, lang, want):
    profile = tmp_path / "p.toml"
    profile.write_text('org = "某厂工会"\ntype = "企业"\ntone = "响亮"\n', "utf-8")
    r = ghplan_inprocess(["--lang", lang, "draft", "--profile", str(profile)], env=NO_MODEL)
    assert r.code == 2 and r.err.splitlines() == [want], r.err


def test_the_server_error_carries_the_chinese_detail():
    from ghplan.writer.draft.backends.failures import failure
    from ghplan.writer.errors import GhplanError
    from ghplan.writer.serve.errors import from_library

    err = from_library(failure("unauthorized", "http://h/v1"))
    assert err.status == 502 and err.zh == "模型服务出错：模型服务 http://h/v1 拒绝了 API 密钥（HTTP 401），请检查 OPENAI_API_KEY"
    assert err.en == "the model endpoint http://h/v1 rejected the API key (HTTP 401); check OPENAI_API_KEY"
    plain = from_library(GhplanError("something english"))       # no Chinese: the English after the sentence
    assert plain.zh == "请求无效：something english"


@pytest.mark.parametrize("args, zh, en", [
    (["--stream", "--json", "--org", "某厂工会", "--type", "企业"], "--stream 和 --json 不能同时使用",
     "--stream and --json cannot be combined"),
    (["--rounds", "11", "--org", "某厂工会", "--type", "企业"], "--rounds 应在 0 到 10 之间", "--rounds must be between 0 and 10"),
    (["--org", "某厂工会"], "请给出 --org 和 --type（或用 --profile 指定单位档案）",
     "--org and --type are required (or give --profile FILE)"),
    (["--org", "某厂工会", "--type", "企业", "--backend", "gpt"], "不认识的模型后端“gpt”，可用：openai, offline, mock",
     "unknown backend 'gpt'; use one of: openai, offline, mock"),
])
def test_draft_usage_lines_follow_the_language(args, zh, en):
    for lang, want in (("zh", zh), ("en", en)):
        r = ghplan_inprocess(["--lang", lang, "draft", *args], env=NO_MODEL)
        assert r.code == 2 and r.err.splitlines() == [f"ghplan: error: {want}"], r.err
