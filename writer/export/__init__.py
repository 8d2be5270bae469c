"""Export a plan as .md, .txt or .docx (GB/T 9704-2012 公文 layout), always written atomically.

- text.py: the plan as typed paragraphs, and the .md/.txt renderings;
- gbt9704.py: the .docx in the national standard's layout;
- here: the --out path check and `export()`, which picks the format by extension.
"""
from __future__ import annotations

from pathlib import Path

from ghplan.writer.errors import UsageError
from ghplan.writer.export.gbt9704 import to_docx_bytes
from ghplan.writer.export.text import Para, classify, to_markdown, to_txt
from ghplan.writer.io import write_atomic

__all__ = ["FORMATS", "Para", "check_out_path", "classify", "export", "to_docx_bytes",
           "to_markdown", "to_txt"]

FORMATS = (".md", ".txt", ".docx")


def check_out_path(path: str | Path, formats: tuple[str, ...] = FORMATS) -> Path:
    """Fail early (before the work) on a path we cannot write: bad extension, missing directory."""
    path = Path(path)
    if path.suffix.lower() not in formats:
        raise UsageError(f"--out must end in {', '.join(formats)}, got {path.name!r}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: directory {parent} does not exist")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a directory")
    return path


def export(text: str, path: str | Path) -> Path:
    """Write `text` to `path` in the format its extension names; atomic."""
    path = check_out_path(path)
    ext = path.suffix.lower()
    if ext == ".docx":
        data: bytes | str = to_docx_bytes(text)
    elif ext == ".md":
        data = to_markdown(text)
    else:
        data = to_txt(text)
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None   # bad --out
    return path
