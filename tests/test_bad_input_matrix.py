"""The bad-input matrix: every command, run through the console script's own entry logic,
against everything a cadre or a crawler can hand it.

Where a case runs (CONTRACT, SLOW_CONTRACT, VALIDATION_ONLY below): argument validation and
one-line usage errors run in-process (`ghplan.writer.cli.invoke` under typer's CliRunner, the
same function the console script calls, so the same one line and exit code); the real console
script in a subprocess proves the exit-code / no-traceback / crash contract for every failure
kind, and runs every case that opens the index or loads the model. Subprocess cases outside
CONTRACT are `slow`.

The matrix is data: one line of CASES is one case, `command args × input kind → exit code and
what stderr says`. Every case then gets the same checks:

- the exit code is the documented one (README: review 0/1/2; draft 0/1/2/3; corpus 0/2;
  eval 0/100/1/2; index and search: 2 for bad usage, 1 when the index, the model or the server
  is missing or broken);
- a failure is exactly one line on stderr, `ghplan: error: …`, never a traceback, and never the
  "internal error" line (exit 70) that the console entry prints for an unexpected exception;
- nothing is left behind: each case runs in its own empty directory (its cwd and `{out}`),
  which must still be empty after a failure; a success that writes names its file (`writes=`);
- the session's index (tests/shared_index.py; the default store of every case through
  GHPLAN_STORE) is still there, whole, and still answers a vector query after every case that
  can reach it (index, search, draft with retrieval); the cases that cannot (review, rules,
  corpus, eval, draft --no-retrieve) run first, a few at a time, and the index is checked after
  them too.

Placeholders in the argument templates (made once per module by the `world` fixture):
  input files   {missing} {dir} {empty} {ws} {nul} {gbk} {gb18030} {mixed} {docx} {pdf}
                {big} (10 MB) {line} (one line of 100,000 characters) {plan} (a clean plan)
  page folders  {pages_KIND} holds one page of KIND; {emptydir} holds none
  index         {store} the session's index; {nostore} none yet; {corrupt} garbage chroma.sqlite3;
                {truncated} a cut-off chroma.sqlite3; {filestore} a regular file
  servers       {closed} a loopback URL nobody listens on; {nonchroma} a loopback HTTP server
                that is not chroma; with server=NAME the fake OpenAI-compatible server answers
                with SERVER[NAME] and OPENAI_API_KEY / OPENAI_BASE_URL point at it
  outputs       {out} the case's own empty directory; {ro} a directory nobody can write (/proc);
                {nodir} a directory that does not exist
  other         {timeout_cfg} a config with a 1-second model timeout; {blank} a blank argument

To add a case, add a line. To add an input kind, add it to `world` and use its placeholder.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.cli_helpers import GHPLAN, Run, assert_one_line_error, ghplan_inprocess
from tests.fake_openai import FakeOpenAI, completion
from tests.servers import free_port
from tests.shared_index import session_index

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
KEY = "sk-test-SECRET-matrix-0123456789abcdef"
TEN_MB = 10 * 1024 * 1024

# Scripted answers of the fake OpenAI-compatible server, by name (server=NAME in a case).
# 429 and 5xx carry retry-after: 0 so the backend's retries (honouring it) cost no time.
SERVER = {
    "401": [{"status": 401, "body": {"error": {"message": f"Incorrect API key provided: {KEY}"}}}],
    "429": [{"status": 429, "body": {"error": {"message": "rate limited"}}, "headers": {"retry-after": "0"}}],
    "500": [{"status": 500, "body": {"error": {"message": "upstream failed"}}, "headers": {"retry-after": "0"}}],
    "bad-json": [{"body": '{"id": "cmpl-1", "choices": [{"message": {"content": "一、'}],
    "html": [{"body": "<html><body>502 Bad Gateway</body></html>"}],
    "no-choices": [{"body": {"id": "cmpl-1", "object": "chat.completion", "created": 0, "model": "m",
                             "choices": []}}],
    "empty": [{"body": completion("")}],
    "blank": [{"body": completion("  \n ")}],
    "hang": [{"body": completion("一、指导思想"), "delay": 4}],     # the config's timeout is 1 s
}


@dataclass(frozen=True)
class Case:
    id: str
    argv: str                     # a template: whitespace-separated, placeholders per token
    code: int                     # the documented exit code
    err: str = ""                 # stderr must contain this
    env: dict = field(default_factory=dict)
    server: str = ""              # a key of SERVER
    stdin: str = ""               # an input kind fed on stdin
    writes: str = ""              # a success writes exactly this file into {out}
    json: bool = False            # every stdout line is a JSON object
    findings: bool = False        # exit 1 means "findings", not a failure (review)
    xfail: str = ""               # a known bug in a file this suite may not edit (strict)

    @property
    def failure(self) -> bool:
        return self.code != 0 and not self.findings

    @property
    def reaches_index(self) -> bool:
        """index and search open the index, and so does draft unless told --no-retrieve; the
        other commands never do."""
        cmd = self.argv.split()
        return cmd[0] in ("index", "search") or (cmd[0] == "draft" and "--no-retrieve" not in cmd)

    @property
    def subprocess(self) -> bool:
        """Run as the real console script in a subprocess: the representative rows of each
        failure kind (CONTRACT), and every row that opens the index, loads the model or drafts
        with retrieval (its chromadb and torch die with it). The rest run in-process."""
        return self.id in CONTRACT | SLOW_CONTRACT or (self.reaches_index and self.id not in VALIDATION_ONLY)

    @property
    def slow(self) -> bool:
        return self.subprocess and self.id not in CONTRACT


C = Case
NO_MODEL = {"GHPLAN_EMBED_MODEL": "/nonexistent"}
# Draft cases pin the plan year (the default, next year, leaves the dated table in 2030); the
# year cases give their own.
DRAFT_ANY_YEAR = "draft --org 某市第一人民医院工会 --type hospital --no-retrieve"
DRAFT = f"{DRAFT_ANY_YEAR} --year 2027"

CASES = [
    # ------------------------------------------------------------------ review
    C("review/missing",              "review {missing}",                         2, "no such file"),
    C("review/directory",            "review --format json {pages_gbk}",         0, "read as GB18030", json=True),
    C("review/directory-no-plans",   "review {emptydir}",                        2, "no plan ghplan can read"),
    C("review/empty",                "review {empty}",                           2, "empty"),
    C("review/whitespace",           "review {ws}",                              2, "empty"),
    C("review/nul-bytes",            "review {nul}",                             2, "NUL bytes"),
    C("review/gbk",                  "review {gbk}",                             0, "read as GB18030"),
    C("review/gb18030",              "review {gb18030}",                         0, "read as GB18030"),
    C("review/gbk-declared",         "review --encoding gb18030 {gbk}",          0),
    C("review/mixed-encodings",      "review {mixed}",                           2, "neither UTF-8 nor GB18030"),
    C("review/docx-named-txt",       "review {docx}",                            0),   # read as the Word file it is
    C("review/pdf-as-text",          "review {pdf}",                             2, "PDF"),
    C("review/10mb",                 "review --format json {big}",               1, json=True, findings=True),
    C("review/100k-line",            "review --format json {line}",              1, json=True, findings=True),
    C("review/100k-line-fix",        "review --fix --out {out}/fixed.txt {line}", 1, writes="fixed.txt", findings=True),
    C("review/stdin-nul",            "review -",                                 2, "NUL bytes", stdin="nul"),
    C("review/stdin-empty",          "review -",                                 2, "empty", stdin="empty"),
    C("review/stdin-mixed",          "review -",                                 2, "neither UTF-8", stdin="mixed"),
    C("review/unknown-type",         "review --type alien {plan}",               2, "unknown --type"),
    C("review/year-1900",            "review --year 1900 {plan}",                2, "out of range"),
    C("review/year-3000",            "review --year 3000 {plan}",                2, "out of range"),
    C("review/year-not-a-number",    "review --year MMXXVII {plan}",             2, "--year must be a year"),
    C("review/bad-format",           "review --format xml {plan}",               2, "--format must be one of"),
    C("review/fix-out-unwritable",   "review --fix --out {ro}/fixed.txt {plan}", 2, "cannot write"),
    C("review/fix-out-no-dir",       "review --fix --out {nodir}/fixed.txt {plan}", 2, "cannot write"),
    C("review/fix-out-is-a-dir",     "review --fix --out {out} {plan}",          2, "cannot write"),
    C("review/config-missing",       "review --config {missing} {plan}",         2, "not found"),
    C("review/config-binary",        "review --config {nul} {plan}",             2, "cannot read config"),
    C("review/config-gbk",           "review --config {gbk} {plan}",             2, "cannot read config"),
    C("review/no-path",              "review",                                   2, "Missing argument"),
    C("review/unknown-option",       "review --bogus {plan}",                    2, "No such option"),
    C("rules/unknown-category",      "rules --category alien",                   2, "unknown category"),
    # ------------------------------------------------------------------ corpus inspect
    C("inspect/missing",             "corpus inspect {missing}",                 2, "no such file"),
    C("inspect/directory",           "corpus inspect {dir}",                     2, "is a directory"),
    C("inspect/empty",               "corpus inspect {empty}",                   2, "empty"),
    C("inspect/whitespace",          "corpus inspect {ws}",                      2, "empty"),
    C("inspect/nul-bytes",           "corpus inspect {nul}",                     2, "NUL bytes"),
    C("inspect/gbk",                 "corpus inspect --json {gbk}",              0, json=True),
    C("inspect/gb18030",             "corpus inspect --json {gb18030}",          0, json=True),
    C("inspect/mixed-encodings",     "corpus inspect {mixed}",                   2, "neither UTF-8 nor GB18030"),
    C("inspect/docx-as-text",        "corpus inspect {docx}",                    2, ".docx"),
    C("inspect/pdf-as-text",         "corpus inspect {pdf}",                     2, "PDF"),
    C("inspect/10mb",                "corpus inspect --json {big}",              0, json=True),
    C("inspect/100k-line",           "corpus inspect --json {line}",             0, json=True),
    C("inspect/year-1900",           "corpus inspect --year 1900 {plan}",        2, "out of range"),
    C("inspect/year-3000",           "corpus inspect --year 3000 {plan}",        2, "out of range"),
    C("inspect/year-not-a-number",   "corpus inspect --year abc {plan}",         2, "Invalid value for '--year'"),
    # ------------------------------------------------------------------ corpus build
    C("build/source-missing",        "corpus build --source {missing}",          2, "no such file"),
    C("build/source-no-pages",       "corpus build --source {emptydir}",         2, "no .txt pages"),
    C("build/page-nul",              "corpus build --source {pages_nul}",        2, "NUL bytes"),
    C("build/page-empty",            "corpus build --source {pages_empty}",      2, "empty"),
    C("build/page-docx",             "corpus build --source {pages_docx}",       2, ".docx"),
    C("build/page-pdf",              "corpus build --source {pages_pdf}",        2, "PDF"),
    C("build/page-mixed",            "corpus build --source {pages_mixed}",      2, "neither UTF-8"),
    C("build/page-gbk",              "corpus build --source {pages_gbk} --out {out}/c.jsonl", 0, writes="c.jsonl"),
    C("build/out-unwritable",        "corpus build --out {ro}/c.jsonl",          2, "cannot write"),
    C("build/out-no-dir",            "corpus build --out {nodir}/c.jsonl",       2, "cannot write"),
    C("build/out-is-a-dir",          "corpus build --out {out}",                 2, "cannot write"),
    C("build/year-3000",             "corpus build --year 3000",                 2, "out of range"),
    # ------------------------------------------------------------------ index build
    C("index/corpus-missing",        "index build --corpus {missing}",           2, "corpus not found"),
    C("index/corpus-no-pages",       "index build --corpus {emptydir}",          1, "no chunks"),
    C("index/corpus-nul",            "index build --corpus {pages_nul}",         1, "NUL bytes"),
    C("index/corpus-empty-page",     "index build --corpus {pages_empty}",       1, "empty"),
    C("index/corpus-docx",           "index build --corpus {pages_docx}",        1, ".docx"),
    C("index/corpus-pdf",            "index build --corpus {pages_pdf}",         1, "PDF"),
    C("index/year-1900",             "index build --year 1900",                  2, "out of range"),
    C("index/year-3000",             "index build --year 3000",                  2, "out of range"),
    C("index/year-not-a-number",     "index build --year abc",                   2, "Invalid value for '--year'"),
    C("index/store-is-a-file",       "index build --store {filestore}",          1, "not a directory"),
    C("index/store-unwritable",      "index build --store {ro}/index",           1, "cannot create the index"),
    C("index/store-corrupt",         "index build --store {corrupt}",            1, "cannot open index"),
    C("index/model-missing",         "index build",                              1, "not found", env=NO_MODEL),
    C("index/model-missing-new",     "index build --store {out}/index",          1, "not found", env=NO_MODEL),
    C("index/chroma-down",           "index build --chroma-url {closed}",        1, "unreachable"),
    C("index/chroma-bad-url",        "index build --chroma-url ftp://x",         1, "bad chroma URL"),
    C("status/no-index",             "index status --store {nostore}",           1, "no index yet"),
    C("status/no-index-json",        "index status --json --store {nostore}",    1, "no index yet", json=True),
    C("status/corrupt",              "index status --store {corrupt}",           1, "cannot open index"),
    C("status/truncated",            "index status --store {truncated}",         1, "cannot open index"),
    C("status/chroma-down",          "index status --chroma-url {closed}",       1, "unreachable"),
    C("status/not-chroma",           "index status --chroma-url {nonchroma}",    1, "not a chroma server"),
    # ------------------------------------------------------------------ search
    C("search/no-index",             "search 教代会 --store {nostore}",           1, "no index yet"),
    C("search/corrupt",              "search 教代会 --store {corrupt}",           1, "cannot open index"),
    C("search/store-is-a-file",      "search 教代会 --store {filestore}",         1, "not a directory"),
    C("status/store-is-a-file",      "index status --store {filestore}",         1, "not a directory"),
    C("search/model-missing",        "search 教代会",                             1, "/nonexistent", env=NO_MODEL),
    C("search/chroma-down",          "search 教代会 --chroma-url {closed}",       1, "unreachable"),
    C("search/unknown-type",         "search 教代会 --type alien",                2, "unknown type"),
    C("search/unknown-role",         "search 教代会 --role alien",                2, "unknown role"),
    C("search/k-zero",               "search 教代会 -k 0",                        2, "k must be at least 1"),
    C("search/blank-query",          "search {blank}",                           2, "empty query"),
    C("search/year-1900",            "search 教代会 --year 1900",                 2, "out of range"),
    C("search/year-3000",            "search 教代会 --year 3000",                 2, "out of range"),
    # ------------------------------------------------------------------ draft: input
    C("draft/unknown-type",          "draft --org x工会 --type alien",            2, "unknown org type"),
    C("draft/year-1900",             f"{DRAFT_ANY_YEAR} --year 1900",            2, "outside"),
    C("draft/year-3000",             f"{DRAFT_ANY_YEAR} --year 3000",            2, "outside"),
    C("draft/year-not-a-number",     f"{DRAFT_ANY_YEAR} --year abc",             2, "Invalid value for '--year'"),
    C("draft/unknown-backend",       f"{DRAFT} --backend gpt",                   2, "unknown backend"),
    C("draft/length",                f"{DRAFT} --length 5",                      2, "length"),
    C("draft/out-unwritable",        f"{DRAFT} --out {{ro}}/plan.md",            2, "cannot write"),
    C("draft/out-no-dir",            f"{DRAFT} --out {{nodir}}/plan.docx",       2, "does not exist"),
    C("draft/out-bad-extension",     f"{DRAFT} --out {{out}}/plan.pdf",          2, "--out must end"),
    C("draft/profile-missing",       "draft --profile {missing}",                2, "cannot read profile"),
    C("draft/profile-directory",     "draft --profile {dir}",                    2, "cannot read profile"),
    C("draft/profile-empty",         "draft --profile {empty}",                  2, "required"),
    C("draft/profile-nul",           "draft --profile {nul}",                    2, "not UTF-8"),
    C("draft/profile-gbk",           "draft --profile {gbk}",                    2, "not UTF-8"),
    C("draft/profile-docx",          "draft --profile {docx}",                   2, "not UTF-8"),
    C("draft/mock-script-nul",       f"{DRAFT} --backend mock --mock-script {{nul}}", 2, "cannot read mock script"),
    C("draft/config-nul",            f"{DRAFT} --config {{nul}}",                2, "cannot read config"),
    # ------------------------------------------------------------------ draft: the model endpoint
    C("draft/openai-401",            f"{DRAFT} --out {{out}}/plan.docx",         3, "HTTP 401", server="401"),
    C("draft/openai-401-json",       f"{DRAFT} --json",                          3, "HTTP 401", server="401"),
    C("draft/openai-429",            f"{DRAFT} --out {{out}}/plan.docx",         3, "HTTP 429", server="429"),
    C("draft/openai-500",            f"{DRAFT} --out {{out}}/plan.md",           3, "HTTP 500", server="500"),
    C("draft/openai-500-stream",     f"{DRAFT} --stream --out {{out}}/plan.md",  3, "HTTP 500", server="500"),
    C("draft/openai-malformed-json", f"{DRAFT} --out {{out}}/plan.docx",         3, "malformed", server="bad-json"),
    C("draft/openai-html",           f"{DRAFT} --out {{out}}/plan.docx",         3, "malformed", server="html"),
    C("draft/openai-no-choices",     f"{DRAFT} --out {{out}}/plan.docx",         3, "malformed", server="no-choices"),
    C("draft/openai-empty",          f"{DRAFT} --out {{out}}/plan.docx",         3, "empty completion", server="empty"),
    C("draft/openai-blank",          f"{DRAFT} --out {{out}}/plan.txt",          3, "empty completion", server="blank"),
    C("draft/openai-hang",           f"{DRAFT} --config {{timeout_cfg}} --out {{out}}/plan.docx", 3, "timed out after 1s",
      server="hang"),
    C("draft/openai-down",           f"{DRAFT} --out {{out}}/plan.docx",         3, "connection refused",
      env={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "{closed}/v1"}),
    # ------------------------------------------------------------------ draft: retrieval degrades, with a note
    C("draft/no-index",              "draft --org x工会 --type school --year 2027 --out {out}/plan.md", 0, "retrieval skipped",
      env={"GHPLAN_STORE": "{nostore}"}, writes="plan.md"),
    C("draft/corrupt-index",         "draft --org x工会 --type school --year 2027 --out {out}/plan.md", 0, "retrieval skipped",
      env={"GHPLAN_STORE": "{corrupt}"}, writes="plan.md"),
    C("draft/model-missing",         "draft --org x工会 --type school --year 2027 --out {out}/plan.md", 0, "retrieval skipped",
      env=NO_MODEL, writes="plan.md"),
    C("draft/chroma-down",           "draft --org x工会 --type school --year 2027 --out {out}/plan.md", 0, "retrieval skipped",
      env={"GHPLAN_CHROMA_URL": "{closed}"}, writes="plan.md"),
    # ------------------------------------------------------------------ eval
    C("eval/suite-missing",          "eval --suite {missing}",                   1, "cannot read suite"),
    C("eval/suite-directory",        "eval --suite {dir}",                       1, "cannot read suite"),
    C("eval/suite-empty",            "eval --suite {empty}",                     1, "no [[case]]"),
    C("eval/suite-nul",              "eval --suite {nul}",                       1, "not UTF-8"),
    C("eval/suite-gbk",              "eval --suite {gbk}",                       1, "not UTF-8"),
    C("eval/suite-docx",             "eval --suite {docx}",                      1, "not UTF-8"),
    C("eval/unknown-backend",        "eval --backend gpt",                       2, "unknown backend"),
    C("eval/fail-code",              "eval --fail-code 0",                       2, "--fail-code"),
    C("eval/filter-matches-nothing", "eval --no-cache --filter no-such-case",    2, "no case matches"),
    C("eval/config-missing",         "eval --config {missing}",                  2, "not found"),
    C("eval/html-no-dir",            "eval --html {nodir}/r.html",               2, "does not exist"),
    C("eval/json-unwritable",        "eval --no-cache --filter reviewer/placeholder --json {ro}/r.json", 2, "cannot write"),
    C("eval/html-is-a-dir",          "eval --no-cache --filter reviewer/placeholder --html {out}", 2, "cannot write"),
]


# Where each case runs. In-process (tests.cli_helpers.ghplan_inprocess: the console script's own
# entry logic, `ghplan.writer.cli.invoke`, under typer's CliRunner) costs milliseconds; a real
# subprocess costs an interpreter start and the imports (~1-3 s). The contract that only a real
# process proves (the exit status the shell sees, a traceback that escapes the entry point, a
# crash) is kept in a subprocess for at least one row of every failure kind. CONTRACT rows are in
# the fast set (`-m "not slow"`); SLOW_CONTRACT rows, and every row that opens the index in a
# subprocess (chromadb, torch), are `slow`.
CONTRACT = {
    "review/unknown-option",          # click usage error, exit 2, one line instead of the panel
    "draft/year-not-a-number",        # click: a value that does not parse
    "review/missing",                 # UsageError from the library: bad input file
    "review/stdin-nul",               # the same, read from stdin
    "draft/unknown-type",             # UsageError from the draft command
    "eval/suite-missing",             # eval's own exit 1
    "status/no-index",                # IndexUnavailable, exit 1
    "inspect/gbk",                    # success, exit 0, JSON on stdout
    "draft/openai-401",               # BackendError, exit 3
}
SLOW_CONTRACT = {
    "review/no-path",                 # click: missing argument
    "review/nul-bytes",               # UsageError: undecodable input
    "review/fix-out-unwritable",      # UsageError: an output nobody can write, nothing left behind
    "draft/profile-nul",              # UsageError: an unreadable profile
    "review/gbk-declared",            # success, exit 0
    "review/10mb",                    # exit 1 = findings, JSON on stdout, a 10 MB input
    "review/100k-line",               # the same over one 100,000-character line
    "review/100k-line-fix",           # findings and a written file
    "inspect/10mb",                   # success with JSON over a 10 MB input
    "inspect/100k-line",
    "build/page-gbk",                 # success that writes a file
    "eval/json-unwritable",           # eval runs a case, then cannot write its report
    "draft/openai-401-json",          # BackendError, exit 3, each way the backend fails
    "draft/openai-500-stream",
    "draft/openai-malformed-json",
    "draft/openai-hang",
    "draft/openai-down",
}
# Rows that reach the index by command but are refused while the arguments are parsed and
# checked, before anything opens it: in-process too. (search --type/--role/-k are checked after
# the index opens, against what it holds: those rows stay in a subprocess.)
VALIDATION_ONLY = {
    "index/year-1900", "index/year-3000", "index/year-not-a-number", "index/chroma-bad-url",
    "search/blank-query", "search/year-1900", "search/year-3000",
}


# ---------------------------------------------------------------------- the world the cases run in
def _base_env(world: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "GHPLAN_CHROMA_URL", "GHPLAN_EMBED_MODEL",
                        "GHPLAN_MODEL", "GHPLAN_MOCK_SCRIPT", "GHPLAN_DEBUG")}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
                "NO_COLOR": "1", "COLUMNS": "200",
                "XDG_DATA_HOME": world["xdg"], "XDG_CACHE_HOME": world["cache"],
                "GHPLAN_EVAL_CACHE": world["evalcache"],
                # the default store of every case is the module's index: whatever a case does
                # to the default location, the intact-index check after it sees
                "GHPLAN_STORE": world["store"]})
    return env


def run_cli(argv: list[str], env: dict[str, str], cwd: Path, stdin: bytes | None = None,
            timeout: float = 300) -> Run:
    p = subprocess.run([GHPLAN, *argv], input=stdin if stdin is not None else b"", capture_output=True,
                       env=env, cwd=cwd, timeout=timeout)
    return Run(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


PROBE = textwrap.dedent(r"""
    # Reads one line per check; answers what the index at argv[1] holds and whether it still
    # answers a vector query (no embedding model needed: the query is a stored vector).
    import json, sys
    from pathlib import Path
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:
        from chromadb.api.client import SharedSystemClient
    from ghplan.writer.index.store import Location, open_index

    loc = Location("local", path=Path(sys.argv[1]))
    for _ in sys.stdin:
        try:
            col, info = open_index(loc)
            got = col.get(limit=1, include=["embeddings"])
            hit = col.query(query_embeddings=[[float(x) for x in got["embeddings"][0]]], n_results=1)
            out = {"collection": info.collection, "count": info.count,
                   "self_hit": hit["ids"][0][0] == got["ids"][0]}
        except Exception as exc:
            out = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            SharedSystemClient.clear_system_cache()     # see the disk afresh next time
        print(json.dumps(out), flush=True)
""")


class IndexProbe:
    """A long-lived helper process that checks the module's index in ~50 ms (chromadb is
    imported once, outside the pytest process, whose own chromadb clients it must not disturb)."""

    def __init__(self, store: str):
        self.proc = subprocess.Popen([sys.executable, "-c", PROBE, store], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                     env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})

    def check(self) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("check\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _plan(name: str) -> str:
    return (FIXTURES / f"clean_{name}.txt").read_text("utf-8")


STANDIN = textwrap.dedent(r"""
    # Indexes the pages at argv[1] into argv[2] with 8-dim vectors hashed from the text: a real
    # chromadb index in the real layout, without loading the embedding model.
    import json, sys
    from pathlib import Path
    from ghplan.writer.index.chunk import corpus_chunks
    from ghplan.writer.index.store import Location, build_index
    from tests.stand_in import StandIn

    rep = build_index(corpus_chunks(Path(sys.argv[1]), 2027, seeds=False), Location("local", path=Path(sys.argv[2])),
                      StandIn, "stand-in-sha256-8", year=2027, corpus=sys.argv[1])
    print(json.dumps({"collection": rep.collection, "chunks": rep.chunks}))
""")


def _standin_index(root: Path) -> dict:
    pages = root / "pages"
    pages.mkdir(parents=True)
    for t in ("school", "enterprise"):
        shutil.copy(FIXTURES / f"clean_{t}.txt", pages / f"{t}.txt")
    store = root / "index"
    p = subprocess.run([sys.executable, "-c", STANDIN, str(pages), str(store)], capture_output=True,
                       text=True, cwd=ROOT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    return {"store": str(store), **json.loads(p.stdout.strip().splitlines()[-1])}


def _selected_cases(request) -> list[Case]:
    """The cases of this module that the session will run (after -m and -k)."""
    return [item.callspec.params["case"] for item in request.session.items
            if item.module is request.module and "case" in getattr(getattr(item, "callspec", None), "params", {})]


@pytest.fixture(scope="module")
def world(tmp_path_factory, request):
    root = tmp_path_factory.mktemp("matrix")
    w: dict[str, str] = {}

    def put(name: str, data: bytes) -> str:
        p = root / "in" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        return str(p)

    school, hospital, enterprise = _plan("school"), _plan("hospital"), _plan("enterprise")
    assert "\U00020000".encode("gb18030") and not _encodable("\U00020000", "gbk")
    from ghplan.writer.export import to_docx_bytes

    kinds = {
        "empty": b"",
        "ws": " \n\t\n\u3000\r\n".encode("utf-8"),
        "nul": b"\x00\x01\x02PK" + school.encode("utf-8")[:200] + b"\x00" * 64,
        "gbk": hospital.encode("gbk"),
        "gb18030": (enterprise + "\n注：生僻字\U00020000。\n").encode("gb18030"),
        "mixed": school[:800].encode("utf-8") + hospital[:800].encode("gbk"),
        "docx": to_docx_bytes(school),                           # a Word document renamed .txt
        "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"\x00" * 32,
        "plan": school.encode("utf-8"),
    }
    names = {"docx": "plan-from-word.txt", "pdf": "scan.txt"}
    for kind, data in kinds.items():
        w[kind] = put(names.get(kind, f"{kind}.txt"), data)
    # 10 MB: every clean plan and a line of rot, over and over
    unit = "\n\n".join(_plan(t) for t in ("school", "hospital", "enterprise", "township", "federation",
                                           "government", "women"))
    unit += "\n以下是小编整理的20xx年工会工作计划，希望对大家有所帮助。\n"
    w["big"] = put("big.txt", (unit * (TEN_MB // len(unit.encode()) + 1)).encode("utf-8"))
    # one line of 100,000 characters: plans glued together without line breaks, as two seeds are
    flat = "".join(unit.split())
    w["line"] = put("line.txt", (flat * (100_000 // len(flat) + 1))[:100_000].encode("utf-8"))
    w["missing"] = str(root / "in" / "no-such-plan.txt")
    w["dir"] = str(root / "in")
    for kind in ("nul", "empty", "docx", "pdf", "mixed", "gbk"):
        d = root / f"pages_{kind}"
        d.mkdir()
        shutil.copy(w[kind], d / "page.txt")
        w[f"pages_{kind}"] = str(d)
    (root / "no-pages").mkdir()
    w["emptydir"] = str(root / "no-pages")
    for sub in ("xdg", "cache", "evalcache"):
        (root / sub).mkdir()
        w[sub] = str(root / sub)
    w["nodir"] = str(root / "no" / "such" / "dir")
    w["ro"] = "/proc"
    w["blank"] = "  "
    cfg = root / "timeout.toml"
    cfg.write_text("[openai]\ntimeout = 1\n", "utf-8")
    w["timeout_cfg"] = str(cfg)
    w["closed"] = f"http://127.0.0.1:{free_port()}"
    w["filestore"] = put("index-is-a-file", b"not an index\n")
    w["nostore"] = str(root / "no-index-here")

    # the module's index: two clean plans, built once through the CLI (~10 s, loading the model)
    # when a selected case can use it; the fast set (`-m "not slow"`), whose index-reaching
    # cases are all refused before opening it, gets the same pages indexed with stand-in vectors
    if any(c.slow for c in _selected_cases(request)):
        shared = session_index(tmp_path_factory)
    else:
        shared = _standin_index(root / "standin")
    w["store"], w["collection"], w["chunks"] = shared["store"], shared["collection"], shared["chunks"]
    for name, damage in (("corrupt", "garbage"), ("truncated", "truncate")):
        copy = root / name
        shutil.copytree(w["store"], copy)
        db = copy / "chroma.sqlite3"
        if damage == "garbage":
            db.write_bytes(os.urandom(4096))
        else:
            with open(db, "r+b") as fh:
                fh.truncate(db.stat().st_size // 3)
        w[name] = str(copy)

    # something that answers HTTP on loopback but is not chroma
    http = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    http.daemon_threads = True
    threading.Thread(target=http.serve_forever, daemon=True).start()
    w["nonchroma"] = f"http://127.0.0.1:{http.server_address[1]}"

    probe = IndexProbe(w["store"])
    first = probe.check()
    assert first == {"collection": w["collection"], "count": w["chunks"], "self_hit": True}, first
    w["_probe"] = probe           # type: ignore[assignment]
    w["_root"] = str(root)
    yield w
    probe.close()
    http.shutdown()
    http.server_close()


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _expand(template: str, w: dict, out: Path) -> list[str]:
    values = {**w, "out": str(out)}
    return [token.format(**values) for token in template.split()]


# ---------------------------------------------------------------------- the matrix
def _param(case: Case):
    marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
    if case.slow:
        marks.append(pytest.mark.slow)
    return pytest.param(case, id=case.id, marks=marks)


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def _run_case(case: Case, world: dict, out: Path) -> tuple[list[str], Run]:
    out.mkdir(parents=True)
    argv = _expand(case.argv, world, out)
    env = _base_env(world)
    env.update({k: v.format(**world) for k, v in case.env.items()})
    stdin = Path(world[case.stdin]).read_bytes() if case.stdin else None
    if case.server:
        with FakeOpenAI(SERVER[case.server]) as srv:
            env.update({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": srv.base_url})
            run = _run(case, argv, env, out, stdin)
        assert srv.requests, "the fake model server was never called"
        return argv, run
    return argv, _run(case, argv, env, out, stdin)


def _run(case: Case, argv: list[str], env: dict[str, str], cwd: Path, stdin: bytes | None,
         in_process: bool | None = None) -> Run:
    if (not case.subprocess) if in_process is None else in_process:
        return _run_in_process(argv, env, cwd, stdin)
    return run_cli(argv, env, cwd, stdin)


def _run_in_process(argv: list[str], env: dict[str, str], cwd: Path, stdin: bytes | None) -> Run:
    # the same environment, as overrides of this process's (None removes a variable)
    overrides: dict[str, str | None] = {k: None for k in os.environ if k not in env}
    overrides.update({k: v for k, v in env.items() if os.environ.get(k) != v})
    return ghplan_inprocess(argv, env=overrides, cwd=cwd, stdin=stdin)


@pytest.fixture(scope="module")
def prepass(world, request):
    """The subprocess cases that never open the index, run a few at a time (each in its own
    directory); the in-process ones run one by one in their tests. Only the cases this session
    selected (`-m "not slow"`, `-k`). {id: (argv, Run, out dir)}"""
    selected = {c.id for c in _selected_cases(request)}
    todo = [c for c in CASES if c.subprocess and not c.reaches_index and c.id in selected]
    base = Path(world["_root"]) / "cases"

    def one(case: Case):
        out = base / case.id.replace("/", "__")
        argv, run = _run_case(case, world, out)
        return case.id, (argv, run, out)

    # one more worker than cores: some cases mostly wait (the model timeout, retries)
    with ThreadPoolExecutor(max_workers=min(4, (os.cpu_count() or 1) + 1)) as pool:
        return dict(pool.map(one, todo))


def test_in_process_runs_say_what_the_console_script_says(world, prepass):
    """The in-process shortcut is the console script's own logic: each failing CONTRACT row run
    again in-process, with the same arguments, environment and directory, gives the same exit
    code, the same stdout and the same stderr line as the real subprocess did."""
    rows = [c for c in CASES if c.id in prepass and c.failure and not c.server]
    assert rows or not prepass
    for case in rows:
        argv, sub, out = prepass[case.id]
        env = _base_env(world)
        env.update({k: v.format(**world) for k, v in case.env.items()})
        stdin = Path(world[case.stdin]).read_bytes() if case.stdin else None
        here = _run(case, argv, env, out, stdin, in_process=True)
        assert (here.code, here.out, here.err) == (sub.code, sub.out, sub.err), case.id


def test_every_failure_kind_keeps_a_subprocess_row():
    """The in-process shortcut never hides the contract a real process proves: each exit code
    the matrix expects, and each command, is seen by the shell at least once."""
    sub = [c for c in CASES if c.subprocess]
    assert {c.code for c in sub} == {c.code for c in CASES}
    assert {c.argv.split()[0] for c in sub if c.failure} >= {"review", "draft", "index", "search", "eval"}
    assert any(c.stdin for c in sub) and any(c.writes for c in sub) and any(c.server for c in sub)
    fast = [c for c in sub if not c.slow]
    assert {c.code for c in fast} == {c.code for c in CASES}, "the fast set keeps every exit code too"
    ids = {c.id for c in CASES}
    assert CONTRACT <= ids and SLOW_CONTRACT <= ids and VALIDATION_ONLY <= ids


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(case: Case, world, prepass, tmp_path):
    if "{ro}" in case.argv and not Path("/proc").is_dir():
        pytest.skip("no /proc to stand for a directory nobody can write")
    if case.id in prepass:
        argv, run, out = prepass[case.id]
    else:
        out = tmp_path / "case"
        argv, run = _run_case(case, world, out)

    # the documented exit code, and never the console entry's last-resort line
    assert "internal error" not in run.err, run.err
    assert "Traceback" not in run.err + run.out
    if case.failure:
        assert_one_line_error(run, case.code)
    else:
        assert run.code == case.code, (run.code, run.err[-2000:])
    assert case.err in run.err, run.err
    # the API key never shows, whatever the server echoed
    assert KEY not in run.out + run.err
    if case.json:
        lines = [ln for ln in run.out.splitlines() if ln.strip()]
        assert lines, "expected JSON on stdout"
        objs = [json.loads(ln) for ln in lines]
        assert all(isinstance(o, dict) for o in objs)
        if case.findings:
            _check_offsets(Path(argv[-1]), objs[0])
    # nothing half-made: a failure leaves its directory as it found it; a success writes one file
    left = sorted(p.name for p in out.iterdir())
    if case.writes:
        assert left == [case.writes], left
        assert (out / case.writes).stat().st_size > 0
    else:
        assert left == [], left
    # the existing index is untouched and still answers
    state = world["_probe"].check()
    assert state == {"collection": world["collection"], "count": world["chunks"], "self_hit": True}, state


def _check_offsets(path: Path, obj: dict) -> None:
    """A review of a huge input still points exactly into it (a sample of its findings)."""
    text = path.read_text("utf-8")
    findings = obj["findings"]
    assert findings and obj["summary"]["errors"] > 0
    for f in findings[:: max(1, len(findings) // 200)]:
        assert 0 <= f["start"] <= f["end"] <= len(text)
        assert text[f["start"]:f["end"]] == f["text"]


def test_the_index_status_is_unchanged_after_the_matrix(world):
    """After every case above, `ghplan index status` (the user's view) reports the same index.
    (A real search through the model runs in test_crash_safety.py after a killed build.)"""
    status = run_cli(["index", "status", "--json"], _base_env(world), Path(world["_root"]))
    assert status.code == 0, status.err
    st = json.loads(status.out)
    assert (st["collection"], st["chunks"], st["debris"]) == (world["collection"], world["chunks"], [])
