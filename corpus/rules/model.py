"""The one Finding type shared by ingest (which removes findings) and review (which reports them)."""
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    id: str              # e.g. "GH-BP-CHATTER-XIAOBIAN"
    category: str        # e.g. "chatter", "placeholder", "stale"
    severity: str        # error | warning | info
    reason: str          # one line: why this is rot
    example: str = ""
    message: str = ""    # what review says; defaults to reason
    message_zh: str = ""  # the same in Chinese, for union cadres and the repair prompt
    action: str = "delete"   # ingest action: delete | delete-sentence | delete-line | delete-to-end | keep
    pattern: str = ""    # a regex over normalised text ...
    words: tuple[str, ...] = ()   # ... or literal words (normalised), matched by Aho-Corasick
    dated: int = 0       # for dated references: the year the reference dates from
    until: int = 0       # last year in which the reference is still current (0 = dated only)
    successor: str = ""  # the right replacement once stale, when there is exactly one
    extra: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    severity: str
    start: int           # offsets into the ORIGINAL text
    end: int
    text: str            # == original[start:end]
    message: str
    suggestion: str = ""   # replacement text for --fix; "" with fixable=True means delete
    fixable: bool = False
    dated: int = 0         # for stale references: the year the reference dates from
    message_zh: str = ""   # the message in Chinese (what is wrong, what to do)


def direct_init(cls: type) -> type:
    """Give a frozen dataclass an __init__ that fills the instance dict at once.

    The generated one assigns each field through object.__setattr__ (the class's own refuses):
    ~2 µs a Finding built with keywords, and a rot-heavy megabyte of review makes ~7,000 of
    them. Writing `__dict__` is what object.__setattr__ does for a class without slots: same
    signature, defaults and instances (tests/test_rot_fastpath.py holds it to the generated one).
    Fields with a default_factory are not supported (the class is returned unchanged)."""
    fs = fields(cls)
    if any(f.default_factory is not MISSING or not f.init for f in fs):
        return cls
    defaults = {f"_d_{f.name}": f.default for f in fs if f.default is not MISSING}
    params = ", ".join(f.name if f.default is MISSING else f"{f.name}=_d_{f.name}" for f in fs)
    body = "".join(f"\n    d[{f.name!r}] = {f.name}" for f in fs)
    code = f"def __init__(self, {params}):\n    d = self.__dict__{body}\n"
    scope: dict = {}
    exec(code, defaults, scope)          # as dataclasses builds its own __init__
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {**{f.name: f.type for f in fs}, "return": None}
    cls.__init__ = init
    return cls


direct_init(Finding)
