"""The API's one error shape: `{"error": <Chinese>, "error_en": <English>}` with a 4xx status.

Library failures (GhplanError) become a 4xx with the library's English sentence beside a Chinese
one; anything unexpected is a 500 with a fixed sentence, never a traceback, and no message ever
carries the model API key (it is cut out wherever it might appear).
"""
from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse

from ghplan.writer.errors import BackendError, GhplanError, IndexUnavailable


@dataclass
class ApiError(Exception):
    status: int
    zh: str
    en: str


# (library error class, status, the Chinese sentence before the library's own English detail)
_LIBRARY = ((BackendError, 502, "模型服务出错"),
            (IndexUnavailable, 503, "检索索引不可用（可先运行 ghplan index build）"),
            (GhplanError, 422, "请求无效"))


def redact(text: str, secret: str) -> str:
    """`text` with the API key cut out (a backend error may echo a request or a URL)."""
    return text.replace(secret, "[已隐去]") if secret and len(secret) >= 4 else text


def from_library(exc: GhplanError) -> ApiError:
    """The library's failure as a 4xx/5xx: its Chinese detail (writer/localize.py: a Said's, or
    the one messages.toml has for the library's English line), else its English detail, after
    the Chinese sentence."""
    from ghplan.writer.localize import localize

    status, zh = next((s, z) for cls, s, z in _LIBRARY if isinstance(exc, cls))
    en = " ".join(str(exc).split())
    detail = " ".join(localize(exc.args[0] if exc.args else en, "zh").split())
    return ApiError(status, f"{zh}：{detail}", en)


def error_response(err: ApiError, secret: str = "") -> JSONResponse:
    return JSONResponse({"error": redact(err.zh, secret), "error_en": redact(err.en, secret)},
                        status_code=err.status)


def error_body(zh: str, en: str, secret: str = "") -> dict[str, str]:
    return {"error": redact(zh, secret), "error_en": redact(en, secret)}


# what a status means when Starlette raises it itself (an unknown path, a wrong method)
HTTP_STATUS_ZH = {400: ("请求格式有误", "bad request"), 404: ("没有这个地址", "not found"),
                  405: ("不支持这个请求方法", "method not allowed"),
                  413: ("请求内容超过 20 MB 上限", "request body over the 20 MB limit"),
                  415: ("不支持这种内容类型", "unsupported media type")}
INTERNAL = ApiError(500, "服务器内部错误（已记录在服务器日志中）", "internal server error (see the server log)")
