"""The on-disk cache: what every process would otherwise rebuild at its start.

Kept in $XDG_CACHE_HOME/ghplan (~/.cache/ghplan), or $GHPLAN_CACHE_DIR when set (the tests point
it at a folder of their own). Holds the bundled corpus's copy index (writer/review/copycheck.py),
tables built from the interpreter's own data (`memo`: normalize.py's NFKC map) and the parsed
bundled TOML files: tomllib takes ~25 ms a process for the rule and review data (boilerplate.toml,
dated.toml, review.toml …), marshal ~1 ms. Every file is named by a hash of
what it was made from, sealed with that tag and a checksum (`write_sealed`: one format for all
of them, the compiled regex table included), written atomically, and rebuilt, never trusted,
when unreadable; a cache that cannot be written is no error.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

_TOML_TAG = ("ghplan-toml", 1)


def cache_dir() -> Path:
    """$GHPLAN_CACHE_DIR, else $XDG_CACHE_HOME/ghplan, else ~/.cache/ghplan."""
    if os.environ.get("GHPLAN_CACHE_DIR"):
        return Path(os.environ["GHPLAN_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ghplan"


def private(st: os.stat_result) -> bool:
    """A cached file this user owns and no one else can write: what may be read back as code or
    compiled patterns (GHPLAN_CACHE_DIR may name a shared folder; checksums only catch damage)."""
    if not hasattr(os, "getuid"):           # pragma: no cover - no POSIX owners here
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def write_atomic(path: Path, data: bytes, replaces: str = "", mode: int | None = None) -> None:
    """Write `data` to `path` through a temporary file and a rename (with permissions `mode`,
    set before the rename, when given); then drop the older files of the same kind (the glob
    `replaces` in the same folder). Failures are ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
        for old in path.parent.glob(replaces) if replaces else ():
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def load_toml(name: str, text: str) -> dict:
    """tomllib.loads(text) for a bundled file called `name`, read from the cache when this very
    text was parsed before; a fresh copy for every caller."""
    blob = toml_blob(name, text)
    if blob is not None:
        try:
            return marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            pass
    import tomllib   # here, not at the top: a warm cache never parses (~7 ms of every start)

    return tomllib.loads(text)


def read_sealed(path: Path, tag: Any, *, private_only: bool = False) -> bytes | None:
    """The blob `write_sealed` stored at `path` under `tag`; None when the file is missing,
    unreadable, damaged (checksum), made under another tag, or (`private_only`: compiled code read
    back) not `private`. The caller unmarshals the blob itself, when and as often as it needs."""
    try:
        with open(path, "rb") as f:
            if private_only and not private(os.fstat(f.fileno())):
                return None
            stored, check, blob = marshal.loads(f.read())
        if stored == tag and isinstance(blob, bytes) and hashlib.sha1(blob).hexdigest() == check:
            return blob
    except (OSError, EOFError, ValueError, TypeError):
        pass
    return None


def write_sealed(path: Path, tag: Any, blob: bytes, replaces: str = "", mode: int | None = None) -> None:
    """Store a marshal `blob` at `path` with its `tag` and checksum (see `write_atomic`)."""
    write_atomic(path, marshal.dumps((tag, hashlib.sha1(blob).hexdigest(), blob)), replaces, mode)


def _digest(kind: Any, key: str) -> str:
    """What a cached value is named and tagged by: its kind, the Python (marshal's format), its key."""
    return hashlib.sha1(f"{kind} {sys.version_info[:2]}\0{key}".encode("utf-8")).hexdigest()


@lru_cache(maxsize=16)
def toml_blob(name: str, text: str) -> bytes | None:
    """The parsed `text` as a marshal blob, from cache_dir()/toml-<name>-<hash>.marshal or parsed
    and written there; None when it holds a TOML date or time (not marshal-able)."""
    digest = _digest(_TOML_TAG, text)
    stem = Path(name).stem
    path = cache_dir() / f"toml-{stem}-{digest[:24]}.marshal"
    blob = read_sealed(path, digest)
    if blob is not None:
        return blob
    import tomllib

    try:
        blob = marshal.dumps(tomllib.loads(text))
    except ValueError:
        return None
    write_sealed(path, digest, blob, f"toml-{stem}-*.marshal")
    return blob


def memo(kind: str, key: str, build: Callable[[], Any]) -> Any:
    """`build()` (a marshal-able value), read from cache_dir()/<kind>-<hash of key>.marshal when
    a process with this very `key` built it before; `key` must name everything the value depends
    on. An unreadable or damaged file is rebuilt, an unwritable folder is no error."""
    digest = _digest(kind, key)
    path = cache_dir() / f"{kind}-{digest[:24]}.marshal"
    blob = read_sealed(path, digest)
    if blob is not None:
        try:
            return marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            pass
    value = build()
    write_sealed(path, digest, marshal.dumps(value), f"{kind}-*.marshal")
    return value


def bundled(package: str) -> Any:
    """Where a ghplan package's data files are (a Traversable: `.joinpath(name).read_text()`):
    the folder of its __init__.py when that is an ordinary file, which is what
    importlib.resources.files gives there too; else (a zip, a namespace) importlib.resources.files
    itself, whose first call imports its readers and zipfile (~3-5 ms of a review)."""
    import importlib

    spec = importlib.import_module(package).__spec__
    origin = spec.origin if spec is not None and spec.has_location else None
    if origin and os.path.basename(origin) == "__init__.py" and os.path.isfile(origin):
        return Path(origin).parent
    from importlib import resources

    return resources.files(package)
