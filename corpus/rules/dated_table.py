"""The dated table: corpus/rules/dated.toml merged with a union office's own facts file.

A plan year's facts change during a year (a congress is held, a plenum meets). A user facts
file in the same layout as dated.toml lets an office add or correct them without a release:

    [[stale]]                       # a new entry, or an existing id with fields to override
    id = "GH-STALE-PARTY-21"
    expected = false
    [meta]
    plenums = [{ name = "二十一届一中全会", term = 21, dated = 2027 }]   # merged by name

Where the file is: $GHPLAN_FACTS, else `[facts] file` in ./ghplan.toml (or [tool.ghplan.facts]
in ./pyproject.toml), else $XDG_CONFIG_HOME/ghplan/facts.toml (~/.config/ghplan/facts.toml).
Every rule and plenum records its `source` (the bundled table or that file). A bad file raises
FactsError, which the CLI reports in one line with exit 2.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ghplan.corpus.rules.engine import Catalogue, default_catalogue, load_toml, parse_rules
from ghplan.corpus.rules.messages import Template, templates
from ghplan.corpus.rules.model import Rule

CATEGORY = "stale"
BUNDLED = "dated.toml (bundled)"
_SENTENCE_END = "。!?;\n"
_CLOSE_QUOTES = "”\"’'』」》) "


class FactsError(ValueError):
    """A user facts file that cannot be read or merged. Shaped like a usage error (exit_code,
    format_message) so the CLI prints it in one line and exits 2."""
    exit_code = 2

    def format_message(self) -> str:
        return str(self)


# ---------------------------------------------------------------------------- the user's file
def facts_path(cwd: Path | None = None, env: dict | None = None) -> Path | None:
    """The user facts file in force, or None (see the module docstring for the order)."""
    env = os.environ if env is None else env
    if env.get("GHPLAN_FACTS"):
        return Path(env["GHPLAN_FACTS"]).expanduser()
    here = Path(cwd or Path.cwd())
    for name, section in (("ghplan.toml", ()), ("pyproject.toml", ("tool", "ghplan"))):
        p = here / name
        if not p.is_file():
            continue
        try:
            text = p.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue   # a bad config file is the config loader's to report
        if section and "ghplan" not in text and "\\" not in text:
            continue   # a pyproject.toml that never names ghplan (not even as "\u0067hplan"): no parse
        import tomllib   # here, not at the top: most starts parse no user file

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            continue
        for key in section:
            data = data.get(key, {})
        file = data.get("facts", {}).get("file") if isinstance(data.get("facts"), dict) else None
        if file:
            return (p.parent / Path(file).expanduser()).resolve()
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", str(Path.home()))) / ".config")
    p = Path(base) / "ghplan" / "facts.toml"
    return p if p.is_file() else None


def _read_user(path: Path) -> dict:
    import tomllib

    try:
        return tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise FactsError(f"facts file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FactsError(f"cannot read facts file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FactsError(f"bad TOML in facts file {path}: {exc}") from None


def _check_entry(entry: dict, known: dict[str, Rule], path: Path) -> None:
    rid = entry.get("id")
    if not isinstance(rid, str) or not rid:
        raise FactsError(f"facts file {path}: every [[stale]] entry needs an id")
    for key in ("dated", "until", "ordinal", "base"):
        if key in entry and not isinstance(entry[key], int):
            raise FactsError(f"facts file {path}: {rid}: {key} must be a year (an integer)")
    if rid not in known:
        missing = [k for k in ("reason", "dated") if k not in entry]
        if not entry.get("words") and not entry.get("pattern"):
            missing.append("words or pattern")
        if missing:
            raise FactsError(f"facts file {path}: new entry {rid} needs {', '.join(missing)}")


def _merge(bundled: list[Rule], meta: dict, user: dict, path: Path) -> tuple[list[Rule], dict, list[Rule]]:
    """(all rules, merged meta, rules new in the user file)."""
    known = {r.id: r for r in bundled}
    entries = user.get("stale", [])
    if not isinstance(entries, list):
        raise FactsError(f"facts file {path}: [[stale]] must be an array of tables")
    raw = {e["id"]: e for e in load_toml("dated.toml").get("stale", [])}
    over: dict[str, dict] = {}
    for e in entries:
        _check_entry(e, known, path)
        over[e["id"]] = {**raw.get(e["id"], {}), **e, "source": str(path)}
        if ("pattern" in e or "shape" in e) and "core" not in e:
            over[e["id"]].pop("core", None)    # the bundled core was read off the bundled pattern
    defaults = {"defaults": load_toml("dated.toml").get("defaults", {})}
    try:
        parsed = {r.id: r for r in parse_rules({**defaults, "stale": list(over.values())})}
        Catalogue([r for r in parsed.values() if r.id not in known])   # patterns compile
    except (KeyError, ValueError, TypeError) as exc:
        raise FactsError(f"facts file {path}: {exc}") from None
    rules = [parsed.get(r.id, r) for r in bundled] + [r for i, r in parsed.items() if i not in known]
    new = [r for i, r in parsed.items() if i not in known]
    umeta = user.get("meta", {})
    if not isinstance(umeta, dict):
        raise FactsError(f"facts file {path}: [meta] must be a table")
    merged = {**meta, **{k: v for k, v in umeta.items() if k != "plenums"}}
    plenums = {p["name"]: p for p in meta.get("plenums", ())}
    for p in umeta.get("plenums", ()):
        if not isinstance(p, dict) or not {"name", "term", "dated"} <= set(p):
            raise FactsError(f"facts file {path}: a plenum needs name, term and dated")
        plenums[p["name"]] = {**p, "source": str(path)}
    merged["plenums"] = sorted(plenums.values(), key=lambda p: (int(p["term"]), int(p["dated"])))
    return rules, merged, new


# ---------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Table:
    """dated.toml (merged with the user's facts): its [meta] and its rules."""
    meta: dict
    rules: tuple[Rule, ...]
    series: dict[str, tuple[Rule, ...]] = field(hash=False)
    by_id: dict[str, Rule] = field(hash=False, default_factory=dict)
    extra: Catalogue | None = field(hash=False, default=None)   # rules only the user's file has
    source: str = ""                                            # the user's file, "" for none

    def current(self, series: str, year: int) -> Rule | None:
        """The member of `series` a plan for `year` should cite: the first one still current."""
        for r in self.series.get(series, ()):
            if year <= r.until:
                return r
        return None

    def rule(self, rule_id: str) -> Rule:
        return self.by_id[rule_id]


def source_of(rule: Rule) -> str:
    return rule.extra.get("source", BUNDLED)


@lru_cache(maxsize=1)
def table() -> Table:
    meta = load_toml("dated.toml").get("meta", {})
    rules = [r for r in default_catalogue().rules if r.category == CATEGORY]
    path = facts_path()
    extra, source = None, ""
    if path is not None:
        rules, meta, new = _merge(rules, meta, _read_user(path), path)
        extra, source = (Catalogue(new) if new else None), str(path)
    series: dict[str, list[Rule]] = {}
    for r in rules:
        if r.extra.get("series"):
            series.setdefault(r.extra["series"], []).append(r)
    return Table(meta, tuple(rules), {k: tuple(sorted(v, key=lambda r: r.dated)) for k, v in series.items()},
                 {r.id: r for r in rules}, extra, source)


def reload() -> None:
    """Forget the merged table (after the facts file or $GHPLAN_FACTS changed)."""
    table.cache_clear()


@lru_cache(maxsize=1)
def messages() -> dict[str, Template]:
    """dated.toml [messages]: what review says about a stale hit, in English and Chinese."""
    return templates(load_toml("dated.toml").get("messages", {}))


def say(key: str, **values: object) -> tuple[str, str]:
    try:      # the types too: 1 and True are one dict key but render differently
        return _said(key, tuple(values.items()), tuple(map(type, values.values())))
    except TypeError:                  # a value that cannot be a dict key: rendered as it is
        return messages()[key].render(**values)


@lru_cache(maxsize=4096)
def _said(key: str, values: tuple, types: tuple) -> tuple[str, str]:
    """A rendered message, made once per key and values: a stale-heavy text says the same
    thing about the same year or word hundreds of times (two str.format each)."""
    return messages()[key].render(**dict(values))


def year_range() -> tuple[int, int]:
    """Plan years the table can speak for."""
    m = table().meta
    return int(m.get("min_year", 2000)), int(m.get("max_year", 2100))


def is_stale(rule: Rule, year: int) -> bool:
    return bool(rule.until) and year > rule.until


# ---------------------------------------------------------------------------- text helpers
def after(norm: str, end: int, n: int = 8) -> str:
    """Text following a hit, past closing quotes (“十四五”规划 -> 规划)."""
    i = end
    while i < len(norm) and norm[i] in _CLOSE_QUOTES:
        i += 1
    return norm[i:i + n]


REACH = 300   # how far a sentence is looked for around a hit (keeps big texts linear)


def sentence(norm: str, start: int, end: int) -> tuple[int, int]:
    lo, hi = max(0, start - REACH), min(len(norm), end + REACH)
    s = max(lo - 1, *(norm.rfind(c, lo, start) for c in _SENTENCE_END)) + 1
    ends = [i for i in (norm.find(c, end, hi) for c in _SENTENCE_END) if i >= 0]
    return s, (min(ends) if ends else hi)


def line(norm: str, pos: int) -> tuple[int, int]:
    s = norm.rfind("\n", 0, pos) + 1
    e = norm.find("\n", pos)
    return s, (len(norm) if e < 0 else e)


@dataclass(frozen=True)
class Hit:
    """One stale hit in normalised coordinates, ready to become a Finding."""
    rule: Rule
    start: int
    end: int
    severity: str
    message: str
    suggestion: str = ""
    fixable: bool = False
    message_zh: str = ""
