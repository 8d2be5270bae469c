"""Which language ghplan speaks to its user: "zh" (Chinese) or "en" (English).

One resolver for the CLI, the public API and the server:
an explicit choice (`--lang`, `lang=`) wins, then GHPLAN_LANG, then the locale as POSIX reads it
(the first set of LC_ALL, LC_MESSAGES, LANG). A zh_* locale means Chinese; C, POSIX, an unset
locale or any other language means English, so scripts and CI logs keep the English they had.
"""
from __future__ import annotations

import os
from typing import Mapping

from ghplan.writer.errors import UsageError

LANGS = ("zh", "en")
DEFAULT = "en"
# the locale variables in the order POSIX consults them for messages
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")


def check_lang(lang: str) -> str:
    """A language code as given ("zh", "EN", "zh-CN", "zh_CN") normalised to zh or en; UsageError else."""
    code = lang.strip().lower().replace("-", "_").split("_")[0]
    if code not in LANGS:
        raise UsageError(f"unknown language {lang!r}: use zh (中文) or en (English)")
    return code


def locale_lang(env: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for: zh for zh_CN.UTF-8 and the like, else en."""
    env = os.environ if env is None else env
    for var in LOCALE_VARS:
        value = env.get(var, "")
        if value:   # the first set variable decides, as in setlocale(3)
            return "zh" if value.lower().startswith("zh") else DEFAULT
    return DEFAULT


def resolve_lang(lang: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The language to use: `lang` if given, else GHPLAN_LANG, else the locale's."""
    env = os.environ if env is None else env
    if lang:
        return check_lang(lang)
    if env.get("GHPLAN_LANG"):
        return check_lang(env["GHPLAN_LANG"])
    return locale_lang(env)


def pick(lang: str, en: str, zh: str) -> str:
    """The text in `lang`, falling back to the English when there is no Chinese."""
    return zh if lang == "zh" and zh else en
