"""The API's one error shape: `{"error": <Chinese>, "error_en": <English>}` with a 4xx status.

Library failures (GhplanError) become a 4xx with the library's English sentence beside a Chinese
one; anything unexpected is a 500 with a fixed sentence, never a traceback, and no message ever
carries the model API key (it is cut out wherever it might appear).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

from ghplan.writer.errors import BackendError, GhplanError, IndexUnavailable
from ghplan.writer.messages import say, text


@dataclass
class ApiError(Exception):
    status: int
    zh: str
    en: str


# (library error class, status, the messages.toml sentence before the library's own detail)
_LIBRARY = ((BackendError, 502, "api.library.backend"),
            (IndexUnavailable, 503, "api.library.index"),
            (GhplanError, 422, "api.library.other"))


def api_error(status: int, key: str, /, en: str | None = None, zh_values: dict | None = None,
              **values: Any) -> ApiError:
    """The [messages.api.<key>] entry of messages.toml as an ApiError; `en`: the library's own
    English sentence instead of the entry's (a bad type or year, as the CLI words it);
    `zh_values`: values whose Chinese differs (a profile error's own Chinese)."""
    said = say(f"api.{key}", zh_values, **values)
    return ApiError(status, said.zh, said.en if en is None else en)


def api_body(key: str, secret: str = "", **values: Any) -> dict[str, str]:
    """The JSON body of the [messages.api.<key>] entry."""
    said = say(f"api.{key}", **values)
    return error_body(said.zh, said.en, secret)


def status_body(status: int) -> dict[str, str]:
    """What a status means when Starlette raises it itself (an unknown path, a wrong method)."""
    return api_body(f"status.{status}" if status in STATUSES else "status.other")


def redact(text: str, secret: str) -> str:
    """`text` with the API key cut out (a backend error may echo a request or a URL)."""
    return text.replace(secret, "[已隐去]") if secret and len(secret) >= 4 else text


def from_library(exc: GhplanError) -> ApiError:
    """The library's failure as a 4xx/5xx: its Chinese detail (writer/localize.py: a Said's, or
    the one messages.toml has for the library's English line), else its English detail, after
    the Chinese sentence."""
    from ghplan.writer.localize import localize

    status, key = next((s, k) for cls, s, k in _LIBRARY if isinstance(exc, cls))
    zh = text(key, "zh")
    en = " ".join(str(exc).split())
    detail = " ".join(localize(exc.args[0] if exc.args else en, "zh").split())
    return ApiError(status, f"{zh}：{detail}", en)


def error_response(err: ApiError, secret: str = "") -> JSONResponse:
    return JSONResponse({"error": redact(err.zh, secret), "error_en": redact(err.en, secret)},
                        status_code=err.status)


def error_body(zh: str, en: str, secret: str = "") -> dict[str, str]:
    return {"error": redact(zh, secret), "error_en": redact(en, secret)}


STATUSES = (400, 404, 405, 413, 415)       # the ones [messages.api.status] words
INTERNAL = api_error(500, "internal")
