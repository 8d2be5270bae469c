"""Model backends by name: openai (any OpenAI-compatible endpoint), offline (the catalogue), mock."""
from __future__ import annotations

from typing import Any

from ghplan.writer.draft.backends.base import Backend
from ghplan.writer.errors import UsageError

BACKENDS = ("openai", "offline", "mock")


def default_backend_name(settings: Any) -> str:
    """openai when a key (or a local endpoint) is configured, else offline."""
    return "openai" if getattr(settings, "openai_api_key", "") else "offline"


def make_backend(name: str, *, settings: Any = None, model: str | None = None,
                 mock_script: str | None = None) -> Backend:
    if name == "offline":
        from ghplan.writer.draft.backends.offline import OfflineBackend

        return OfflineBackend()
    if name == "openai":
        from ghplan.writer.draft.backends.openai_backend import OpenAIBackend

        if settings is None:
            from ghplan.writer.config import load_settings
            settings = load_settings()
        return OpenAIBackend.from_settings(settings, model=model)
    if name == "mock":
        from ghplan.writer.draft.backends.mock import MockBackend

        if not mock_script:
            raise UsageError("the mock backend needs a script: --mock-script FILE (or GHPLAN_MOCK_SCRIPT)")
        backend = MockBackend.from_file(mock_script)
        if model:
            backend.model = model
        return backend
    raise UsageError(f"unknown backend {name!r}; use one of: {', '.join(BACKENDS)}")
