"""Bytes to text: UTF-8, else GB18030 (a superset of GBK and GB2312); anything else is an error."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Magic numbers of files that people hand us by mistake instead of plain text.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP container (a .docx/.xlsx file?)"),
    (b"%PDF", "a PDF file"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x7fELF", "an executable"),
)


class DecodeError(ValueError):
    """Input that is not readable text; the message is one line for the user."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def decode_bytes(data: bytes, source: str = "input") -> Decoded:
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise DecodeError(f"{source}: this is {what}, not a text file; save it as UTF-8 text first")
    if b"\x00" in data[:8192]:
        raise DecodeError(f"{source}: binary data (NUL bytes), not a text file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return Decoded(text.replace("\r\n", "\n").replace("\r", "\n"), "utf-8" if encoding == "utf-8-sig" else encoding)
    raise DecodeError(f"{source}: neither UTF-8 nor GB18030 text; convert it to UTF-8")


def read_bytes(path: Path | str) -> bytes:
    """A file's bytes; a missing file, a directory or an unreadable one is a one-line DecodeError."""
    p = Path(path)
    if p.is_dir():
        raise DecodeError(f"{path}: is a directory, not a file")
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise DecodeError(f"{path}: no such file") from None
    except PermissionError:
        raise DecodeError(f"{path}: permission denied") from None
    except OSError as exc:
        raise DecodeError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_text(path: Path | str) -> Decoded:
    """Read a file as text; every failure is a DecodeError with one clear line."""
    p = Path(path)
    decoded = decode_bytes(read_bytes(p), str(p))
    if not decoded.text.strip():
        raise DecodeError(f"{p}: the file is empty")
    return decoded
