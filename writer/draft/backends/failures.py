"""How a model backend fails, in words the user can act on: one function for every backend.

The OpenAI-compatible backend maps each client exception to a kind here; the mock backend raises
the same kinds on purpose, so tests and the eval see exactly what a user would. Each message is
a template in writer/data/messages.toml [messages.backend.*]: the error's text is the English,
and its argument (a `Said`) carries the Chinese for `ghplan draft` under zh and the server.
"""
from __future__ import annotations

from ghplan.writer.errors import BackendError
from ghplan.writer.messages import Said, say

KINDS = ("timeout", "refused", "unauthorized", "forbidden", "not_found", "429", "500",
         "rejected", "malformed", "empty", "cut_off")
# what an overloaded endpoint answered, in both languages
_OVERLOADED = {"429": ("rate limited", "请求过于频繁"), "500": ("server error", "服务器出错")}


def failure(kind: str, where: str, *, timeout: float = 0.0, attempts: int = 1, status: int = 0,
            detail: str = "", model: str = "", detail_zh: str = "") -> BackendError:
    """The one-line error for a backend failure of `kind` at endpoint `where`. `detail_zh`: the
    Chinese of `detail` where it differs (what a cut-off answer was for)."""
    return BackendError(_said(kind, where, timeout=timeout, attempts=attempts, status=status,
                              detail=detail, model=model, detail_zh=detail_zh))


def _said(kind: str, where: str, *, timeout: float, attempts: int, status: int, detail: str,
          model: str, detail_zh: str) -> Said:
    if kind == "timeout":
        return say("backend.timeout", timeout=timeout, where=where)
    if kind == "refused":
        return say("backend.refused", where=where, detail=detail or "connection refused")
    if kind in ("unauthorized", "forbidden", "empty"):
        return say(f"backend.{kind}", where=where)
    if kind == "not_found":
        return say("backend.not_found", where=where, model=model)
    if kind in _OVERLOADED:
        en, zh = _OVERLOADED[kind]
        return say("backend.overloaded", {"what": zh}, where=where, what=en, status=status or kind,
                   attempts=attempts)
    if kind == "rejected":
        return say("backend.rejected", {"detail": f"：{detail}" if detail else ""}, where=where,
                   status=status, detail=f": {detail}" if detail else "")
    if kind == "malformed":
        return say("backend.malformed", {"detail": f"（{detail}）" if detail else ""}, where=where,
                   detail=f" ({detail})" if detail else "")
    if kind == "cut_off":
        return say("backend.cut_off", {"detail": detail_zh or detail or "回答"}, where=where,
                   detail=detail or "its answer")
    return say("backend.other", where=where, detail=detail or kind)
