"""Command-line values that need no converting skip typer's pydantic layer.

Typer 0.2x coerces every parameter through a pydantic TypeAdapter built when a command runs, even
a `None` default or a string given for a `str` option: importing pydantic and building ~15
adapters was ~110–140 ms of a ~450 ms 2 KB `ghplan review`, to hand strings back unchanged. Here a
value whose coercion is the identity (a str for a str option, a bool for a flag, an int for an
int, a list of those for a list) is returned as it is; any other value (a number or a path typed
as text, a choice, a bool from an environment variable) goes to typer's own coercion, built on
first use, so results and error messages stay typer's. A typer without this layer (older or
newer) is left alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

# Annotations whose lax pydantic validation of a value of exactly that type returns it unchanged
# (typer's str adapter runs str(value), its bool adapter passes non-strings through).
_IDENTITY = (str, bool, int, float)


def _identity(annotation: Any, value: Any) -> bool:
    """True when typer would return `value` unchanged for `annotation` (exact types only: a bool
    is no int here, a str subclass is converted)."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        return isinstance(value, (list, tuple)) and all(_identity(item, v) for v in value)
    return annotation in _IDENTITY and type(value) is annotation


def _plain(parameter_info: Any) -> bool:
    """No option that makes typer do more than convert the type (a parser, a click type, a
    range, a clamp, path checks)."""
    names = ("parser", "click_type", "min", "max", "clamp", "path_type", "exists", "resolve_path")
    return all(getattr(parameter_info, n, None) in (None, False) for n in names)


def install() -> bool:
    """Put the light coercion in front of typer's; False when this typer has no such layer."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam
    except ImportError:
        return False
    original = getattr(core, "build_runtime_param", None)
    if original is None or getattr(original, "ghplan_light", False):
        return original is not None

    @dataclass(frozen=True)
    class LightRuntimeParam(RuntimeParam):
        descriptor: Any = None
        full: dict = field(default_factory=dict)      # typer's own, built on first need

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if _identity(self.annotation, value):
                return list(value) if get_origin(self.annotation) is list else value
            if "param" not in self.full:
                self.full["param"] = original(self.descriptor)
            return self.full["param"]._coerce_value(value, param=param, ctx=ctx)

    def build(descriptor: Any) -> Any:
        if descriptor.file_annotation is not None or not _plain(descriptor.parameter_info):
            return original(descriptor)
        return LightRuntimeParam(descriptor.parameter_info, descriptor.annotation, descriptor=descriptor)

    build.ghplan_light = True               # type: ignore[attr-defined]
    build.original = original               # type: ignore[attr-defined]
    core.build_runtime_param = build
    return True
