"""`ghplan refresh OLD --year Y`: last year's plan → this year's, every change visible and explained.

Exit codes: 0 the refreshed plan has no review error; 1 errors remain (each listed for a person);
2 bad input (unreadable plan, year outside the dated facts, bad --out); 3 the model backend failed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ghplan.writer.cli.common import TYPE_HELP, fail, lang, org_type as resolve_org_type, print_json, safe_lang
from ghplan.writer.messages import text


def refresh(
    old: Path = typer.Argument(..., help="Last year's plan (.docx, .pdf, .txt, .md)."),
    year: int = typer.Option(..., "--year", help="The year the new plan is for."),
    org: Optional[str] = typer.Option(None, "--org", help="The organisation's name."),
    org_type: Optional[str] = typer.Option(None, "--type", help=TYPE_HELP + " Default: from the plan."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the new plan here (.docx, .md, .txt)."),
    backend: Optional[str] = typer.Option(None, "--backend", help="openai | offline | mock (default: openai with a key, else offline)."),
    model: Optional[str] = typer.Option(None, "--model", help="Model name for the openai backend."),
    profile: Optional[Path] = typer.Option(None, "--profile", help="Organisation profile TOML (for the model step)."),
    mock_script: Optional[str] = typer.Option(None, "--mock-script", help="Script for the mock backend."),
    as_json: bool = typer.Option(False, "--json", help="Print the change log as JSON."),
    timeout: Optional[float] = typer.Option(
        None, "--timeout", metavar="SECONDS",
        help="Seconds to wait for each model request (default: GHPLAN_TIMEOUT, else \\[openai] timeout, else 60)."),
) -> None:
    """Refresh last year's plan for YEAR: year references rewritten from the year facts, rot
    removed, the organisation's own facts kept; what is not certain is listed for a person."""
    from ghplan.writer.refresh.document import refresh_file

    language = lang()
    org_type = resolve_org_type(org_type)
    result = refresh_file(old, year, org=org, org_type=org_type, out=out, backend=backend,
                          model=model, mock_script=mock_script, profile=profile,
                          settings=_settings(timeout))
    result.review.lang = language
    if as_json:
        print_json(result.to_json())
    else:
        if out is None:
            typer.echo(result.text, nl=not result.text.endswith("\n"))
        _summary(result, out)
    raise typer.Exit(1 if result.review.errors else 0)


def _settings(timeout: Optional[float]):
    """Settings from ghplan.toml and the environment, --timeout over them; bad ones exit 2."""
    from ghplan.writer.config import ConfigError, check_timeout, load_settings

    try:
        settings = load_settings(lang=safe_lang())
        if timeout is not None:
            settings.openai_timeout = check_timeout(timeout, "--timeout")
    except ConfigError as exc:
        fail(str(exc), 2)
    return settings


def _summary(result, out: Optional[Path]) -> None:
    err = lambda s: typer.echo(s, err=True)   # noqa: E731
    language = result.review.lang
    zh = language == "zh"
    for c in result.changes:
        err(f"  ¶{c.paragraph}  {c.rule}  “{c.before}” → “{c.after}”")
    for p in result.left_for_person:
        err(f"  ¶{p.paragraph}  {p.kind}: {p.rule}  “{p.text}”  {p.reason_zh or p.reason if zh else p.reason}")
    err(text("cli.refreshed", language, year=result.year, where=f" → {out}" if out else "",
             changes=len(result.changes), left=len(result.left_for_person), kept=result.survival.figure))


def register(app: typer.Typer) -> None:
    """Add `refresh` to the ghplan app."""
    app.command("refresh")(refresh)
