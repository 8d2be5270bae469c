"""Shared CLI plumbing: the one map from the library's errors to exit codes, one-line failures,
JSON printing."""
from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer

from ghplan.writer.errors import BackendError, GhplanError, IndexUnavailable, UsageError

# Most specific first; GhplanError itself (a failure that is none of these) is 1.
EXIT_CODES: tuple[tuple[type[GhplanError], int], ...] = (
    (UsageError, 2),
    (BackendError, 3),
    (IndexUnavailable, 1),
    (GhplanError, 1),
)


def exit_code(exc: GhplanError) -> int:
    return next(code for cls, code in EXIT_CODES if isinstance(exc, cls))


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"ghplan: error: {message}", err=True)
    raise typer.Exit(code)


def fail_on(exc: GhplanError) -> NoReturn:
    fail(str(exc), exit_code(exc))


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
