"""`ghplan eval`: the offline evaluation suite (eval/harness.py, eval/stages/) from the command line.

Exit codes: 0 every required check passed; 100 (or --fail-code) a required check failed;
1 a case or the suite itself errored (unreadable suite, a crash in a case); 2 bad usage.

Nothing heavy at module level: the harness, the rule engine and (for retrieval cases) chromadb
and the embedding model load only when the command runs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import typer

from ghplan.writer.io import write_atomic
from ghplan.writer.errors import GhplanError, UsageError
from ghplan.writer.cli.common import fail, fail_on, safe_lang
from ghplan.writer.messages import say

BACKENDS = ("mock", "offline", "openai")


def in_process_cli(app: typer.Typer) -> Callable[[list[str], dict[str, str]], tuple[int | None, str]]:
    """`ghplan ARGS` run inside this process through typer's CliRunner over `app`: (exit code,
    stderr). The eval's adversarial stage judges `ghplan draft`'s failure contract with it, a
    fraction of a second per model instead of a new interpreter each; the library, which may
    not import the CLI, falls back to the console script in a child process."""
    from typer.testing import CliRunner

    from ghplan.writer.cli.common import exit_code

    runner = CliRunner()

    def run(args: list[str], env: dict[str, str]) -> tuple[int | None, str]:
        result = runner.invoke(app, args, env=env)
        exc = result.exception
        if exc is None or isinstance(exc, SystemExit):
            return result.exit_code, result.stderr
        # what the console script's entry point (ghplan.writer.cli.run) prints for these
        if isinstance(exc, GhplanError):
            return exit_code(exc), result.stderr + f"ghplan: error: {exc}\n"
        return 70, result.stderr + f"ghplan: internal error: {type(exc).__name__}: {exc}\n"
    return run


def _check_flags(backend: Optional[str], fail_code: int, json_path: Optional[str],
                 html_path: Optional[Path]) -> None:
    if backend is not None and backend not in BACKENDS:
        raise UsageError(say("error.eval.backend", name=backend, names=", ".join(BACKENDS)))
    if not 1 <= fail_code <= 255:
        raise UsageError(say("error.eval.fail_code"))
    for p in (html_path, Path(json_path) if json_path and json_path != "-" else None):
        if p is not None and not p.parent.exists():
            raise UsageError(say("error.file.cannot_write_no_dir", path=p, parent=p.parent))


def _cache(no_cache: bool, cache_dir: Optional[Path], settings):
    """(call cache, seeds-index dir), or (None, None) with --no-cache."""
    if no_cache:
        return None, None
    from ghplan.eval.cache import CallCache, default_cache_dir

    root = cache_dir or default_cache_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(say("error.eval.cache", root=root, reason=exc.strerror or str(exc))) from None
    return CallCache(root, secrets=[settings.openai_api_key]), root / "index"


def _consoles(json_to_stdout: bool):
    """(report console, stderr console). The streams are fixed now: while the in-process CLI runs,
    sys.stderr is its capture, and the progress bar must not draw into it."""
    import sys

    from rich.console import Console

    out_file = sys.stderr if json_to_stdout else sys.stdout
    out = Console(file=out_file, soft_wrap=False)
    if not out.is_terminal:
        out = Console(file=out_file, soft_wrap=False, width=150)   # logs and CI: room for reasons
    return out, Console(file=sys.stderr, soft_wrap=True)


def _run_with_progress(err, run):
    """Run `run(progress_callback)` under a progress bar on a terminal."""
    if not err.is_terminal:
        return run(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("[bold]eval[/bold]"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn("{task.description}"), console=err, transient=True)
    task = bar.add_task("", total=None)
    bar.start()
    try:
        return run(lambda case_id, done, total: bar.update(task, completed=done, total=total,
                                                            description=case_id))
    finally:
        bar.stop()


def _write_reports(data: dict, json_path: Optional[str], html_path: Optional[Path], err) -> None:
    import sys
    import time

    from ghplan.eval.report import render_html, to_json_text

    def save(path: Path, payload: str) -> None:
        try:
            write_atomic(path, payload)
        except OSError as exc:
            fail(say("error.file.cannot_write", path=path, reason=exc.strerror or str(exc)), 2)
        err.print(f"ghplan: wrote {path}")

    if json_path == "-":
        sys.stdout.write(to_json_text(data))
    elif json_path:
        save(Path(json_path), to_json_text(data))
    if html_path:
        save(Path(html_path), render_html(data, generated=time.strftime("%Y-%m-%d %H:%M")))


def _summary(name: str, report, data: dict, cached: bool) -> str:
    t = data["totals"]
    line = (f"ghplan: eval {name}: {t['cases']} cases, {t['checks']} checks: {t['pass']} passed, "
            f"{t['required_failed']} required failed, {t['warn']} optional warnings, {t['skip']} skipped "
            f"in {report.seconds:.1f}s")
    if cached and any(report.cache.values()):
        line += f"; cache {report.cache['hits']} hits, {report.cache['stored']} stored"
    return line


def run_eval(*, suite: Optional[Path], backend: Optional[str], filter_: Optional[str],
             json_path: Optional[str], html_path: Optional[Path], no_cache: bool,
             cache_dir: Optional[Path], fail_code: int, config: Optional[Path],
             only_failures: bool, run_cli: Optional[Callable] = None) -> int:
    from ghplan.eval.harness import run_suite
    from ghplan.eval.report import print_terminal
    from ghplan.eval.suite import load_suite
    from ghplan.writer.config import ConfigError, load_settings

    _check_flags(backend, fail_code, json_path, html_path)
    try:
        settings = load_settings(config, lang=safe_lang())
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    s = load_suite(suite)
    cache, index_dir = _cache(no_cache, cache_dir, settings)
    out, err = _consoles(json_path == "-")
    report = _run_with_progress(err, lambda progress: run_suite(
        s, settings=settings, backend=backend, filter=filter_, cache=cache, index_dir=index_dir,
        progress=progress, run_cli=run_cli))
    if not report.cases:
        raise UsageError(say("error.eval.filter", value=filter_))
    data = report.to_json()
    code = report.exit_code(fail_code)
    data["exit_code"] = code
    print_terminal(data, out, only_failures=only_failures)
    _write_reports(data, json_path, html_path, err)
    err.print(_summary(s.name, report, data, cache is not None), highlight=False, markup=False)
    if code:
        err.print(f"ghplan: eval FAILED (exit {code}): {report.failure_message()}", highlight=False, markup=False)
    return code


def run_realpages_cmd(*, pages: Optional[Path], year: int, json_path: Optional[str], worst: int) -> int:
    """`ghplan eval realpages`: measure cleaning, labelling and review on labelled real pages."""
    import sys

    from rich.console import Console

    from ghplan.eval.realpages_report import print_terminal, to_json_text
    from ghplan.eval.realpages_run import default_pages, run_realpages

    if not 2000 <= year <= 2100:
        raise UsageError(say("error.year.out_of_range", year=year))
    if worst < 0:
        raise UsageError(say("error.eval.worst"))
    if json_path and json_path != "-" and not Path(json_path).parent.exists():
        raise UsageError(say("error.file.cannot_write_no_dir", path=json_path, parent=Path(json_path).parent))
    if pages is None:
        pages = default_pages()
    elif not pages.is_file():
        raise UsageError(say("error.file.no_such", path=pages))
    json_to_stdout = json_path == "-"
    out_file = sys.stderr if json_to_stdout else sys.stdout
    out = Console(file=out_file, soft_wrap=False)
    if not out.is_terminal:
        out = Console(file=out_file, soft_wrap=False, width=150)
    data = run_realpages(pages, year, worst=worst)
    print_terminal(data, out, misses=worst > 0)
    if json_path:
        text = to_json_text(data)
        if json_to_stdout:
            sys.stdout.write(text)
        else:
            try:
                write_atomic(Path(json_path), text)
            except OSError as exc:
                fail(say("error.file.cannot_write", path=json_path, reason=exc.strerror or str(exc)), 2)
            Console(file=sys.stderr).print(f"ghplan: wrote {json_path}", highlight=False)
    return 0


def register(app: typer.Typer) -> None:
    """Add `eval` (the suite; `eval realpages` beneath it) to the ghplan app."""
    eval_app = typer.Typer(invoke_without_command=True, no_args_is_help=False, add_completion=False,
                           pretty_exceptions_enable=False)
    app.add_typer(eval_app, name="eval")

    @eval_app.callback()
    def eval_command(
        ctx: typer.Context,
        suite: Optional[Path] = typer.Option(None, "--suite", help="Suite TOML (default: the bundled eval/suites/default.toml)."),
        backend: Optional[str] = typer.Option(
            None, "--backend", help="Backend for the drafting cases: mock | offline | openai (default: each case's own)."),
        filter_: Optional[str] = typer.Option(None, "--filter", help="Run only cases whose id contains TEXT (e.g. adversarial, drafting/offline/hospital)."),
        json_path: Optional[str] = typer.Option(None, "--json", help="Write every case, check, score and reason as JSON to PATH ('-' for stdout)."),
        html_path: Optional[Path] = typer.Option(None, "--html", help="Write a self-contained HTML report to PATH."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Bypass the model-call cache and build the seeds index in a temporary directory."),
        cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Cache directory (default: $GHPLAN_EVAL_CACHE or ~/.cache/ghplan/eval)."),
        fail_code: int = typer.Option(100, "--fail-code", help="Exit code when a required check fails."),
        config: Optional[Path] = typer.Option(None, "--config", help="Config file (default: ./ghplan.toml)."),
        only_failures: bool = typer.Option(False, "--only-failures", help="Show only failing checks in the table."),
    ) -> None:
        """Run the offline evaluation suite: retrieval, prompts, drafting, adversarial models, the reviewer.

        Exit 0: all required checks pass; 100 (--fail-code): a check failed; 1: an error.
        `ghplan eval realpages` measures cleaning, labelling and review on labelled real pages.
        """
        if ctx.invoked_subcommand is not None:
            return
        try:
            code = run_eval(suite=suite, backend=backend, filter_=filter_, json_path=json_path,
                            html_path=html_path, no_cache=no_cache, cache_dir=cache_dir,
                            fail_code=fail_code, config=config, only_failures=only_failures,
                            run_cli=in_process_cli(app))
        except GhplanError as exc:
            fail_on(exc)
        except KeyboardInterrupt:
            fail(say("error.interrupted"), 130)
        raise typer.Exit(code)

    @eval_app.command("realpages")
    def realpages_command(
        pages: Optional[Path] = typer.Option(
            None, "--pages", help="Labelled pages, JSON Lines (default: ../shared/devset/pages.jsonl beside the repository)."),
        year: int = typer.Option(2027, "--year", help="Plan year the pages are judged for."),
        json_path: Optional[str] = typer.Option(None, "--json", help="Write the figures as JSON to PATH ('-' for stdout)."),
        worst: int = typer.Option(5, "--worst", help="Worst misses shown per family (0: none)."),
    ) -> None:
        """Measure cleaning (corpus inspect), labelling and review on labelled real pages: boilerplate and
        stale recall by family, headings and content kept, org-type and doc-kind accuracy."""
        try:
            code = run_realpages_cmd(pages=pages, year=year, json_path=json_path, worst=worst)
        except GhplanError as exc:
            fail_on(exc)
        except KeyboardInterrupt:
            fail(say("error.interrupted"), 130)
        raise typer.Exit(code)
