"""How a model backend fails, in words the user can act on: one function for every backend.

The OpenAI-compatible backend maps each client exception to a kind here; the mock backend raises
the same kinds on purpose, so tests and the eval see exactly what a user would.
"""
from __future__ import annotations

from ghplan.writer.errors import BackendError

KINDS = ("timeout", "refused", "unauthorized", "forbidden", "not_found", "429", "500",
         "rejected", "malformed", "empty", "cut_off")


def failure(kind: str, where: str, *, timeout: float = 0.0, attempts: int = 1, status: int = 0,
            detail: str = "", model: str = "") -> BackendError:
    """The one-line error for a backend failure of `kind` at endpoint `where`."""
    if kind == "timeout":
        return BackendError(f"model request timed out after {timeout:g}s at {where}")
    if kind == "refused":
        return BackendError(f"cannot reach the model endpoint {where}: {detail or 'connection refused'}")
    if kind == "unauthorized":
        return BackendError(f"the model endpoint {where} rejected the API key (HTTP 401); "
                            "check OPENAI_API_KEY")
    if kind == "forbidden":
        return BackendError(f"the model endpoint {where} denied access (HTTP 403)")
    if kind == "not_found":
        return BackendError(f"not found at {where} (HTTP 404): check OPENAI_BASE_URL (usually ends "
                            f"in /v1) and the model name {model!r}")
    if kind in ("429", "500"):
        what = "rate limited" if kind == "429" else "server error"
        return BackendError(f"model endpoint {where}: {what} (HTTP {status or kind}) after {attempts} "
                            "attempts")
    if kind == "rejected":
        return BackendError(f"model endpoint {where} refused the request (HTTP {status})"
                            + (f": {detail}" if detail else ""))
    if kind == "malformed":
        return BackendError(f"model endpoint {where} returned malformed output"
                            + (f" ({detail})" if detail else ""))
    if kind == "empty":
        return BackendError(f"model endpoint {where} returned an empty completion")
    if kind == "cut_off":
        return BackendError(f"the model at {where} stopped before finishing {detail or 'its answer'} "
                            "twice (token limit or dropped stream); try a shorter --length or a model "
                            "with a larger output limit")
    return BackendError(f"model request to {where} failed: {detail or kind}")
