"""`ghplan draft`: a clean, current work plan for one organisation.

Exit codes: 0 the draft passes review with no error; 1 a draft was produced but review errors
remain after the repair rounds (it is still printed or written, and the errors are listed on
stderr); 2 bad input (unknown type, unreadable profile, bad year, bad --out); 3 the model backend
failed (endpoint down, key rejected, timeout, malformed output). Failures are one line on stderr,
never a traceback, and never leave a half-written --out file.

Nothing heavy is imported at module level: the pipeline, openai, chromadb and the embedding model
load only when the command runs.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Optional

import typer

from ghplan.writer.errors import GhplanError, UsageError
from ghplan.writer.localize import localize
from ghplan.writer.messages import Said, label, say, text
from ghplan.writer.cli.common import TYPE_HELP, exit_code, fail, lang, print_json, safe_lang

# Progress lines on stderr while a model works, each starting with "[" (errors start "ghplan:"):
# "[2/7] 正在撰写：二、工作目标", "[修改] 第1轮：3 个错误" (the words: [messages.progress] in messages.toml)
PROGRESS_STAGES = ("expand", "repair")
_ROUND = re.compile(r"round (\d+): (\d+) error")


def _summary_line(result) -> str:
    s = result.review_json()["summary"]
    n = len(result.retrieved)
    refs = say("cli.drafted_refs", n=n) if n else Said("")
    return text("cli.drafted", result.review.lang, {"refs": refs.zh}, refs=refs.en, type=result.type,
                year=result.year, backend=result.backend, model=result.model, chars=len(result.text),
                errors=s["errors"], warnings=s["warnings"], infos=s["infos"], rounds=result.rounds,
                seconds=result.seconds)


def run_draft(*, org: Optional[str], org_type: Optional[str], year: Optional[int],
              profile_path: Optional[Path], backend_name: Optional[str], model: Optional[str],
              length: Optional[int], out: Optional[Path], as_json: bool, stream: bool,
              rounds: int, no_retrieve: bool, mock_script: Optional[str],
              config: Optional[Path], timeout: Optional[float] = None, quiet: bool = False) -> int:
    from ghplan.writer.config import ConfigError, check_timeout, load_settings
    from ghplan.writer.draft.pipeline import draft
    from ghplan.writer.export import check_out_path, export

    _check_flags(year, as_json, stream, rounds)
    language = lang()
    try:
        settings = load_settings(config, lang=safe_lang())
        if timeout is not None:
            settings.openai_timeout = check_timeout(timeout, "--timeout")
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    profile = _profile(profile_path, org, org_type, year, length)
    if out is not None:
        out = check_out_path(out)
    backend = _backend(settings, backend_name, model, mock_script)
    on_delta = _echo_delta if stream else None
    # the offline backend answers at once and a stream shows its own progress
    quiet = quiet or stream or backend.name == "offline"
    result = draft(profile, backend=backend, year=profile.year, settings=settings,
                   retrieve=not no_retrieve, repair_rounds=rounds,
                   on_event=None if quiet else progress(language), on_delta=on_delta)
    result.review.lang = language
    if out is not None:
        export(result.text, out)
    return _report(result, out, as_json, stream)


def _check_flags(year: Optional[int], as_json: bool, stream: bool, rounds: int) -> None:
    if year is not None:
        from ghplan.writer.draft.facts import YearOutOfRange, check_year

        try:
            check_year(year)
        except YearOutOfRange as exc:
            raise UsageError(str(exc)) from None
    if as_json and stream:
        raise UsageError(say("cli.stream_json"))
    if rounds < 0 or rounds > 10:
        raise UsageError(say("cli.rounds"))


def _profile(profile_path: Optional[Path], org: Optional[str], org_type: Optional[str],
             year: Optional[int], length: Optional[int]):
    """The profile file with the flags over it, or a minimal profile from --org and --type."""
    from ghplan.writer.draft.profile import ProfileError, load_profile, minimal_profile

    try:
        if profile_path is not None:
            return load_profile(profile_path).with_overrides(org=org, type=org_type, year=year,
                                                             length=length)
        if not org or not org_type:
            raise UsageError(say("cli.org_type_required"))
        return minimal_profile(org, org_type, year=year, length=length)
    except ProfileError as exc:     # its message (a Said) keeps its Chinese for the error line
        raise UsageError(exc.args[0] if exc.args else str(exc)) from None


def _backend(settings, backend_name: Optional[str], model: Optional[str], mock_script: Optional[str]):
    from ghplan.writer.draft.backends import BACKENDS, default_backend_name, make_backend

    name = backend_name or default_backend_name(settings)
    if name not in BACKENDS:
        raise UsageError(say("cli.unknown_backend", name=name, names=", ".join(BACKENDS)))
    return make_backend(name, settings=settings, model=model,
                        mock_script=mock_script or os.environ.get("GHPLAN_MOCK_SCRIPT"))


def _echo_delta(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def progress(language: str):
    """A DraftEvent listener printing one stderr line as each section starts and each repair
    round begins, so a slow or hanging model is never silence."""

    def on_event(event) -> None:
        if event.kind == "stage" and event.stage == "retry":   # a cut-off answer asked for again
            kind = event.detail.split(":")[0]
            what = event.heading or label("request", kind, language)
            sys.stderr.write(text("cli.retry", language, what=what) + "\n")
            return
        if event.kind != "stage" or event.stage not in PROGRESS_STAGES:
            return
        where = f"[{event.index}/{event.total}] " if event.total else ""
        detail = event.heading or event.detail
        m = _ROUND.match(detail)
        if m and language == "zh":
            detail = text("progress.round", language, round=m.group(1), errors=m.group(2))
        sys.stderr.write(f"{where}{text('progress.' + event.stage, language)}{detail}\n")
        sys.stderr.flush()
    return on_event


def error_text(exc: Exception, language: str) -> str:
    """The failure's one line in `language` (writer/localize.py: a Said's Chinese, or the
    Chinese messages.toml has for the library's English line). The line keeps its
    `ghplan: error:` prefix in both languages, for scripts."""
    return localize(exc.args[0] if exc.args else str(exc), language)


def _report(result, out: Optional[Path], as_json: bool, stream: bool) -> int:
    """Print the plan (unless it was streamed or written), the notes and the summary; the exit code."""
    streamed_differs = stream and (result.rounds > 0 or result.retries > 0)
    if as_json:
        print_json(result.to_json())
    elif out is None and not stream:
        sys.stdout.write(result.text + "\n")
    elif streamed_differs and out is None:
        sys.stdout.write("\n" + result.text + "\n")
    language = result.review.lang
    for note in result.notes:       # read back: a skipped retrieval's reason is Chinese too
        typer.echo(text("cli.note", language, text=localize(note, language)), err=True)
    if streamed_differs:
        what = text("cli.streamed_repaired_file" if out else "cli.streamed_repaired_follows", language)
        typer.echo(text("cli.note", language, text=what), err=True)
    if out is not None:
        typer.echo(text("cli.wrote", language, path=out), err=True)
    typer.echo(_summary_line(result), err=True)
    errors = [f for f in result.review_json()["findings"] if f["severity"] == "error"]
    word = label("severity", "error", result.review.lang)
    for f in errors[:20]:
        typer.echo(f"  {f['line']}:{f['col']}  {word}  {f['rule']}  {f['message']}", err=True)
    return 1 if errors else 0


def register(app: typer.Typer) -> None:
    """Add `draft` to the ghplan app."""

    @app.command("draft")
    def draft_command(
        org: Optional[str] = typer.Option(None, "--org", help="The union's full name, e.g. 某市第一人民医院工会."),
        org_type: Optional[str] = typer.Option(
            None, "--type", help=TYPE_HELP),
        year: Optional[int] = typer.Option(None, "--year", help="Plan year (default: next year)."),
        profile: Optional[Path] = typer.Option(
            None, "--profile", help="Profile TOML: members, departments, achievements, priorities, events, tone."),
        backend: Optional[str] = typer.Option(
            None, "--backend", help="openai | offline | mock (default: openai when OPENAI_API_KEY is set, else offline)."),
        model: Optional[str] = typer.Option(None, "--model", help="Model name for the openai backend."),
        length: Optional[int] = typer.Option(None, "--length", help="Target length in characters (800–20000)."),
        out: Optional[Path] = typer.Option(None, "--out", help="Write to .md, .txt or .docx (GB/T 9704 layout)."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        stream: bool = typer.Option(False, "--stream", help="Stream the text as it is written."),
        rounds: int = typer.Option(2, "--rounds", help="Repair rounds when review finds errors."),
        no_retrieve: bool = typer.Option(False, "--no-retrieve", help="Draft without reference plans from the index."),
        mock_script: Optional[str] = typer.Option(
            None, "--mock-script", help="Scripted responses (TOML/JSON) for --backend mock."),
        config: Optional[Path] = typer.Option(None, "--config", help="Config file (default: ./ghplan.toml)."),
        timeout: Optional[float] = typer.Option(
            None, "--timeout", metavar="SECONDS",
            help="Seconds to wait for each model request (default: GHPLAN_TIMEOUT, else \\[openai] timeout, else 60)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines on stderr."),
    ) -> None:
        """Draft a work plan (工会工作计划) that passes `ghplan review`.

        Exit 0: clean draft; 1: review errors remain; 2: bad input; 3: model backend failure.
        """
        try:
            code = run_draft(org=org, org_type=org_type, year=year, profile_path=profile,
                             backend_name=backend, model=model, length=length, out=out,
                             as_json=as_json, stream=stream, rounds=rounds,
                             no_retrieve=no_retrieve, mock_script=mock_script, config=config,
                             timeout=timeout, quiet=quiet)
        except GhplanError as exc:
            fail(error_text(exc, lang()), exit_code(exc))
        except KeyboardInterrupt:
            fail(say("error.interrupted"), 130)
        raise typer.Exit(code)
