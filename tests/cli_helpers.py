"""Run the real `ghplan` console script in a subprocess, as a user would."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

GHPLAN = str(Path(sys.executable).with_name("ghplan"))


@dataclass
class Run:
    code: int
    out: str
    err: str


def ghplan(*args: str, input: str | None = None, env: dict[str, str] | None = None,
           cwd: Path | None = None, timeout: float = 120) -> Run:
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", **(env or {})}
    p = subprocess.run([GHPLAN, *args], input=input, capture_output=True, text=True,
                       env=full_env, cwd=cwd, timeout=timeout)
    return Run(p.returncode, p.stdout, p.stderr)


def assert_one_line_error(run: Run, code: int | None = None) -> None:
    """The bad-input contract: non-zero exit, one clear line on stderr, no traceback."""
    assert run.code != 0
    if code is not None:
        assert run.code == code, (run.code, run.err)
    assert "Traceback" not in run.err
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, run.err
    assert lines[0].startswith("ghplan: error:"), lines[0]
