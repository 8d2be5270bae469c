"""Model-backed refresh end to end (issue 13): `ghplan refresh --backend openai` against the fake
OpenAI-compatible server on loopback. Only the paragraphs that need more than a mechanical
change are sent (one `rewrite` request each); every other paragraph is what the offline refresh
makes of it, byte for byte; each answer is reviewed before it is accepted, and a bad one (a
dropped fact, a stale reference added) is rejected and its paragraph left for a person.
"""
from __future__ import annotations

import contextlib
import io
import json

from pathlib import Path

import pytest

from ghplan.writer.refresh.pipeline import refresh_text
from tests.fake_openai import REQUEST_HEADER, FakeOpenAI, plan_writer

OLD = (Path(__file__).parent / "fixtures" / "refresh" / "water_2025.txt").read_text("utf-8")
GOOD = "2027年全公司力争新发展会员42名，职工满意度达到96%。"
DROPS = "巩固拓展党纪学习教育成果，由供水调度中心配合。"                     # 赵立新 is gone
STALE = "围绕“十四五”规划，职工纪律意识明显增强，全年违纪人数保持为0人。"     # adds 十四五
ANSWERS = {"新发展会员42名": GOOD, "等系列活动": DROPS, "通过党纪学习教育": STALE}
TO_MODEL = {6: GOOD, 8: DROPS, 9: STALE}          # paragraph (line) → the model's answer


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from ghplan.writer.cli import invoke

    d = tmp_path_factory.mktemp("model")
    (d / "plan2025.txt").write_text(OLD, "utf-8")
    out = d / "plan2027.txt"
    mp = pytest.MonkeyPatch()
    with FakeOpenAI(responder=plan_writer("", rewrites=ANSWERS)) as srv:
        mp.setenv("OPENAI_API_KEY", "sk-test-refresh-123456")
        mp.setenv("OPENAI_BASE_URL", srv.base_url)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = invoke(["refresh", str(d / "plan2025.txt"), "--year", "2027", "--type", "enterprise",
                           "--backend", "openai", "--out", str(out), "--json"])
    mp.undo()
    return code, json.loads(buf.getvalue()), out.read_text("utf-8"), srv.requests


def test_only_the_paragraphs_that_need_more_go_to_the_model(run):
    _, log, _, requests = run
    assert [r["headers"][REQUEST_HEADER] for r in requests] == ["rewrite"] * len(TO_MODEL)
    old_lines = OLD.split("\n")
    for req, n in zip(requests, sorted(TO_MODEL)):
        assert old_lines[n - 1] in req["body"]["messages"][-1]["content"]
    assert [w["before"] for w in log["model_rewrites"]] == [old_lines[n - 1] for n in sorted(TO_MODEL)]
    assert log["backend"] == "openai"


def test_the_rest_stays_as_the_offline_refresh_makes_it(run):
    _, _, new, _ = run
    offline = refresh_text(OLD, 2027, org_type="enterprise").text
    for i, (a, b) in enumerate(zip(offline.split("\n"), new.split("\n")), 1):
        if i != 6:
            assert a == b, i
    assert new.split("\n")[5] == GOOD


def test_each_answer_is_reviewed_before_it_is_accepted(run):
    code, log, new, _ = run
    verdicts = {w["after"]: w for w in log["model_rewrites"]}
    assert verdicts[GOOD]["accepted"] and GOOD in new
    assert not verdicts[DROPS]["accepted"] and "赵立新" in verdicts[DROPS]["why"]
    assert not verdicts[STALE]["accepted"] and "十四五" in verdicts[STALE]["why"]
    assert DROPS not in new and STALE not in new and "十四五" not in new
    model = [c for c in log["changes"] if c["source"] == "model"]
    assert [(c["paragraph"], c["after"]) for c in model] == [(6, GOOD)]
    rejected = sorted(p["paragraph"] for p in log["left_for_person"] if p["rule"] == "GH-REFRESH-MODEL")
    assert rejected == [8, 9]
    assert log["survival"]["figure"] == 1.0
    assert code == (1 if log["review"]["summary"]["errors"] else 0)
