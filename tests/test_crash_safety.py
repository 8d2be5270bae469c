"""Crash safety: kill -9 at the worst moments never costs the user their index or a file.

- `ghplan index build` killed in its embedding phase, halfway through writing the new
  collection, or just after the swap: the index still opens, holds one complete collection (the previous one,
  or after the swap the new one) and answers queries; the next build clears the debris.
- a killed build's lock dies with it (flock): the next build is not locked out; a build that
  starts while another holds the lock is refused with one line, "another build is running";
  two builds started together leave one complete index.
- `ghplan draft --out` killed while the model is answering, or inside the atomic write after
  the bytes are written but before the rename: the previous file is untouched and no partial
  plan appears under the target name.

How a kill lands where it should: the child is the real CLI (`ghplan.writer.cli.run`, what the console
script calls) started by `python -c` with one test-side patch that prints a marker and then
blocks at the named stage; the test waits for the marker and sends SIGKILL. No sleeps or hooks
in product code.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.cli_helpers import GHPLAN, Run, assert_one_line_error
from tests.fake_openai import FakeOpenAI, completion
from tests.shared_index import clean_env, copy_store, session_index
from ghplan.writer.io import write_atomic

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
MARK = "GHPLAN-TEST-STAGE"

# slow: kill -9 runs, concurrent builds and index builds through the CLI, each in a subprocess
pytestmark = [pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"),
              pytest.mark.slow]

# Test-side patches, one per stage; each prints the marker and blocks until killed.
_BLOCK = f"print({MARK!r}, flush=True); time.sleep(600)"
HOOKS = {
    # the embedding phase: the build holds the lock and asks for the model to embed the changed
    # chunks; nothing is written to chromadb yet (blocking here spares loading torch)
    "embed": f"""
        from ghplan.writer.index import embed as m
        def get_embedder(name=None):
            {_BLOCK}
        m.get_embedder = get_embedder
    """,
    # the new collection holds half of its rows; the pointer still names the previous one
    "write-half": f"""
        import chromadb.api.models.Collection as m
        orig = m.Collection.add
        def add(self, ids, embeddings=None, documents=None, metadatas=None, **k):
            n = max(1, len(ids) // 2)
            orig(self, ids=ids[:n], embeddings=embeddings[:n], documents=documents[:n],
                 metadatas=metadatas[:n], **k)
            {_BLOCK}
        m.Collection.add = add
    """,
    # the pointer has moved to the new collection; the previous one is not deleted yet
    "after-swap": f"""
        from ghplan.writer.index import store as m
        orig = m._set_active
        def set_active(client, name):
            orig(client, name)
            {_BLOCK}
        m._set_active = set_active
    """,
    # inside write_atomic: the temp file holds every byte, the rename has not happened
    "before-rename": f"""
        real_fsync = os.fsync
        def fsync(fd):
            real_fsync(fd)
            {_BLOCK}
        os.fsync = fsync
    """,
}


def _child_code(stage: str) -> str:
    return "import os, sys, time\n" + textwrap.dedent(HOOKS[stage]) + textwrap.dedent("""
        from ghplan.writer.cli import run
        sys.argv = ["ghplan", *sys.argv[1:]]
        run()
    """)


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return clean_env(tmp, **extra)


def cli(*args: str, env: dict[str, str], timeout: float = 300) -> Run:
    p = subprocess.run([GHPLAN, *args], capture_output=True, text=True, env=env, timeout=timeout,
                       cwd=ROOT)
    return Run(p.returncode, p.stdout, p.stderr)


class Staged:
    """A real ghplan process that blocks at `stage`; `wait_for_stage()` then `kill()`."""

    def __init__(self, stage: str, args: list[str], env: dict[str, str]):
        self.proc = subprocess.Popen([sys.executable, "-c", _child_code(stage), *args], env=env,
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._seen = threading.Event()
        self._out: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout
        for line in self.proc.stdout:
            self._out.append(line)
            if line.strip() == MARK:
                self._seen.set()

    def wait_for_stage(self, timeout: float = 180) -> None:
        if not self._seen.wait(timeout):
            self.proc.kill()
            err = self.proc.stderr.read() if self.proc.stderr else ""
            pytest.fail(f"the child never reached its stage (exit {self.proc.poll()}): {err[-2000:]}")

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=30) == -signal.SIGKILL


# ---------------------------------------------------------------------- index fixtures
EDIT = "认真抓好落实"


def _pages(dest: Path, kinds: tuple[str, ...] = ("school", "enterprise"), edited: bool = False) -> Path:
    dest.mkdir(parents=True)
    for t in kinds:
        text = (FIXTURES / f"clean_{t}.txt").read_text("utf-8")
        if edited and t == "school":   # a dozen sentences change: the next build embeds them
            text = text.replace("。", f"，{EDIT}。", 12)
        (dest / f"{t}.txt").write_text(text, "utf-8")
    return dest


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The session's index (tests/shared_index.py), copied by each test, and corpora to rebuild
    it from: edited (some chunks change, so the build embeds: the embedding phase is real) and
    fewer (one page gone: every vector is reused, no model, a fast build; the new index is
    smaller, which tells the two apart)."""
    shared = session_index(tmp_path_factory)
    root = tmp_path_factory.mktemp("crash")
    return {"root": root, "pages": Path(shared["pages"]), "store": Path(shared["store"]),
            "collection": shared["collection"], "chunks": shared["chunks"],
            "edited": _pages(root / "pages-edited", edited=True),
            "fewer": _pages(root / "pages-fewer", kinds=("school",))}


def _copy_store(base, tmp_path: Path) -> Path:
    return copy_store({"store": base["store"]}, tmp_path / "index")


PROBE = textwrap.dedent(r"""
    import json, sys
    from pathlib import Path
    from ghplan.writer.index.store import Location, index_status, open_index
    loc = Location("local", path=Path(sys.argv[1]))
    col, info = open_index(loc)
    got = col.get(include=["embeddings"])
    hits = col.query(query_embeddings=[[float(x) for x in got["embeddings"][0]]], n_results=3)
    print(json.dumps({"collection": info.collection, "count": info.count, "rows": len(got["ids"]),
                      "self_hit": hits["ids"][0][0] == got["ids"][0],
                      "debris": index_status(loc).debris}))
""")


def probe(store: Path) -> dict:
    """What the index at `store` serves, read by a fresh process: its active collection, the
    count chromadb reports, the rows actually readable, and whether a vector query answers."""
    p = subprocess.run([sys.executable, "-c", PROBE, str(store)], capture_output=True, text=True,
                       cwd=ROOT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout)


# ---------------------------------------------------------------------- index build killed
@pytest.mark.parametrize("stage", ["embed", "write-half", "after-swap"])
def test_kill_9_during_index_build_leaves_a_complete_queryable_index(base, tmp_path, stage):
    store = _copy_store(base, tmp_path)
    env = _env(tmp_path)
    corpus = base["edited"] if stage == "embed" else base["fewer"]
    child = Staged(stage, ["index", "build", "--corpus", str(corpus), "--no-seeds", "--store", str(store),
                           "--year", "2027"], env)
    child.wait_for_stage()
    child.kill()

    state = probe(store)
    assert state["self_hit"] and state["rows"] == state["count"] > 0
    if stage == "after-swap":
        # the swap happened: the new, complete (smaller) collection serves; the old is debris
        assert state["collection"] != base["collection"] and 0 < state["count"] < base["chunks"]
        assert base["collection"] in state["debris"]
    else:
        # the previous index serves, whole
        assert (state["collection"], state["count"]) == (base["collection"], base["chunks"])
    st = cli("index", "status", "--json", "--store", str(store), env=env)
    assert st.code == 0 and json.loads(st.out)["collection"] == state["collection"], st.err
    if stage != "write-half":
        return

    # the user's view after the worst kill (half a collection written): a real search answers,
    # from the previous index only
    r = cli("search", "教代会 校务公开", "--store", str(store), "--json", "-k", "3", env=env)
    assert r.code == 0, r.err
    results = json.loads(r.out)["results"]
    assert results and all(Path(x["source"]).parent.resolve() == base["pages"].resolve() for x in results)
    # the killed build's lock died with it, and the next build clears its debris
    assert state["debris"], "the half-written collection should be visible as debris"
    again = cli("index", "build", "--corpus", str(corpus), "--no-seeds", "--store", str(store), "--year", "2027", "--json",
                env=env)
    assert again.code == 0, again.err
    after = probe(store)
    assert after["debris"] == [] and after["self_hit"] and after["rows"] == after["count"]
    assert after["collection"] == json.loads(again.out)["collection"]


# ---------------------------------------------------------------------- concurrent builds
def test_a_build_while_another_holds_the_lock_is_refused_in_one_line(base, tmp_path):
    store = _copy_store(base, tmp_path)
    env = _env(tmp_path)
    holder = Staged("embed", ["index", "build", "--corpus", str(base["edited"]), "--no-seeds", "--store", str(store)], env)
    holder.wait_for_stage()
    try:
        r = cli("index", "build", "--corpus", str(base["edited"]), "--no-seeds", "--store", str(store), env=env)
        assert_one_line_error(r, 1)
        assert "another build is running" in r.err and f"pid {holder.proc.pid}" in r.err
    finally:
        holder.kill()
    state = probe(store)
    assert (state["collection"], state["count"], state["debris"]) == (base["collection"], base["chunks"], [])


def test_two_builds_started_together_leave_one_complete_index(base, tmp_path):
    store = _copy_store(base, tmp_path)
    env = _env(tmp_path)
    # the smaller corpus: no model to load, so both reach the lock within moments of each other
    args = [GHPLAN, "index", "build", "--corpus", str(base["fewer"]), "--no-seeds", "--store", str(store), "--json"]
    procs = [subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [(p, *p.communicate(timeout=300)) for p in procs]
    codes = sorted(p.returncode for p, _, _ in results)
    assert codes in ([0, 0], [0, 1]), [(p.returncode, err[-500:]) for p, _, err in results]
    for p, out, err in results:
        if p.returncode:
            assert_one_line_error(Run(p.returncode, out, err), 1)
            assert "another build is running" in err
    winner = [json.loads(out) for p, out, _ in results if p.returncode == 0][-1]
    state = probe(store)
    assert state["self_hit"] and state["rows"] == state["count"] == winner["chunks"]
    assert state["collection"] in {json.loads(out)["collection"] for p, out, _ in results if p.returncode == 0}


# ---------------------------------------------------------------------- draft --out killed
OLD = b"the previous plan, whole\n"


def _responder(hang_after: int):
    """Answers the outline, then hangs on every later request (the draft is mid-way)."""
    outline = "一、指导思想\n二、工作目标\n三、主要工作\n（一）加强思想政治引领\n四、保障措施"
    seen = {"n": 0}

    def respond(body: dict) -> dict:
        seen["n"] += 1
        if seen["n"] > hang_after:
            return {"body": completion("……"), "delay": 600}
        return {"body": completion(outline)}
    return respond


@pytest.mark.parametrize("previous", [True, False], ids=["over-a-previous-file", "new-file"])
def test_kill_9_while_the_model_answers_leaves_no_file(tmp_path, previous):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "plan.docx"
    if previous:
        target.write_bytes(OLD)
    with FakeOpenAI(responder=_responder(hang_after=1)) as srv:
        env = _env(tmp_path, OPENAI_API_KEY="sk-test-crash-0123456789", OPENAI_BASE_URL=srv.base_url)
        p = subprocess.Popen([GHPLAN, "draft", "--org", "某区总工会", "--type", "federation", "--year", "2027", "--no-retrieve",
                              "--out", str(target)], env=env, cwd=out_dir,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while len(srv.requests) < 2 and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(srv.requests) >= 2 and p.poll() is None, "the draft never got to its second request"
        os.kill(p.pid, signal.SIGKILL)
        assert p.wait(timeout=30) == -signal.SIGKILL
    assert sorted(x.name for x in out_dir.iterdir()) == (["plan.docx"] if previous else [])
    if previous:
        assert target.read_bytes() == OLD


def test_kill_9_inside_the_atomic_write_leaves_the_previous_file_whole(tmp_path):
    """The narrowest window: every byte is in the temp file, the rename has not happened. The
    target keeps its previous content; what remains besides it is only the hidden temp file
    (a killed process cannot remove it), never a partial file under the plan's name."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "plan.docx"
    target.write_bytes(OLD)
    child = Staged("before-rename", ["draft", "--org", "某区总工会", "--type", "federation", "--year", "2027", "--no-retrieve",
                                     "--out", str(target)], _env(tmp_path))
    child.wait_for_stage()
    child.kill()
    assert target.read_bytes() == OLD
    others = [x.name for x in out_dir.iterdir() if x != target]
    assert all(n.startswith(".plan.docx.") and n.endswith(".tmp") for n in others), others
    # and a normal run afterwards writes the whole plan
    r = cli("draft", "--org", "某区总工会", "--type", "federation", "--year", "2027", "--no-retrieve", "--out", str(target),
            env=_env(tmp_path))
    assert r.code == 0, r.err
    import zipfile
    assert zipfile.is_zipfile(target)
