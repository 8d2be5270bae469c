"""The mock backend: scripted replies by order, by stage and match, from files, from a whole plan,
and simulated failures that look exactly like a real backend's."""
from __future__ import annotations

import json

import pytest

from ghplan.writer.errors import BackendError, GhplanError, UsageError
from ghplan.writer.draft.backends.base import call
from ghplan.writer.draft.backends.mock import MockBackend, split_plan
from tests.chat import Chat



def ask(backend, kind, text="请写", **fields):
    return backend.complete(Chat(kind, (("user", text),), **fields)).text


def test_list_is_consumed_in_order_then_runs_out():
    m = MockBackend(["甲", "乙"])
    assert ask(m, "outline") == "甲"
    assert ask(m, "section") == "乙"
    with pytest.raises(GhplanError) as err:
        ask(m, "section")
    assert isinstance(err.value, BackendError) and "section" in str(err.value)
    assert len(m.calls) == 3


def test_rules_by_stage_match_and_repeat():
    m = MockBackend([
        {"stage": "section", "match": "指导思想", "text": "指导思想正文"},
        {"stage": "section", "text": "通用正文", "repeat": True},
        {"stage": "outline", "text": "一、指导思想"},
    ])
    assert ask(m, "outline") == "一、指导思想"
    assert ask(m, "section", "写“一、指导思想”") == "指导思想正文"
    assert ask(m, "section", "写“一、指导思想”") == "通用正文"   # the matching rule was used up
    assert ask(m, "section", "写别的") == "通用正文"


@pytest.mark.parametrize("error, words", [
    ("timeout", "timed out"), ("malformed", "malformed"), ("empty", "empty completion"),
    ("unauthorized", "401"), ("refused", "connection refused"), ("429", "HTTP 429"),
])
def test_simulated_failures(error, words):
    m = MockBackend([{"stage": "section", "error": error}])
    with pytest.raises(GhplanError) as err:
        ask(m, "section")
    assert isinstance(err.value, BackendError) and words in str(err.value)


def test_unknown_keys_and_errors_are_rejected():
    with pytest.raises(GhplanError):
        MockBackend([{"stage": "x", "txt": "typo"}])
    with pytest.raises(GhplanError):
        MockBackend([{"error": "meteor"}])


def test_from_toml_and_json_files(tmp_path):
    toml = tmp_path / "m.toml"
    toml.write_text('model = "scripted"\n[[responses]]\nstage = "outline"\ntext = "一、工作目标"\n', "utf-8")
    m = MockBackend.from_file(toml)
    assert m.model == "scripted" and ask(m, "outline") == "一、工作目标"
    js = tmp_path / "m.json"
    js.write_text(json.dumps(["一", "二"], ensure_ascii=False), "utf-8")
    m = MockBackend.from_file(js)
    assert [ask(m, "a"), ask(m, "b")] == ["一", "二"]
    bad = tmp_path / "bad.toml"
    bad.write_text("responses = [", "utf-8")
    with pytest.raises(GhplanError) as err:
        MockBackend.from_file(bad)
    assert isinstance(err.value, UsageError)
    with pytest.raises(GhplanError):
        MockBackend.from_file(tmp_path / "missing.toml")


PLAN = """某厂工会2027年工作计划
为做好今年工作，制定本计划。
一、指导思想
以新思想为指导。
二、主要工作
（一）加强思想引领
1.抓学习。组织学习。
（二）做好帮扶
1.送温暖。走访慰问。
三、保障措施
（一）加强领导。明确分工。"""


def test_split_plan():
    title, opening, sections = split_plan(PLAN)
    assert title == "某厂工会2027年工作计划"
    assert opening == "为做好今年工作，制定本计划。"
    assert [h for h, _ in sections][:3] == ["一、指导思想", "二、主要工作", "（一）加强思想引领"]


def test_from_plan_answers_each_stage():
    m = MockBackend.from_plan(PLAN, repair="修好的全文")
    assert ask(m, "outline").splitlines()[0] == "一、指导思想"
    assert ask(m, "opening") == "为做好今年工作，制定本计划。"
    assert ask(m, "section", heading="一、指导思想") == "以新思想为指导。"
    assert ask(m, "section", heading="加强思想引领") == "1.抓学习。组织学习。"
    assert ask(m, "repair") == "修好的全文"


def test_stream_yields_the_same_text():
    m = MockBackend(["一段很长的正文" * 10])
    seen: list[str] = []
    done = call(m, Chat("section", (("user", "x"),)), on_delta=seen.append)
    assert "".join(seen) == done.text == "一段很长的正文" * 10
    assert len(seen) > 1
