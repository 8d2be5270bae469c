"""Compiled regular expressions kept on disk from one process to the next.

Python compiles every pattern anew in each process: parsing and code generation were ~75–95 ms of
a ~350 ms 2 KB `ghplan review` (the rule catalogue's ~180 patterns and the modules' own), against
~1 ms to rebuild the same patterns from the code CPython generated the time before. `install()`
(the CLI calls it before anything else) puts a table in front of re's compiler for the process:
a hit hands the stored code to `_sre.compile`, as `re._compiler.compile` itself ends, so the
pattern equals a fresh one (`==` on patterns compares their compiled code); a miss compiles as
usual and is added to the table, saved at exit.

The file is named by the interpreter (full version, sre magic): another Python never reads it.
It carries a checksum; an unreadable, foreign or corrupt file is ignored and rewritten, an
unwritable folder is no error; it is written readable by its owner only, and one another user
owns or could write is not read. A table grown past _MAX_ENTRIES (patterns made from user text) is
rewritten with this process's patterns only. Where this Python's re internals differ from what
`_parts` expects (checked on a probe when there is no table yet: a table exists only where the
probe passed, and its name pins the interpreter), nothing is installed.

Each pattern's code is stored as one bytes object of 32-bit words, made a list on a hit: the
table loads as a few objects per pattern, not one int object per code word (~11 ms → ~2 ms for
800 patterns, paid by every command).
"""
from __future__ import annotations

import atexit
import hashlib
import marshal
import re
import sys
from pathlib import Path
from typing import Any, Callable

from ghplan.corpus.cache import cache_dir, read_sealed, write_sealed

_TAG = "ghplan-regex-2"          # 2: code as bytes of 32-bit words
_MAX_ENTRIES = 2000          # ~5 ms to load: every start pays for what the table holds
_SKIP_FLAGS = re.DEBUG | re.LOCALE       # DEBUG prints while compiling; LOCALE: leave to re
_PROBE = (r"(?P<year>20\d\d)年(?:工作)?[计计]划|(?i:abc)\b[一-龥]{2,}", 0)

try:                                     # CPython 3.11+: the pieces re._compiler.compile uses
    import _sre
    from re import _compiler, _parser
except ImportError:                      # pragma: no cover - another implementation
    _sre = _compiler = _parser = None    # type: ignore[assignment]


def interpreter_tag() -> str:
    """What the stored code depends on: the interpreter's version and its sre magic."""
    magic = getattr(_sre, "MAGIC", None)
    return hashlib.sha1(f"{_TAG} {sys.implementation.name} {sys.version} {magic}".encode()).hexdigest()[:16]


def table_path() -> Path:
    return cache_dir() / f"regex-{interpreter_tag()}.marshal"


_WORD = "I"          # the code words as stored: C unsigned int, 32 bits where this cache is used


def _parts(pattern: str | bytes, flags: int) -> tuple:
    """What re._compiler.compile hands to _sre.compile for `pattern`: flags, code (as bytes of
    32-bit words), groups, groupindex, indexgroup (marshal-able)."""
    from array import array

    p = _parser.parse(pattern, flags)
    code = array(_WORD, [int(c) for c in _compiler._code(p, flags)]).tobytes()
    groupindex = dict(p.state.groupdict)
    indexgroup: list[Any] = [None] * p.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    return int(flags | p.state.flags), code, p.state.groups - 1, groupindex, tuple(indexgroup)


def _build(pattern: str | bytes, parts: tuple) -> re.Pattern:
    flags, code, groups, groupindex, indexgroup = parts
    return _sre.compile(pattern, flags, memoryview(code).cast(_WORD).tolist(), groups, groupindex,
                        indexgroup)


class RegexTable:
    """Stored compiled code by (pattern, flags), read from and written to one file."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[tuple, tuple] = self._read()
        self.used: set[tuple] = set()
        self.added = 0

    def _read(self) -> dict:
        # compiled code another user could have written is not read back
        blob = read_sealed(self.path, _TAG, private_only=True)
        try:
            entries = marshal.loads(blob) if blob is not None else {}
        except (EOFError, ValueError, TypeError):
            return {}
        return entries if isinstance(entries, dict) else {}

    def compile(self, pattern: str | bytes, flags: int = 0) -> re.Pattern:
        """The compiled pattern, from the table when it holds this very pattern."""
        key = (pattern, int(flags))
        parts = self.entries.get(key)
        if parts is not None:
            try:
                compiled = _build(pattern, parts)
                self.used.add(key)
                return compiled
            except (TypeError, ValueError, RuntimeError):     # a damaged entry: compile afresh
                del self.entries[key]
        try:
            parts = _parts(pattern, int(flags))
        except OverflowError:           # a code word past 32 bits: compile as re does, store nothing
            return _compiler_compile(pattern, flags)
        compiled = _build(pattern, parts)
        self.entries[key] = parts
        self.used.add(key)
        self.added += 1
        return compiled

    def save(self) -> None:
        """Write the table when this process added to it: merged with what other processes wrote
        meanwhile, or only this process's patterns when that grows past _MAX_ENTRIES."""
        if not self.added and len(self.entries) <= _MAX_ENTRIES:
            return                      # (a table grown past the cap elsewhere is cut back here)
        merged = {**self._read(), **self.entries}
        if len(merged) > _MAX_ENTRIES:
            merged = {k: self.entries[k] for k in self.used if k in self.entries}
        write_sealed(self.path, _TAG, marshal.dumps(merged), "regex-*.marshal", mode=0o600)
        self.added = 0


def _works() -> bool:
    """This Python's re internals build, from `_parts`, a pattern equal to re's own."""
    try:
        pattern, flags = _PROBE
        built = _build(pattern, _parts(pattern, flags))
        fresh = _compiler_compile(pattern, flags)
        return built == fresh and built.groupindex == fresh.groupindex and built.groups == fresh.groups
    except Exception:  # noqa: BLE001 - any surprise means: leave re alone
        return False


_installed: dict[str, Any] = {}


def _compiler_compile(pattern: str | bytes, flags: int) -> re.Pattern:
    """re's own compile, whether or not the table is installed in front of it."""
    return _installed.get("original", _compiler.compile)(pattern, flags)


def install() -> RegexTable | None:
    """Cache compiled patterns for the rest of the process (idempotent); None when this Python
    cannot, or the cache folder is unusable."""
    if "table" in _installed:
        return _installed["table"]
    if _compiler is None or memoryview(b"").cast(_WORD).itemsize != 4:
        return None
    table = RegexTable(table_path())
    if not table.entries and not _works():
        return None
    original: Callable = _compiler.compile
    _installed["original"] = original

    def cached_compile(p: Any, flags: int = 0) -> Any:
        if not isinstance(p, (str, bytes)) or flags & _SKIP_FLAGS:
            return original(p, flags)
        return table.compile(p, flags)

    _compiler.compile = cached_compile
    atexit.register(table.save)
    _installed["table"] = table
    return table
