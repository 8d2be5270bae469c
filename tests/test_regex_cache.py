"""The on-disk table of compiled patterns (corpus/regex_cache.py): a pattern rebuilt from it is
the pattern re compiles (`==` on patterns compares their compiled code), and a damaged, foreign or
unwritable table never gives a wrong pattern or an error."""
from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ghplan.corpus import regex_cache
from ghplan.corpus.regex_cache import RegexTable

PATTERNS = [
    (r"(?P<year>20\d\d)年(?:度)?工作(计划|要点)", 0),
    (r"^[一二三四五六七八九十]+、\s*(?P<title>.+)$", re.M),
    (r"十[四五六]五|“十四五”", 0),
    (r"abc|ABC\b", re.I),
    (rb"\x00+(?P<run>\w{2,})", 0),
    (r"[\u4e00-\u9fff]{4,}(?=。)", re.S),
    (r"(a)(b)?(?:c)(?P<d>d)\2?", re.X | re.A),
]
TEXT = "2026年度工作计划\n一、 指导思想\n“十四五”时期 ABC abc 加强职工队伍建设。\nabd abbd"


@pytest.mark.parametrize("pattern,flags", PATTERNS)
def test_a_pattern_from_the_table_is_res_own(tmp_path, pattern, flags):
    first = RegexTable(tmp_path / "t.marshal")
    built = first.compile(pattern, flags)
    first.save()
    again = RegexTable(tmp_path / "t.marshal")
    assert (pattern, flags) in again.entries                     # read back from disk
    stored = again.compile(pattern, flags)
    fresh = re.compile(pattern, flags)
    assert built == fresh and stored == fresh                    # same compiled code
    assert stored.groupindex == fresh.groupindex and stored.groups == fresh.groups
    text = TEXT.encode("utf-8") if isinstance(pattern, bytes) else TEXT
    assert [m.span() for m in stored.finditer(text)] == [m.span() for m in fresh.finditer(text)]
    assert again.added == 0                                     # a hit, not a recompile


def test_a_bad_pattern_raises_res_error(tmp_path):
    with pytest.raises(re.error):
        RegexTable(tmp_path / "t.marshal").compile("(unclosed", 0)


@pytest.mark.parametrize("damage", ["truncated", "bad checksum", "not marshal", "wrong code"])
def test_a_damaged_table_is_ignored_and_rewritten(tmp_path, damage):
    path = tmp_path / "t.marshal"
    table = RegexTable(path)
    for p, f in PATTERNS:
        table.compile(p, f)
    table.save()
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "bad checksum":
        tag, check, blob = marshal.loads(data)
        path.write_bytes(marshal.dumps((tag, "0" * 40, blob)))
    elif damage == "not marshal":
        path.write_bytes(b"\xff\x00 nonsense")
    else:   # a well-formed entry whose code is not the pattern's: only the checksum can tell
        tag, check, blob = marshal.loads(data)
        entries = marshal.loads(blob)
        key = PATTERNS[2]
        flags_, code, groups, gi, ig = entries[key]
        entries[key] = (flags_, code[:-12] + bytes(8) + (1).to_bytes(4, sys.byteorder), groups, gi, ig)
        path.write_bytes(marshal.dumps((tag, check, marshal.dumps(entries))))
    again = RegexTable(path)
    assert again.entries == {}
    for p, f in PATTERNS:
        assert again.compile(p, f) == re.compile(p, f)
    again.save()
    assert len(RegexTable(path).entries) == len(PATTERNS)


def test_an_unwritable_folder_is_no_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    table = RegexTable(blocker / "sub" / "t.marshal")        # its folder cannot be made
    assert table.compile(*PATTERNS[0]) == re.compile(*PATTERNS[0])
    table.save()


def test_a_grown_table_keeps_only_this_process_patterns(tmp_path, monkeypatch):
    monkeypatch.setattr(regex_cache, "_MAX_ENTRIES", 3)
    path = tmp_path / "t.marshal"
    old = RegexTable(path)
    for i in range(3):
        old.compile(f"user text {i}", 0)
    old.save()
    now = RegexTable(path)
    for p, f in PATTERNS[:2]:
        now.compile(p, f)
    now.save()
    assert set(RegexTable(path).entries) == set(PATTERNS[:2])


def test_the_file_is_named_by_the_interpreter(tmp_path, monkeypatch):
    monkeypatch.setenv("GHPLAN_CACHE_DIR", str(tmp_path))
    name = regex_cache.table_path().name
    monkeypatch.setattr(sys, "version", sys.version + " other build")
    assert regex_cache.table_path().name != name


def test_cli_review_output_is_the_same_with_a_cold_and_a_warm_table(tmp_path):
    """Two real processes: the first compiles and writes the table, the second reads it."""
    plan = Path(__file__).parent / "fixtures" / "clean_hospital.txt"
    env = {**os.environ, "GHPLAN_CACHE_DIR": str(tmp_path / "cache")}
    cmd = [str(Path(sys.executable).with_name("ghplan")), "review", "--json", str(plan)]
    cold = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    tables = list((tmp_path / "cache").glob("regex-*.marshal"))
    assert len(tables) == 1 and len(RegexTable(tables[0]).entries) > 50
    warm = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert (cold.returncode, cold.stdout, cold.stderr) == (warm.returncode, warm.stdout, warm.stderr), warm.stderr
    assert '"findings"' in warm.stdout


def test_an_entry_whose_code_is_unusable_is_compiled_afresh(tmp_path):
    table = RegexTable(tmp_path / "t.marshal")
    key = PATTERNS[0]
    flags, code, groups, gi, ig = regex_cache._parts(*key)
    for bad in (code[:-1], [1, 2, 3], b"\xff" * 8):       # a ragged word, an old list, nonsense code
        table.entries[key] = (flags, bad, groups, gi, ig)
        assert table.compile(*key) == re.compile(*key)
        assert table.entries[key][1] == code                 # replaced by the right code


def test_a_code_word_past_32_bits_is_compiled_by_re_and_not_stored(tmp_path, monkeypatch):
    monkeypatch.setattr(regex_cache, "_WORD", "B")           # words of 8 bits: most codes overflow
    table = RegexTable(tmp_path / "t.marshal")
    assert table.compile(*PATTERNS[0]) == re.compile(*PATTERNS[0])
    assert table.entries == {}


@pytest.fixture
def fresh_install(monkeypatch, tmp_path):
    """install() as in a new process, undone afterwards (re's compiler restored)."""
    from re import _compiler

    monkeypatch.setattr(_compiler, "compile", _compiler.compile)
    monkeypatch.setattr(regex_cache, "_installed", {})
    monkeypatch.setattr(regex_cache.atexit, "register", lambda fn: None)
    monkeypatch.setenv("GHPLAN_CACHE_DIR", str(tmp_path))
    probes = []
    real = regex_cache._works
    monkeypatch.setattr(regex_cache, "_works", lambda: probes.append(1) or real())

    def install():
        _compiler.compile = regex_cache._installed.get("original", _compiler.compile)   # re's own again
        regex_cache._installed.clear()
        return regex_cache.install()
    return install, probes


def test_the_probe_runs_only_before_a_table_exists(fresh_install):
    """A table is written only where the probe passed, and its name pins the interpreter: a start
    that finds one skips the probe (~2 ms); one that finds none probes first."""
    install, probes = fresh_install
    table = install()
    assert table is not None and probes == [1]
    assert re.compile(r"probe\d+ skipped") == regex_cache._compiler_compile(r"probe\d+ skipped", 0)
    table.save()
    assert install() is not None and probes == [1]            # the table exists: no probe
    assert (r"probe\d+ skipped", 0) in regex_cache._installed["table"].entries


def test_no_table_and_a_failed_probe_installs_nothing(fresh_install, monkeypatch):
    from re import _compiler

    install, probes = fresh_install
    monkeypatch.setattr(regex_cache, "_works", lambda: False)
    before = _compiler.compile
    assert install() is None and _compiler.compile is before


def test_a_table_grown_elsewhere_is_cut_back_by_a_process_that_adds_nothing(tmp_path, monkeypatch):
    path = tmp_path / "t.marshal"
    big = RegexTable(path)
    for i in range(5):
        big.compile(f"user text {i}", 0)
    big.save()
    monkeypatch.setattr(regex_cache, "_MAX_ENTRIES", 3)
    now = RegexTable(path)
    now.compile("user text 1", 0)
    assert now.added == 0
    now.save()
    assert set(RegexTable(path).entries) == {("user text 1", 0)}


def test_the_table_is_private_and_one_others_could_write_is_not_read(tmp_path):
    path = tmp_path / "t.marshal"
    table = RegexTable(path)
    table.compile(*PATTERNS[0])
    table.save()
    assert path.stat().st_mode & 0o777 == 0o600 and len(RegexTable(path).entries) == 1
    path.chmod(0o664)
    assert RegexTable(path).entries == {}
