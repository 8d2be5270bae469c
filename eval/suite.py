"""Reading a suite file (eval/suites/*.toml) into cases, validated before anything runs.

    from ghplan.eval.suite import load_suite
    suite = load_suite()            # the bundled default suite

eval/suites/default.toml documents the format. Check names are validated against each stage's
`CHECKS` registry (eval/stages/), so a misspelt check is a SuiteError naming the stage and the
check, never a case that silently checks less.
"""
from __future__ import annotations

import glob
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ghplan.eval import stages
from ghplan.eval.spec import BACKENDS, STAGES, CaseSpec, CheckSpec, Suite, SuiteError, org_type

EVAL_DIR = Path(__file__).resolve().parent
CASE_KEYS = {"stage", "id", "type", "types", "year", "years", "backend", "profile", "checks",
             "description", "required", "queries", "k", "mock", "mocks", "retrieve", "rounds",
             "fixtures", "org", "length"}
OPTION_KEYS = ("queries", "k", "retrieve", "rounds", "fixtures", "org", "length")


def default_suite_path() -> Path:
    return Path(str(resources.files("ghplan.eval").joinpath("suites", "default.toml")))


def load_suite(path: Path | str | None = None) -> Suite:
    path = Path(path) if path else default_suite_path()
    data = _read_toml(path)
    meta = data.get("suite", {})
    defaults = _check_defaults(data.get("checks", {}), path)
    cases: list[CaseSpec] = []
    for n, raw in enumerate(data.get("case", []), 1):
        where = f"{path.name} case {n}" + _case_name(raw)
        if not isinstance(raw, dict):
            raise SuiteError(f"{where}: must be a table")
        unknown = set(raw) - CASE_KEYS
        if unknown:
            raise SuiteError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        stage = raw.get("stage")
        if stage not in STAGES:
            raise SuiteError(f"{where}: 'stage' must be one of {', '.join(STAGES)}, got {stage!r}")
        cases.extend(_expand(raw, stage, path.parent, defaults, where))
    ids = [c.id for c in cases]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SuiteError(f"{path.name}: duplicate case id(s) {', '.join(dupes)}")
    if not cases:
        raise SuiteError(f"{path.name}: no [[case]] entries")
    return Suite(name=str(meta.get("name", path.stem)), description=str(meta.get("description", "")),
                 path=path, cases=cases, index_year=int(meta.get("index_year", 2027)))


def _case_name(raw: Any) -> str:
    """" (drafting-hospital)" or " (stage drafting)": which case an error is about, beside its number."""
    if not isinstance(raw, dict):
        return ""
    if "id" in raw:
        return f" ({raw['id']})"
    return f" (stage {raw['stage']})" if "stage" in raw else ""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise SuiteError(f"cannot read suite {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SuiteError(f"suite {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"bad TOML in suite {path}: {exc}") from None


def _check_defaults(defaults: Any, path: Path) -> dict[str, dict[str, Any]]:
    """The suite's [checks] table: parameters per check name, for every stage that has it."""
    if not isinstance(defaults, dict):
        raise SuiteError(f"{path}: [checks] must be a table of per-check parameters")
    known = {name for s in STAGES for name in stages.CHECKS[s]}
    for name, params in defaults.items():
        if name not in known:
            raise SuiteError(f"{path.name} [checks]: no stage has a check {name!r}")
        if not isinstance(params, dict):
            raise SuiteError(f"{path.name} [checks]: {name} must be a table of parameters")
    return defaults


def _check_specs(raw: Any, stage: str, defaults: dict[str, dict[str, Any]], where: str,
                 all_required: bool) -> list[CheckSpec]:
    """A case's checks, each name looked up in its stage's registry (None: all of them)."""
    known = stages.CHECKS[stage]
    if raw is None:
        raw = list(known)
    if not isinstance(raw, list):
        raise SuiteError(f"{where}: 'checks' must be a list of names or tables")
    out = []
    for item in raw:
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or "name" not in item:
            raise SuiteError(f"{where}: each check is a name or a table with 'name'")
        name = str(item["name"])
        if name not in known:
            raise SuiteError(f"{where}: unknown {stage} check {name!r}; known: {', '.join(known)}")
        params = {**stages.DEFAULTS[stage].get(name, {}), **defaults.get(name, {}),
                  **{k: v for k, v in item.items() if k != "name"}}
        required = bool(params.pop("required", True)) and all_required
        out.append(CheckSpec(name, required, params))
    return out


def _resolve(base: Path, rel: str) -> Path:
    """A path from a suite: relative to the suite's folder, then to the eval package."""
    p = Path(rel).expanduser()
    if p.is_absolute():
        return p
    for root in (base, EVAL_DIR):
        if (root / p).exists() or glob.glob(str(root / p)):
            return root / p
    return base / p


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return [None]
    return list(value) if isinstance(value, list) else [value]


def _expand(raw: dict[str, Any], stage: str, base: Path, defaults: dict, where: str) -> list[CaseSpec]:
    """One [[case]] table → its cases (adversarial: one per mock; reviewer: one; others: one
    per type × year)."""
    axes = _grid_axes(raw, base, where)
    options = {k: raw[k] for k in OPTION_KEYS if k in raw}
    description = raw.get("description", "")
    if stage == "adversarial":
        files = _mock_files(raw, base, where)
        for f in files:                 # each mock's [eval] table (its type too) checked before any run
            try:
                stages.adversarial.load_mock(f)
            except SuiteError as exc:
                raise SuiteError(f"{where}: {exc}") from None
        return [CaseSpec(id=f"adversarial/{Path(f).stem}", stage=stage, backend="mock",
                         options={**options, "mock": f}, description=description,
                         checks=_check_specs(raw.get("checks"), stage, defaults, where, False))
                for f in files]
    checks = _check_specs(raw.get("checks"), stage, defaults, where, bool(raw.get("required", True)))
    if stage == "reviewer":
        fx = str(_resolve(base, str(raw.get("fixtures", "fixtures/reviewer"))))
        return [CaseSpec(id=str(raw.get("id", "reviewer")), stage=stage, checks=checks,
                         options={**options, "fixtures": fx}, description=description)]
    if "queries" in options:
        options["queries"] = str(_resolve(base, str(options["queries"])))
    return _grid(raw, stage, axes, checks, options, where)


def _mock_files(raw: dict[str, Any], base: Path, where: str) -> list[str]:
    pattern = raw.get("mocks") or raw.get("mock")
    if not pattern:
        raise SuiteError(f"{where}: an adversarial case needs 'mock' or 'mocks' (a glob)")
    files = sorted(glob.glob(str(_resolve(base, pattern)))) if any(ch in pattern for ch in "*?[") \
        else [str(_resolve(base, pattern))]
    if not files:
        raise SuiteError(f"{where}: no mock files match {pattern!r}")
    return files


def _profile_option(raw: dict[str, Any], base: Path, where: str) -> dict[str, Any] | None:
    """`profile`: a table, a file (→ {"file": path}) or "example" / absent (→ None)."""
    profile = raw.get("profile")
    if profile is not None and not isinstance(profile, (dict, str)):
        raise SuiteError(f"{where}: 'profile' is a table, a file or \"example\"")
    if isinstance(profile, str):
        return None if profile == "example" else {"file": str(_resolve(base, profile))}
    return profile


@dataclass
class _Axes:
    types: list[str | None]
    years: list[int | None]
    backend: str
    profile: dict[str, Any] | None


def _grid_axes(raw: dict[str, Any], base: Path, where: str) -> _Axes:
    """The case's types, years, backend and profile, validated for every stage."""
    # 医院, 乡镇, 县总工会 … as well as the ids: the resolver every command uses
    types = [None if t is None else org_type(t, where)
             for t in _as_list(raw.get("types", raw.get("type")))]
    years = _as_list(raw.get("years", raw.get("year")))
    for y in years:
        if y is not None and not isinstance(y, int):
            raise SuiteError(f"{where}: years must be whole numbers")
    backend = str(raw.get("backend", "offline"))
    if backend not in BACKENDS:
        raise SuiteError(f"{where}: backend must be offline, mock or openai")
    return _Axes(types, years, backend, _profile_option(raw, base, where))


def _grid(raw: dict[str, Any], stage: str, axes: _Axes, checks: list[CheckSpec],
          options: dict[str, Any], where: str) -> list[CaseSpec]:
    """Retrieval, prompts and drafting cases: one per type × year."""
    out = []
    single = len(axes.types) * len(axes.years) == 1
    for t in axes.types:
        for y in axes.years:
            if stage in ("prompts", "drafting") and (t is None or y is None):
                raise SuiteError(f"{where}: a {stage} case needs a type and a year")
            parts = [stage] + ([axes.backend] if stage == "drafting" else []) + [p for p in (t, y) if p is not None]
            cid = str(raw["id"]) if "id" in raw and single else "/".join(map(str, parts))
            out.append(CaseSpec(id=cid, stage=stage, type=t, year=y, backend=axes.backend,
                                profile=axes.profile, options=dict(options),
                                checks=[CheckSpec(c.name, c.required, dict(c.params)) for c in checks],
                                description=raw.get("description", "")))
    return out
