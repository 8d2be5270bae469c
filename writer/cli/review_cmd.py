"""`ghplan review` and `ghplan rules`: lint work-plan drafts, list the rules.

Exit codes: 0 no error-severity finding, 1 some, 2 bad usage or unreadable input (one line on
stderr, never a traceback). Imports stay light: no torch, chromadb or openai on this path.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import typer

from ghplan.writer.io import write_atomic
from ghplan.writer.cli.common import fail

FORMATS = ("text", "json", "sarif")
STDIN = "-"


class InputError(Exception):
    """Unreadable input: the message is one line for the user."""


@dataclass
class Input:
    name: str
    text: str
    encoding: str
    crlf: bool


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding).replace("\r\n", "\n"), encoding.lower()
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"{name}: cannot decode as {encoding}: {exc}") from None
    from ghplan.corpus.decode import DecodeError, decode_bytes

    try:
        d = decode_bytes(data, name)
    except DecodeError as exc:
        raise InputError(str(exc)) from None
    return d.text, d.encoding


def read_input(path: str, encoding: str | None = None) -> Input:
    """Bytes from a file or stdin, decoded (UTF-8, else GB18030); InputError on anything unreadable."""
    from ghplan.corpus.decode import DecodeError, read_bytes

    if path == STDIN:
        name, data = "<stdin>", sys.stdin.buffer.read()
    else:
        name = path
        try:
            data = read_bytes(path)
        except DecodeError as exc:
            raise InputError(str(exc)) from None
    if not data.strip():
        raise InputError(f"{name}: the input is empty")
    text, enc = _decode(data, name, encoding)
    if not text.strip():
        raise InputError(f"{name}: the input is empty")
    return Input(name, text, enc, b"\r\n" in data)


def _parse_year(year: Optional[str]) -> int | None:
    if year is None:
        return None
    try:
        return int(year)
    except ValueError:
        fail(f"--year must be a year like 2027, not {year!r}", 2)


def _type_name(org_type: Optional[str]) -> Optional[str]:
    """Accept the Chinese names too (--type 医院 is hospital)."""
    if org_type is None:
        return None
    from ghplan.writer.review.orgcheck import type_names

    by_name = {name: t for t, name in type_names().items()}
    return by_name.get(org_type, org_type)


def _use_color(color: Optional[bool]) -> bool:
    if color is not None:
        return color
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _write(path: Path, inp: Input, text: str, keep_encoding: bool) -> None:
    out = text.replace("\n", "\r\n") if inp.crlf else text
    data = out.encode(inp.encoding if keep_encoding else "utf-8")
    try:
        write_atomic(path, data)   # keeps an existing file's permissions
    except OSError as exc:         # a missing directory, a directory, a read-only place
        fail(f"cannot write {path}: {exc.strerror or exc}", 2)


def review(
    paths: list[str] = typer.Argument(..., help="Plan files to review (UTF-8; GB18030 is read but flagged), or - for stdin."),
    org_type: Optional[str] = typer.Option(None, "--type", "-t", help="Org type: school, hospital, enterprise, township, federation, government, women (default: inferred from the text)."),
    year: Optional[str] = typer.Option(None, "--year", "-y", help="Plan year (default: the year in the title, else next year)."),
    org: Optional[str] = typer.Option(None, "--org", help="The union's name (某市第一人民医院工会): the organisation it names sets the type, over the body's vocabulary."),
    fmt: str = typer.Option("text", "--format", "-f", help="Output: text, json (one object per file, one per line) or sarif."),
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (default: ./ghplan.toml or \\[tool.ghplan] in ./pyproject.toml)."),
    fix: bool = typer.Option(False, "--fix", help="Apply the certain fixes, then review the result."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="With --fix: write the fixed text here."),
    in_place: bool = typer.Option(False, "--in-place", help="With --fix: overwrite the input file (atomically)."),
    no_copy: bool = typer.Option(False, "--no-copy", help="Skip the check for text copied from the corpus."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Read input in this encoding (e.g. gb18030) instead of detecting it."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour the text report (default: on a terminal)."),
) -> None:
    """Review work-plan drafts: structure, rot, stale references, wrong organisation, numbering, copying.

    Exit 0 when no finding is an error, 1 when some are, 2 on bad usage or unreadable input.

    JSON: one object per file per line: file, type, year, sections, findings, summary.

    Silence one line with <!-- ghplan-disable-line --> or "ghplan: ignore RULE-ID" on it.
    """
    plan_year = _parse_year(year)
    org_type = _type_name(org_type)
    _check_options(paths, org_type, plan_year, fmt, fix, out, in_place)
    settings = _settings(config, no_copy)
    results, extras = [], []
    bad = 0
    for path in paths:
        try:
            inp = read_input(path, encoding)
        except InputError as exc:
            typer.echo(f"ghplan: error: {exc}", err=True)
            bad += 1
            continue
        if inp.encoding != "utf-8" and not encoding:
            # readable, but not what the contract asks for: review it, say so, exit 2
            typer.echo(f"ghplan: error: {inp.name} is {inp.encoding.upper()} (GBK) text, not UTF-8: reviewed "
                       f"after decoding; save it as UTF-8 or pass --encoding {inp.encoding}", err=True)
            bad += 1
        result, extra = _review_one(inp, org_type, plan_year, settings, fix, out, in_place,
                                    encoding is not None or inp.encoding == "utf-8", org)
        results.append(result)
        extras.append(extra)
    _render(results, extras, fmt, color)
    if bad:
        raise typer.Exit(2)
    raise typer.Exit(1 if any(r.errors for r in results) else 0)


def _check_options(paths: list[str], org_type: Optional[str], plan_year: int | None, fmt: str,
                   fix: bool, out: Optional[Path], in_place: bool) -> None:
    """Bad usage ends here, one line and exit 2, before any input is read."""
    from ghplan.corpus.model import ORG_TYPES
    from ghplan.writer.review.reviewer import ReviewError, resolve_year

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}", 2)
    if org_type is not None and org_type not in ORG_TYPES:
        fail(f"unknown --type {org_type!r}: use one of {', '.join(ORG_TYPES)}", 2)
    if plan_year is not None:
        try:
            resolve_year("", plan_year)
        except ReviewError as exc:
            fail(str(exc), 2)
    if (out or in_place) and not fix:
        fail("--out and --in-place only make sense with --fix", 2)
    if fix and not (out or in_place):
        fail("--fix needs --out FILE or --in-place", 2)
    if out and in_place:
        fail("use either --out or --in-place, not both", 2)
    if fix and out and len(paths) > 1:
        fail("--out takes one input; use --in-place to fix several files", 2)
    if in_place and STDIN in paths:
        fail("--in-place cannot rewrite stdin; use --out", 2)


def _settings(config: Optional[Path], no_copy: bool):
    """The review settings from the config file; a bad config is bad usage."""
    from ghplan.writer.config import ConfigError, load_settings
    from ghplan.writer.review.reviewer import validate_settings

    try:
        settings = load_settings(config)
    except ConfigError as exc:
        fail(str(exc), 2)
    problems = validate_settings(settings)
    if problems:
        fail(f"config {settings.source or config}: " + "; ".join(problems), 2)
    if no_copy:
        settings.copy_threshold = 0
    return settings


def _review_one(inp: Input, org_type: Optional[str], plan_year: int | None, settings, fix: bool,
                out: Optional[Path], in_place: bool, may_write: bool, org: Optional[str] = None):
    """The review of one input (after the certain fixes, with --fix) and what to add to its report."""
    from ghplan.writer.review.report import Extra
    from ghplan.writer.review.reviewer import review_text

    result = review_text(inp.text, org_type=org_type, year=plan_year, settings=settings,
                         file=inp.name, encoding=inp.encoding, org_name=org)
    if fix:
        return _fix(result, inp, settings, out, in_place, may_write)
    return result, Extra()


def _render(results: list, extras: list, fmt: str, color: Optional[bool]) -> None:
    from ghplan.writer.review.report import render_json, render_sarif, render_text

    if fmt == "json":
        render_json(results)
    elif fmt == "sarif":
        render_sarif(results)
    else:
        render_text(results, extras, color=_use_color(color))


def _fix(result, inp: Input, settings, out: Optional[Path], in_place: bool, may_write: bool):
    """Apply certain fixes (until none is left), write them, and return the review of what is left."""
    from ghplan.writer.review.fix import fix_until_stable
    from ghplan.writer.review.report import Extra
    from ghplan.writer.review.reviewer import review_text

    if not may_write:
        return result, Extra(notes=[f"{inp.name}: not fixed: say which encoding it is in (--encoding)"])
    target = Path(inp.name) if in_place else out

    def again(text: str):   # same type and year as the first review, whatever the fixes change
        r = review_text(text, org_type=result.org_type, year=result.year,
                        settings=settings, file=str(target), encoding=inp.encoding if in_place else "utf-8")
        r.org_type_inferred, r.year_source = result.org_type_inferred, result.year_source
        r.declared_type, r.declared_from = result.declared_type, result.declared_from
        return r

    fixed, count, final = fix_until_stable(result.text, again)
    _write(target, inp, fixed, keep_encoding=in_place)
    return final, Extra(fixed=count, written=str(target))


def rules(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array of rules."),
    category: Optional[str] = typer.Option(None, "--category", "-c", help="Only rules of this category."),
) -> None:
    """List every review rule: id, category, severity, reason, example."""
    from ghplan.writer.review.report import rules_table
    from ghplan.writer.review.rules import all_rules

    chosen = [r for r in all_rules().values() if category is None or r.category == category]
    if category is not None and not chosen:
        cats = sorted({r.category for r in all_rules().values()})
        fail(f"unknown category {category!r}: use one of {', '.join(cats)}", 2)
    table = rules_table(chosen)
    if as_json:
        import json

        sys.stdout.write(json.dumps(table, ensure_ascii=False, indent=1) + "\n")
        return
    for row in table:
        example = f"  e.g. {row['example']}" if row["example"] else ""
        typer.echo(f"{row['id']}  {row['severity']}  {row['category']}  {row['reason']}{example}")
    typer.echo(f"{len(table)} rules")


def register(app: typer.Typer) -> None:
    """Add `review` and `rules` to the ghplan app."""
    app.command("review")(review)
    app.command("rules")(rules)
