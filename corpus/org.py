"""The organisation a plan is by, read from its title line or its signature (落款).

Retrieval serves a user's own plans for the same organisation first, so each document carries
the organisation it names. No NER: a union's name is a run of Chinese text ending in 工会,
工会委员会, 总工会, 女职工委员会 or 工委, at the start of the title (before the year) or alone on
one of the last lines (the signature, usually above the date).
"""
from __future__ import annotations

import re
import unicodedata

_NAME = r"[\u4e00-\u9fff（）()·\w]{1,40}?(?:工会委员会|女职工委员会|总工会|工会|工委)"
_YEAR = r"(?:[0-9]{4}|二[〇零○][一二三四五六七八九〇零○]{2})"
_TITLE = (re.compile(rf"^\s*(?P<org>{_NAME})\s*{_YEAR}\s*年"),
          re.compile(rf"^\s*{_YEAR}\s*年度?\s*(?P<org>{_NAME})\s*(?:工作|年度)"),
          re.compile(rf"^\s*(?P<org>{_NAME})\s*(?:年度)?工作(?:计划|要点|安排|思路)"))
_SIGNATURE = re.compile(rf"^\s*(?P<org>{_NAME})\s*$")
_DATE_LINE = re.compile(r"^\s*(?:[0-9]{4}|二[〇零○][一二三四五六七八九〇零○]{2})\s*年.{0,12}$")
_SUFFIXES = ("委员会", "工会", "工委")
SIGNATURE_LINES = 6          # how far from the end a signature is looked for


def _title_org(line: str) -> str:
    for pat in _TITLE:
        m = pat.match(line)
        if m:
            return m.group("org")
    return ""


def document_org(title: str, text: str) -> str:
    """The organisation a document names: its title's, else its signature's; "" when neither."""
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    for line in ([title] if title else []) + lines[:1]:
        org = _title_org(line.strip())
        if org:
            return org
    for line in reversed(lines[-SIGNATURE_LINES:]):
        if _DATE_LINE.match(line):
            continue
        m = _SIGNATURE.match(line)
        if m:
            return m.group("org")
    return ""


def org_key(name: str) -> str:
    """A name for comparing: NFKC, no spaces or brackets, without 委员会/工会/工委 at the end
    (仁和县人民医院工会委员会 and 仁和县人民医院工会 are one union)."""
    key = re.sub(r"[\s（）()·]", "", unicodedata.normalize("NFKC", name or ""))
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, changed = key[:-len(suffix)], True
    return key


MIN_PARTIAL = 5     # a shorter name must have at least this many characters to match a longer one


def same_org(a: str, b: str) -> bool:
    """One organisation: the same key, or one key ending the other (第一人民医院 vs 某市第一人民医院)
    when the shorter is specific enough."""
    ka, kb = org_key(a), org_key(b)
    if len(ka) < 2 or len(kb) < 2:
        return False
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    return len(short) >= MIN_PARTIAL and long_.endswith(short)
