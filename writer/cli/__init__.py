"""The ghplan command line: a thin shell over the library.

Each command group lives in its own module and registers itself on `app`. Modules here must
import nothing heavy at top level (torch, sentence-transformers, chromadb, openai): `ghplan --help`
and `ghplan review` have to start fast.
"""
from __future__ import annotations

from typing import Optional

from ghplan.corpus.regex_cache import install as _regex_cache

_regex_cache()          # first: the patterns typer, rich and the commands compile come from disk

import typer  # noqa: E402

from ghplan.writer.errors import GhplanError
from ghplan.writer import __version__
from ghplan.writer.cli import (corpus_cmd, draft_cmd, eval_cmd, facts_cmd, index_cmd, refresh_cmd,
                               review_cmd, serve_cmd)
from ghplan.writer.cli.coercion import install as _light_coercion

_light_coercion()       # plain values skip typer's pydantic adapters (~0.1 s of every command)

app = typer.Typer(
    name="ghplan",
    help="Draft and review Chinese trade-union work plans (工会工作计划), free of copied-plan rot.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ghplan {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
    lang: Optional[str] = typer.Option(
        None, "--lang", metavar="zh|en",
        help="Language of findings and reports (中文 zh / English en); before the command: "
             "ghplan --lang zh review plan.docx. Default: GHPLAN_LANG, else the locale (zh_* → zh, else en)."),
) -> None:
    """Draft and review Chinese trade-union work plans (工会工作计划)."""
    from ghplan.writer.cli.common import choose_lang

    choose_lang(lang)


for module in (draft_cmd, review_cmd, corpus_cmd, index_cmd, eval_cmd, facts_cmd, refresh_cmd, serve_cmd):
    module.register(app)


def _usage_error(exc: BaseException) -> bool:
    """A click usage error (bad option or value, missing argument), whether click is the
    installed package or the copy newer typer releases vendor: matched by shape, not class."""
    return callable(getattr(exc, "format_message", None)) and isinstance(getattr(exc, "exit_code", None), int)


def _usage_line(exc: Exception) -> str:
    """A click usage error as one line in the run's language, with where to look for help."""
    from ghplan.writer.cli.common import error_line, safe_lang
    from ghplan.writer.localize import localize
    from ghplan.writer.messages import text

    language = safe_lang()
    ctx = getattr(exc, "ctx", None)
    message = " ".join(exc.format_message().split())
    hint = text("cli.see_help", language, command=ctx.command_path) if ctx is not None else ""
    if "--lang" in message and ctx is not None and ctx.parent is not None:
        hint = text("cli.lang_first", language, command=ctx.info_name)
    return error_line(localize(message, language) + hint)


def invoke(args: list[str] | None = None) -> int:
    """Run the app as the console script does and return its exit code: user errors and
    surprises alike end in one line on stderr, never a traceback.

    Usage errors (an unknown option, a missing argument, `--year abc`) are one line too, exit 2,
    instead of click's multi-line panel. Set GHPLAN_DEBUG=1 to see the traceback of an
    unexpected error. `run()` (the console script) and the in-process tests both call this, so
    both see the same lines and codes.
    """
    import os
    import sys

    from ghplan.writer.cli.common import choose_lang, error_line, exit_code, safe_lang
    from ghplan.writer.messages import text

    choose_lang(None)       # an in-process run never speaks the language of the one before
    try:
        code = app(args=args, prog_name="ghplan", standalone_mode=False)
    except GhplanError as exc:
        print(error_line(exc.args[0] if exc.args else exc), file=sys.stderr)
        return exit_code(exc)
    except (KeyboardInterrupt, typer.Abort):
        print(text("cli.interrupted", safe_lang()), file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the user
        if type(exc).__name__ == "NoArgsIsHelpError":     # `ghplan index`: the help is shown
            return exc.exit_code
        if _usage_error(exc):
            print(_usage_line(exc), file=sys.stderr)
            return exc.exit_code
        if os.environ.get("GHPLAN_DEBUG"):
            raise
        print(text("cli.internal", safe_lang(), kind=type(exc).__name__, detail=exc), file=sys.stderr)
        return 70
    return code if isinstance(code, int) else 0


def run() -> None:
    """Console entry point: `invoke()` with the process's arguments, its code the exit status."""
    import sys

    sys.exit(invoke())
