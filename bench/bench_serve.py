"""`ghplan serve` warm against the cold CLI (issue 15): an offline draft with retrieval through
the API (p50 of --runs after one warm-up) next to a cold `ghplan draft --backend offline` (a new
process each run, the same index), and review latency through the API for a ~2 KB plan.

    python bench/bench_serve.py [--store DIR] [--runs 10] [--reviews 50]

Without --store it builds the seeds index into a temporary store first (`ghplan index build`).
The server is the real command (`ghplan serve --store …`) on a free local port, called over HTTP.
Target: warm offline draft with retrieval <= 1 s.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
BIN = Path(sys.executable).with_name("ghplan")
DRAFT = {"org": "某市第一人民医院工会", "type": "hospital", "year": 2027, "backend": "offline"}
# about 2 KB of plan (UTF-8), written for this bench, with a stale reference and a heading gap
PARA = ("围绕医院改革发展大局，组织开展劳动竞赛和技能比武，关心一线医务人员身心健康，"
        "办好职工之家和爱心驿站，做好困难职工帮扶和金秋助学工作。")
REVIEW_TEXT = ("某市第一人民医院工会2027年工作计划\n一、指导思想\n深入学习贯彻党的十九大精神。\n"
               "二、工作目标\n" + PARA * 3 + "\n四、主要任务\n" + PARA * 4 + "\n五、保障措施\n" + PARA * 2 + "\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _p50(xs: list[float]) -> float:
    return statistics.median(xs)


def start_server(store: Path, env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    t = time.perf_counter()
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--store", str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if "http://" not in line:
        proc.kill()
        sys.exit(f"ghplan serve did not start: {line}{proc.stderr.read()[-800:]}")
    print(f"ghplan serve started (index, ONNX query model, rules warm) in {time.perf_counter() - t:.2f} s")
    return proc, f"http://127.0.0.1:{port}"


def timed_post(http: httpx.Client, path: str, body: dict) -> tuple[float, dict]:
    t = time.perf_counter()
    r = http.post(path, json=body)
    dt = time.perf_counter() - t
    if r.status_code != 200:
        sys.exit(f"{path} answered {r.status_code}: {r.text[:300]}")
    return dt, r.json()


def cold_draft(store: Path, env: dict, runs: int, out: Path) -> list[float]:
    cmd = [str(BIN), "draft", "--org", DRAFT["org"], "--type", DRAFT["type"], "--year", str(DRAFT["year"]),
           "--backend", "offline", "--out", str(out)]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, env={**env, "GHPLAN_STORE": str(store)})
        times.append(time.perf_counter() - t)
        if p.returncode not in (0, 1) or "reference section" not in p.stderr:
            sys.exit(f"cold draft failed or drafted without references ({p.returncode}): {p.stderr[-500:]}")
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--reviews", type=int, default=50)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ghplan-bench-serve-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    store = a.store
    proc = None
    try:
        if store is None:
            store = tmp / "index"
            t = time.perf_counter()
            subprocess.run([str(BIN), "index", "build", "--store", str(store), "--json"], check=True,
                           capture_output=True, env=env)
            print(f"seeds index built in {time.perf_counter() - t:.1f} s: {store}")
        proc, base = start_server(store, env)
        with httpx.Client(base_url=base, timeout=120) as http:
            first, result = timed_post(http, "/api/draft", DRAFT)
            if not result["retrieved"]:
                sys.exit("the API draft retrieved nothing: is the index empty?")
            warm = [timed_post(http, "/api/draft", DRAFT)[0] for _ in range(a.runs)]
            size = len(REVIEW_TEXT.encode("utf-8"))
            # a different text each call (a per-text cache must not flatter the figure)
            texts = [REVIEW_TEXT.replace("第一人民医院", f"第{i + 1}人民医院") for i in range(a.reviews + 1)]
            timed_post(http, "/api/review", {"text": texts[-1]})
            reviews = [timed_post(http, "/api/review", {"text": t})[0] for t in texts[:-1]]
        cold = cold_draft(store, env, max(3, a.runs // 3), tmp / "plan.md")
        print(f"API draft, first call (warm-up)        {first:6.3f} s  ({len(result['retrieved'])} reference sections)")
        print(f"API draft, warm, offline + retrieval   {_p50(warm):6.3f} s  p50 of {a.runs}  (target <= 1 s)")
        print(f"CLI ghplan draft, cold process         {_p50(cold):6.3f} s  median of {len(cold)}  "
              f"({_p50(cold) / _p50(warm):.1f}x the warm API)")
        print(f"API review, {size} B plan              {_p50(reviews) * 1000:6.1f} ms p50 of {a.reviews}")
    finally:
        if proc is not None:
            proc.send_signal(2)
            proc.wait(20)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
