"""CI's short run of the coverage-guided fuzzer (tests/fuzz/fuzz_engine.py has the README).

Skipped when atheris is not installed (it is not a ghplan dependency). The budget is
GHPLAN_FUZZ_CI_SECONDS (default 10); a longer run is by hand: `python tests/fuzz/fuzz_engine.py`.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

SCRIPT = Path(__file__).with_name("fuzz_engine.py")


@pytest.mark.slow
def test_fuzz_the_engine_for_a_short_budget(tmp_path):
    seconds = int(os.environ.get("GHPLAN_FUZZ_CI_SECONDS", "10"))
    p = subprocess.run([sys.executable, str(SCRIPT), f"-max_total_time={seconds}"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=seconds + 120)
    crashes = sorted(tmp_path.glob("crash-*")) + sorted(tmp_path.glob("timeout-*")) + sorted(tmp_path.glob("oom-*"))
    detail = "\n".join(f"{c.name}: {c.read_bytes()[:300]!r}" for c in crashes)
    assert p.returncode == 0 and not crashes, f"{detail}\n{p.stderr[-3000:]}"
    assert "Done" in p.stderr and " runs in " in p.stderr, p.stderr[-2000:]


def test_the_fuzz_target_checks_its_invariants():
    """The target is not vacuous: a broken invariant in the engine is a crash it reports."""
    code = (
        "import sys; sys.argv = ['x']\n"
        f"sys.path.insert(0, {str(SCRIPT.parent)!r})\n"
        "import fuzz_engine as fe\n"
        "import ghplan.corpus.rules.engine as eng\n"
        "real = eng.Catalogue.scan\n"
        "def bad(self, text, *a, **k):\n"
        "    fs = real(self, text, *a, **k)\n"
        "    return list(reversed(fs))\n"            # offsets no longer sorted
        "eng.Catalogue.scan = bad\n"
        "try:\n"
        "    fe.TestOneInput(b'\\x00\\x15\\x00' + '以下是小编整理的20xx年计划，希望对大家有所帮助。xxx工会'.encode())\n"
        "except AssertionError:\n"
        "    print('CAUGHT')\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "CAUGHT" in p.stdout, p.stdout + p.stderr[-2000:]
