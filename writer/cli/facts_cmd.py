"""`ghplan facts`: the dated facts a plan for a year is held to, and which are expectations.

The facts are corpus/rules/dated.toml merged with the user's facts file (see the README
section "Facts that change"); review, drafting and refresh read the same merged table.
"""
from __future__ import annotations

import datetime
from typing import Optional

import typer

from ghplan.writer.cli.common import lang, print_json
from ghplan.writer.messages import label, text
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
    for line in facts_lines(report, year, lang()):
        typer.echo(line)


def facts_lines(report: dict, year: int, language: str) -> list[str]:
    """The text report in `language`: a Chinese label beside each fact id under zh."""
    out = [text("facts.heading", language, year=year,
                file=report["facts_file"] or text("facts.no_file", language))]
    for f in report["facts"]:
        when = f" ({f['dated']})" if f["dated"] else ""
        mark = text("facts.expected_mark", language) if f["expected"] else ""
        src = "" if f["source"].startswith("dated.toml") else text("facts.from", language, source=f["source"])
        name = label("fact", f["fact"], language)
        # Chinese labels line up on full-width spaces (a CJK character is two columns wide)
        name = f"{name:<16} " if language != "zh" else name.ljust(6, "\u3000") + "\u3000"
        out.append(f"  {name}{f['value']}{when}{mark}{src}")
    if report["expected"]:
        out.append(text("facts.expected_heading", language))
        out += [text("facts.expected", language, value=f["value"], year=f["dated"], next=f["dated"] + 1)
                for f in report["expected"]]
    out.append(text("facts.spirit", language, party=report["party_spirit"], union=report["union_spirit"]))
    return out

def register(app: typer.Typer) -> None:
    """Add `facts` to the ghplan app."""
    app.command("facts")(facts)
