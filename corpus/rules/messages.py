"""Messages built from a template in data: an English and a Chinese text with named placeholders.

A rule's fixed message is data on the rule (`message`/`reason`, `message_zh`); a message that
names what was found (十四五, 一、, a year) is a template in a [messages.<key>] table of the rule
file, `en` and `zh` side by side, rendered here. A Chinese template may leave out a detail the
English names (the type code beside its Chinese name) but never asks for a value the English lacks.
"""
from __future__ import annotations

from dataclasses import dataclass
from string import Formatter


@dataclass(frozen=True)
class Template:
    key: str
    en: str
    zh: str

    def render(self, zh_values: dict | None = None, **values: object) -> tuple[str, str]:
        """(English, Chinese). `zh_values` overrides values whose Chinese form differs."""
        return self.en.format(**values), self.zh.format(**{**values, **(zh_values or {})})


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def templates(table: dict) -> dict[str, Template]:
    """A [messages] table ({key: {en, zh}}) as Templates; ValueError on a missing side or a
    Chinese placeholder the English does not have."""
    out: dict[str, Template] = {}
    for key, entry in table.items():
        en, zh = entry.get("en", ""), entry.get("zh", "")
        if not en or not zh:
            raise ValueError(f"message {key!r} needs both en and zh")
        extra = placeholders(zh) - placeholders(en)
        if extra:
            raise ValueError(f"message {key!r}: zh placeholders {sorted(extra)} not in en")
        out[key] = Template(key, en, zh)
    return out
