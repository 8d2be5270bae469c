"""eval/cache.py: calls keyed on (backend, model, messages, params), failed calls never cached,
the API key never on disk, and a run against a model replayed offline from the cache."""
from __future__ import annotations

import json
from pathlib import Path

import pytest


from ghplan.writer.errors import BackendError, GhplanError
from ghplan.eval.cache import CachedBackend, CallCache, cache_key, wrap
from tests.chat import Chat
from tests.fake_openai import FakeOpenAI, completion
from ghplan.writer.draft.backends.base import Completion, Usage


KEY = "sk-test-SECRET-0123456789abcdef"
MSGS = [{"role": "system", "content": "你是工会干部"}, {"role": "user", "content": "写一段话"}]


class Counting:
    """A model backend stand-in: counts calls; can fail or answer empty on demand."""
    name = "openai"
    model = "fake-model"
    temperature = 0.7

    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = 0

    def complete(self, request, **params):
        self.calls += 1
        a = self.answers.pop(0)
        if isinstance(a, Exception):
            raise a
        return Completion(text=a, usage=Usage(3, 4, 7, 1), model=self.model)


def files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_second_identical_call_is_a_hit(tmp_path):
    inner = Counting(["加强职工之家建设。", "不该用到"])
    be = CachedBackend(inner, CallCache(tmp_path))
    a = be.complete(Chat.of(MSGS), max_tokens=100)
    b = be.complete(Chat.of(MSGS), max_tokens=100)
    assert a.text == b.text == "加强职工之家建设。" and inner.calls == 1
    assert be.cache.stats.hits == 1 and be.cache.stats.stored == 1 and len(files(tmp_path)) == 1
    be.complete(Chat.of(MSGS), max_tokens=200)            # other params: another request
    assert inner.calls == 2


def test_key_covers_backend_model_messages_params():
    base = cache_key("openai", "m", MSGS, {"max_tokens": 10})
    assert base != cache_key("openai", "m2", MSGS, {"max_tokens": 10})
    assert base != cache_key("vllm", "m", MSGS, {"max_tokens": 10})
    assert base != cache_key("openai", "m", MSGS[:1], {"max_tokens": 10})
    assert base != cache_key("openai", "m", MSGS, {"max_tokens": 11})
    # credentials are not request parameters: they never change (or enter) the key
    assert base == cache_key("openai", "m", MSGS, {"max_tokens": 10, "api_key": KEY})


def test_failed_and_empty_calls_are_not_cached(tmp_path):
    inner = Counting([BackendError("model request timed out"), "", "第二次成功。"])
    be = CachedBackend(inner, CallCache(tmp_path))
    with pytest.raises(GhplanError):
        be.complete(Chat.of(MSGS))
    assert files(tmp_path) == []
    assert be.complete(Chat.of(MSGS)).text == ""          # returned to the caller, not stored
    assert files(tmp_path) == [] and be.cache.stats.refused == 1
    assert be.complete(Chat.of(MSGS)).text == "第二次成功。" and inner.calls == 3
    assert len(files(tmp_path)) == 1


def test_a_record_holding_the_key_is_refused(tmp_path):
    inner = Counting([f"您的密钥是 {KEY}。"])
    be = CachedBackend(inner, CallCache(tmp_path, secrets=[KEY]))
    be.complete(Chat.of(MSGS))
    assert files(tmp_path) == [] and be.cache.stats.refused == 1


def test_mock_and_offline_are_never_cached(tmp_path):
    from ghplan.writer.draft.backends.mock import MockBackend
    from ghplan.writer.draft.backends.offline import OfflineBackend

    cache = CallCache(tmp_path)
    assert isinstance(wrap(MockBackend(["x"]), cache), MockBackend)
    assert isinstance(wrap(OfflineBackend(), cache), OfflineBackend)
    assert isinstance(wrap(Counting([]), cache), CachedBackend)
    assert wrap(Counting([]), None).__class__ is Counting


def test_replay_only_misses_fail_cleanly(tmp_path):
    be = CachedBackend(None, CallCache(tmp_path), name="openai", model="fake-model")
    with pytest.raises(GhplanError) as e:
        be.complete(Chat.of(MSGS))
    assert isinstance(e.value, BackendError) and "no API key" in str(e.value)


# ---------------------------------------------------------------- a run recorded, then replayed
SUITE = """
[suite]
name = "replay"
[[case]]
stage = "drafting"
backend = "openai"
type = "enterprise"
year = 2027
retrieve = false
rounds = 0
checks = ["roles", "org_year"]
"""


def answer(body: dict) -> dict:
    """A tiny 'model': an outline for the outline request, a paragraph for everything else."""
    user = body["messages"][-1]["content"]
    if "拟定提纲" in user:
        text = "一、指导思想\n二、工作目标\n三、主要工作\n（一）深化厂务公开\n（二）开展劳动竞赛\n（三）维护职工权益\n四、保障措施"
    else:
        text = "围绕公司生产经营中心任务，团结动员广大职工立足岗位建功立业，把各项工作落到实处。"
    return {"body": completion(text)}


def test_a_model_run_is_replayed_offline_from_the_cache(tmp_path, monkeypatch):
    from ghplan.eval.harness import run_suite
    from ghplan.eval.suite import load_suite
    from ghplan.writer.config import Settings

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    suite_path = tmp_path / "replay.toml"
    suite_path.write_text(SUITE, "utf-8")
    suite = load_suite(suite_path)
    cache_dir = tmp_path / "cache"
    with FakeOpenAI(responder=answer) as srv:
        live = Settings(openai_base_url=srv.base_url, openai_api_key=KEY, openai_model="fake-model")
        first = run_suite(suite, settings=live, cache=CallCache(cache_dir, secrets=[KEY]))
        calls = len(srv.requests)
    assert calls > 3 and first.cache["stored"] == calls and first.exit_code() == 0
    text = first.cases[0].artifacts["draft"]["text"]
    # the server is gone and there is no key: every answer must come from the cache
    offline = Settings(openai_base_url="", openai_api_key="", openai_model="fake-model")
    again = run_suite(suite, settings=offline, cache=CallCache(cache_dir))
    assert again.cache == {"hits": calls, "misses": 0, "stored": 0, "refused": 0}
    assert again.cases[0].artifacts["draft"]["text"] == text and again.exit_code() == 0
    for p in files(cache_dir):
        raw = p.read_text("utf-8")
        assert KEY not in raw and "SECRET" not in raw
        assert set(json.loads(raw)) == {"v", "text", "finish_reason", "model", "usage"}
    # without the cache the same replay cannot run: it is the cache that answered
    broken = run_suite(suite, settings=offline, cache=None)
    assert broken.exit_code() == 100 and "OPENAI_API_KEY" in broken.cases[0].checks[0].reason


def test_credential_params_are_dropped_but_request_params_kept():
    from ghplan.eval.cache import clean_params

    kept = clean_params({"max_tokens": 5, "temperature": 0.2, "api_key": KEY, "extra_headers": {"a": KEY},
                         "access_token": KEY, "top_p": None})
    assert kept == {"max_tokens": 5, "temperature": 0.2}
