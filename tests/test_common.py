"""write_atomic: whole files or none, with sensible permissions."""
from __future__ import annotations

import os

import pytest
from ghplan.writer.io import write_atomic



def test_new_file_gets_umask_default_and_existing_file_keeps_its_mode(tmp_path):
    mask = os.umask(0o022)
    try:
        new = tmp_path / "plan.txt"
        write_atomic(new, "一、指导思想\n")
        assert new.stat().st_mode & 0o777 == 0o644
        assert new.read_text("utf-8") == "一、指导思想\n"
        new.chmod(0o600)
        write_atomic(new, "二、工作目标\n")
        assert new.stat().st_mode & 0o777 == 0o600
        assert new.read_text("utf-8") == "二、工作目标\n"
    finally:
        os.umask(mask)


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "plan.txt"
    target.write_text("old", "utf-8")

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.txt"]
