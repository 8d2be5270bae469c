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
