"""ghplan: drafts and reviews Chinese trade-union work plans (工会工作计划).

The public API, four calls over the library in `ghplan.writer`:

    import ghplan
    plan = ghplan.draft("某市第一人民医院工会", "hospital", year=2027)
    print(plan.text)
    report = ghplan.review(plan.text, type="hospital", year=2027)
    hits = ghplan.search("困难职工帮扶", type="hospital", k=3)
    new = ghplan.refresh("2025年工作计划.docx", 2027, out="2027年工作计划.docx")

Heavy libraries (chromadb, sentence-transformers, openai) load inside the calls that need them,
so `import ghplan` stays cheap. Failures raise `GhplanError` subclasses with one-line messages.
"""
from __future__ import annotations

from pathlib import Path as _Path
from typing import TYPE_CHECKING


def _source_checkout() -> None:
    """In the repository the subpackages sit beside this folder (writer/, corpus/, …), mapped under
    `ghplan` only by the install. Let `import ghplan` from the repository root find them there too,
    so it never half-works against a stale or missing install."""
    here = _Path(__file__).resolve().parent
    if not (here / "writer").is_dir() and (here.parent / "writer" / "errors.py").is_file():
        __path__.append(str(here.parent))  # noqa: F821 - a package's own __path__


_source_checkout()


from ghplan.writer import __version__
from ghplan.writer.errors import BackendError, GhplanError, IndexUnavailable, UsageError

if TYPE_CHECKING:
    from ghplan.writer.draft.pipeline import DraftResult
    from ghplan.writer.draft.profile import Profile
    from ghplan.writer.index.retrieve import SearchResult
    from ghplan.writer.refresh.pipeline import RefreshResult
    from ghplan.writer.review.reviewer import ReviewResult

__all__ = ["__version__", "draft", "review", "search", "refresh",
           "GhplanError", "UsageError", "BackendError", "IndexUnavailable"]


def draft(org: str, type: str, *, year: int | None = None, profile: "Profile | str | None" = None,
          backend: str | None = None, model: str | None = None, retrieve: bool = True,
          repair_rounds: int = 2, lang: str | None = None) -> "DraftResult":
    """Draft a plan for organisation `org` of `type` (English or Chinese type name).

    `profile` is a Profile or the path of a profile TOML file (its org and type win over the
    arguments); `backend` is "offline", "openai" or "mock", by default openai when an API key is
    configured, else offline. The result has `.text`, `.review`, `.errors` and `.to_json()`; the
    review's messages are in `lang` (see `review`); `.notes` are English, `.notes_in(lang)` gives
    them in either language."""
    from ghplan.writer.config import load_settings
    from ghplan.writer.draft import backends, pipeline
    from ghplan.writer.draft.profile import load_profile, minimal_profile
    from ghplan.writer.lang import resolve_lang

    settings = load_settings()
    if isinstance(profile, (str, _Path)):
        profile = load_profile(profile)
    prof = profile or minimal_profile(org, type, year=year)
    chosen = backend or backends.default_backend_name(settings)
    language = resolve_lang(lang)
    result = pipeline.draft(prof, backend=backends.make_backend(chosen, settings=settings, model=model),
                            year=year, settings=settings, retrieve=retrieve, repair_rounds=repair_rounds)
    result.review.lang = language
    return result


def review(text: str, *, type: str | None = None, year: int | None = None,
           copy: bool = True, lang: str | None = None) -> "ReviewResult":
    """Review a plan's text: rot, staleness for `year`, wrong-organisation words, numbering,
    copying. `type` (English id or Chinese name) and `year` are inferred from the text when not
    given. The result has `.findings` (each with rule, severity, start, end, text, message,
    message_zh, suggestion) and `.to_json()`, whose `message` is in `lang` ("zh" or "en"; by
    default GHPLAN_LANG, else the locale: writer/lang.py resolve_lang)."""
    from ghplan.writer.config import load_settings
    from ghplan.writer.lang import resolve_lang
    from ghplan.writer.review.reviewer import review_text

    chosen = resolve_lang(lang)
    result = review_text(text, org_type=_org_type(type), year=year, settings=load_settings(), copy=copy)
    result.lang = chosen
    return result


def _org_type(name: str | None) -> str | None:
    """A type as users write it (hospital, 医院, 县总工会) → its id; UsageError naming the valid ones."""
    if name is None:
        return None
    from ghplan.writer.org_types import resolve_type

    return resolve_type(name, allow_other=True)


def search(query: str, *, type: str | None = None, role: str | None = None, k: int = 5,
           year: int | None = None) -> "SearchResult":
    """Hybrid search over the plan index (`ghplan index build` makes it). The result has `.hits`
    and `.fallback_types` (the types that stood in when `type` has too few plans)."""
    from ghplan.writer.config import load_settings
    from ghplan.writer.index.retrieve import search as run_search

    return run_search(query, type, role, k, year=year, settings=load_settings())


def refresh(path: "str | _Path", year: int, *, org: str | None = None, type: str | None = None,
            out: "str | _Path | None" = None, backend: str | None = None, model: str | None = None,
            profile: "Profile | str | None" = None, lang: str | None = None) -> "RefreshResult":
    """Refresh last year's plan at `path` (.docx, .pdf, .txt, .md) for `year`: year references
    rewritten from the year facts, rot removed, the organisation's own facts kept, the rest listed
    for a person. `out` (.docx with tracked changes from a .docx, .md, .txt) is written
    atomically. `backend` "offline" (default without an API key) uses rules only; a model backend
    also rewrites the paragraphs that need more, its answers reviewed before they are accepted.
    The result has `.text`, `.changes`, `.left_for_person`, `.review`, `.survival`, `.to_json()`;
    the review's messages are in `lang` (see `review`)."""
    from ghplan.writer.lang import resolve_lang
    from ghplan.writer.refresh.document import refresh_file

    language = resolve_lang(lang)
    result = refresh_file(path, year, org=org, org_type=type, out=out, backend=backend, model=model,
                          profile=profile)
    result.review.lang = language
    return result


def _console() -> None:
    """The `ghplan` console script (pyproject.toml [project.scripts]): `ghplan.writer.cli.run`
    with no cyclic collection while the CLI imports (~30 collections, ~10-20 ms of every
    command, of modules, classes and functions that live as long as the process), which are then
    frozen: never scanned again, so the command's own collections are smaller too. Here and not
    in the CLI module, so that importing the CLI in another process (tests) freezes nothing."""
    import gc

    was_on = gc.isenabled()
    gc.disable()
    from ghplan.writer.cli import run

    gc.freeze()
    if was_on:
        gc.enable()
    run()
