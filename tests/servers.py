"""Real servers for the slow tests: a free loopback port, a process started on it, waited for
until it answers, and stopped afterwards (`ghplan serve` in test_serve_browser.py, `chroma run`
in test_chroma_server.py)."""
from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

import pytest


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; the server binds it right after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str, headers: dict[str, str] | None = None,
            ok: Callable[[bytes], bool] = lambda body: True) -> bool:
    """Whether `url` answers 200 with a body `ok` accepts (False while the server is starting)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2) as r:
            return r.status == 200 and ok(r.read())
    except OSError:
        return False


def json_status_ok(body: bytes) -> bool:
    try:
        return json.loads(body).get("status") == "ok"
    except ValueError:
        return False


@contextlib.contextmanager
def running(cmd: list[str], ready: Callable[[], bool], log: Path, seconds: float = 90,
            **popen) -> Iterator[subprocess.Popen]:
    """Start `cmd` (its output to `log`), wait until `ready()` or fail the test with the log's
    tail when it exits or times out; terminate it (then kill) on the way out."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, **popen)
    try:
        deadline = time.monotonic() + seconds
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                why = f"exited with {proc.returncode}" if proc.returncode is not None else "did not answer"
                pytest.fail(f"{Path(cmd[0]).name} {cmd[1]} {why}: {log.read_text(errors='replace')[-500:]}")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
