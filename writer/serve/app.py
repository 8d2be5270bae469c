"""The ASGI app: `create_app(state)` wires the routes, the limits and the errors.

Two pure-ASGI layers sit outside every route:
- the body limit: a declared Content-Length over 20 MB is refused before any byte is read, and a
  body sent without one (chunked) is counted as it streams and refused the moment it passes;
- the token: with `--token`, every /api/* request needs `Authorization: Bearer <token>` (the page
  itself, `/` and `/static/*`, is public; it reads the token from its URL's #token=… fragment).
Errors are always `{"error", "error_en"}` JSON (errors.py); FastAPI's /docs and /redoc are off
because they load their scripts from a CDN, while /openapi.json is served.
"""
from __future__ import annotations

import hmac
import logging
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles

from ghplan.writer import __version__
from ghplan.writer.errors import GhplanError
from ghplan.writer.serve import errors
from ghplan.writer.serve.errors import ApiError, error_response, from_library
from ghplan.writer.serve.state import ServeState, make_state

MAX_BODY = 20 * 1024 * 1024          # bytes: a long plan as .docx with pictures is a few MB
log = logging.getLogger("ghplan.serve")


class _TooLarge(Exception):
    pass


async def _send_json(send: Any, status: int, body: dict[str, str], headers: list | None = None) -> None:
    import json

    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


class BodyLimit:
    """413 for a body over `limit` bytes, whether declared or streamed."""

    def __init__(self, app: Any, limit: int = MAX_BODY):
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_big = errors.status_body(413)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            return await _send_json(send, 413, too_big, [(b"connection", b"close")])
        seen, started = 0, False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge()
            return message

        async def watched(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _send_json(send, 413, too_big, [(b"connection", b"close")])


class TokenGate:
    """With a token set, /api/* answers 401 unless the request carries `Bearer <token>`."""

    def __init__(self, app: Any, token: str | None):
        self.app, self.token = app, token

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if self.token and scope["type"] == "http" and scope["path"].startswith("/api/"):
            given = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                body = errors.api_body("token")
                return await _send_json(send, 401, body, [(b"www-authenticate", b"Bearer")])
        await self.app(scope, receive, send)


class HostCheck:
    """A server on this machine answers only requests addressed to this machine: a web page whose
    domain an attacker points at 127.0.0.1 (DNS rebinding) sends its own name as Host and is
    refused (403), so it cannot use the API with the user's model key."""

    def __init__(self, app: Any, allowed: frozenset[str]):
        self.app, self.allowed = app, allowed

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if self.allowed and scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in self.allowed:
                body = errors.api_body("host")
                return await _send_json(send, 403, body)
        await self.app(scope, receive, send)


LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})


def _handlers(app: FastAPI, state: ServeState) -> None:
    secret = state.api_key

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return error_response(exc, secret)

    @app.exception_handler(GhplanError)
    async def library_error(request: Request, exc: GhplanError) -> Response:
        return error_response(from_library(exc), secret)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return JSONResponse(errors.status_body(exc.status_code), status_code=exc.status_code,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse(errors.api_body("fields"), status_code=422)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.error("ghplan serve: %s %s failed: %s: %s", request.method, request.url.path,
                  type(exc).__name__, errors.redact(str(exc), secret))
        return error_response(errors.INTERNAL, secret)


def _static(app: FastAPI) -> None:
    """The page at / and its files at /static/… (package data, no network)."""
    folder = resources.files("ghplan.writer.serve").joinpath("static")
    index = folder.joinpath("index.html")

    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        if not index.is_file():
            raise errors.api_error(404, "page_missing")
        return FileResponse(str(index), media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=str(folder), check_dir=False), name="static")


def create_app(state: ServeState | None = None, *, token: str | None = None, warm: bool = True,
               allowed_hosts: frozenset[str] = frozenset()) -> FastAPI:
    """The app over `state` (made from the settings when not given). `warm` loads the rule
    engine and the index before the first request; `allowed_hosts` (empty: any) are the Host
    names answered (`serve` on a loopback address without a token passes LOCAL_NAMES)."""
    from ghplan.writer.serve import routes_docs, routes_draft, routes_meta, routes_review

    state = state or make_state(token=token)
    if warm:
        state.warm()
    app = FastAPI(title="ghplan", version=__version__, docs_url=None, redoc_url=None,
                  swagger_ui_oauth2_redirect_url=None,
                  telemetry={"tracing": False, "metrics": False, "logs": False},
                  description="工会工作计划的起草、审校与更新（ghplan 本地服务）")
    app.state.ghplan = state
    _handlers(app, state)
    for module in (routes_meta, routes_review, routes_docs, routes_draft):
        app.include_router(module.router)
    _static(app)
    app.add_middleware(TokenGate, token=state.token)
    app.add_middleware(HostCheck, allowed=allowed_hosts)
    app.add_middleware(BodyLimit, limit=MAX_BODY)      # added last: outermost, before the token check
    return app
