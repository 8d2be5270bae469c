"""`ghplan index build|status` and `ghplan search`: thin shells over writer/index (store, retrieve).

Nothing heavy at import time: chromadb, torch and sentence-transformers are imported inside the
library functions these commands call.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Optional

import typer

from ghplan.writer.errors import GhplanError
from ghplan.writer.cli.common import (TYPE_HELP, fail, fail_on, org_type as resolve_org_type, lang, print_json,
                                      safe_lang)
from ghplan.writer.messages import say, text

StoreOpt = typer.Option(None, "--store", help="Index directory (embedded chromadb). Default: per-user data dir.")
UrlOpt = typer.Option(None, "--chroma-url", help="Use a `chroma run` server instead, e.g. http://127.0.0.1:8000.")


def _settings():
    from ghplan.writer.config import ConfigError, load_settings
    try:
        return load_settings(lang=safe_lang())
    except ConfigError as exc:
        fail(str(exc))


def _check_year(year: Optional[int]) -> None:
    """The plan-year range every command shares (the dated table's), as bad usage (exit 2)."""
    if year is None:
        return
    from ghplan.corpus.rules.dated import year_range

    lo, hi = year_range()
    if not lo <= year <= hi:
        fail(say("error.year.known_range", year=year, lo=lo, hi=hi), 2)


def _guard(fn: Callable[[], Any]) -> Any:
    """Library errors become one line on stderr and a non-zero exit, never a traceback."""
    try:
        return fn()
    except GhplanError as exc:
        fail_on(exc)
    except KeyboardInterrupt:
        fail(say("error.index.interrupted"), 130)


def _progress_runner(enabled: bool):
    """A rich progress bar on stderr for a terminal; a no-op otherwise (pipes, --json)."""
    from contextlib import nullcontext

    if not enabled:
        return nullcontext(), None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        return nullcontext(), None
    prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        label = {"model": "loading embedding model", "embed": "embedding chunks", "write": "writing index"}.get(stage, stage)
        if stage not in tasks:
            tasks[stage] = prog.add_task(label, total=total or 1)
        prog.update(tasks[stage], completed=done, total=total or 1)

    return prog, update


def _cross(chunks) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for c in chunks:
        row = out.setdefault(c.org_type, {})
        row[c.role] = row.get(c.role, 0) + 1
    return {t: dict(sorted(r.items())) for t, r in sorted(out.items())}


def _print_files(files: list[dict]) -> None:
    """Each of the user's files: used or skipped, and why (the bundled seeds are one line)."""
    seeds = [f for f in files if f["origin"] == "seed"]
    for f in files:
        if f["origin"] == "user":
            typer.echo(f"{'used   ' if f['used'] else 'skipped'} {f['path']}: {f['reason']}")
    if seeds:
        typer.echo(f"used    the {len(seeds)} bundled seed pages")


def _print_build(report, table: dict[str, dict[str, int]], servable: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from ghplan.corpus.model import ROLES

    console = Console()
    roles = [r for r in ROLES if any(r in row for row in table.values())]
    t = Table(title=f"chunks by type and role ({report.chunks} chunks, {servable} servable for drafting)")
    t.add_column("type")
    for r in roles:
        t.add_column(r, justify="right")
    t.add_column("total", justify="right")
    for typ, row in table.items():
        t.add_row(typ, *[str(row.get(r, "")) for r in roles], str(sum(row.values())))
    console.print(t)
    console.print("chunks by origin: " + ", ".join(f"{k} {v}" for k, v in report.by_origin.items()))
    console.print(f"index: {report.location} ({report.collection})")
    console.print(f"model: {report.model} ({report.dim} dims); embedded {report.embedded}, "
                  f"reused {report.reused}")
    console.print(f"time: {report.seconds:.2f} s, {report.chunks_per_second:.1f} chunks/s "
                  f"(embedding {report.embed_seconds:.2f} s)")
    if report.note:
        console.print(text("index.note", safe_lang(), text=_note(report.note, safe_lang())))


def _note(note: str, language: str) -> str:
    """The build's note in `language`: its notes are joined with "; " (a note may hold one too),
    so under zh each way of cutting it in two is read back until both halves are known."""
    from ghplan.writer.localize import read_back

    if language != "zh":
        return note
    whole = read_back(note)
    if whole is not None:
        return whole
    at = note.find("; ")
    while at >= 0:
        left, right = read_back(note[:at]), read_back(note[at + 2:])
        if left is not None and right is not None:
            return f"{left}；{right}"
        at = note.find("; ", at + 2)
    return note


def build(corpus: Optional[Path] = typer.Option(None, "--corpus", help="Folder of your own plans (.txt .md .docx .pdf, read recursively), indexed beside the bundled seeds."),
          no_seeds: bool = typer.Option(False, "--no-seeds", help="With --corpus: index only that folder, without the bundled seeds."),
          store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
          rebuild: bool = typer.Option(False, "--rebuild", help="Re-embed every chunk (e.g. after changing the model's weights)."),
          year: Optional[int] = typer.Option(None, "--year", help="Plan year stale references are judged for (default: next year)."),
          as_json: bool = typer.Option(False, "--json", help="Print the build report as JSON.")) -> None:
    """Chunk the corpus, embed what changed, and swap in a new index."""
    from ghplan.writer.index.chunk import chunk_documents, default_year, load_corpus, stale_fn_for
    from ghplan.writer.index.embed import resolve_model_path
    from ghplan.writer.index.store import build_index, location_from

    _check_year(year)
    settings = _settings()
    if corpus is not None and not corpus.exists():
        fail(say("error.index.corpus_missing", path=corpus), 2)
    if no_seeds and corpus is None:
        fail(say("error.index.no_seeds"), 2)
    # a model that is not there fails now, before the store is created or anything is chunked
    _guard(lambda: resolve_model_path(settings.embed_model))
    year = year or default_year()
    loc = _guard(lambda: location_from(settings, store, chroma_url))
    seeds = not no_seeds
    built = _guard(lambda: load_corpus(corpus, year, seeds=seeds))
    files = [f.to_json() for f in built.files]
    chunks = chunk_documents(built.documents, stale_fn_for(year))
    if not chunks:
        fail(say("error.index.no_chunks"))

    def factory():
        from ghplan.writer.index.embed import get_embedder
        return get_embedder(settings.embed_model)

    runner, update = _progress_runner(not as_json and sys.stderr.isatty())
    with runner:
        # the library keeps the ONNX query model beside the index too (writer/index/build.py)
        report = _guard(lambda: build_index(chunks, loc, factory, settings.embed_model,
                                            rebuild=rebuild, progress=update, year=year,
                                            corpus=str(corpus.resolve()) if corpus else "",
                                            seeds=seeds))
    servable = sum(1 for c in chunks if c.plan and not c.stale)
    table = _cross(chunks)
    if as_json:
        print_json({**report.to_json(), "servable": servable, "by_type_role": table,
                    "seeds": seeds, "files": files})
    else:
        _print_files(files)
        _print_build(report, table, servable)


def status(store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
           as_json: bool = typer.Option(False, "--json", help="Print status as JSON.")) -> None:
    """Where the index is, its model, its counts, and whether it is stale against the corpus."""
    from ghplan.writer.index.store import index_status, location_from

    settings = _settings()
    loc = _guard(lambda: location_from(settings, store, chroma_url))
    st = _guard(lambda: index_status(loc))
    if st.exists and st.info:
        fp = _current_fingerprint(st.info.year, st.info.corpus, st.info.seeds)
        if fp is not None:
            st.current_fingerprint = fp
            st.stale = fp != st.info.corpus_fingerprint
    if as_json:
        print_json(st.to_json())
        if not st.exists:      # the JSON says so for scripts; one line says so for people
            fail(say("error.index.none", where=st.location))
        return
    if not st.exists:
        fail(say("error.index.none", where=st.location))
    i = st.info
    typer.echo(f"index: {st.location} ({st.kind}, collection {i.collection})")
    typer.echo(f"model: {i.model} ({i.dim} dims)")
    typer.echo(f"chunks: {i.count}; built {i.built_at} in {i.build_seconds:.2f} s; stale flags for {i.year}")
    typer.echo(f"corpus: {i.corpus + (' and the bundled seeds' if i.seeds else '') if i.corpus else 'the bundled seeds'}")
    typer.echo("by origin: " + ", ".join(f"{k} {v}" for k, v in i.by_origin.items()))
    typer.echo("by type: " + ", ".join(f"{k} {v}" for k, v in i.by_type.items()))
    typer.echo("by role: " + ", ".join(f"{k} {v}" for k, v in i.by_role.items()))
    verdict = {None: "unknown (the corpus cannot be read)", True: "STALE: the corpus changed; run ghplan index build",
               False: "up to date with the corpus"}[st.stale]
    typer.echo(f"state: {verdict}")
    typer.echo(_query_model_line(st.query_model))
    if st.debris:
        typer.echo(f"debris of {len(st.debris)} interrupted build(s): the next build removes it")


def _query_model_line(q: dict) -> str:
    """The ONNX export's line in `index status` (writer/index/onnx_embed.py export_status)."""
    if not q.get("present"):
        return (f"query model: no ONNX export at {q.get('path')}: queries load sentence-transformers "
                "(ghplan index build adds it)")
    why = [] if q["used"] else ["not used: queries load sentence-transformers"]
    if q["hash"] != "ok":
        why.append("the files changed since the export: ghplan index build re-exports")
    return f"query model: ONNX at {q['path']} ({q['model']}, hash {q['hash']})" + "".join(f"; {w}" for w in why)


def _current_fingerprint(year: int, corpus: str, seeds: bool = True) -> str | None:
    """The fingerprint the corpus the index was built from would have now (no model needed);
    None if it cannot be built (e.g. that corpus directory is gone)."""
    from ghplan.writer.index.chunk import corpus_chunks, corpus_fingerprint
    try:
        if corpus and not Path(corpus).exists():
            return None
        return corpus_fingerprint(corpus_chunks(Path(corpus) if corpus else None, year or None, seeds=seeds))
    except Exception:   # status must report, not crash, whatever state the corpus is in
        return None


def search(query: str = typer.Argument(..., help="What to look for, in Chinese."),
           org_type: Optional[str] = typer.Option(None, "--type", "-t", help=TYPE_HELP),
           role: Optional[str] = typer.Option(None, "--role", "-r", help="Section role (guiding, goals, tasks, safeguards, schedule, closing, other)."),
           k: int = typer.Option(5, "-k", help="How many results."),
           year: Optional[int] = typer.Option(None, "--year", help="Serve only chunks current in this plan year."),
           store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
           as_json: bool = typer.Option(False, "--json", help="Print results as JSON.")) -> None:
    """Hybrid search (dense + BM25, fused, diversified) over plan sections fit for drafting."""
    if not query.strip():
        fail(say("error.search.empty_query"), 2)
    _check_year(year)
    org_type = resolve_org_type(org_type, allow_other=True)   # 医院, 县总工会 … before any loading
    from ghplan.writer.index.retrieve import search as do_search
    from ghplan.writer.index.store import location_from

    settings = _settings()
    loc = _guard(lambda: location_from(settings, store, chroma_url))
    res = _guard(lambda: do_search(query, org_type, role, k, year=year, settings=settings, location=loc))
    if as_json:
        print_json(res.to_json())
        return
    from ghplan.writer.cli.search_text import lines

    for line in lines(res, lang()):     # notes, hits and snippets in the chosen language
        typer.echo(line)


def register(app: typer.Typer) -> None:
    """Add `ghplan index ...` and `ghplan search` to the app."""
    index_app = typer.Typer(help="Build and inspect the retrieval index (chunks, embeddings, chromadb).",
                            no_args_is_help=True)
    index_app.command("build")(build)
    index_app.command("status")(status)
    app.add_typer(index_app, name="index")
    app.command("search")(search)
