"""What the cases of one run share: settings, the call cache, the seeds index, the copy index,
memoised drafts, and how to run the `ghplan` CLI (see `CliRunner`)."""
from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ghplan.eval import checks as C
from ghplan.eval import draft_api
from ghplan.eval.spec import CaseSpec, Suite
from ghplan.writer.errors import BackendError, GhplanError

# Runs `ghplan ARGS` with these environment overrides → (exit code or None if it could not
# run, stderr). The library cannot import the CLI, so the CLI passes one in (in-process, fast);
# without one the adversarial stage runs the console script in a child process.
CliRunner = Callable[[list[str], dict[str, str]], tuple[int | None, str]]


@dataclass
class IndexHandle:
    location: Any
    retriever: Any
    model: str
    seconds: float


@dataclass
class DraftOutcome:
    result: Any = None          # writer.draft.pipeline.DraftResult
    error: str = ""
    backend_failure: bool = False    # the error was the model's (the CLI exits 3 for it)
    backend: Any = None
    seconds: float = 0.0


class RunContext:
    """Shared state of one run; every expensive thing is built on first use and kept."""

    def __init__(self, suite: Suite, *, settings: Any = None, cache: Any = None,
                 backend_override: str | None = None, index_dir: Path | None = None,
                 index_location: Any = None, run_cli: CliRunner | None = None,
                 notes: list[str] | None = None):
        if settings is None:
            from ghplan.writer.config import load_settings
            settings = load_settings()
        self.suite, self.settings, self.cache = suite, settings, cache
        self.backend_override = backend_override
        self.index_dir = index_dir
        self.run_cli = run_cli
        self._index_location = index_location
        self._index: IndexHandle | None = None
        self._index_skip = ""
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._drafts: dict[tuple, DraftOutcome] = {}
        self.memo: dict[tuple, Any] = {}
        self.notes = notes if notes is not None else []
        self.metrics: dict[str, Any] = {}

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -------------------------------------------------------------- the index
    def index(self) -> IndexHandle | None:
        """The seeds index (built once per run), or None with `index_skip` saying why."""
        if self._index is not None or self._index_skip:
            return self._index
        t0 = time.perf_counter()
        try:
            from ghplan.writer.index.retrieve import Retriever

            loc, model, how = self._index_source()
            r = Retriever(loc, model)
            r.embedder()          # a warm index needs no model to build, but queries do
            self._index = IndexHandle(loc, r, model, time.perf_counter() - t0)
            self.notes.append(f"index: seeds {how} ({model}, {time.perf_counter() - t0:.1f}s)")
        except ImportError as exc:
            self._index_skip = f"no index (cannot import {exc.name or exc})"
        except GhplanError as exc:        # model missing, store unusable
            self._index_skip = f"no index ({' '.join(str(exc).split())[:160]})"
        if self._index_skip:
            self.notes.append(f"retrieval {self._index_skip}: retrieval cases and reference checks skipped")
        return self._index

    def _index_source(self) -> tuple[Any, str, str]:
        """(location, embedding model, how it came to be): the given index, else the seeds
        built into the cache directory, else into a temporary one."""
        if self._index_location is not None:
            return self._index_location, self.settings.embed_model, "given"
        from ghplan.eval.retrieval import ensure_index

        if self.index_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="ghplan-eval-index-")
            self.index_dir = Path(self._tmp.name)
            how = "built into a temporary store"
        else:
            how = f"built in {self.index_dir}"
        loc, model = ensure_index(Path(self.index_dir), self.suite.index_year)
        return loc, model, how

    @property
    def index_skip(self) -> str:
        return self._index_skip

    def retriever_fn(self) -> Callable[..., list] | None:
        h = self.index()
        if h is None:
            return None
        from ghplan.writer.index.retrieve import retrieve

        loc, settings = h.location, self.settings

        def fn(profile, role, k, query=None, year=None, **_ignored):
            # the public retrieval API, pointed at the eval's own index of the bundled seeds
            return retrieve(profile, role, k, query=query, year=year, settings=settings, location=loc)
        return fn

    # -------------------------------------------------------------- corpus helpers
    def copy_index(self):
        from ghplan.writer.review.copycheck import default_index

        return default_index()

    def corpus_grams(self, n: int) -> set[str]:
        key = ("grams", n)
        if key not in self.memo:
            self.memo[key] = C.ngram_set(self.copy_index().texts, n)
        return self.memo[key]

    # -------------------------------------------------------------- drafts
    def profile(self, spec: CaseSpec):
        return draft_api.case_profile(spec)

    def backend_for(self, spec: CaseSpec) -> str:
        if spec.stage == "drafting" and self.backend_override:
            return self.backend_override
        return spec.backend

    def make_backend(self, name: str, profile, year: int, retrieve: bool):
        from ghplan.eval.cache import wrap

        if name == "mock":
            # a model that writes the offline plan, sent through the full prompt path
            base = self.draft(profile, year, "offline", retrieve=retrieve)
            if base.result is None:
                raise GhplanError(f"cannot script the replaying mock: {base.error}")
            return draft_api.scripted_backend(base.result.text, model="mock-replay")
        if name == "openai":
            try:
                backend = draft_api.named_backend("openai", self.settings)
            except GhplanError:
                if self.cache is None:
                    raise
                from ghplan.eval.cache import CachedBackend

                # replay only: every answer must come from the cache (the key holds the
                # temperature the real backend would have sent)
                return CachedBackend(None, self.cache, name="openai", model=self.settings.openai_model,
                                     temperature=draft_api.openai_temperature())
            return wrap(backend, self.cache)
        return draft_api.named_backend(name, self.settings)

    def draft(self, profile, year: int, backend: str | Any, *, retrieve: bool = True,
              rounds: int | None = None, key: str | None = None) -> DraftOutcome:
        """Draft (memoised per backend, profile, year): the prompts and drafting stages share."""
        rounds = draft_api.default_rounds() if rounds is None else rounds
        memo = (key or str(backend), json.dumps(profile.to_dict(), ensure_ascii=False, sort_keys=True,
                                                default=str), year, retrieve, rounds)
        if memo in self._drafts:
            return self._drafts[memo]
        out = DraftOutcome()
        t0 = time.perf_counter()
        try:
            be = self.make_backend(backend, profile, year, retrieve) if isinstance(backend, str) else backend
            out.backend = be
            fn = self.retriever_fn() if retrieve else None
            out.result = draft_api.draft_plan(profile, be, year, settings=self.settings,
                                              retrieve=retrieve and fn is not None, retriever=fn,
                                              rounds=rounds)
        except GhplanError as exc:
            out.error = " ".join(str(exc).split())
            out.backend_failure = isinstance(exc, BackendError)
        out.seconds = time.perf_counter() - t0
        self._drafts[memo] = out
        return out
