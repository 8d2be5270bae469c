"""What ghplan says besides review findings, in the user's language, from one table of data
(writer/data/messages.toml): the draft's notes, the command lines around them, search and facts
headings and labels.

    said = say("draft.errors_remain", errors=2, rounds=1)   # both languages at once
    said.en, said.zh, said.text("zh")
    text("cli.wrote", "zh", path="plan.docx")               # one language

A library note is a `Said` (both languages), so a caller that learns the language later (the
CLI, the server) picks the text then; the English is the stable text scripts and tests match.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from ghplan.corpus.cache import load_toml
from ghplan.corpus.rules.messages import Template, templates
from ghplan.writer.lang import pick


class Said(str):
    """One message in both languages. It *is* its English text (a str), so lists of notes keep
    their shape for every caller and JSON that had English strings; `.zh` and `.text(lang)` give
    the Chinese to a caller that knows the language. One made by `say` keeps its key and values,
    so a boundary can render its Chinese again with an English value translated
    (writer/localize.py: a skipped retrieval's reason, an OS error's wording)."""
    zh: str
    key: str = ""
    values: dict = {}           # never mutated: replaced per instance by say()
    zh_values: dict = {}

    def __new__(cls, en: str, zh: str = "") -> "Said":
        obj = super().__new__(cls, en)
        obj.zh = zh or en
        return obj

    @property
    def en(self) -> str:
        return str.__str__(self)

    def text(self, lang: str) -> str:
        return pick(lang, self.en, self.zh)


def _flatten(table: dict, prefix: str = "") -> dict[str, dict]:
    """{"draft": {"x": {"en", "zh"}}} → {"draft.x": {"en", "zh"}}."""
    out: dict[str, dict] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and ("en" in value or "zh" in value):
            out[name] = value
        elif isinstance(value, dict):
            out.update(_flatten(value, name + "."))
    return out


@lru_cache(maxsize=1)
def _data() -> tuple[dict[str, Template], dict[str, dict[str, str]]]:
    ref = resources.files("ghplan.writer").joinpath("data", "messages.toml")
    data = load_toml("messages.toml", ref.read_text("utf-8"))   # kept parsed on disk
    return templates(_flatten(data.get("messages", {}))), data.get("labels", {})


def say(key: str, zh_values: dict | None = None, /, **values: Any) -> Said:
    """The message `key` in both languages; `zh_values` are values whose Chinese form differs
    (a type's Chinese name beside its id). KeyError for a key the table lacks. The first
    arguments are positional only, so a template may have a value named `key` or `lang`."""
    en, zh = _data()[0][key].render(zh_values, **values)
    said = Said(en, zh)
    said.key, said.values, said.zh_values = key, values, dict(zh_values or {})
    return said


def text(key: str, lang: str, zh_values: dict | None = None, /, **values: Any) -> str:
    """The message `key` in `lang` ("zh" or "en")."""
    return say(key, zh_values, **values).text(lang)


def label(what: str, ident: str, lang: str) -> str:
    """The word shown for an id (a role, a fact): its Chinese label under zh, else the id."""
    if lang != "zh":
        return ident
    return _data()[1].get(what, {}).get(ident, ident)


def type_name(org_type: str | None, lang: str) -> str:
    """An org type as shown: its Chinese name (医院) under zh, else the id."""
    if not org_type or lang != "zh":
        return org_type or ""
    from ghplan.writer.org_types import chinese_names

    return chinese_names().get(org_type, org_type)


def type_names(types: list[str] | tuple[str, ...], lang: str) -> str:
    """Several types joined as the language joins a list: "a, b" or "甲、乙"."""
    return ("、" if lang == "zh" else ", ").join(type_name(t, lang) for t in types)
