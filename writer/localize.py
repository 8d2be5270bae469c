"""Failures, warnings and notes in the user's language, read back at the boundary.

Library layers the CLI and the server do not own (corpus, index, review) say their failures in
English. The [messages.error.*] (and [messages.libnote.*]) entries of writer/data/messages.toml
hold those sentences as templates beside their Chinese; `localize` reads an English line back through them and renders
the Chinese, so every language lives in the data file, not in code:

    localize("x.txt: no such file", "zh")   # → "找不到文件：x.txt"
    localize(exc.args[0], "en")             # → the English, unchanged

A `Said` (writer/messages.py) carries its own Chinese; its English values are read back, so an
error quoted inside it (a skipped retrieval's reason) is Chinese too. Only error paths
call this: its table is parsed on first use.
"""
from __future__ import annotations

import re
from functools import lru_cache
from string import Formatter
from typing import Any

from ghplan.writer.messages import Said

_FIELD = re.compile(r"\{(\w+)(![rs])?(:[^{}]*)?\}")
_DEPTH = 3          # values inside values: "cannot read {path}: {reason}" → the OS reason
_LONGEST = 2000     # a longer line stays as it is: lazy groups on it cost ~ms per character
# the table's sections that hold a library layer's English lines: failures, and notes it writes
READ_BACK = ("error.", "libnote.")


def _literal(text: str) -> str:
    return re.escape(text.replace("{{", "{").replace("}}", "}"))


def _pattern(template: str) -> re.Pattern[str]:
    """The English template as a regex: literals exact, `{name}` any text, `{name!r}` quoted text."""
    out: list[str] = []
    seen: set[str] = set()
    pos = 0
    for m in _FIELD.finditer(template):
        out.append(_literal(template[pos:m.start()]))
        name = m.group(1)
        group = f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
        out.append(f"'{group}'" if m.group(2) == "!r" else group)
        seen.add(name)
        pos = m.end()
    out.append(_literal(template[pos:]))
    return re.compile("".join(out), re.S)


@lru_cache(maxsize=1)
def _matchers() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(English pattern, Chinese template) for every READ_BACK entry, most specific first."""
    from ghplan.writer.messages import _data

    found = [t for key, t in _data()[0].items() if key.startswith(READ_BACK)]
    # the most fixed text first: "cannot read suite {path}" before "cannot read {path}"
    found.sort(key=lambda t: -len(_FIELD.sub("", t.en)))
    return tuple((_pattern(t.en), t.zh) for t in found)


class _Plain(Formatter):
    """Values read back are text: a spec written for a number (`{n:g}`) is dropped for them."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        return super().format_field(value, "" if isinstance(value, str) else format_spec)


def read_back(line: str, depth: int = 0) -> str | None:
    """The Chinese of an English line some READ_BACK template says whole (its values read back
    too); None when none does."""
    if depth > _DEPTH or not line or len(line) > _LONGEST:
        return None
    for pattern, zh in _matchers():
        m = pattern.fullmatch(line)
        if m:
            values = {k: read_back(v, depth + 1) or v for k, v in m.groupdict().items()}
            return _Plain().format(zh, **values)
    return None


def localize(message: object, lang: str) -> str:
    """A failure, warning or note in `lang`: under en the English as the library wrote it; under
    zh the Chinese of a `Said` (rendered again with its English values read back), or of an
    English line the table knows, else the English (a line not yet in the table)."""
    en = str(message)
    if lang != "zh":
        return en
    if isinstance(message, Said):
        return _said_zh(message)
    zh = read_back(en)
    return en if zh is None else zh


def _said_zh(said: Said) -> str:
    if not said.key:
        return said.zh
    from ghplan.writer.messages import say

    again = {k: read_back(v) or v for k, v in said.values.items() if isinstance(v, str)}
    return say(said.key, {**again, **said.zh_values}, **said.values).zh
