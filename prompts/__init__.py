"""Prompt templates (Markdown files beside this module), the prose fragments around them
(fragments.toml), and their loader.

Templates use string.Template fields (`$name` or `${name}`), so braces in the prompt text need no
escaping. Rendering is strict: a field the caller forgot is an error, never a silent blank.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from string import Template
from typing import Any

NAMES = ("system", "outline", "section", "repair", "facts", "rewrite")


@lru_cache(maxsize=None)
def load(name: str) -> str:
    """The raw text of prompts/<name>.md."""
    if name not in NAMES:
        raise KeyError(f"no prompt template {name!r}; have {', '.join(NAMES)}")
    return resources.files(__name__).joinpath(f"{name}.md").read_text("utf-8")


def fields(name: str) -> set[str]:
    """The field names a template expects."""
    return {m.group(1) or m.group(2)
            for m in re.finditer(r"\$(?:\{(\w+)\}|(\w+))", load(name).replace("$$", ""))}


def render(name: str, **values: object) -> str:
    missing = fields(name) - set(values)
    if missing:
        raise KeyError(f"prompt {name!r} needs field(s): {', '.join(sorted(missing))}")
    return Template(load(name)).substitute({k: str(v) for k, v in values.items()}).strip() + "\n"


@lru_cache(maxsize=1)
def fragments() -> dict[str, dict[str, Any]]:
    """prompts/fragments.toml: the named pieces of prose, by section."""
    return tomllib.loads(resources.files(__name__).joinpath("fragments.toml").read_text("utf-8"))


def fragment(section: str, key: str, **values: Any) -> str:
    """One fragment, filled: fragment("tone", "concise") or fragment("details", "members", value=120)."""
    return fragments()[section][key].format(**values)
