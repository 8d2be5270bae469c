"""Wrong organisation: words that belong to another kind of union (教职工 in a hospital plan).

The betraying words per org type are corpus/rules/vocab.toml's `betray` lists (shared with the
labeller); exemptions and suggested replacements are writer/data/review.toml's [org_vocab].
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ghplan.corpus import label
from ghplan.corpus.rules.model import Finding
from ghplan.corpus.rules.normalize import Normalised, normalise
from ghplan.writer.review.rules import review_data, review_rules, say

RULE = "GH-ORG-WRONG-VOCAB"
MISMATCH = "GH-ORG-DECLARED-MISMATCH"
SOURCE_ZH = {"type": "指定的类型", "org": "指定的单位名称", "profile": "单位档案", "title": "标题"}


@dataclass(frozen=True)
class Declared:
    """The organisation a plan names: its type, where the name came from, the words that said so."""
    org_type: str
    source: str          # type | org | profile | title
    name: str = ""       # the name or title line read
    start: int = 0       # where in the text the title line is (title only)
    end: int = 0


@lru_cache(maxsize=1)
def _declared_words() -> tuple[tuple[str, str], ...]:
    table = review_data().get("org_declared", {})
    return tuple((normalise(w).text, t) for t in label.vocabularies() for w in table.get(t, ()))


def type_of_name(name: str) -> str | None:
    """The org type a union's name declares (…人民医院工会 → hospital), or None.

    The word that ends last wins (a name ends in what the organisation is), then the longer one.
    """
    norm = normalise(name).text
    best, key = None, (-1, 0)
    for word, t in _declared_words():
        i = norm.rfind(word)
        if i >= 0 and (i + len(word), len(word)) > key:
            best, key = t, (i + len(word), len(word))
    return best


def title_line(text: str) -> tuple[int, int] | None:
    """Span of the plan's title line, when the first line reads as one (short, names a plan genre)."""
    table = review_data().get("org_declared", {})
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    line = text[start:end].strip()
    if not line or len(line) > int(table.get("title_max_chars", 40)) or re.search(r"[。，,；;！!？?]|篇", line):
        return None
    if not any(g in line for g in table.get("title_genres", ())):
        return None
    return start, start + len(line)


def declared(text: str, org_type: str | None = None, org_name: str | None = None,
             profile_name: str | None = None) -> Declared | None:
    """What the plan says it is: --type, else --org, else a profile's name, else the title line."""
    if org_type:
        return Declared(org_type, "type")
    for source, name in (("org", org_name), ("profile", profile_name)):
        t = type_of_name(name) if name else None
        if t:
            return Declared(t, source, name or "")
    span = title_line(text)
    t = type_of_name(text[span[0]:span[1]]) if span else None
    return Declared(t, "title", text[span[0]:span[1]], *span) if t and span else None


def compatible(declared_type: str, body_type: str) -> bool:
    if body_type in (declared_type, "other") or declared_type == "other":
        return True
    allowed = review_data().get("org_declared", {}).get("compatible", {}).get(declared_type, ())
    return body_type in allowed


@lru_cache(maxsize=1)
def _org() -> dict:
    return review_data().get("org_vocab", {})


def _exempt(norm: str, start: int, end: int, word: str, longers: tuple[str, ...] | None = None) -> bool:
    """Is the hit part of a longer word that is fine (大学生 for 学生)? `longers`: the word's
    exemptions, when the caller has them."""
    for longer in _org().get("exempt", {}).get(word, ()) if longers is None else longers:
        i = longer.find(word)
        while i >= 0:
            s = start - i
            if norm[max(0, s):s + len(longer)] == longer:
                return True
            i = longer.find(word, i + 1)
    return False


@lru_cache(maxsize=1)
def type_names() -> dict[str, str]:
    """Org type -> its Chinese name (vocab.toml's `name`)."""
    from ghplan.corpus.label import vocabularies

    return {t: v.name for t, v in vocabularies().items()}


def _hits(nt: str, word: str) -> list[tuple[int, int]]:
    """Where `word` (normalised) occurs in `nt`, not as part of an exempt longer word; the word's
    exemptions looked up once (none: no test per hit)."""
    w = normalise(word).text
    n = len(w)
    longers = tuple(_org().get("exempt", {}).get(w, ()))
    out = []
    i = nt.find(w)
    while i >= 0:
        if not longers or not _exempt(nt, i, i + n, w, longers):
            out.append((i, i + n))
        i = nt.find(w, i + n)
    return out


def _body_words(declared_type: str, body_type: str) -> list[str]:
    """Words of the body's type that the declared type never speaks (医务人员 in a company's plan)."""
    vocabs = label.vocabularies()
    mine, theirs = vocabs.get(declared_type), vocabs.get(body_type)
    if mine is None or theirs is None:
        return []
    own = set(mine.cues) | set(mine.belongs)
    strong = [w for w, weight in theirs.cues.items() if weight >= 4] + list(theirs.belongs)
    return [w for w in dict.fromkeys(strong) if w not in own and w not in mine.betray
            and not any(w in o or o in w for o in own)]


def check(text: str, org_type: str, norm: Normalised | None = None, body_type: str | None = None,
          decl: Declared | None = None) -> list[Finding]:
    """Betraying words of `org_type`; with a declared type the body contradicts, also the body
    type's own words and one finding saying which type was declared and which the body reads as."""
    vocab = label.vocabularies().get(org_type)
    if vocab is None:
        return []
    norm = norm or normalise(text)
    nt = norm.text
    severity = review_rules()[RULE].severity
    replace = _org().get("replace", {}).get(org_type, {})
    name = type_names().get(org_type, org_type)
    out: list[Finding] = []
    for word in vocab.betray:
        hits = _hits(nt, word)
        if not hits:
            continue
        en, zh = say("org_wrong_vocab", word=word, org_type=org_type, name=name)    # one message a word
        suggestion = replace.get(word, "")
        for i, j in hits:
            s, e = norm.span(i, j)
            out.append(Finding(RULE, "organisation", severity, s, e, text[s:e], en, suggestion, False, 0, zh))
    if decl is None or body_type is None or compatible(org_type, body_type):
        return out
    body_name = type_names().get(body_type, body_type)
    for word in _body_words(org_type, body_type):
        hits = _hits(nt, word)
        if not hits:
            continue
        en, zh = say("org_wrong_vocab_body", word=word, body=body_type, body_name=body_name,
                     org_type=org_type, name=name)
        for i, j in hits:
            s, e = norm.span(i, j)
            out.append(Finding(RULE, "organisation", severity, s, e, text[s:e], en, "", False, 0, zh))
    en, zh = say("org_declared_mismatch", {"source": SOURCE_ZH.get(decl.source, decl.source)},
                 declared=org_type, declared_name=name, body=body_type, body_name=body_name,
                 source={"type": "--type option", "org": "--org name", "profile": "profile",
                         "title": "title"}.get(decl.source, decl.source))
    start, end = (decl.start, decl.end) if decl.end else (title_line(text) or (0, 0))   # point at the title
    out.append(Finding(rule=MISMATCH, category="organisation", severity=review_rules()[MISMATCH].severity,
                       start=start, end=end, text=text[start:end], message=en, message_zh=zh))
    return out
