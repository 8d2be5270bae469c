"""`ghplan review` and `ghplan rules`: lint work-plan drafts, list the rules.

Exit codes: 0 no error-severity finding, 1 some, 2 bad usage or unreadable input (one line on
stderr, never a traceback). Imports stay light: no torch, chromadb or openai on this path.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import typer

from ghplan.writer.io import write_atomic
from ghplan.writer.cli.common import (TYPE_HELP, echo_error, echo_note, fail, lang, safe_lang,
                                      org_type as resolve_org_type)
from ghplan.writer.messages import say, text

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
    read: Any = None            # corpus.read.ReadResult (None when --encoding decoded it)
    data: bytes = b""           # the bytes as given (a .docx is rewritten from them)

    @property
    def format(self) -> str:
        return self.read.format if self.read is not None else "text"


def _decode(data: bytes, name: str, encoding: str) -> tuple[str, str]:
    try:
        return data.decode(encoding).replace("\r\n", "\n"), encoding.lower()
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(say("error.file.cannot_decode", path=name, encoding=encoding, detail=str(exc))) from None


def read_input(path: str, encoding: str | None = None) -> Input:
    """A plan from a file or stdin: .txt/.md (UTF-8, else GB18030), .docx, .pdf with text (corpus.read);
    InputError on anything unreadable."""
    from ghplan.corpus.decode import DecodeError, read_bytes
    from ghplan.corpus.read import read_bytes_as

    if path == STDIN:
        name, data = "<stdin>", sys.stdin.buffer.read()
    else:
        name = path
        try:
            data = read_bytes(path)
        except DecodeError as exc:
            raise InputError(str(exc)) from None
    if not data.strip():
        raise InputError(say("error.file.input_empty", path=name))
    binary = data.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"{\\rtf"))
    if encoding and not binary:
        text, enc = _decode(data, name, encoding)
        if not text.strip():
            raise InputError(say("error.file.input_empty", path=name))
        return Input(name, text, enc, b"\r\n" in data, None, data)
    try:
        got = read_bytes_as(data, name)
    except DecodeError as exc:
        raise InputError(str(exc)) from None
    if not got.text.strip():
        raise InputError(say("error.file.input_empty", path=name))
    return Input(name, got.text, got.encoding, got.crlf, got, data)


def expand_paths(paths: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Paths with every directory replaced by the supported files under it, sorted, as linters do
    (hidden folders and Word's ~$ lock files left out). Returns (paths, notes, errors)."""
    from ghplan.corpus.read import LEGACY, SUPPORTED, _soffice

    out: list[str] = []
    notes: list[str] = []
    errors: list[str] = []
    legacy_ok = _soffice() is not None
    for path in paths:
        p = Path(path)
        if path == STDIN or not p.is_dir():
            out.append(path)
            continue
        found = []
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p).parts
            if any(part.startswith(".") for part in rel) or f.name.startswith("~$") or not f.is_file():
                continue
            ext = f.suffix.lower()
            if ext in SUPPORTED or (legacy_ok and ext in LEGACY):
                found.append(str(f))
            elif ext in LEGACY:
                notes.append(say("note.skipped_legacy", path=f, ext=ext))
        if not found:
            errors.append(say("error.file.is_dir_no_plans", path=path))
        out.extend(found)
    return out, notes, errors


def _parse_year(year: Optional[str]) -> int | None:
    if year is None:
        return None
    try:
        return int(year)
    except ValueError:
        fail(say("error.year.not_a_year", value=year), 2)


def _use_color(color: Optional[bool]) -> bool:
    if color is not None:
        return color
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def review(
    paths: list[str] = typer.Argument(..., help="Plans to review: files (.txt/.md in UTF-8 or GBK, .docx, .pdf with text), folders (every such file under them), or - for stdin."),
    org_type: Optional[str] = typer.Option(None, "--type", "-t", help=TYPE_HELP + " Default: inferred from the text."),
    year: Optional[str] = typer.Option(None, "--year", "-y", help="Plan year (default: the year in the title, else next year)."),
    org: Optional[str] = typer.Option(None, "--org", help="The union's name (某市第一人民医院工会): the organisation it names sets the type, over the body's vocabulary."),
    fmt: str = typer.Option("text", "--format", "-f", help="Output: text, json (one object per file, one per line) or sarif."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (default: ./ghplan.toml or \\[tool.ghplan] in ./pyproject.toml)."),
    fix: bool = typer.Option(False, "--fix", help="Apply the certain fixes, then review the result (a .docx: as Word tracked changes with comments)."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="With --fix: write the result here (.docx: tracked changes; .txt/.md: the fixed text; - : the text to stdout)."),
    in_place: bool = typer.Option(False, "--in-place", help="With --fix: overwrite the input file (atomically; a .docx gets tracked changes)."),
    annotate: Optional[Path] = typer.Option(None, "--annotate", help="Write a copy of the plan as .docx with a Word comment on each finding, nothing changed."),
    out_encoding: str = typer.Option("input", "--out-encoding", help="With --fix, a text file is written in the encoding it came in (input) or as utf-8."),
    no_copy: bool = typer.Option(False, "--no-copy", help="Skip the check for text copied from the corpus."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Read text input in this encoding (e.g. gb18030) instead of detecting it."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour the text report (default: on a terminal)."),
) -> None:
    """Review work-plan drafts: structure, rot, stale references, wrong organisation, numbering, copying.

    Exit 0 when no finding is an error, 1 when some are, 2 on bad usage or unreadable input.

    JSON: one object per file per line: file, type, year, sections, findings, summary (a Word or
    PDF file: each finding also has its paragraph).

    Silence one line with <!-- ghplan-disable-line --> or "ghplan: ignore RULE-ID" on it.
    """
    plan_year = _parse_year(year)
    org_type = resolve_org_type(org_type, what="--type")
    fmt = _json_format(fmt, as_json)
    paths, dir_notes, dir_errors = expand_paths(paths)
    _check_options(paths, org_type, plan_year, fmt, fix, out, in_place, annotate, out_encoding)
    settings = _settings(config, no_copy)
    for note in dir_notes:
        echo_note(note)
    for message in dir_errors:
        echo_error(message)
    results, extras = [], []
    bad = len(dir_errors)
    for path in paths:
        try:
            inp = read_input(path, encoding)
        except InputError as exc:
            echo_error(exc)
            bad += 1
            continue
        if inp.read is not None and inp.read.note:
            echo_note(inp.read.note)
        if inp.format == "text" and inp.encoding not in ("utf-8", "utf-8-sig") and not encoding:
            echo_note(say("note.read_as", path=inp.name, encoding=inp.encoding.upper()))
        result, extra = _review_one(inp, org_type, plan_year, settings, fix, out, in_place, org,
                                    annotate, out_encoding)
        results.append(result)
        extras.append(extra)
    _render(results, extras, fmt, color, to_stderr=out == STDIN)
    if bad:
        raise typer.Exit(2)
    raise typer.Exit(1 if any(r.errors for r in results) else 0)


def _json_format(fmt: str, as_json: bool) -> str:
    """--json is --format json; with another --format it is a contradiction, not a guess."""
    if as_json and fmt not in ("text", "json"):
        fail(say("error.review.json_and_format", fmt=fmt), 2)
    return "json" if as_json else fmt


def _check_options(paths: list[str], org_type: Optional[str], plan_year: int | None, fmt: str,
                   fix: bool, out: Optional[str], in_place: bool, annotate: Optional[Path] = None,
                   out_encoding: str = "input") -> None:
    """Bad usage ends here, one line and exit 2, before any input is read."""
    from ghplan.corpus.model import ORG_TYPES
    from ghplan.writer.review.reviewer import ReviewError, resolve_year

    if fmt not in FORMATS:
        fail(say("error.review.format", formats=", ".join(FORMATS), value=fmt), 2)
    if org_type is not None and org_type not in ORG_TYPES:
        fail(say("error.type.unknown_use", what="--type", name=org_type, names=", ".join(ORG_TYPES)), 2)
    if plan_year is not None:
        try:
            resolve_year("", plan_year)
        except ReviewError as exc:
            fail(str(exc), 2)
    if out_encoding.lower() not in ("input", "utf-8", "utf8"):
        fail(say("error.review.out_encoding", value=out_encoding), 2)
    if (out or in_place) and not fix:
        fail(say("error.review.out_without_fix"), 2)
    if fix and not (out or in_place):
        fail(say("error.review.fix_needs_out"), 2)
    if out and in_place:
        fail(say("error.review.out_and_in_place"), 2)
    if fix and out and len(paths) > 1:
        fail(say("error.review.out_one_input"), 2)
    if in_place and STDIN in paths:
        fail(say("error.review.in_place_stdin"), 2)
    if out and out != STDIN and Path(out).suffix.lower() not in (".docx", ".txt", ".md", ".markdown", ".text", ""):
        fail(say("error.review.out_ext", name=Path(out).name), 2)
    if annotate is not None:
        if fix:
            fail(say("error.review.fix_and_annotate"), 2)
        if annotate.suffix.lower() != ".docx":
            fail(say("error.review.annotate_ext", name=annotate.name), 2)
        if len(paths) > 1:
            fail(say("error.review.annotate_one"), 2)


def _settings(config: Optional[Path], no_copy: bool):
    """The review settings from the config file; a bad config is bad usage."""
    from ghplan.writer.config import ConfigError, load_settings
    from ghplan.writer.review.reviewer import validate_settings

    try:
        settings = load_settings(config, lang=safe_lang())
    except ConfigError as exc:
        fail(str(exc), 2)
    problems = validate_settings(settings)
    if problems:
        fail(say("error.config.problems", path=settings.source or config, problems="; ".join(problems)), 2)
    if no_copy:
        settings.copy_threshold = 0
    return settings


def _review_one(inp: Input, org_type: Optional[str], plan_year: int | None, settings, fix: bool,
                out: Optional[str], in_place: bool, org: Optional[str] = None,
                annotate: Optional[Path] = None, out_encoding: str = "input"):
    """The review of one input (after the certain fixes, with --fix) and what to add to its report."""
    from ghplan.writer.review.report import Extra
    from ghplan.writer.review.reviewer import review_text

    result = review_text(inp.text, org_type=org_type, year=plan_year, settings=settings,
                         file=inp.name, encoding=inp.encoding, org_name=org)
    result.read = inp.read
    if fix:
        return _fix(result, inp, settings, out, in_place, out_encoding)
    if annotate is not None:
        return result, _annotate(result, inp, settings, annotate)
    return result, Extra()


def _render(results: list, extras: list, fmt: str, color: Optional[bool], to_stderr: bool = False) -> None:
    from ghplan.writer.review.report import render_json, render_sarif, render_text

    file = sys.stderr if to_stderr else None      # --out -: stdout carries the fixed text
    language = lang()
    for r in results:           # messages, severity words and the summary in the user's language
        r.lang = language
    if fmt == "json":
        render_json(results, file=file)
    elif fmt == "sarif":
        render_sarif(results, file=file)
    else:
        render_text(results, extras, color=False if to_stderr else _use_color(color), file=file)


def _again(result, settings, target: str, encoding: str):
    """A review of a fixed text: same type and year as the first review, whatever the fixes change."""
    from ghplan.writer.review.reviewer import review_text

    def again(text: str):
        r = review_text(text, org_type=result.org_type, year=result.year,
                        settings=settings, file=target, encoding=encoding)
        r.org_type_inferred, r.year_source = result.org_type_inferred, result.year_source
        r.declared_type, r.declared_from = result.declared_type, result.declared_from
        return r
    return again


def _put(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)   # keeps an existing file's permissions
    except OSError as exc:         # a missing directory, a directory, a read-only place
        fail(say("error.file.cannot_write", path=path, reason=exc.strerror or str(exc)), 2)


def _fix(result, inp: Input, settings, out: Optional[str], in_place: bool, out_encoding: str = "input"):
    """Apply certain fixes (until none is left), write them, and return the review of what is left.

    A Word result (--out X.docx, or --in-place on a .docx) carries every fix as a tracked change
    with a comment; text goes to a text file (in the encoding it came in, unless --out-encoding
    utf-8) or to stdout with --out -. Text is never written into a file named .docx."""
    from ghplan.writer.review.fix import fix_until_stable
    from ghplan.writer.review.report import Extra

    if in_place and inp.format not in ("text", "docx"):
        fail(say("error.review.in_place_format", path=inp.name, format=inp.format.upper()), 2)
    target = inp.name if in_place else out
    assert target is not None
    to_docx = target != STDIN and (Path(target).suffix.lower() == ".docx" or (in_place and inp.format == "docx"))
    if to_docx:
        return _fix_docx(result, inp, settings, Path(target))
    keep = out_encoding.lower() == "input" and inp.format == "text"
    enc = inp.encoding if keep else "utf-8"
    fixed, count, final = fix_until_stable(result.text, _again(result, settings, str(target), enc))
    out_text = fixed.replace("\n", "\r\n") if inp.crlf and inp.format == "text" else fixed
    try:
        data = out_text.encode(enc)
    except UnicodeEncodeError:          # a fix brought a character the old encoding lacks
        data, enc = out_text.encode("utf-8"), "utf-8"
    if target == STDIN:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return final, Extra(fixed=count, written="stdout")
    _put(Path(target), data)
    notes = [text("note.written_as", lang(), path=target, encoding=enc.upper())] if enc not in ("utf-8",) else []
    return final, Extra(notes=notes, fixed=count, written=str(target))


def _docx_base(inp: Input) -> tuple[bytes, str]:
    """The Word document changes are written into: the input's own, or (for text) the text laid
    out as a 公文 .docx, so a text plan fixed into .docx still shows every change."""
    if inp.format == "docx":
        return inp.data, inp.name
    from ghplan.writer.export import to_docx_bytes

    return to_docx_bytes(inp.text), f"{inp.name}.docx"


def _fix_docx(result, inp: Input, settings, target: Path):
    from ghplan.corpus.decode import DecodeError
    from ghplan.writer.review.docx_fix import fix_docx
    from ghplan.writer.review.report import Extra

    base, name = _docx_base(inp)
    try:
        done = fix_docx(base, name, _again(result, settings, str(target), "docx"))
    except (DecodeError, ValueError) as exc:
        fail(say("error.review.tracked", path=inp.name, detail=str(exc)), 2)
    _put(target, done.data)
    final = done.review
    final.read = done.read
    notes = [text("note.tracked", lang(), path=target, n=len(done.applied))]
    if done.skipped:
        notes.append(text("note.fixes_skipped", lang(), path=target, n=len(done.skipped)))
    return final, Extra(notes=notes, fixed=done.fixes, written=str(target))


def _annotate(result, inp: Input, settings, annotate: Path):
    from ghplan.corpus.read import read_bytes_as
    from ghplan.writer.review.docx_fix import annotate_docx
    from ghplan.writer.review.report import Extra

    base, name = _docx_base(inp)
    if inp.format == "docx":
        read, findings = inp.read, result.findings
    else:   # a text plan: the comments go on the .docx made from it, found again there
        read = read_bytes_as(base, name)
        findings = _again(result, settings, str(annotate), "docx")(read.text).findings
    _put(annotate, annotate_docx(base, read, findings))
    return Extra(notes=[text("note.annotated", lang(), path=annotate, n=len(findings))],
                 written=str(annotate))


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
        fail(say("error.review.category", name=category, names=", ".join(cats)), 2)
    table = rules_table(chosen)
    if as_json:
        import json

        sys.stdout.write(json.dumps(table, ensure_ascii=False, indent=1) + "\n")
        return
    language = lang()
    zh = language == "zh"       # the text list speaks Chinese where a rule has its Chinese message
    for row in table:
        example = text("cli.rule_example", language, example=row["example"]) if row["example"] else ""
        reason = row["reason_zh"] or row["reason"] if zh else row["reason"]
        typer.echo(f"{row['id']}  {row['severity']}  {row['category']}  {reason}{example}")
    typer.echo(text("cli.rule_count", language, n=len(table)))


def register(app: typer.Typer) -> None:
    """Add `review` and `rules` to the ghplan app."""
    app.command("review")(review)
    app.command("rules")(rules)
