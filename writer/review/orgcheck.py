"""Wrong organisation: words that belong to another kind of union (教职工 in a hospital plan).

The betraying words per org type are corpus/rules/vocab.toml's `betray` lists (shared with the
labeller); exemptions and suggested replacements are writer/data/review.toml's [org_vocab].
"""
from __future__ import annotations

from functools import lru_cache

from ghplan.corpus import label
from ghplan.corpus.rules.model import Finding
from ghplan.corpus.rules.normalize import Normalised, normalise
from ghplan.writer.review.rules import review_data, review_rules, say

RULE = "GH-ORG-WRONG-VOCAB"


@lru_cache(maxsize=1)
def _org() -> dict:
    return review_data().get("org_vocab", {})


def _exempt(norm: str, start: int, end: int, word: str) -> bool:
    """Is the hit part of a longer word that is fine (大学生 for 学生)?"""
    for longer in _org().get("exempt", {}).get(word, ()):
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


def check(text: str, org_type: str, norm: Normalised | None = None) -> list[Finding]:
    vocab = label.vocabularies().get(org_type)
    if vocab is None or not vocab.betray:
        return []
    norm = norm or normalise(text)
    nt = norm.text
    severity = review_rules()[RULE].severity
    replace = _org().get("replace", {}).get(org_type, {})
    name = type_names().get(org_type, org_type)
    out: list[Finding] = []
    for word in vocab.betray:
        w = normalise(word).text
        i = nt.find(w)
        while i >= 0:
            if not _exempt(nt, i, i + len(w), w):
                s, e = norm.span(i, i + len(w))
                alt = replace.get(word, "")
                en, zh = say("org_wrong_vocab", word=word, org_type=org_type, name=name)
                out.append(Finding(rule=RULE, category="organisation", severity=severity, start=s, end=e,
                                   text=text[s:e], suggestion=alt, message=en, message_zh=zh))
            i = nt.find(w, i + len(w))
    return out
