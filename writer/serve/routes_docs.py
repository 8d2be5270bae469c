"""POST /api/fix, /api/refresh and /api/export: the routes that hand back a changed document,
as JSON or as a file (a .docx with tracked changes, or laid out as a 公文)."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
from typing import Any, Callable

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ghplan.writer.serve import inputs, schemas
from ghplan.writer.serve.errors import api_error
from ghplan.writer.serve.routes_draft import watch_disconnect
from ghplan.writer.serve.routes_review import review_doc
from ghplan.writer.serve.shapes import MD_TYPE, attachment, out_name, review_json

router = APIRouter(prefix="/api")
log = logging.getLogger("ghplan.serve")
FIX_ROUNDS = 3          # as `ghplan review --fix`: a deletion can uncover a hit it overlapped


# ---------------------------------------------------------------------- fix
def _rules(value: Any) -> frozenset[str] | None:
    """The rule ids to fix: a JSON list, or a comma-separated form field; None = every certain fix."""
    if value in (None, "", []):
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(r, str) for r in items):
        raise api_error(422, "rules_list")
    return frozenset(r.strip() for r in items if r.strip())


def _again(first: Any, settings: Any, only: frozenset[str] | None) -> Callable[[str], Any]:
    """Reviews of fixed texts with the first review's type and year; with `only`, the findings of
    other rules are hidden so no fix acts on them."""
    from ghplan.writer.review.reviewer import review_text

    def again(text: str) -> Any:
        r = review_text(text, org_type=first.org_type, year=first.year, settings=settings, file=first.file)
        return r if only is None else dataclasses.replace(r, findings=[f for f in r.findings if f.rule in only])
    return again


def fix_plain(text: str, first: Any, settings: Any, only: frozenset[str] | None) -> tuple[str, list[dict], Any]:
    """Certain fixes until none is left (fix_until_stable's rounds, keeping what each applied);
    a round that would leave more errors is retried without renumbering, else not made."""
    from ghplan.writer.review.fix import fix_text

    again = _again(first, settings, only)
    result = again(text) if only is not None else first
    applied: list[dict] = []
    for _ in range(FIX_ROUNDS):
        todo = [f for f in result.findings if f.fixable]
        if not todo:
            break
        for renumber in (True, False):
            fixed = fix_text(text, todo, renumber=renumber)
            new = again(fixed.text) if fixed.text != text else None
            if new is not None and new.errors <= result.errors:
                break
        if new is None or new.errors > result.errors:
            break
        applied += [{"rule": f.rule, "text": f.text, "suggestion": f.suggestion} for f in fixed.applied]
        text, result = fixed.text, new
    return text, applied, result


@router.post("/fix", openapi_extra=schemas.FIX)
async def fix(request: Request) -> Any:
    """JSON {"text", "type"?, "year"?, "rules"?, "lang"?} → {"text", "applied", "review"};
    multipart with a .docx `file` → the .docx with each fix a tracked change with a comment."""
    body = await inputs.read_body(request)
    if body.doc is None:
        raise api_error(422, "fix_needs_input")
    f = body.fields
    org_type, year, lang = inputs.org_type(f.get("type")), inputs.year(f.get("year")), inputs.lang(f.get("lang"))
    only, doc = _rules(f.get("rules")), body.doc
    settings = request.app.state.ghplan.settings

    def run() -> Any:
        first = review_doc(doc, org_type, year, settings)
        if doc.format == "docx":
            return _fix_docx(doc, first, settings, only)
        text, applied, _ = fix_plain(first.text, first, settings, only)
        final = _again(first, settings, None)(text)
        return {"text": text, "applied": applied, "review": review_json(final, lang)}

    return await run_in_threadpool(run)


def _fix_docx(doc: inputs.Doc, first: Any, settings: Any, only: frozenset[str] | None) -> Response:
    from ghplan.corpus.decode import DecodeError
    from ghplan.writer.review.docx_fix import fix_docx

    try:
        done = fix_docx(doc.data, doc.name, _again(first, settings, only))
    except (DecodeError, ValueError) as exc:
        raise api_error(422, "tracked", detail=str(exc)) from None
    response = attachment(done.data, out_name(doc.name, "-修订"))
    response.headers["X-Ghplan-Fixes"] = str(done.fixes)
    return response


# ---------------------------------------------------------------------- refresh
def _old_plan(doc: inputs.Doc) -> Any:
    from ghplan.writer.refresh.document import OldPlan

    starts = tuple(doc.read.starts) if doc.read is not None else ()
    return OldPlan(doc.text, starts, doc.format, doc.data, doc.read, doc.name)


def _refresh_backend(name: str | None, settings: Any) -> Any:
    """The model that rewrites what rules cannot (None: rules only, as offline); by default as
    `ghplan refresh`: openai when a key is configured."""
    from ghplan.writer.draft import backends

    name = name or backends.default_backend_name(settings)
    if name not in backends.BACKENDS:
        raise api_error(422, "backend")
    return None if name == "offline" else backends.make_backend(name, settings=settings)


@router.post("/refresh", openapi_extra=schemas.REFRESH)
async def refresh(request: Request) -> Any:
    """Multipart `file` (last year's plan) + `year`, `org`?, `type`?, `format`? (json | docx | md), `backend`?
    → the `ghplan refresh --json` change log with `old_text` and `new_text`, or the new plan as a
    file (a .docx upload: its own file with tracked changes)."""
    body = await inputs.read_body(request)
    if body.doc is None:
        raise api_error(422, "refresh_needs_file")
    f = body.fields
    year = inputs.year(f.get("year"), required=True)
    org_type, org, lang = inputs.org_type(f.get("type")), inputs.text_field(f, "org"), inputs.lang(f.get("lang"))
    fmt = (inputs.text_field(f, "format") or "json").lower()
    if fmt not in ("json", "docx", "md"):
        raise api_error(422, "refresh_format")
    settings, doc = request.app.state.ghplan.settings, body.doc
    gone = threading.Event()
    backend = _refresh_backend(inputs.text_field(f, "backend"), settings)
    backend = None if backend is None else _Stoppable(backend, gone)

    def run() -> Any:
        from ghplan.writer.refresh.pipeline import refresh_text

        old = _old_plan(doc)
        result = refresh_text(old.text, year, org=org, org_type=org_type, backend=backend,
                              settings=settings, paragraph_starts=old.starts or None)
        if fmt == "json":
            return {**result.to_json(), "review": review_json(result.review, lang),
                    "old_text": result.old, "new_text": result.text}
        return _refreshed_file(old, result, fmt)

    if backend is None:         # rules only: no model request to spare, done in well under a second
        return await request.app.state.ghplan.run_model_work(run)
    watcher = asyncio.create_task(watch_disconnect(request, gone))
    try:
        return await request.app.state.ghplan.run_model_work(run)
    except RefreshCancelled:
        log.info("ghplan serve: the client went away; refresh stopped")
        return Response(status_code=499)      # nobody reads it: the connection is gone
    finally:
        watcher.cancel()


class RefreshCancelled(Exception):
    """The client of a refresh went away: no further model request is made for it."""


class _Stoppable:
    """The refresh's model, stopped at the boundary: a refresh asks it once per paragraph that
    needs rewriting (a slow endpoint: up to its timeout each), so once `gone` is set (the client
    disconnected) the next request raises RefreshCancelled instead, as a draft's listener does."""

    def __init__(self, backend: Any, gone: threading.Event) -> None:
        self._backend, self._gone = backend, gone

    def __getattr__(self, name: str) -> Any:      # name, model, … as the backend has them
        return getattr(self._backend, name)

    def complete(self, *args: Any, **kwargs: Any) -> Any:
        if self._gone.is_set():
            raise RefreshCancelled()
        return self._backend.complete(*args, **kwargs)


def _refreshed_file(old: Any, result: Any, fmt: str) -> Response:
    from ghplan.writer.export import to_docx_bytes, to_markdown
    from ghplan.writer.refresh.document import tracked_bytes

    name = out_name(old.source, f"-{result.year}", ".md" if fmt == "md" else ".docx")
    if fmt == "md":
        return attachment(to_markdown(result.text).encode("utf-8"), name, MD_TYPE)
    data = tracked_bytes(old, result) if old.format == "docx" else to_docx_bytes(result.text)
    return attachment(data, name)


# ---------------------------------------------------------------------- export
@router.post("/export", openapi_extra=schemas.EXPORT)
async def export(request: Request) -> Response:
    """JSON {"text", "format": "docx" | "md", "title"?} → the plan as a file (.docx in the 公文
    layout of `ghplan draft --out X.docx`)."""
    from ghplan.writer.export import to_docx_bytes, to_markdown

    body = await inputs.read_body(request)
    if body.doc is None:
        raise api_error(422, "export_needs_text")
    fmt = (inputs.text_field(body.fields, "format") or "docx").lower()
    if fmt not in ("docx", "md"):
        raise api_error(422, "export_format")
    title = inputs.text_field(body.fields, "title") or body.doc.text.strip().split("\n", 1)[0][:60]
    name = out_name(title.replace("/", "-") + ".x", "", f".{fmt}")
    if fmt == "md":
        return attachment(to_markdown(body.doc.text).encode("utf-8"), name, MD_TYPE)
    return attachment(await run_in_threadpool(to_docx_bytes, body.doc.text), name)
