"""Drafting shows progress per section, model calls time out, draft takes Chinese type names."""
from __future__ import annotations

import json

import pytest

from tests.cli_helpers import ghplan_inprocess
from tests.fake_openai import FakeOpenAI, completion

# a mock model of my own: a five-part outline with two task topics
SCRIPT = '''[[responses]]
stage = "outline"
text = "一、指导思想\\n二、工作目标\\n三、主要工作\\n（一）办好职工书屋\\n（二）开展健步走活动\\n四、保障措施"
[[responses]]
repeat = true
stage = "section"
text = "结合本单位实际，细化任务分工，明确完成时限，确保各项工作落到实处。"
[[responses]]
stage = "opening"
text = "为扎实做好全年工会工作，特制定本计划。"
[[responses]]
repeat = true
stage = "repair"
text = "修改稿"
'''
NO_MODEL = {"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, "GHPLAN_TIMEOUT": None}
ARGS = ["draft", "--org", "某县人民医院工会", "--year", "2027", "--no-retrieve", "--rounds", "0"]


@pytest.fixture
def script(tmp_path):
    p = tmp_path / "mock.toml"
    p.write_text(SCRIPT, "utf-8")
    return str(p)


def _progress(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("[")]


def test_every_section_gets_a_numbered_progress_line_in_chinese(script):
    r = ghplan_inprocess(["--lang", "zh", *ARGS, "--type", "卫生院", "--backend", "mock",
                          "--mock-script", script, "--json"], env=NO_MODEL)
    lines = _progress(r.err)
    total = len(lines)
    assert total >= 6
    assert [line.split("]")[0] for line in lines] == [f"[{i}/{total}" for i in range(1, total + 1)]
    assert all("] 正在撰写：" in line for line in lines)
    assert any(line.endswith("（二）开展健步走活动") for line in lines)
    doc = json.loads(r.out)               # stdout stays pure JSON
    assert doc["type"] == "hospital" and doc["review"]["lang"] == "zh"
    assert all(any("\u4e00" <= c <= "\u9fff" for c in f["message"]) for f in doc["review"]["findings"])


def test_progress_in_english_and_quiet_silences_it(script):
    loud = ghplan_inprocess(["--lang", "en", *ARGS, "--type", "hospital", "--backend", "mock",
                             "--mock-script", script], env=NO_MODEL)
    assert _progress(loud.err) and all("] writing: " in line for line in _progress(loud.err))
    quiet = ghplan_inprocess([*ARGS, "--type", "hospital", "--backend", "mock", "--mock-script", script,
                              "--quiet"], env=NO_MODEL)
    assert quiet.out == loud.out and not _progress(quiet.err)


def test_offline_drafts_print_no_progress():
    r = ghplan_inprocess([*ARGS, "--type", "医院", "--backend", "offline"], env=NO_MODEL)
    assert r.code in (0, 1) and not _progress(r.err)


@pytest.mark.parametrize("name, want", [("医院", "hospital"), ("县总工会", "federation"), ("女工委", "women"),
                                        ("街道", "township"), ("事业单位", "government")])
def test_draft_takes_chinese_type_names(name, want):
    r = ghplan_inprocess([*ARGS, "--type", name, "--backend", "offline", "--json"], env=NO_MODEL)
    assert json.loads(r.out)["type"] == want


def test_draft_unknown_type_names_both_languages():
    r = ghplan_inprocess([*ARGS, "--type", "银行", "--backend", "offline"], env=NO_MODEL)
    assert r.code == 2 and r.err.count("\n") == 1 and "hospital 医院" in r.err


def _hanging_sections(body: dict, headers: dict) -> dict:
    """Answers the outline at once, then hangs on every section (longer than the timeout)."""
    if headers.get("x-ghplan-request") == "outline":
        return {"body": completion("一、指导思想\n二、工作目标\n三、主要工作\n四、保障措施")}
    return {"delay": 4, "body": completion("迟到的回答")}


@pytest.mark.parametrize("how", ["option", "env"])
def test_a_hanging_model_times_out_with_one_line_and_exit_3(tmp_path, how):
    out = tmp_path / "plan.docx"
    with FakeOpenAI(responder=_hanging_sections) as srv:
        env = {"OPENAI_API_KEY": "sk-test-000000", "OPENAI_BASE_URL": srv.base_url,
               "GHPLAN_TIMEOUT": "1" if how == "env" else "30"}
        extra = ["--timeout", "1"] if how == "option" else []
        r = ghplan_inprocess([*ARGS, "--type", "hospital", "--out", str(out), *extra], env=env)
    assert r.code == 3, r.err
    progress = _progress(r.err)
    rest = [line for line in r.err.splitlines() if line not in progress]
    assert progress and progress[0].startswith("[1/")        # the user saw which section hung
    assert len(rest) == 1 and rest[0].startswith("ghplan: error:") and "timed out after 1s" in rest[0]
    assert "Traceback" not in r.err and not out.exists()


@pytest.mark.parametrize("args, env", [(["--timeout", "0"], {}), (["--timeout", "-5"], {}),
                                       ([], {"GHPLAN_TIMEOUT": "soon"})])
def test_bad_timeouts_are_bad_usage(args, env):
    r = ghplan_inprocess([*ARGS, "--type", "hospital", "--backend", "offline", *args], env={**NO_MODEL, **env})
    assert r.code == 2 and r.err.count("\n") == 1 and "seconds" in r.err


def test_a_repair_round_gets_a_progress_line(script):
    args = [a if a != "0" else "1" for a in ARGS]          # --rounds 1
    r = ghplan_inprocess(["--lang", "zh", *args, "--type", "hospital", "--backend", "mock",
                          "--mock-script", script, "--json"], env=NO_MODEL)
    assert any(line.startswith("[修改] 第1轮：") and "个错误" in line for line in r.err.splitlines())
    assert json.loads(r.out)["rounds"] == 1
