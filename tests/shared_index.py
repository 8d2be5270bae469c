"""One small index per test session, built through the real CLI and shared by the modules that
need an existing index to damage, kill builds over, or check is still intact
(test_bad_input_matrix.py, test_crash_safety.py). An index build loads the embedding model and
embeds ~25 chunks: 10–15 s, paid once. Modules that change the index work on a copy."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.cli_helpers import GHPLAN

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("school", "enterprise")          # two clean plans from tests/fixtures


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a user with no key, no server and data dirs inside `tmp`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "GHPLAN_")) or k == "GHPLAN_FUZZ_CI_SECONDS"}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
                "XDG_DATA_HOME": str(tmp / "xdg"), "XDG_CACHE_HOME": str(tmp / "cache"), **extra})
    return env


def session_index(tmp_path_factory) -> dict:
    """{"pages", "store", "collection", "chunks"} of the session's index (built on first use).
    Treat "store" as read-only; copy it with copy_store() to change it."""
    root = tmp_path_factory.getbasetemp() / "shared-index"
    info = root / "info.json"
    if not info.is_file():
        shutil.rmtree(root, ignore_errors=True)
        pages = root / "pages"
        pages.mkdir(parents=True)
        for t in PAGES:
            shutil.copy(ROOT / "tests" / "fixtures" / f"clean_{t}.txt", pages / f"{t}.txt")
        store = root / "index"
        p = subprocess.run([GHPLAN, "index", "build", "--corpus", str(pages), "--no-seeds", "--store", str(store),
                            "--year", "2027", "--json"], capture_output=True, text=True, cwd=root,
                           env=clean_env(root), timeout=600)
        assert p.returncode == 0, p.stderr[-3000:]
        rep = json.loads(p.stdout)
        info.write_text(json.dumps({"pages": str(pages), "store": str(store),
                                    "collection": rep["collection"], "chunks": rep["chunks"]}), "utf-8")
    return json.loads(info.read_text("utf-8"))


def copy_store(index: dict, dest: Path) -> Path:
    shutil.copytree(index["store"], dest)
    return dest
