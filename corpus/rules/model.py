"""The one Finding type shared by ingest (which removes findings) and review (which reports them)."""
from __future__ import annotations

from dataclasses import dataclass, field

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
