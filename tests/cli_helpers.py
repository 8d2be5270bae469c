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


def without_progress(run: Run) -> Run:
    """The run with draft's progress lines ("[2/7] writing: …", "[repair] …") taken out of
    stderr: a model that fails mid-draft still ends in one error line after them."""
    err = "".join(line for line in run.err.splitlines(keepends=True) if not line.startswith("["))
    return Run(run.code, run.out, err)


def ghplan_inprocess(argv: list[str], *, env: dict[str, str | None] | None = None,
                     cwd: Path | None = None, stdin: bytes | None = None) -> Run:
    """Run `ghplan ARGV` inside the test process, through the same entry logic as the console
    script (`ghplan.writer.cli.invoke`: one-line errors, exit codes, the internal-error line), with
    typer's CliRunner isolating stdin, stdout, stderr and the environment. For argument
    validation and one-line usage errors: ~ms instead of a ~1 s interpreter start. `env` holds
    overrides (None removes a variable); `cwd` is entered for the run."""
    from typer.testing import CliRunner

    from ghplan.writer import cli

    old_cwd = os.getcwd()
    runner = CliRunner()
    with runner.isolation(input=stdin if stdin is not None else b"", env=env or {}) as (out, err, _):
        try:
            if cwd is not None:
                os.chdir(cwd)
            try:
                code = cli.invoke(list(argv))
            except SystemExit as exc:     # nothing below invoke() may exit the process itself
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            os.chdir(old_cwd)
            sys.stdout.flush()
            sys.stderr.flush()
        return Run(code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"))
