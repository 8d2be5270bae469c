"""The functions `@dataclass` writes, compiled once and kept on disk from one process to the next.

`@dataclass` writes the source of each class's __init__, __repr__, __eq__, __hash__ … and compiles
it with `exec` in every process: ~190 small compiles, ~25 ms of a 2 KB `ghplan review` and ~9 ms
of `ghplan --help`, against well under 1 ms to read the same code objects back (marshal, as .pyc
files keep code). `install()` (the CLI calls it first, beside corpus/regex_cache.py) gives
dataclasses an `exec` that runs the code object compiled from the very same source text before,
compiled as `exec` itself would (file "<string>", the future flags of dataclasses' own code), so
every generated function is what it would have been; a miss compiles and is added to the table,
saved at exit.

The file is named by the interpreter (full version, bytecode magic, optimisation level): another
Python never reads it. It carries a checksum; an unreadable, foreign or corrupt file is ignored and
rewritten, an unwritable folder is no error, an entry that does not load as code is compiled
afresh. A table grown past _MAX_ENTRIES is rewritten with this process's sources only. The file
is written readable by its owner only, and one another user owns or could write is not read: it
holds code this process runs.
"""
from __future__ import annotations

import __future__
import atexit
import hashlib
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

from ghplan.corpus.cache import cache_dir, private, write_atomic

_TAG = "ghplan-code-1"
_MAX_ENTRIES = 2000          # ~5 ms to load: every start pays for what the table holds
# the compiler flags `exec` passes on from the calling code: its __future__ features
_FUTURE_MASK = 0
for _name in __future__.all_feature_names:
    _FUTURE_MASK |= getattr(__future__, _name).compiler_flag


def interpreter_tag() -> str:
    """What stored code objects depend on: the interpreter, its bytecode magic, -O."""
    from importlib.util import MAGIC_NUMBER

    return hashlib.sha1(f"{_TAG} {sys.implementation.name} {sys.version} {MAGIC_NUMBER!r} "
                        f"{sys.flags.optimize}".encode()).hexdigest()[:16]


def table_path() -> Path:
    return cache_dir() / f"code-{interpreter_tag()}.marshal"


class CodeTable:
    """Code objects by the source text they were compiled from (with `flags`), read from and
    written to one file."""

    def __init__(self, path: Path, flags: int = 0):
        self.path = path
        self.flags = flags
        self.entries: dict[str, bytes] = self._read()
        self.used: set[str] = set()
        self.added = 0

    def _read(self) -> dict:
        try:
            with open(self.path, "rb") as f:
                if not private(os.fstat(f.fileno())):   # it holds code this process runs
                    return {}
                tag, flags, check, blob = marshal.loads(f.read())
            if tag == _TAG and flags == self.flags and hashlib.sha1(blob).hexdigest() == check:
                entries = marshal.loads(blob)
                if isinstance(entries, dict):
                    return entries
        except (OSError, EOFError, ValueError, TypeError):
            pass
        return {}

    def code(self, source: str) -> CodeType:
        """`compile(source, "<string>", "exec")` as `exec` does it, from the table when it holds
        this very source."""
        blob = self.entries.get(source)
        if blob is not None:
            try:
                code = marshal.loads(blob)
                if type(code) is CodeType:
                    self.used.add(source)
                    return code
            except (EOFError, ValueError, TypeError):
                pass
            del self.entries[source]                    # a damaged entry: compile afresh
        code = compile(source, "<string>", "exec", flags=self.flags, dont_inherit=True)
        self.entries[source] = marshal.dumps(code)
        self.used.add(source)
        self.added += 1
        return code

    def save(self) -> None:
        """Write the table when this process added to it: merged with what other processes wrote
        meanwhile, or only this process's sources when that grows past _MAX_ENTRIES."""
        if not self.added and len(self.entries) <= _MAX_ENTRIES:
            return                      # (a table grown past the cap elsewhere is cut back here)
        merged = {**self._read(), **self.entries}
        if len(merged) > _MAX_ENTRIES:
            merged = {k: self.entries[k] for k in self.used if k in self.entries}
        blob = marshal.dumps(merged)
        write_atomic(self.path, marshal.dumps((_TAG, self.flags, hashlib.sha1(blob).hexdigest(), blob)),
                     "code-*.marshal", mode=0o600)
        self.added = 0


_installed: dict[str, Any] = {}


def install() -> CodeTable | None:
    """Cache the code of dataclasses' generated functions for the rest of the process
    (idempotent); None when this dataclasses does not compile them through a module-level `exec`."""
    if "table" in _installed:
        return _installed["table"]
    import dataclasses

    create = getattr(dataclasses, "_create_fn", None)
    if create is None or "exec" not in create.__code__.co_names or hasattr(dataclasses, "exec"):
        return None
    table = CodeTable(table_path(), create.__code__.co_flags & _FUTURE_MASK)

    def cached_exec(source: Any, globals: Any = None, locals: Any = None, /, **kw: Any) -> None:
        if globals is None:         # as exec does: the calling code's namespaces (dataclasses' own)
            caller = sys._getframe(1)
            globals, locals = caller.f_globals, caller.f_locals if locals is None else locals
        if type(source) is str and not kw:
            source = table.code(source)
        exec(source, globals, locals, **kw)

    dataclasses.exec = cached_exec          # type: ignore[attr-defined] # shadows the builtin there only
    atexit.register(table.save)
    _installed["table"] = table
    return table
