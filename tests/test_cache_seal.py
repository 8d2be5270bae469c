"""corpus/cache.py's one sealed format (tag + checksum + marshal blob), which the TOML cache,
`memo` and the compiled regex table all use: what it refuses to hand back."""
from __future__ import annotations

import marshal
import os

import pytest

from ghplan.corpus.cache import read_sealed, write_sealed


def test_a_sealed_blob_reads_back_under_its_tag_only(tmp_path):
    path = tmp_path / "x.marshal"
    blob = marshal.dumps({"a": [1, 2]})
    write_sealed(path, "tag-1", blob)
    assert read_sealed(path, "tag-1") == blob
    assert read_sealed(path, "tag-2") is None            # made from something else
    assert read_sealed(tmp_path / "missing.marshal", "tag-1") is None


@pytest.mark.parametrize("damage", ["checksum", "truncated", "not marshal", "not a blob"])
def test_a_damaged_file_is_not_read(tmp_path, damage):
    path = tmp_path / "x.marshal"
    write_sealed(path, "t", marshal.dumps([1, 2, 3]))
    tag, check, blob = marshal.loads(path.read_bytes())
    path.write_bytes({"checksum": marshal.dumps((tag, "0" * 40, blob)),
                      "truncated": path.read_bytes()[:-3],
                      "not marshal": b"\xff\x00 not marshal",
                      "not a blob": marshal.dumps((tag, check, [1, 2, 3]))}[damage])
    assert read_sealed(path, "t") is None


def test_write_replaces_older_files_of_its_kind(tmp_path):
    old = tmp_path / "kind-old.marshal"
    write_sealed(old, "t", marshal.dumps(1))
    new = tmp_path / "kind-new.marshal"
    write_sealed(new, "t", marshal.dumps(2), "kind-*.marshal")
    assert not old.exists() and read_sealed(new, "t") == marshal.dumps(2)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
def test_private_only_refuses_a_file_others_can_write(tmp_path):
    path = tmp_path / "x.marshal"
    write_sealed(path, "t", marshal.dumps(1), mode=0o600)
    assert read_sealed(path, "t", private_only=True) == marshal.dumps(1)
    os.chmod(path, 0o666)
    assert read_sealed(path, "t", private_only=True) is None
    assert read_sealed(path, "t") == marshal.dumps(1)     # data that is not code: still read
