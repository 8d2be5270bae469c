"""Shared CLI plumbing: the one map from the library's errors to exit codes, one-line failures,
JSON printing."""
from __future__ import annotations

import json
import sys
from typing import Any, NoReturn, Optional

import typer

from ghplan.writer.errors import BackendError, GhplanError, IndexUnavailable, UsageError
from ghplan.writer.messages import say

# Most specific first; GhplanError itself (a failure that is none of these) is 1.
EXIT_CODES: tuple[tuple[type[GhplanError], int], ...] = (
    (UsageError, 2),
    (BackendError, 3),
    (IndexUnavailable, 1),
    (GhplanError, 1),
)


def exit_code(exc: GhplanError) -> int:
    return next(code for cls, code in EXIT_CODES if isinstance(exc, cls))


def safe_lang() -> str:
    """The run's language for a failure line: a bad GHPLAN_LANG (itself being reported) is en."""
    from ghplan.writer.lang import resolve_lang

    try:
        return resolve_lang(_CHOSEN["lang"])
    except UsageError:
        return "en"


def error_line(message: object) -> str:
    """`ghplan: error: …` in the run's language (the prefix stays English, for scripts); an
    exception stands for its message (a Said keeps its Chinese)."""
    from ghplan.writer.localize import localize

    if isinstance(message, BaseException) and message.args:
        message = message.args[0]
    return f"ghplan: error: {localize(message, safe_lang())}"


def echo_error(message: object) -> None:
    typer.echo(error_line(message), err=True)


def echo_note(message: object) -> None:
    """`ghplan: note: …` / `ghplan：提示：…` on stderr in the run's language."""
    from ghplan.writer.localize import localize
    from ghplan.writer.messages import text

    language = safe_lang()
    typer.echo(text("cli.note", language, text=localize(message, language)), err=True)


def fail(message: object, code: int = 1) -> NoReturn:
    echo_error(message)
    raise typer.Exit(code)


def fail_on(exc: GhplanError) -> NoReturn:
    fail(exc.args[0] if exc.args else str(exc), exit_code(exc))


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


# `ghplan --lang zh|en COMMAND`: the root callback records the choice for the command it runs
# (set on every invocation, so in-process runs never inherit an earlier one).
_CHOSEN: dict[str, Optional[str]] = {"lang": None}


def choose_lang(value: Optional[str]) -> None:
    """The root callback's --lang, checked at once (a bad value is bad usage, exit 2)."""
    from ghplan.writer.lang import check_lang

    try:
        _CHOSEN["lang"] = check_lang(value) if value is not None else None
    except UsageError as exc:
        fail(str(exc), 2)


def lang() -> str:
    """The language of this run: --lang, else GHPLAN_LANG, else the locale (writer/lang.py)."""
    from ghplan.writer.lang import resolve_lang

    try:
        return resolve_lang(_CHOSEN["lang"])
    except UsageError as exc:
        fail(say("error.lang.env", detail=str(exc)), 2)


def org_type(name: Optional[str], *, allow_other: bool = False, what: str = "type") -> Optional[str]:
    """--type as users write it (hospital, 医院, 县总工会 …) → the id; one line and exit 2 else."""
    from ghplan.writer.org_types import resolve_optional

    try:
        return resolve_optional(name, allow_other=allow_other, what=what)
    except UsageError as exc:
        fail(str(exc), 2)


TYPE_HELP = ("Organisation type, in English or Chinese: school 学校 (小学, 中学, 高校), hospital 医院 (卫生院), "
             "enterprise 企业 (公司), township 乡镇街道 (乡镇, 街道), federation 县区市总工会 (县总工会, 市总工会), "
             "government 机关事业单位 (机关, 事业单位), women 女职工委员会 (女工委).")
