"""`ghplan facts`: the dated facts a plan for a year is held to, and which are expectations.

The facts are corpus/rules/dated.toml merged with the user's facts file (see the README
section "Facts that change"); review, drafting and refresh read the same merged table.
"""
from __future__ import annotations

import datetime
from typing import Optional

import typer

from ghplan.writer.cli.common import print_json
from ghplan.writer.errors import UsageError


def facts(
    year: Optional[int] = typer.Option(None, "--year", help="Plan year (default: next year)."),
    as_json: bool = typer.Option(False, "--json", help="Print the facts as JSON."),
) -> None:
    """Show the facts a plan for YEAR is held to (congresses, plenums, five-year plan, …),
    which are expectations rather than events, and where each comes from."""
    from ghplan.writer.draft.facts import YearOutOfRange, check_year, facts_report

    year = year if year is not None else datetime.date.today().year + 1
    try:
        check_year(year)
    except YearOutOfRange as exc:
        raise UsageError(str(exc)) from None
    report = facts_report(year)
    if as_json:
        print_json(report)
        return
    typer.echo(f"Facts for a {year} plan (facts file: {report['facts_file'] or 'none'})")
    for f in report["facts"]:
        when = f" ({f['dated']})" if f["dated"] else ""
        mark = "  [expected, not yet held]" if f["expected"] else ""
        src = "" if f["source"].startswith("dated.toml") else f"  [from {f['source']}]"
        typer.echo(f"  {f['fact']:<16} {f['value']}{when}{mark}{src}")
    if report["expected"]:
        typer.echo("Expected by then (not yet events):")
        for f in report["expected"]:
            typer.echo(f"  {f['value']} due {f['dated']}; plans from {f['dated'] + 1} cite it")
    typer.echo(f"Party line: {report['party_spirit']}; union: {report['union_spirit']}")


def register(app: typer.Typer) -> None:
    """Add `facts` to the ghplan app."""
    app.command("facts")(facts)
