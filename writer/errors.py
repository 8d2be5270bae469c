"""The exception tree every library layer raises; the CLI alone turns it into exit codes.

    GhplanError            a user-facing failure: one line, never a traceback
    ├── UsageError         bad input the user can correct (option, file, type, year)
    ├── BackendError       the model backend failed (endpoint, key, timeout, output)
    └── IndexUnavailable   no usable index (none yet, damaged, model missing, server down, locked)

Messages are complete sentences for the person at the terminal; callers never add codes.
"""
from __future__ import annotations


class GhplanError(Exception):
    """A failure the user should see as one line on stderr."""


class UsageError(GhplanError):
    """Bad input: an unknown type, a year out of range, an unreadable file, a bad output path."""


class BackendError(GhplanError):
    """The model backend failed or answered with something that is not a usable plan."""


class IndexUnavailable(GhplanError):
    """Retrieval cannot run: no index yet, a damaged one, a missing model, an unreachable server."""
