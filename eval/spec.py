"""What a suite says, once loaded: its cases and their checks (eval/suite.py reads the TOML).

Plain dataclasses with no behaviour, so the loader, the stage runners and the harness can all
use them without importing each other.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ghplan.writer.errors import GhplanError

# The order the pipeline runs them in, and the order reports list them.
STAGES = ("retrieval", "prompts", "drafting", "adversarial", "reviewer")
BACKENDS = ("offline", "mock", "openai")


class SuiteError(GhplanError):
    """A suite, mock or fixture file that cannot be used (exit 1)."""


def org_type(name: Any, where: str, *, allow_other: bool = False) -> str:
    """A type as a suite, query, mock or fixture file writes it (hospital, 医院, 乡镇, 县总工会 …)
    → its id, through the one resolver the commands use; SuiteError naming `where` (the file
    and the case) else."""
    from ghplan.writer.org_types import UnknownType, resolve_type

    if not isinstance(name, str) or not name.strip():
        raise SuiteError(f"{where}: 'type' must be an organisation type name, got {name!r}")
    try:
        return resolve_type(name, allow_other=allow_other, what="org type")
    except UnknownType as exc:
        raise SuiteError(f"{where}: {exc}") from None


@dataclass
class CheckSpec:
    name: str
    required: bool = True
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class CaseSpec:
    id: str
    stage: str
    type: str | None = None
    year: int | None = None
    backend: str = "offline"
    profile: dict[str, Any] | None = None      # None: the shipped example profile of the type
    checks: list[CheckSpec] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass
class Suite:
    name: str
    description: str
    path: Path
    cases: list[CaseSpec]
    index_year: int = 2027
