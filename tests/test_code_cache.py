"""The on-disk table of dataclasses' generated code (corpus/code_cache.py): a class made through
it has the very functions `@dataclass` makes without it, cold or warm, and a damaged, foreign or
unwritable table never gives wrong code or an error."""
from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ghplan.corpus import code_cache
from ghplan.corpus.code_cache import CodeTable

CLASSES = '''
import dataclasses
from dataclasses import InitVar, dataclass, field
from typing import ClassVar

@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int = 0
    label: str = field(default="", compare=False)

@dataclass(slots=True, kw_only=True)
class Options:
    names: list = field(default_factory=list)
    limit: int = 3
    seen: InitVar[int] = 0
    KIND: ClassVar[str] = "options"
    def __post_init__(self, seen):
        self.limit += seen

@dataclass(eq=False, repr=False)
class Plain:
    x: int

@dataclass(unsafe_hash=True)
class Hashed:
    a: tuple
    b: "str" = "b"
'''


def _classes() -> dict:
    import types

    module = types.ModuleType("made_by_test_code_cache")      # string annotations look it up
    sys.modules[module.__name__] = module
    try:
        exec(compile(CLASSES, "<made>", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return {k: v for k, v in vars(module).items() if isinstance(v, type) and dataclasses.is_dataclass(v)}


def _functions(cls) -> dict:
    return {k: v.__code__ for k, v in vars(cls).items() if hasattr(v, "__code__")}


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """install() as in a new process (cache in tmp_path), dataclasses' exec restored afterwards."""
    monkeypatch.setenv("GHPLAN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(code_cache, "_installed", {})
    monkeypatch.setattr(code_cache.atexit, "register", lambda fn: None)

    def install():
        if hasattr(dataclasses, "exec"):
            monkeypatch.delattr(dataclasses, "exec")
        code_cache._installed.clear()
        return code_cache.install()
    yield install
    if hasattr(dataclasses, "exec"):
        del dataclasses.exec


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        fa, fb = _functions(a[name]), _functions(b[name])
        assert fa.keys() == fb.keys() and fa
        for ca, cb in zip(fa.values(), fb.values()):
            assert ca == cb and ca.co_filename == cb.co_filename and ca.co_flags == cb.co_flags


def test_classes_made_through_the_table_are_dataclasses_own(installed):
    plain = _classes()
    table = installed()
    assert table is not None and table.entries == {}
    cold = _classes()
    made = table.added
    assert made > 10
    table.save()
    warm_table = installed()
    assert len(warm_table.entries) == made
    warm = _classes()
    assert warm_table.added == 0 and len(warm_table.used) == made            # every function a hit
    _same(plain, cold)
    _same(plain, warm)
    s = warm["Span"](1, 2, "x")
    assert (s < warm["Span"](2), s == warm["Span"](1, 2, "y"), repr(s)) == (True, True, "Span(start=1, end=2, label='x')")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.start = 3
    o = warm["Options"](limit=1, seen=2)
    assert (o.limit, o.names, hasattr(o, "__dict__")) == (3, [], False)
    assert hash(warm["Hashed"]((1,))) == hash(((1,), "b"))


@pytest.mark.parametrize("damage", ["truncated", "bad checksum", "not marshal", "other flags", "entry not code"])
def test_a_damaged_table_is_ignored_and_rewritten(tmp_path, damage):
    path = tmp_path / "t.marshal"
    table = CodeTable(path)
    sources = [f"def __create_fn__():\n def f{i}(self): return {i}\n return f{i}" for i in range(4)]
    for src in sources:
        table.code(src)
    table.save()
    data = path.read_bytes()
    tag, flags, check, blob = marshal.loads(data)
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "bad checksum":
        path.write_bytes(marshal.dumps((tag, flags, "0" * 40, blob)))
    elif damage == "not marshal":
        path.write_bytes(b"\xff\x00 nonsense")
    elif damage == "other flags":          # written for code with other __future__ features
        path.write_bytes(marshal.dumps((tag, flags | 0x1000000, check, blob)))
    again = CodeTable(path)
    if damage == "entry not code":         # a well-formed table whose entry is no code object
        assert len(again.entries) == len(sources)
        again.entries[sources[0]] = marshal.dumps(("not", "code"))
        again.entries[sources[1]] = b"\x00garbage"
    else:
        assert again.entries == {}
    for i, src in enumerate(sources):
        ns: dict = {}
        exec(again.code(src), {}, ns)
        assert again.code(src) == compile(src, "<string>", "exec", dont_inherit=True)
        assert ns["__create_fn__"]()(None) == i
    again.save()
    assert len(CodeTable(path).entries) == len(sources)


def test_an_unwritable_folder_is_no_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    table = CodeTable(blocker / "sub" / "t.marshal")
    assert table.code("x = 1") == compile("x = 1", "<string>", "exec", dont_inherit=True)
    table.save()


def test_a_grown_table_keeps_only_this_process_sources(tmp_path, monkeypatch):
    monkeypatch.setattr(code_cache, "_MAX_ENTRIES", 3)
    path = tmp_path / "t.marshal"
    old = CodeTable(path)
    for i in range(3):
        old.code(f"x = {i}")
    old.save()
    now = CodeTable(path)
    now.code("y = 1")
    now.code("y = 2")
    now.save()
    assert set(CodeTable(path).entries) == {"y = 1", "y = 2"}


def test_the_file_is_named_by_the_interpreter(tmp_path, monkeypatch):
    monkeypatch.setenv("GHPLAN_CACHE_DIR", str(tmp_path))
    name = code_cache.table_path().name
    monkeypatch.setattr(sys, "version", sys.version + " other build")
    assert code_cache.table_path().name != name


def test_a_review_prints_the_same_with_a_cold_and_a_warm_table(tmp_path):
    """Two real processes: the first compiles and writes the table, the second reads it."""
    plan = Path(__file__).parent / "fixtures" / "clean_school.txt"
    env = {**os.environ, "GHPLAN_CACHE_DIR": str(tmp_path / "cache")}
    cmd = [str(Path(sys.executable).with_name("ghplan")), "review", "--json", str(plan)]
    cold = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    tables = list((tmp_path / "cache").glob("code-*.marshal"))
    assert len(tables) == 1 and len(CodeTable(tables[0]).entries) > 50
    warm = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert (cold.returncode, cold.stdout, cold.stderr) == (warm.returncode, warm.stdout, warm.stderr), warm.stderr
    assert '"findings"' in warm.stdout


def test_a_table_grown_elsewhere_is_cut_back_by_a_process_that_adds_nothing(tmp_path, monkeypatch):
    """Every start reads the whole table: one over the cap (a test run's thousands of classes) is
    rewritten with what the next process uses, even when it compiles nothing new."""
    path = tmp_path / "t.marshal"
    big = CodeTable(path)
    for i in range(5):
        big.code(f"x = {i}")
    big.save()
    monkeypatch.setattr(code_cache, "_MAX_ENTRIES", 3)
    now = CodeTable(path)
    now.code("x = 1")
    assert now.added == 0
    now.save()
    assert set(CodeTable(path).entries) == {"x = 1"}


def test_the_table_is_private_and_one_others_could_write_is_not_read(tmp_path):
    """The table holds code the process runs: written 0600, and not read when group or others may
    write it (a GHPLAN_CACHE_DIR in a shared folder)."""
    path = tmp_path / "t.marshal"
    table = CodeTable(path)
    table.code("x = 1")
    table.save()
    assert path.stat().st_mode & 0o777 == 0o600
    assert set(CodeTable(path).entries) == {"x = 1"}
    for mode in (0o620, 0o602, 0o666):
        path.chmod(mode)
        assert CodeTable(path).entries == {}
    if os.getuid() == 0:                     # root can hand the file to another user
        path.chmod(0o600)
        os.chown(path, 4242, -1)
        assert CodeTable(path).entries == {}
