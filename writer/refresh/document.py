"""The documents of a refresh: last year's plan read as the user has it (.docx, .pdf, .txt/.md in
UTF-8 or GB18030), and the refreshed plan written as the user asks: a .docx from a .docx keeps
the user's file and formatting with every change a tracked change carrying its reason as a
comment; .txt/.md are the refreshed text itself; a .docx from text is laid out as GB/T 9704."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ghplan.writer.errors import UsageError
from ghplan.writer.io import write_atomic
from ghplan.writer.refresh.pipeline import RefreshResult

OUT_FORMATS = (".txt", ".md", ".docx")


@dataclass(frozen=True)
class OldPlan:
    text: str
    starts: tuple[int, ...]      # each paragraph's offset in `text`
    format: str                  # text | docx | pdf
    data: bytes                  # the file as it was (a .docx is rewritten from it)
    read: Any                    # corpus.read.ReadResult
    source: str


def read_old(path: str | Path) -> OldPlan:
    """Last year's plan; anything unreadable is a one-line UsageError."""
    from ghplan.corpus.decode import DecodeError
    from ghplan.corpus.read import read_bytes_as

    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{p} is a directory; give the plan file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {p}: {exc.strerror or exc}") from None
    try:
        read = read_bytes_as(data, str(p))
    except DecodeError as exc:
        raise UsageError(str(exc)) from None
    return OldPlan(read.text, tuple(read.starts), read.format, data, read, str(p))


def check_out(path: str | Path, old: OldPlan) -> Path:
    from ghplan.writer.export import check_out_path

    p = check_out_path(path, OUT_FORMATS)
    if p.resolve() == Path(old.source).resolve():
        raise UsageError(f"--out {p} is the plan being refreshed; write the new plan to another file")
    return p


def tracked_bytes(old: OldPlan, result: RefreshResult, when: datetime | None = None) -> bytes:
    """The user's .docx with every change a tracked change and a comment (rule, reason)."""
    from ghplan.writer.export.tracked import block_edits, tracked_docx

    edits = []
    for c in result.changes:
        comment = f"{c.rule}: {c.reason_zh or c.reason}"
        edits += block_edits(old.read, c.start, c.end, c.after, c.rule, comment)
    return tracked_docx(old.data, edits, when=when or datetime.now(timezone.utc))


def write_new(path: Path, old: OldPlan, result: RefreshResult) -> None:
    """Write the refreshed plan, whole or not at all."""
    ext = path.suffix.lower()
    if ext == ".docx" and old.format == "docx":
        data: bytes | str = tracked_bytes(old, result)
    elif ext == ".docx":
        from ghplan.writer.export.gbt9704 import to_docx_bytes
        data = to_docx_bytes(result.text)
    else:
        data = result.text
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def refresh_file(path: str | Path, year: int, *, org: str | None = None, org_type: str | None = None,
                 out: str | Path | None = None, backend: str | None = None, model: str | None = None,
                 mock_script: str | None = None, profile: Any = None,
                 settings: Any = None) -> RefreshResult:
    """Read last year's plan at `path`, refresh it for `year` and, with `out`, write it. The
    year is checked first and --out before any work, so bad input stops with nothing written."""
    import os

    from ghplan.writer.config import load_settings
    from ghplan.writer.draft import backends
    from ghplan.writer.draft.facts import check_year
    from ghplan.writer.draft.profile import load_profile
    from ghplan.writer.refresh.pipeline import refresh_text

    from ghplan.writer.org_types import resolve_optional

    check_year(year)
    org_type = resolve_optional(org_type)   # 医院, 县总工会 … as well as the ids
    old = read_old(path)
    target = check_out(out, old) if out is not None else None
    settings = settings or load_settings()
    if isinstance(profile, (str, Path)):
        profile = load_profile(profile)
    name = backend or backends.default_backend_name(settings)
    chosen = None if name == "offline" else backends.make_backend(
        name, settings=settings, model=model,
        mock_script=mock_script or os.environ.get("GHPLAN_MOCK_SCRIPT"))
    result = refresh_text(old.text, year, org=org, org_type=org_type, backend=chosen,
                          settings=settings, profile=profile, paragraph_starts=old.starts)
    if target is not None:
        write_new(target, old, result)
    return result
