"""Any OpenAI-compatible chat endpoint (OpenAI, DeepSeek, Qwen compatible mode, vLLM, Ollama).

Retries with exponential backoff on 429 and 5xx (honouring Retry-After, capped); every other
failure is one line for the user, raised as GhplanError with exit code 3. The API key never
appears in a message: server texts are scrubbed of it and of credentials in the URL.
"""
from __future__ import annotations

import random
import re
import time
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from ghplan.writer.draft.backends.failures import failure
from ghplan.writer.errors import BackendError, GhplanError, UsageError
from ghplan.writer.draft.backends.base import Completion, StreamResult, Usage
from ghplan.writer.draft.requests import Message, Request


RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_BASE_URL = "https://api.openai.com/v1"


def redact_url(url: str) -> str:
    """The URL without user:password@ and without a query string (keys hide in both)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<bad url>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _tagged(request: Request) -> dict[str, Any]:
    """The request kind as an HTTP header: a proxy, a log or a test server can route on it without
    reading the prompt's wording. It carries no content and no key."""
    return {"extra_headers": {"X-Ghplan-Request": request.kind}}


class OpenAIBackend:
    name = "openai"

    def __init__(self, *, base_url: str = "", api_key: str = "", model: str = "gpt-4o-mini",
                 timeout: float = 60.0, retries: int = 3, backoff: float = 1.0,
                 max_backoff: float = 30.0, temperature: float | None = 0.7):
        self.base_url = base_url or DEFAULT_BASE_URL
        self._api_key = api_key
        self.model = model
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.temperature = temperature
        self._client = None
        if not api_key and not base_url:
            raise UsageError("the openai backend needs OPENAI_API_KEY (or OPENAI_BASE_URL for a "
                              "local server); use --backend offline to draft without a model")

    def __repr__(self) -> str:   # never show the key
        return f"OpenAIBackend(base_url={redact_url(self.base_url)!r}, model={self.model!r})"

    @classmethod
    def from_settings(cls, settings: Any, *, model: str | None = None, **kw: Any) -> "OpenAIBackend":
        return cls(base_url=settings.openai_base_url, api_key=settings.openai_api_key,
                   model=model or settings.openai_model, timeout=settings.openai_timeout, **kw)

    # ------------------------------------------------------------------ plumbing
    @property
    def where(self) -> str:
        return redact_url(self.base_url)

    def _scrub(self, text: str) -> str:
        text = " ".join(str(text).split())
        if self._api_key:
            text = text.replace(self._api_key, "***")
        text = re.sub(r"\b(sk|key|token)-[A-Za-z0-9_\-]{6,}", r"\1-***", text)
        text = re.sub(r"(?i)(bearer\s+)\S+", r"\1***", text)
        return text[:200]

    def _get_client(self):
        if self._client is None:
            import openai  # heavy: only when a model is really called

            self._client = openai.OpenAI(
                base_url=self.base_url, api_key=self._api_key or "not-needed",
                timeout=self.timeout, max_retries=0,
            )
        return self._client

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        temperature = params.get("temperature", self.temperature)
        if temperature is not None:
            out["temperature"] = temperature
        if params.get("max_tokens"):
            out["max_tokens"] = int(params["max_tokens"])
        return out

    def _delay(self, attempt: int, exc: Any) -> float:
        retry_after = None
        response = getattr(exc, "response", None)
        if response is not None:
            try:
                retry_after = float(response.headers.get("retry-after", ""))
            except (TypeError, ValueError):
                retry_after = None
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.max_backoff)
        base = self.backoff * (2 ** attempt)
        return min(self.max_backoff, base + random.uniform(0, base / 4))

    def _error(self, exc: Exception, attempts: int) -> GhplanError:
        import openai

        where = self.where
        if isinstance(exc, openai.APITimeoutError):
            return failure("timeout", where, timeout=self.timeout)
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            detail = "connection refused" if "refused" in str(cause or exc).lower() else \
                self._scrub(str(cause or exc)) or "connection failed"
            return failure("refused", where, detail=detail)
        if isinstance(exc, openai.AuthenticationError):
            return failure("unauthorized", where)
        if isinstance(exc, openai.PermissionDeniedError):
            return failure("forbidden", where)
        if isinstance(exc, openai.NotFoundError):
            return failure("not_found", where, model=self.model)
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            if status in RETRY_STATUSES:
                return failure("429" if status == 429 else "500", where, status=status, attempts=attempts)
            return failure("rejected", where, status=status,
                           detail=self._scrub(getattr(exc, "message", "") or ""))
        if isinstance(exc, openai.APIResponseValidationError):
            return failure("malformed", where)
        return failure("other", where, detail=f"{type(exc).__name__}: {self._scrub(str(exc))}")

    def _create(self, messages: list[Message], **kw: Any):
        import openai

        client = self._get_client()
        attempt = 0
        while True:
            try:
                return client.chat.completions.create(model=self.model, messages=messages, **kw)
            except openai.APIStatusError as exc:
                if exc.status_code == 400 and "stream_options" in kw and \
                        "stream_options" in str(getattr(exc, "message", "")):
                    kw.pop("stream_options")     # an older server: stream without usage figures
                    continue
                if exc.status_code in RETRY_STATUSES and attempt < self.retries:
                    time.sleep(self._delay(attempt, exc))
                    attempt += 1
                    continue
                raise self._error(exc, attempt + 1) from None
            except openai.OpenAIError as exc:
                raise self._error(exc, attempt + 1) from None
            except ValueError as exc:   # undecodable body
                raise failure("malformed", self.where, detail=self._scrub(str(exc))) from None

    @staticmethod
    def _usage(u: Any) -> Usage:
        if u is None:
            return Usage(calls=1)
        p = int(getattr(u, "prompt_tokens", 0) or 0)
        c = int(getattr(u, "completion_tokens", 0) or 0)
        return Usage(p, c, int(getattr(u, "total_tokens", 0) or (p + c)), 1)

    # ------------------------------------------------------------------ protocol
    def complete(self, request: Request, **params: Any) -> Completion:
        resp = self._create(request.messages(), **self._params(params), **_tagged(request))
        choices = getattr(resp, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise failure("malformed", self.where, detail="no choices")
        message = getattr(choices[0], "message", None)
        text = getattr(message, "content", None)
        if not isinstance(text, str):
            raise failure("malformed", self.where, detail="no message content")
        if not text.strip():
            raise failure("empty", self.where)
        return Completion(text=text, usage=self._usage(getattr(resp, "usage", None)),
                          finish_reason=getattr(choices[0], "finish_reason", None) or "stop",
                          model=getattr(resp, "model", None) or self.model)

    def stream(self, request: Request, **params: Any) -> Iterator[str]:
        import openai

        stream = self._create(request.messages(), stream=True, stream_options={"include_usage": True},
                              **self._params(params), **_tagged(request))
        # no finish_reason by the end of the stream means it was cut short
        state: dict[str, Any] = {"usage": None, "finish": "", "model": self.model}

        def gen() -> Iterator[str]:
            try:
                for chunk in stream:
                    if getattr(chunk, "usage", None):
                        state["usage"] = chunk.usage
                    if getattr(chunk, "model", None):
                        state["model"] = chunk.model
                    for choice in getattr(chunk, "choices", None) or []:
                        delta = getattr(getattr(choice, "delta", None), "content", None)
                        if getattr(choice, "finish_reason", None):
                            state["finish"] = choice.finish_reason
                        if delta:
                            yield delta
            except openai.OpenAIError as exc:
                raise self._error(exc, 1) from None
            except ValueError as exc:
                raise BackendError(f"model endpoint {self.where} sent a malformed stream: "
                                  f"{self._scrub(str(exc))}") from None

        def finish(text: str) -> Completion:
            if not text.strip():
                raise failure("empty", self.where)
            return Completion(text=text, usage=self._usage(state["usage"]),
                              finish_reason=state["finish"], model=state["model"])

        return StreamResult(gen(), finish)   # raises at the end if the completion was empty
