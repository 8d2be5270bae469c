"""Drafting bugs found in the first wave, one test each: every one failed before its fix.

- references were de-duplicated across the whole draft, so topic prompts got none;
- any exception in retrieval became a note and exit 0;
- repair got JSON dicts, so the "delete" hint for fixable findings never showed;
- a completion cut off by the token limit (or a stream that ended without a finish reason) was
  accepted as a finished plan;
- section prompts never saw what earlier sections said.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from ghplan.writer.draft.backends.mock import MockBackend
from ghplan.writer.draft.backends.offline import OfflineBackend
from ghplan.writer.draft.pipeline import draft
from ghplan.writer.draft.profile import minimal_profile
from ghplan.writer.errors import BackendError, IndexUnavailable

YEAR = 2027
HIT_TEXT = "组织职工开展新就业形态劳动者集中入会行动，在快递网点建设户外劳动者服务站点。"


@dataclass
class Hit:
    id: str
    text: str
    source: str = "mini"
    org_type: str = "township"
    role: str = "tasks"
    heading: str = "主要工作"
    score: float = 0.5
    fallback: bool = False


def offline_plan(profile) -> str:
    return draft(profile, backend=OfflineBackend(), year=YEAR, retrieve=False).text


def user_prompts(mock: MockBackend, kind: str) -> list[str]:
    return [c["request"].messages()[1]["content"] for c in mock.calls if c["kind"] == kind]


def test_a_reference_shown_to_the_outline_is_shown_to_the_topics_too():
    """A small index has one task passage: every topic prompt still gets it."""
    p = minimal_profile("某镇总工会", "township")
    mock = MockBackend.from_plan(offline_plan(p))

    def retriever(profile, role, k, query=None, year=None, settings=None):
        return [Hit("only", HIT_TEXT)] if role == "tasks" else []

    r = draft(p, backend=mock, year=YEAR, retriever=retriever, repair_rounds=0)
    topics = [c["request"] for c in mock.calls if c["kind"] == "section" and c["request"].topic]
    assert len(topics) >= 3
    for request in topics:
        prompt = request.messages()[1]["content"]
        assert HIT_TEXT in prompt and "无可用参考片段" not in prompt, request.topic
    assert [x.id for x in r.retrieved] == ["only"]         # the report lists it once


def test_one_prompt_never_shows_the_same_passage_twice():
    p = minimal_profile("某镇总工会", "township")
    mock = MockBackend.from_plan(offline_plan(p))

    def retriever(profile, role, k, query=None, year=None, settings=None):
        return [Hit("a", HIT_TEXT), Hit("b", HIT_TEXT)] if role == "tasks" else []

    draft(p, backend=mock, year=YEAR, retriever=retriever, repair_rounds=0)
    assert user_prompts(mock, "outline")[0].count(HIT_TEXT) == 1


def test_a_bug_in_retrieval_is_not_swallowed():
    def retriever(*a, **k):
        raise RuntimeError("a real bug")

    with pytest.raises(RuntimeError, match="a real bug"):
        draft(minimal_profile("某厂工会", "enterprise"), backend=OfflineBackend(), year=YEAR,
              retriever=retriever)


def test_an_unavailable_index_is_a_note_not_a_failure():
    def retriever(*a, **k):
        raise IndexUnavailable("cannot reach the Chroma server at http://x:8000")

    r = draft(minimal_profile("某厂工会", "enterprise"), backend=OfflineBackend(), year=YEAR,
              retriever=retriever)
    assert r.errors == 0 and any("retrieval skipped" in n and "Chroma server" in n for n in r.notes)


def test_repair_prompt_says_delete_for_a_fixable_finding_without_a_suggestion():
    p = minimal_profile("某厂工会", "enterprise")
    good = offline_plan(p)
    lines = good.split("\n")
    lines[1] = "以下是小编整理的工会工作计划，希望对大家有所帮助。" + lines[1]
    mock = MockBackend.from_plan("\n".join(lines), repair=good)
    r = draft(p, backend=mock, year=YEAR, retrieve=False)
    (prompt,) = user_prompts(mock, "repair")
    chatter = next(ln for ln in prompt.splitlines() if "小编" in ln and "GH-" in ln)
    assert chatter.endswith("→ 删除"), chatter
    assert r.errors == 0


def test_repair_prompt_lists_findings_with_their_chinese_message():
    p = minimal_profile("某厂工会", "enterprise")
    good = offline_plan(p)
    mock = MockBackend.from_plan(good.replace("十五五", "十四五"), repair=good)
    draft(p, backend=mock, year=YEAR, retrieve=False)
    (prompt,) = user_prompts(mock, "repair")
    stale = [ln for ln in prompt.splitlines() if "GH-STALE" in ln]
    assert stale
    for line in stale:
        message = line.split("——", 1)[1].split("→")[0]
        assert re.search(r"[\u4e00-\u9fff]", message) and not re.search(r"[A-Za-z]{4,}", message), line


SCRIPT_HEAD = [{"stage": "outline", "text": "一、指导思想\n二、工作目标\n三、主要工作\n（一）加强思想引领\n"
                "（二）深化劳动竞赛\n（三）做好困难帮扶\n四、保障措施"},
               {"stage": "opening", "text": "为做好今年工作，结合实际，制定本计划。"}]


@pytest.mark.parametrize("finish", ["length", ""])
def test_an_answer_cut_off_once_is_asked_for_again(finish):
    script = SCRIPT_HEAD + [{"stage": "section", "text": "坚持以", "finish": finish},
                            {"stage": "section", "text": "认真做好各项工作，确保落到实处。", "repeat": True}]
    mock = MockBackend(script)
    r = draft(minimal_profile("某厂工会", "enterprise"), backend=mock, year=YEAR, retrieve=False,
              repair_rounds=0)
    sections = [c for c in mock.calls if c["kind"] == "section"]
    assert sections[0]["request"] == sections[1]["request"]      # the same request, asked twice
    assert "坚持以\n" not in r.text + "\n" and r.retries == 1


@pytest.mark.parametrize("finish", ["length", ""])
def test_an_answer_cut_off_twice_fails_as_a_backend_error(finish):
    script = SCRIPT_HEAD + [{"stage": "section", "text": "坚持以", "finish": finish, "repeat": True}]
    with pytest.raises(BackendError, match="stopped before finishing"):
        draft(minimal_profile("某厂工会", "enterprise"), backend=MockBackend(script), year=YEAR,
              retrieve=False)


def test_each_section_prompt_sees_what_earlier_sections_said():
    p = minimal_profile("某厂工会", "enterprise")
    mock = MockBackend.from_plan(offline_plan(p))
    draft(p, backend=mock, year=YEAR, retrieve=False, repair_rounds=0)
    requests = [c["request"] for c in mock.calls if c["kind"] in ("opening", "section")]
    assert requests[0].written == ()
    for earlier, later in zip(requests, requests[1:]):
        assert len(later.written) == len(earlier.written) + 1
    last = requests[-1].messages()[1]["content"]
    for heading, gist in requests[-1].written:
        assert gist and f"{heading}：{gist}" in last


# ---------------------------------------------------------------------- a real endpoint's cut-offs
@pytest.mark.parametrize("finish, seen", [("length", "length"), (None, ""), ("stop", "stop")])
def test_the_openai_stream_reports_how_it_ended(finish, seen):
    from ghplan.writer.draft.backends.base import call
    from ghplan.writer.draft.backends.openai_backend import OpenAIBackend
    from tests.chat import Chat
    from tests.fake_openai import FakeOpenAI

    with FakeOpenAI([{"sse": ["加强", "思想"], "finish": finish}]) as srv:
        done = call(OpenAIBackend(base_url=srv.base_url, api_key="sk-test-123456"), Chat(),
                    on_delta=lambda d: None)
    assert done.text == "加强思想" and done.finish_reason == seen


def test_a_model_that_always_hits_its_token_limit_is_exit_3_not_a_short_plan():
    """Tried as a new user would: every section cut off by max_tokens used to give a 334-character
    plan and exit 0."""
    from tests.cli_helpers import assert_one_line_error, ghplan, without_progress
    from tests.fake_openai import FakeOpenAI

    def answer(text: str, finish: str) -> dict:
        return {"id": "c", "object": "chat.completion", "created": 0, "model": "fake-model",
                "choices": [{"index": 0, "finish_reason": finish,
                             "message": {"role": "assistant", "content": text}}]}

    def respond(body, headers):
        if headers.get("x-ghplan-request") == "outline":
            return {"body": answer(SCRIPT_HEAD[0]["text"], "stop")}
        cut = "为做好今年工作，坚持以"
        return {"sse": [cut], "finish": "length"} if body.get("stream") else {"body": answer(cut, "length")}

    with FakeOpenAI(responder=respond) as srv:
        r = ghplan("draft", "--org", "某厂工会", "--type", "enterprise", "--year", str(YEAR),
                   "--backend", "openai", "--no-retrieve",
                   env={"OPENAI_API_KEY": "sk-test-123456", "OPENAI_BASE_URL": srv.base_url})
    assert "[1/" in r.err           # progress while the model wrote, then one error line
    assert_one_line_error(without_progress(r), 3)
    assert "stopped before finishing" in r.err and r.out == ""


def test_a_plan_far_under_its_length_target_is_not_clean():
    """The draft is reviewed against the profile's length target: a plan of some 600 characters
    (over the floor for any plan) for a 3,000-character target is not a finished draft."""
    bodies = ["组织职工学习党的创新理论，每季度开展一次专题学习，推动学习成果转化为工作动力。",
              "围绕年度目标，建立工作台账，明确责任部门和完成时限，做到件件有着落。",
              "深化厂务公开，按期召开职代会，认真办理职工代表提案，保障职工知情权参与权。",
              "开展岗位练兵和技能比武，选树劳模工匠，营造比学赶超的浓厚氛围。",
              "落实困难职工帮扶制度，做好送温暖和金秋助学，让职工感受到组织的关怀。",
              "加强工会干部培训，规范经费管理，提高工会工作的制度化水平。",
              "工会委员会统筹推进，各部门分工负责，每半年检查一次落实情况。"]
    script = SCRIPT_HEAD + [{"stage": "section", "text": f"{b}具体安排见第{i}号工作清单，年底前报告落实情况。"}
                            for i, b in enumerate(bodies, 1)]
    p = minimal_profile("某厂工会", "enterprise")
    r = draft(p, backend=MockBackend(script), year=YEAR, retrieve=False, repair_rounds=0)
    assert 400 < len(r.text) < p.length / 2
    assert "GH-STRUCT-TOO-SHORT" in {f.rule for f in r.review.findings}
