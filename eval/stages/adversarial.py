"""Stage 4, adversarial: mocked models that misbehave (eval/mocks/*.toml) must be caught. The
drafting checks run as usual (expected to fail), the required meta-check `caught` fails when
the bad output slipped through, and for a model that fails outright `cli_fails_cleanly` runs
`ghplan draft` with it and wants the CLI's contract: the expected exit code, one line, no
traceback. `caught` and `cli_fails_cleanly` always run; a suite selects among the drafting
checks (`CHECKS`)."""
from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from typing import Any, Mapping, Sequence

from ghplan.eval import draft_api
from ghplan.eval.checks import FAIL, WARN, Check, errored, verdict
from ghplan.eval.context import CliRunner, RunContext
from ghplan.eval.results import CaseResult
from ghplan.eval.spec import CaseSpec, SuiteError, org_type
from ghplan.eval.stages import drafting

# the drafting judges, run on the bad model's draft
CHECKS = drafting.CHECKS
DEFAULTS = drafting.DEFAULTS


# ---------------------------------------------------------------- meta-checks (pure)
def caught(expect: Mapping[str, Any], checks: Sequence[Check], review: Mapping[str, Any] | None,
           error: str = "") -> Check:
    """The meta-check: the harness caught a bad model. `expect` says how:
    fail = [check names that must fail], categories = [finding categories that must be
    reported as errors or warnings], rules = [rule ids], error = "substring of the clean failure".
    Anything expected but not observed means the bad output slipped through."""
    slipped: list[str] = []
    seen: list[str] = []
    want_error = str(expect.get("error", "") or "")
    if want_error:
        if not error:
            slipped.append(f"the draft did not fail (expected “{want_error}”)")
        elif want_error.lower() not in error.lower():
            slipped.append(f"failed with “{error[:80]}”, expected “{want_error}”")
        else:
            seen.append(f"failed cleanly: {error[:80]}")
    elif error:
        slipped.append(f"the draft failed unexpectedly: {error[:80]}")
    by_name = {c.name: c for c in checks}
    for name in expect.get("fail", ()):
        c = by_name.get(name)
        if c is None:
            slipped.append(f"check {name} did not run")
        elif c.status in (FAIL, WARN):
            seen.append(f"{name} failed")
        else:
            slipped.append(f"{name} passed")
    findings = (review or {}).get("findings", [])
    cats = Counter(f["category"] for f in findings if f.get("severity") in ("error", "warning"))
    rules = Counter(f["rule"] for f in findings)
    for cat in expect.get("categories", ()):
        if cats.get(cat):
            seen.append(f"{cats[cat]} {cat}")
        else:
            slipped.append(f"no {cat} finding")
    for rid in expect.get("rules", ()):
        if rules.get(rid):
            seen.append(rid)
        else:
            slipped.append(f"no {rid} finding")
    if not (want_error or expect.get("fail") or expect.get("categories") or expect.get("rules")):
        return errored("caught", "the mock's [eval.expect] says nothing to catch")
    if slipped:
        return verdict("caught", False, "SLIPPED THROUGH: " + "; ".join(slipped)
                       + (f" (caught: {'; '.join(seen)})" if seen else ""), len(seen))
    return verdict("caught", True, "caught: " + "; ".join(seen), len(seen))


def error_lines(stderr: str) -> list[str]:
    """stderr without blank lines and the progress lines a model draft prints as it goes
    ("[2/7] writing: …", "[repair] …"): what is left is what the user is told went wrong."""
    return [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("[")]


def failed_cleanly(code: int | None, stderr: str, expect_code: int = 3) -> Check:
    """`ghplan draft` with a failing model: the expected exit code, one error line, no traceback."""
    lines = error_lines(stderr)
    problems = []
    if code != expect_code:
        problems.append(f"exit {code}, expected {expect_code}")
    if "Traceback" in stderr:
        problems.append("a traceback on stderr")
    if len(lines) != 1 or not lines[0].startswith("ghplan: error:"):
        problems.append(f"{len(lines)} stderr lines, expected one “ghplan: error: …”")
    if problems:
        return verdict("cli_fails_cleanly", False, "; ".join(problems))
    return verdict("cli_fails_cleanly", True, f"exit {code}: {lines[0][:90]}")


# ---------------------------------------------------------------- mock files
def load_mock(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SuiteError(f"bad mock file {path}: {exc}") from None
    ev = data.get("eval")
    if not isinstance(ev, dict) or not isinstance(ev.get("expect"), dict):
        raise SuiteError(f"mock {path.name}: needs an [eval] table with [eval.expect]")
    if not (data.get("plan") or data.get("responses") or ev.get("seed")):
        raise SuiteError(f"mock {path.name}: needs `plan`, `responses` or [eval] seed")
    # the type as the file writes it (医院, 乡镇 … or the id) → its id
    ev["type"] = org_type(ev.get("type", "enterprise"), f"mock {path.name} [eval]")
    return data


def seed_plan(doc_prefix: str) -> str:
    """The cleaned text of a bundled seed document, read at run time (never copied into a file)."""
    from ghplan.corpus.headings import find_headings
    from ghplan.corpus.pipeline import build_corpus

    for d in build_corpus().documents:
        if d.doc_id.startswith(doc_prefix):
            # as a model would return it: the title, then one heading per line (some seed pages
            # lost their line breaks; the words stay exactly the seed's)
            text, out, pos = d.text, [d.title or "工会工作计划"], 0
            for h in find_headings(text):
                if h.level not in (1, 2):
                    continue
                out.append(text[pos:h.start].strip())
                out.append(text[h.start:h.end].strip())
                pos = h.end
            out.append(text[pos:].strip().lstrip(":：").strip())
            return "\n".join(x.lstrip(":：") for x in out if x)
    raise SuiteError(f"no seed document with id {doc_prefix!r}")


# ---------------------------------------------------------------- the CLI, as a user runs it
def run_cli_subprocess(args: list[str], env: dict[str, str]) -> tuple[int | None, str]:
    """`ghplan ARGS` as a child process (the library never imports the CLI): (exit code, stderr).
    The fallback when the caller passes no in-process runner."""
    import os
    import shutil
    import subprocess
    import sys

    exe = shutil.which("ghplan", path=str(Path(sys.executable).parent)) or shutil.which("ghplan")
    if exe is None:
        return None, "the ghplan console script is not installed"
    r = subprocess.run([exe, *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=300)
    return r.returncode, r.stderr


def cli_draft(run_cli: CliRunner, mock: Path, profile: Any, year: int) -> tuple[int | None, str]:
    """`ghplan draft --backend mock --mock-script FILE`: (exit code, stderr)."""
    args = ["draft", "--org", profile.org, "--type", profile.type, "--year", str(year),
            "--backend", "mock", "--mock-script", str(mock), "--no-retrieve"]
    return run_cli(args, {"OPENAI_API_KEY": "", "GHPLAN_MOCK_SCRIPT": ""})


# ---------------------------------------------------------------- the runner
def run_adversarial(spec: CaseSpec, ctx: RunContext) -> list[CaseResult]:
    path = Path(spec.options["mock"])
    data = load_mock(path)
    ev, expect = data["eval"], data["eval"]["expect"]
    res = CaseResult(spec.id, spec.stage, description=str(ev.get("description", "")))
    case = CaseSpec(spec.id, spec.stage, type=str(ev.get("type", "enterprise")),
                    year=int(ev.get("year", 2027)), backend="mock", checks=spec.checks,
                    options={k: ev[k] for k in ("org", "length") if k in ev})
    profile = ctx.profile(case)
    backend = (draft_api.scripted_backend(seed_plan(str(ev["seed"])), model=f"mock:{path.stem}")
               if ev.get("seed") else draft_api.mock_file_backend(path))
    retrieve = bool(ev.get("retrieve", False))
    d = ctx.draft(profile, case.year, backend, retrieve=retrieve, rounds=ev.get("rounds"),
                  key=f"mock:{path}")
    checks: list[Check] = []
    if d.result is not None:
        checks = drafting.judge_draft(case.checks, ctx, profile, d.result, retrieve)
        res.artifacts.update(drafting.draft_artifacts(d.result, profile, f"mock:{path.stem}"))
    checks.append(caught(expect, checks, d.result.review_json() if d.result else None, d.error))
    if expect.get("error"):
        if d.error and not d.backend_failure:
            checks.append(verdict("exit_code", False, "the draft failed, but not as a model failure "
                                  "(exit 3)"))
        if not ev.get("seed"):
            code, err = cli_draft(ctx.run_cli or run_cli_subprocess, path, profile, case.year)
            checks.append(failed_cleanly(code, err, int(expect.get("exit", 3))))
            res.artifacts["cli"] = {"exit": code, "stderr": "\n".join(error_lines(err))[:400]}
    if d.error:
        res.artifacts["error"] = d.error
    res.checks = checks
    return [res]
