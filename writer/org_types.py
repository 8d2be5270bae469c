"""The one resolver from what users call an organisation type to ghplan's type id.

`--type`, a profile's `type`, the public API and the server's `type` field all come through
`resolve_type`: the English ids (hospital), their Chinese names (医院) and the natural variants
(卫生院, 县总工会, 女工委 …), which are data in writer/data/type_names.toml with a reason each.
"""
from __future__ import annotations

from functools import lru_cache

from ghplan.corpus.cache import bundled, load_toml
from ghplan.corpus.model import ORG_TYPES
from ghplan.writer.errors import UsageError

_UNION = "工会"   # "医院工会" names the hospital's union: the type is the part before it


class UnknownType(UsageError):
    """A type name ghplan does not know (one line listing the valid ones)."""


@lru_cache(maxsize=1)
def _table() -> dict:
    ref = bundled("ghplan.writer").joinpath("data", "type_names.toml")
    data = load_toml("type_names.toml", ref.read_text("utf-8"))   # kept parsed on disk
    missing = [t for t in ORG_TYPES if t not in data]
    if missing:
        raise RuntimeError(f"writer/data/type_names.toml lacks {', '.join(missing)}")
    return data


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Every accepted name (ids included) → type id."""
    out = {t: t for t in ORG_TYPES}
    for t in ORG_TYPES:
        for name in _table()[t].get("aliases", {}):
            out[name] = t
    return out


def chinese_names() -> dict[str, str]:
    """Type id → its Chinese name, in ORG_TYPES order."""
    return {t: _table()[t]["name"] for t in ORG_TYPES}


def valid_names() -> str:
    """`hospital 医院, school 学校, …`: the names an error or a help text lists."""
    return ", ".join(f"{t} {zh}" for t, zh in chinese_names().items())


def _variants() -> list[str]:
    """One everyday variant per type (小学, 卫生院, 公司 …) to show that variants work."""
    out = []
    for t, zh in chinese_names().items():
        out += [a for a in _table()[t].get("aliases", {}) if a != zh][:1]
    return out


def resolve_type(name: str, *, allow_other: bool = False, what: str = "type") -> str:
    """The type id for `name` (hospital, Hospital, 医院, 医院工会, 县总工会 …); UnknownType else,
    its one line starting "unknown {what}". `allow_other`: "other" (an inferred type with
    nothing to check) passes too."""
    key = name.strip()
    table = aliases()
    found = table.get(key) or table.get(key.lower())
    if found is None and key.endswith(_UNION) and len(key) > len(_UNION):
        found = table.get(key[:-len(_UNION)])
    if found is None and allow_other and key.lower() == "other":
        found = "other"
    if found is None:
        raise UnknownType(f"unknown {what} {name!r}: use one of {valid_names()} (or {', '.join(_variants())} …)")
    return found


def resolve_optional(name: str | None, *, allow_other: bool = False, what: str = "type") -> str | None:
    return None if name is None else resolve_type(name, allow_other=allow_other, what=what)
