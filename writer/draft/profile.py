"""An organisation's profile: what makes a plan this union's own.

A profile is a small TOML file (examples per org type ship in writer/data/profiles/):

    org = "某市第一人民医院工会"
    type = "hospital"
    year = 2027                  # optional; the command's --year wins, default next year
    member_count = 1260
    departments = ["内科", "外科", "护理部"]
    achievements = ["获评市级模范职工之家"]
    priorities = ["关心一线医务人员身心健康"]
    tone = "standard"            # standard | concise | detailed
    sections = ["guiding", "goals", "tasks", "safeguards", "schedule"]
    length = 3200                # target length of the plan in characters

    [[events]]
    month = 5
    name = "护士节表彰先进护理集体"

Unknown keys are an error (a typo in a key must not be silently ignored).
"""
from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ghplan.corpus.model import REQUIRED_ROLES
from ghplan.writer.messages import Said, say, text
from ghplan.writer.org_types import UnknownType, resolve_type, valid_names

TONES = ("standard", "concise", "detailed")
SECTION_ROLES = ("guiding", "goals", "tasks", "safeguards", "schedule", "closing")
DEFAULT_SECTIONS = ("guiding", "goals", "tasks", "safeguards", "schedule", "closing")
DEFAULT_LENGTH = 3000
MIN_LENGTH, MAX_LENGTH = 800, 20000
MIN_YEAR, MAX_YEAR = 2000, 2100


class ProfileError(ValueError):
    """A profile that cannot be used; the message is one line for the user. Raised with a
    `Said` (writer/messages.py), it carries the same detail in Chinese as `.zh`."""

    @property
    def zh(self) -> str:
        message = self.args[0] if self.args else ""
        return getattr(message, "zh", str(message))


@dataclass(frozen=True)
class Event:
    month: int          # 1..12
    name: str


@dataclass
class Profile:
    org: str
    type: str
    year: int | None = None
    member_count: int | None = None
    departments: list[str] = field(default_factory=list)
    achievements: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    tone: str = "standard"
    sections: list[str] = field(default_factory=lambda: list(DEFAULT_SECTIONS))
    length: int = DEFAULT_LENGTH
    source: str = ""     # the file it came from, "" when built in code

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("source")
        return d

    def with_overrides(self, *, org: str | None = None, type: str | None = None,
                       year: int | None = None, length: int | None = None) -> "Profile":
        """A copy with the command line's values on top, validated again."""
        data = self.to_dict()
        data["events"] = [{"month": e.month, "name": e.name} for e in self.events]
        for key, value in (("org", org), ("type", type), ("year", year), ("length", length)):
            if value is not None:
                data[key] = value
        return profile_from_dict(data, source=self.source)


_KEYS = set(Profile.__dataclass_fields__) - {"source"}


def _str_list(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(say("profile.str_list", key=key))
    return [v.strip() for v in value if v.strip()]


def _int(value: Any, key: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProfileError(say("profile.whole_number", key=key))
    if not lo <= value <= hi:
        raise ProfileError(say("profile.range", key=key, lo=lo, hi=hi, value=value))
    return value


def _events(value: Any) -> list[Event]:
    if not isinstance(value, list):
        raise ProfileError(say("profile.events_list"))
    out: list[Event] = []
    for i, ev in enumerate(value, 1):
        if not isinstance(ev, dict) or set(ev) - {"month", "name"} or "name" not in ev:
            raise ProfileError(say("profile.event_table", i=i))
        name = ev["name"]
        if not isinstance(name, str) or not name.strip():
            raise ProfileError(say("profile.event_name", i=i))
        out.append(Event(_int(ev.get("month", 0), f"events[{i}].month", 1, 12), name.strip()))
    return sorted(out, key=lambda e: e.month)


def _org_type(name: Any) -> str:
    """The profile's `type` as a cadre writes it (hospital, 医院, 县总工会 …) → its id."""
    if not isinstance(name, str) or not name.strip():
        raise ProfileError(say("profile.type_required", names=valid_names()))
    try:
        return resolve_type(name, what="org type")
    except UnknownType as exc:   # the resolver's English line (with variants), a Chinese one beside it
        zh = text("profile.unknown_type", "zh", name=name, names=valid_names())
        raise ProfileError(Said(str(exc), zh)) from None


def profile_from_dict(data: dict[str, Any], *, source: str = "") -> Profile:
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ProfileError(say("profile.unknown_keys", keys=", ".join(unknown),
                               allowed=", ".join(sorted(_KEYS))))
    org = data.get("org", "")
    if not isinstance(org, str) or not org.strip():
        raise ProfileError(say("profile.org_required"))
    otype = _org_type(data.get("type", ""))
    year = data.get("year")
    if year is not None:
        year = _int(year, "year", MIN_YEAR, MAX_YEAR)
    members = data.get("member_count")
    if members is not None:
        members = _int(members, "member_count", 1, 10_000_000)
    tone = data.get("tone", "standard")
    if tone not in TONES:
        raise ProfileError(say("profile.tone", tones=", ".join(TONES), value=tone))
    sections = _str_list(data.get("sections", list(DEFAULT_SECTIONS)), "sections")
    bad = [s for s in sections if s not in SECTION_ROLES]
    if bad:
        raise ProfileError(say("profile.sections", bad=", ".join(map(str, bad)), roles=", ".join(SECTION_ROLES)))
    # a plan without its required roles is not a plan: keep them whatever the profile says
    sections = [r for r in SECTION_ROLES if r in sections or r in REQUIRED_ROLES]
    length = _int(data.get("length", DEFAULT_LENGTH), "length", MIN_LENGTH, MAX_LENGTH)
    return Profile(
        org=org.strip(), type=otype, year=year, member_count=members,
        departments=_str_list(data.get("departments", []), "departments"),
        achievements=_str_list(data.get("achievements", []), "achievements"),
        priorities=_str_list(data.get("priorities", []), "priorities"),
        events=_events(data.get("events", [])),
        tone=tone, sections=sections, length=length, source=source,
    )


def load_profile(path: str | Path) -> Profile:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"cannot read profile {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(f"profile {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"bad TOML in profile {path}: {exc}") from None
    return profile_from_dict(data, source=str(path))


def example_profile(org_type: str) -> Profile:
    """The shipped example profile for an org type."""
    org_type = _org_type(org_type)
    ref = resources.files("ghplan.writer").joinpath("data", "profiles", f"{org_type}.toml")
    data = tomllib.loads(ref.read_text("utf-8"))
    return profile_from_dict(data, source=f"writer/data/profiles/{org_type}.toml")


def minimal_profile(org: str, org_type: str, *, year: int | None = None,
                    length: int | None = None) -> Profile:
    """A profile from the command line alone (--org, --type)."""
    data: dict[str, Any] = {"org": org, "type": org_type}
    if year is not None:
        data["year"] = year
    if length is not None:
        data["length"] = length
    return profile_from_dict(data)
