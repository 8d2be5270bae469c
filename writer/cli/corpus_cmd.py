"""`ghplan corpus inspect|build`: raw 范文 pages in, clean labelled documents out."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer

from ghplan.writer.io import write_atomic
from ghplan.writer.cli.common import echo_error, fail, print_json
from ghplan.writer.messages import say

corpus_app = typer.Typer(help="Clean raw 范文 pages into labelled plan sections.", no_args_is_help=True)


def _year_ok(year: Optional[int]) -> None:
    if year is not None and not 1949 <= year <= 2100:
        fail(say("error.year.out_of_range_span", year=year, span="1949–2100"), 2)


@corpus_app.command("inspect")
def inspect(
    paths: list[Path] = typer.Argument(..., help="Raw pages (UTF-8 or GB18030 text)."),
    year: Optional[int] = typer.Option(None, "--year", help="Target plan year for stale tags (default: next year)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per path, one per line."),
) -> None:
    """Show what cleaning does to each page: documents, sections, removed rot, stale references."""
    from ghplan.corpus.decode import DecodeError
    from ghplan.corpus.pipeline import inspect_path

    _year_ok(year)
    failed = 0
    for path in paths:
        try:
            result = inspect_path(path, year=year)
        except DecodeError as exc:
            echo_error(exc)
            failed += 1
            continue
        if as_json:
            print_json(result.to_json())
        else:
            _print_page(result)
    if failed:
        raise typer.Exit(2)


def _print_page(result) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    console.print(f"[bold]{result.source}[/]  type={result.org_type}  kind={result.doc_kind}  "
                  f"documents={len(result.documents)}  removed={len(result.removed)}  stale={len(result.stale)}")
    for i, d in enumerate(result.documents, 1):
        console.print(f"  [cyan]doc {i}[/] {d.title or '(untitled)'}  type={d.org_type} kind={d.doc_kind} "
                      f"chars={len(d.text)}")
        for s in d.sections:
            if s.level <= 2:
                mark = "" if s.plan else " (summary)"
                console.print(f"    {'  ' * max(0, s.level - 1)}{s.role:<10} {s.heading[:30] or '(opening)'}{mark}")
    by_cat: dict[str, int] = {}
    for r in result.removed:
        by_cat[r.category] = by_cat.get(r.category, 0) + 1
    if by_cat:
        console.print("  removed: " + ", ".join(f"{k} {v}" for k, v in sorted(by_cat.items())))
    if result.stale:
        console.print("  stale: " + ", ".join(sorted({f"{s.text}({s.dated})" for s in result.stale})[:12]))


@corpus_app.command("build")
def build(
    source: Optional[Path] = typer.Option(None, "--source", help="Folder of your own plans (.txt .md .docx .pdf, read recursively), cleaned beside the bundled seeds (default: the seeds alone)."),
    no_seeds: bool = typer.Option(False, "--no-seeds", help="With --source: only that folder, without the bundled seeds."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the clean documents here as JSON Lines."),
    year: Optional[int] = typer.Option(None, "--year", help="Target plan year for stale tags (default: next year)."),
    as_json: bool = typer.Option(False, "--json", help="Print the build report as JSON."),
) -> None:
    """Clean the whole corpus into a JSONL of documents and sections, with a report."""
    from ghplan.corpus.decode import DecodeError
    from ghplan.corpus.pipeline import page_paths

    _year_ok(year)
    if source is not None and not source.exists():
        fail(say("error.file.missing_any", path=source), 2)
    if no_seeds and source is None:
        fail(say("error.corpus.no_seeds"), 2)
    paths = page_paths(source)
    if not paths:
        fail(say("error.corpus.no_pages", path=source), 2)
    started = time.perf_counter()
    try:
        result = _build_with_progress(source, year, no_seeds, show=sys.stderr.isatty() and not as_json)
    except DecodeError as exc:
        fail(str(exc), 2)
    if source is not None and not result.user_files_used():
        fail(say("error.corpus.none_usable", path=source, summary=result.skipped_summary()), 2)
    seconds = time.perf_counter() - started
    if out is not None:
        _write_documents(out, result.documents)
    report = {**result.report(), "seconds": round(seconds, 3), "out": str(out) if out else None}
    if as_json:
        print_json(report)
        return
    _print_report(report, seconds)


def register(app: typer.Typer) -> None:
    app.add_typer(corpus_app, name="corpus")


def _build_with_progress(source: Optional[Path], year: Optional[int], no_seeds: bool, show: bool):
    """build_corpus, with a progress bar over the pages when a person is watching."""
    from ghplan.corpus.pipeline import build_corpus, bundled_seeds, page_paths

    if not show:
        return build_corpus(source, year=year, seeds=not no_seeds)
    from rich.progress import Progress

    extra = len(bundled_seeds()) if source is not None and not no_seeds else 0
    with Progress(transient=True) as bar:
        task = bar.add_task("cleaning pages", total=len(page_paths(source)) + extra)
        return build_corpus(source, year=year, progress=lambda _: bar.advance(task), seeds=not no_seeds)


def _write_documents(out: Path, documents) -> None:
    rows = [json.dumps({"id": d.doc_id, "source": d.source, **d.to_json(), "origin": d.origin, "org": d.org},
                       ensure_ascii=False) for d in documents]
    try:
        write_atomic(out, "\n".join(rows) + "\n")
    except OSError as exc:
        fail(say("error.file.cannot_write", path=out, reason=exc.strerror or str(exc)), 2)


def _print_report(report: dict, seconds: float) -> None:
    for f in report["files"]:
        if f["origin"] == "user":
            typer.echo(f"{'used   ' if f['used'] else 'skipped'} {f['path']}: {f['reason']}")
    typer.echo(f"pages read: {report['pages']}   documents found: {report['documents_found']}   "
               f"kept: {report['documents_kept']}   ({seconds:.2f} s)")
    typer.echo("removed by category: " + ", ".join(f"{k} {v}" for k, v in report["removed_by_category"].items()))
    typer.echo("documents by type: " + ", ".join(f"{k} {v}" for k, v in report["by_type"].items()))
    typer.echo("documents by kind: " + ", ".join(f"{k} {v}" for k, v in report["by_kind"].items()))
    for d in report["duplicates"]:
        typer.echo(f"duplicate dropped: {d['dropped']} (same as {d['kept']}, similarity {d['similarity']})")
    if report["out"]:
        typer.echo(f"wrote {report['out']}")
