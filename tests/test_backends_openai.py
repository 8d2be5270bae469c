"""The openai backend against a fake OpenAI-compatible server on loopback: success, streaming,
retry on 429/5xx, one-line errors on 401/404/timeout/refused/malformed/empty, no key leaks."""
from __future__ import annotations

import socket

import pytest

from tests.fake_openai import FakeOpenAI, completion
from ghplan.writer.errors import BackendError, GhplanError, UsageError
from ghplan.writer.draft.backends.base import call
from ghplan.writer.draft.backends.openai_backend import OpenAIBackend, redact_url
from tests.chat import Chat


KEY = "sk-test-SECRET-0123456789abcdef"
MSGS = [{"role": "system", "content": "你是工会干部"}, {"role": "user", "content": "写一段话"}]


def backend(url: str, **kw) -> OpenAIBackend:
    kw.setdefault("backoff", 0.01)
    kw.setdefault("timeout", 5.0)
    return OpenAIBackend(base_url=url, api_key=KEY, model="fake-model", **kw)


def assert_clean_error(exc: GhplanError, *words: str) -> None:
    msg = str(exc)
    assert isinstance(exc, BackendError)
    assert "\n" not in msg
    assert KEY not in msg and "SECRET" not in msg
    for w in words:
        assert w in msg, msg


def test_completion_text_usage_and_auth_header():
    with FakeOpenAI([{"body": completion("一、指导思想", {"prompt_tokens": 12, "completion_tokens": 5,
                                                         "total_tokens": 17})}]) as srv:
        done = backend(srv.base_url).complete(Chat.of(MSGS, "outline"), max_tokens=100)
    assert done.text == "一、指导思想"
    assert (done.usage.prompt_tokens, done.usage.completion_tokens, done.usage.total_tokens) == (12, 5, 17)
    req = srv.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["headers"]["authorization"] == f"Bearer {KEY}"
    assert req["body"]["model"] == "fake-model" and req["body"]["messages"] == MSGS
    assert req["body"]["max_tokens"] == 100
    assert "meta" not in req["body"] and "stage" not in req["body"]   # meta never leaves the process


def test_streaming_sse_deltas_and_usage():
    with FakeOpenAI([{"sse": ["加强", "思想", "引领。"], "usage": {"prompt_tokens": 9,
                                                               "completion_tokens": 4, "total_tokens": 13}}]) as srv:
        seen: list[str] = []
        done = call(backend(srv.base_url), Chat.of(MSGS), on_delta=seen.append)
    assert seen == ["加强", "思想", "引领。"]
    assert done.text == "加强思想引领。"
    assert done.usage.total_tokens == 13
    assert srv.requests[0]["body"]["stream"] is True


def test_429_then_success_is_retried():
    with FakeOpenAI([{"status": 429, "body": {"error": {"message": "slow down"}}},
                     {"status": 503, "body": {"error": {"message": "busy"}}},
                     {"body": completion("好")}]) as srv:
        done = backend(srv.base_url, retries=3).complete(Chat.of(MSGS))
    assert done.text == "好"
    assert len(srv.requests) == 3


def test_retry_after_header_is_honoured_but_capped():
    b = backend("http://127.0.0.1:1/v1", max_backoff=0.05)

    class Resp:
        headers = {"retry-after": "120"}

    class Exc:
        response = Resp()

    assert b._delay(0, Exc()) == 0.05


def test_persistent_5xx_gives_up_with_one_line():
    with FakeOpenAI([{"status": 500, "body": {"error": {"message": "boom"}}}]) as srv:
        with pytest.raises(GhplanError) as err:
            backend(srv.base_url, retries=2).complete(Chat.of(MSGS))
    assert len(srv.requests) == 3
    assert_clean_error(err.value, "HTTP 500", "3 attempts")


def test_401_is_one_line_and_never_echoes_the_key():
    body = {"error": {"message": f"Incorrect API key provided: {KEY}", "type": "invalid_request_error"}}
    with FakeOpenAI([{"status": 401, "body": body}]) as srv:
        with pytest.raises(GhplanError) as err:
            backend(srv.base_url).complete(Chat.of(MSGS))
    assert len(srv.requests) == 1            # 401 is not retried
    assert_clean_error(err.value, "401", "OPENAI_API_KEY")


def test_404_names_the_base_url_and_model():
    with FakeOpenAI([{"status": 404, "body": {"error": {"message": "no such model"}}}]) as srv:
        with pytest.raises(GhplanError) as err:
            backend(srv.base_url).complete(Chat.of(MSGS))
    assert_clean_error(err.value, "404", "OPENAI_BASE_URL", "fake-model")


def test_timeout():
    with FakeOpenAI([{"delay": 1.5, "body": completion("迟到")}]) as srv:
        with pytest.raises(GhplanError) as err:
            backend(srv.base_url, timeout=0.3).complete(Chat.of(MSGS))
    assert_clean_error(err.value, "timed out", "0.3s")


def test_connection_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(GhplanError) as err:
        backend(f"http://127.0.0.1:{port}/v1").complete(Chat.of(MSGS))
    assert_clean_error(err.value, "cannot reach", f"127.0.0.1:{port}")


@pytest.mark.parametrize("body, words", [
    ({"id": "x", "object": "chat.completion"}, ("malformed",)),
    ("this is not json", ("malformed",)),
    (completion(""), ("empty completion",)),
    ({"choices": [{"index": 0, "message": {"role": "assistant"}, "finish_reason": "stop"}]}, ("malformed",)),
])
def test_malformed_and_empty(body, words):
    with FakeOpenAI([{"body": body}]) as srv:
        with pytest.raises(GhplanError) as err:
            backend(srv.base_url).complete(Chat.of(MSGS))
    assert_clean_error(err.value, *words)


def test_empty_stream_is_an_error():
    with FakeOpenAI([{"sse": []}]) as srv:
        with pytest.raises(GhplanError) as err:
            call(backend(srv.base_url), Chat.of(MSGS), on_delta=lambda d: None)
    assert_clean_error(err.value, "empty completion")


def test_key_not_in_repr_and_url_credentials_redacted():
    b = OpenAIBackend(base_url="http://user:pw@127.0.0.1:8000/v1?key=abc", api_key=KEY)
    assert KEY not in repr(b)
    assert redact_url(b.base_url) == "http://127.0.0.1:8000/v1"
    assert "pw" not in b.where and "abc" not in b.where


def test_missing_key_and_url_is_a_usage_error():
    with pytest.raises(GhplanError) as err:
        OpenAIBackend(base_url="", api_key="")
    assert isinstance(err.value, UsageError)


def test_server_without_stream_options_still_streams():
    def respond(body):
        if "stream_options" in body:
            return {"status": 400, "body": {"error": {"message": "Unrecognized request argument: stream_options"}}}
        return {"sse": ["做好", "帮扶。"]}

    with FakeOpenAI(responder=respond) as srv:
        done = call(backend(srv.base_url), Chat.of(MSGS), on_delta=lambda d: None)
    assert done.text == "做好帮扶。" and len(srv.requests) == 2
    assert "stream_options" not in srv.requests[1]["body"]
