"""How long `ghplan draft` takes to give up on a model endpoint that hangs, with --timeout.

    python bench/bench_timeout.py [--timeouts 1,3,10]

A local fake endpoint (tests/fake_openai.py, 127.0.0.1 only) answers the outline at once and then
never answers a section within a minute. Per timeout: when the hanging request was sent (after
the console script's start-up and the outline), when the command exited, the exit code (3) and
its progress and error lines. Before --timeout, the only bound was the default 60 s per request.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_openai import FakeOpenAI, completion  # noqa: E402

GHPLAN = str(Path(sys.executable).with_name("ghplan"))


def run(timeout: float) -> None:
    start = time.perf_counter()
    sent: list[float] = []

    def respond(body: dict, headers: dict) -> dict:
        if headers.get("x-ghplan-request") == "outline":
            return {"body": completion("一、指导思想\n二、工作目标\n三、主要工作\n四、保障措施")}
        sent.append(time.perf_counter() - start)
        return {"delay": 60, "body": completion("太迟了")}

    with FakeOpenAI(responder=respond) as srv:
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "OPENAI_API_KEY": "sk-bench-000000",
               "OPENAI_BASE_URL": srv.base_url, "GHPLAN_LANG": "zh"}
        p = subprocess.run([GHPLAN, "draft", "--org", "某县人民医院工会", "--type", "医院", "--year", "2027",
                            "--no-retrieve", "--timeout", str(timeout)], capture_output=True, text=True, env=env)
        done = time.perf_counter() - start
    first = sent[0] if sent else float("nan")
    print(f"--timeout {timeout:g}: hanging request sent at {first:.2f} s, exit {p.returncode} at {done:.2f} s "
          f"({done - first:.2f} s after it)")
    for line in p.stderr.splitlines():
        print(f"    {line}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeouts", default="1,3,10")
    for t in ap.parse_args().timeouts.split(","):
        run(float(t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
