"""A disk cache of model calls, so a run against a real model can be replayed offline.

The key is a SHA-256 of (backend name, model, messages, params): the same request to the same
model gets the same answer back without a call. What is stored is the completion (text, usage,
finish reason, model) and nothing else.

- Failed calls are never cached: an exception, an empty completion or a cut-off one
  (finish_reason other than "stop": the pipeline asks again) goes back to the caller and leaves
  no file.
- The API key never reaches the disk: it is not part of the key material (only whitelisted
  fields are), parameters whose names look like credentials are dropped, and a record that
  contains any known secret (the configured key, OPENAI_API_KEY) is refused.
- Only backends that call a model are cached. The mock and offline backends are cheap and
  deterministic; caching them would only hide a changed script or catalogue behind an old
  answer (two mocks given the same prompt must not share one).

Layout: <dir>/calls/<2 hex>/<64 hex>.json, written atomically (a crash never leaves half a file).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from ghplan.writer.io import write_atomic
from ghplan.writer.errors import GhplanError, BackendError
from ghplan.writer.draft.backends.base import Completion, StreamResult, Usage, chunks
from ghplan.writer.draft.requests import Message, Request


VERSION = 1
UNCACHED_BACKENDS = frozenset({"mock", "offline"})
# parameter names that can carry a credential (api_key, extra_headers, access_token, ...); not
# max_tokens, which shapes the answer
_SECRET_PARAM = re.compile(r"(?i)(?:^|_)(?:api_?key|key|secret|password|auth|authorization|cookies?|"
                           r"credentials?|headers?|bearer)(?:$|_)|^(?:access_|auth_|bearer_|id_)?token$")
OK_FINISH = frozenset({"stop"})


def default_cache_dir() -> Path:
    env = os.environ.get("GHPLAN_EVAL_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ghplan" / "eval"


def clean_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters that shape the answer, without anything that looks like a credential."""
    return {k: v for k, v in sorted(params.items())
            if not _SECRET_PARAM.search(k) and v is not None}


def cache_key(backend: str, model: str, messages: Sequence[Message], params: dict[str, Any]) -> str:
    material = {"v": VERSION, "backend": backend, "model": model,
                "messages": [{"role": m.get("role", ""), "content": m.get("content", "")} for m in messages],
                "params": clean_params(params)}
    blob = json.dumps(material, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    stored: int = 0
    refused: int = 0     # failed calls (or records with a secret) not written

    def to_json(self) -> dict[str, int]:
        return {"hits": self.hits, "misses": self.misses, "stored": self.stored, "refused": self.refused}


class CallCache:
    def __init__(self, root: Path | str, secrets: Sequence[str] = ()):
        self.root = Path(root)
        env_key = os.environ.get("OPENAI_API_KEY", "")
        self.secrets = tuple(s for s in {*secrets, env_key} if s and len(s) >= 4)
        self.stats = CacheStats()

    def path(self, key: str) -> Path:
        return self.root / "calls" / key[:2] / f"{key}.json"

    def get(self, key: str) -> Completion | None:
        p = self.path(key)
        try:
            data = json.loads(p.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("v") != VERSION or not isinstance(data.get("text"), str) or not data["text"]:
            return None
        u = data.get("usage", {})
        return Completion(text=data["text"], finish_reason=str(data.get("finish_reason", "stop")),
                          model=str(data.get("model", "")),
                          usage=Usage(int(u.get("prompt_tokens", 0)), int(u.get("completion_tokens", 0)),
                                      int(u.get("total_tokens", 0)), int(u.get("calls", 1))))

    def put(self, key: str, done: Completion) -> bool:
        """Store a successful completion; False (nothing written) for a failed-looking one."""
        if not done.text or not done.text.strip() or done.finish_reason not in OK_FINISH:
            self.stats.refused += 1
            return False
        record = {"v": VERSION, "text": done.text, "finish_reason": done.finish_reason,
                  "model": done.model, "usage": done.usage.to_json()}
        blob = json.dumps(record, ensure_ascii=False, indent=1)
        if any(s in blob for s in self.secrets):
            self.stats.refused += 1
            return False
        p = self.path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(p, blob)
        self.stats.stored += 1
        return True


class CachedBackend:
    """Wraps a backend: answers from the cache when it can, calls (and stores) otherwise.

    `inner=None` is replay-only: a miss is a one-line error rather than a call, which is how a
    run recorded against a real model is replayed in CI without a key."""

    def __init__(self, inner: Any, cache: CallCache, *, name: str | None = None,
                 model: str | None = None, temperature: float | None = None):
        self.inner = inner
        self.cache = cache
        self.name = name or inner.name
        self.model = model or inner.model
        # a backend-level setting that changes the answer is part of the request
        self.temperature = getattr(inner, "temperature", None) if inner is not None else temperature
        self.wants_references = bool(getattr(inner, "wants_references", True))

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        temp = self.temperature
        return {**params, **({"temperature": temp} if temp is not None and "temperature" not in params else {})}

    def complete(self, request: Request, **params: Any) -> Completion:
        key = cache_key(self.name, self.model, request.messages(), self._params(params))
        hit = self.cache.get(key)
        if hit is not None:
            self.cache.stats.hits += 1
            return hit
        self.cache.stats.misses += 1
        if self.inner is None:
            raise BackendError(f"eval cache has no answer for this {self.name} request "
                              f"({self.model}) and no API key is set to call the model")
        done = self.inner.complete(request, **params)   # raises: nothing is cached
        self.cache.put(key, done)
        return done

    def stream(self, request: Request, **params: Any) -> Iterator[str]:
        done = self.complete(request, **params)
        return StreamResult(chunks(done.text), lambda _text: done)


def wrap(backend: Any, cache: CallCache | None) -> Any:
    """The backend, cached when it calls a model and a cache is given."""
    if cache is None or getattr(backend, "name", "") in UNCACHED_BACKENDS:
        return backend
    return CachedBackend(backend, cache)
