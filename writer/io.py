"""Files in and out at the library's edge: documents read as text, outputs written whole or not at all."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ghplan.corpus.decode import DecodeError
from ghplan.corpus.read import ReadResult
from ghplan.corpus.read import read_document as _read
from ghplan.writer.errors import UsageError


def read_document(path: Path | str) -> ReadResult:
    """A document the user has (.txt/.md in UTF-8 or GB18030, .docx, .pdf with text; a legacy
    .doc/.wps through LibreOffice when it is installed) as text with its blocks; anything
    unreadable is a one-line UsageError. `.text` and `.encoding` are what they always were."""
    try:
        return _read(path)
    except DecodeError as exc:
        raise UsageError(str(exc)) from None


def write_atomic(path: Path | str, data: bytes | str) -> None:
    """Write to a temp file beside `path`, fsync, then rename: never a half-written file.

    The result has the permissions the file already had, or the umask default for a new file
    (mkstemp's private 0600 would make a shared plan unreadable to colleagues)."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
