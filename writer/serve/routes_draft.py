"""POST /api/draft: a plan for one organisation, as the `ghplan draft --json` object, or streamed
as Server-Sent Events when the request accepts text/event-stream:

    event: stage    data: {"stage": "outline" | "section" | "review" | "repair" | "done", "detail"}
    event: section  data: {"index", "heading", "text"}          (each section as it is written)
    event: result   data: the draft --json object
    event: error    data: {"error", "error_en"}

The pipeline runs in a worker thread (a slow model never blocks other requests); its events
cross to the event loop through a queue. A streaming client that disconnects stops the draft
before its next model request and frees the worker.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any, AsyncIterator

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ghplan.writer.errors import GhplanError
from ghplan.writer.serve import inputs, schemas
from ghplan.writer.serve.errors import ApiError, INTERNAL, api_error, error_body, from_library
from ghplan.writer.serve.shapes import review_json

router = APIRouter(prefix="/api")
log = logging.getLogger("ghplan.serve")
_RUNNING: set[asyncio.Task] = set()
DISCONNECT_POLL = 0.25     # seconds between looks at the connection while no event comes
BACKENDS = ("offline", "mock", "openai")
# the pipeline's stage names → the stream's (retrieval and facts are part of outlining)
STAGE = {"facts": "outline", "retrieve": "outline", "outline": "outline", "expand": "section",
         "review": "review", "repair": "repair", "retry": "section", "done": "done"}


def _profile(fields: dict[str, Any]) -> Any:
    """The profile: `profile` fields (as in a profile TOML) under `org`, `type`, `year`."""
    from ghplan.writer.draft.profile import ProfileError, profile_from_dict

    extra = fields.get("profile") or {}
    if not isinstance(extra, dict):
        raise api_error(422, "profile_object")
    org = inputs.text_field(fields, "org") or extra.get("org")
    org_type = inputs.org_type(fields.get("type") or extra.get("type"))
    year = inputs.year(fields.get("year", extra.get("year")))
    if not org or not org_type:
        raise api_error(422, "org_and_type")
    data = {**extra, "org": org, "type": org_type, **({"year": year} if year else {})}
    try:
        return profile_from_dict(data, source="api")
    except ProfileError as exc:
        # the Chinese sentence names the field and what was wrong, as the English does
        raise api_error(422, "profile_field", zh_values={"detail": exc.zh}, detail=str(exc)) from None


def _backend(name: Any, settings: Any) -> Any:
    from ghplan.writer.draft.backends import default_backend_name, make_backend

    name = name or default_backend_name(settings)
    if name not in BACKENDS:
        raise api_error(422, "backend")
    return make_backend(name, settings=settings)


def run_draft(profile: Any, backend: Any, state: Any, on_event: Any = None, lang: str = "zh") -> dict[str, Any]:
    """The draft --json object with its review messages and notes in `lang` (a note quoting the
    library's English, a skipped retrieval's reason, read back: writer/localize.py)."""
    from ghplan.writer.draft.pipeline import draft
    from ghplan.writer.localize import localize

    result = draft(profile, backend=backend, year=profile.year, settings=state.settings, on_event=on_event)
    notes = [localize(note, lang) for note in result.notes]
    return {**result.to_json(), "review": review_json(result.review, lang), "notes": notes}


@router.post("/draft", openapi_extra=schemas.DRAFT)
async def draft(request: Request) -> Any:
    """JSON {"org", "type", "year"?, "profile"?, "backend"?, "lang"?} → the draft --json object."""
    body = await inputs.read_body(request, text_field=None)
    state = request.app.state.ghplan
    profile = _profile(body.fields)
    backend = _backend(body.fields.get("backend"), state.settings)
    lang = inputs.lang(body.fields.get("lang"))
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(_stream(request, profile, backend, state, lang), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return await _whole(request, profile, backend, state, lang)


async def _whole(request: Request, profile: Any, backend: Any, state: Any, lang: str) -> Any:
    """The draft as one JSON answer. A client that gives up waiting (a timeout, a closed tab)
    stops it as a streaming one does: no further model request, the worker freed."""
    from ghplan.writer.draft.pipeline import DraftCancelled

    gone = threading.Event()
    watcher = asyncio.create_task(watch_disconnect(request, gone))
    try:
        return await state.run_model_work(run_draft, profile, backend, state, _stopper(gone), lang)
    except DraftCancelled:
        log.info("ghplan serve: the client went away; draft stopped")
        return Response(status_code=499)      # nobody reads it: the connection is gone
    finally:
        watcher.cancel()


def _stopper(gone: threading.Event) -> Any:
    """An event listener that stops the draft (DraftCancelled) once `gone` is set."""
    from ghplan.writer.draft.pipeline import DraftCancelled

    def on_event(event: Any) -> None:
        if gone.is_set():
            raise DraftCancelled()
    return on_event


async def watch_disconnect(request: Request, gone: threading.Event) -> None:
    """Set `gone` when the client disconnects (looked at every DISCONNECT_POLL seconds)."""
    while not gone.is_set():
        if await request.is_disconnected():
            gone.set()
            return
        await asyncio.sleep(DISCONNECT_POLL)


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _event_message(event: Any) -> str:
    if event.kind == "section":
        return sse("section", {"index": event.index, "heading": event.heading, "text": event.text})
    return sse("stage", {"stage": STAGE.get(event.stage, event.stage), "detail": event.detail,
                         "step": event.stage})


async def _stream(request: Request, profile: Any, backend: Any, state: Any, lang: str) -> AsyncIterator[str]:
    """The draft's events as SSE. A client that goes away stops the draft: the worker's next
    event raises DraftCancelled, so no further stage or section asks the model (a request in
    flight may finish) and the worker is freed."""
    from ghplan.writer.draft.pipeline import DraftCancelled

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    gone = threading.Event()

    def on_event(event: Any) -> None:
        if gone.is_set():
            raise DraftCancelled()
        loop.call_soon_threadsafe(queue.put_nowait, _event_message(event))

    async def work() -> None:
        try:
            result = await state.run_model_work(run_draft, profile, backend, state, on_event, lang)
            message = sse("result", result)
        except DraftCancelled:
            log.info("ghplan serve: the client went away; draft stopped")
            message = None
        except ApiError as exc:
            message = sse("error", error_body(exc.zh, exc.en, state.api_key))
        except GhplanError as exc:
            err = from_library(exc)
            message = sse("error", error_body(err.zh, err.en, state.api_key))
        except Exception as exc:  # noqa: BLE001 - the stream must end with an error event, not a cut
            log.error("ghplan serve: draft stream failed: %s", type(exc).__name__)
            message = sse("error", error_body(INTERNAL.zh, INTERNAL.en))
        if message is not None:
            loop.call_soon_threadsafe(queue.put_nowait, message)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    # the task is held so it is not collected while its worker runs
    task = asyncio.create_task(work())
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    try:
        while (message := await _next(queue, request)) is not None:
            yield message
    finally:   # ended, cancelled by the server, or the client went away: stop the worker
        gone.set()


async def _next(queue: asyncio.Queue, request: Request) -> str | None:
    """The next message, or None at the end or once the client has disconnected (looked at
    while waiting: a slow model sends nothing for a long time, so a failed send cannot tell)."""
    while True:
        try:
            return await asyncio.wait_for(queue.get(), DISCONNECT_POLL)
        except asyncio.TimeoutError:
            if await request.is_disconnected():
                return None
