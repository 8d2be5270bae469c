"""What the server keeps warm between requests, loaded once at start and shared by every route:
the settings, the rule engine with its copy index, the index handle (chroma collection, lexical
file, ONNX query model). A request then pays only its own work, not a model load.

Nothing per request is kept here: no uploads, no texts, no results.
"""
from __future__ import annotations

import dataclasses
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ghplan.writer.errors import GhplanError

log = logging.getLogger("ghplan.serve")
MODEL_SLOTS = 8         # drafts/refreshes at once; the default pool (40 threads) stays for the rest

# A small plan the warm-up reviews: loads the rule catalogue, the year facts and the copy index.
_WARM_TEXT = "某单位工会2027年工作计划\n一、指导思想\n坚持以职工为中心。\n二、主要任务\n（一）关心职工生活。\n"


@dataclass
class ServeState:
    settings: Any                        # writer.config.Settings (the API key stays in here)
    token: str | None = None
    store: Path | None = None            # --store: the index folder, over the settings
    location: Any = None                 # writer.index.store.Location
    index_note: str = ""                 # why there is no index, when there is none
    warmed: list[str] = field(default_factory=list)
    _model_slots: Any = field(default=None, repr=False)

    async def run_model_work(self, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` in a worker thread from a pool of its own (MODEL_SLOTS): drafts and refreshes
        waiting on a slow model endpoint can fill it, never the pool reviews and searches use."""
        import anyio.to_thread

        if self._model_slots is None:      # made inside the event loop, as anyio requires
            self._model_slots = anyio.CapacityLimiter(MODEL_SLOTS)
        return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=self._model_slots)

    @property
    def api_key(self) -> str:
        return getattr(self.settings, "openai_api_key", "") or ""

    @property
    def backend(self) -> str:
        from ghplan.writer.draft.backends import default_backend_name

        return default_backend_name(self.settings)

    def retriever(self) -> Any:
        """The open index (cached by the library per location; reopened after a rebuild)."""
        from ghplan.writer.index.retrieve import get_retriever

        return get_retriever(self.settings, self.location)

    def warm(self) -> None:
        """Load what requests share; an index that cannot open is a note, not a failure (review
        and offline drafting work without one)."""
        from ghplan.writer.review.reviewer import review_text

        review_text(_WARM_TEXT, year=2027, settings=self.settings)
        self.warmed.append("review")
        try:
            r = self.retriever()
            r.embedder()
            r.lexical()
            self.warmed.append("index")
            self.index_note = ""
        except GhplanError as exc:
            self.index_note = " ".join(str(exc).split())
            log.info("ghplan serve: no index: %s", self.index_note)

    def index_json(self) -> dict[str, Any]:
        """`health`'s index part: whether there is one, and how big."""
        where = self.location.describe() if self.location is not None else ""
        try:
            info = self.retriever().info
        except GhplanError as exc:
            return {"exists": False, "chunks": 0, "location": where, "note": " ".join(str(exc).split())}
        return {"exists": True, "chunks": info.count, "location": where, "collection": info.collection,
                "model": info.model, "by_type": info.by_type}


def make_state(*, token: str | None = None, store: Path | None = None, settings: Any = None) -> ServeState:
    """The shared state for one server: settings from ghplan.toml and the environment, `store`
    (the --store flag) over them."""
    from ghplan.writer.config import ConfigError, load_settings
    from ghplan.writer.errors import UsageError
    from ghplan.writer.index.store import location_from

    try:
        settings = settings or load_settings()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if store is not None:   # --store: a local index, for drafts' retrieval as for search
        settings = dataclasses.replace(settings, store_dir=Path(store).expanduser().resolve(), chroma_url="")
    return ServeState(settings=settings, token=token or None, store=store,
                      location=location_from(settings, store=store))
