"""What a chat model leaves in a draft that the shared catalogue does not hold: bracketed and
lettered placeholders, offers and sign-offs to 您, meta framing, Markdown tables and rules.

The rules are text patterns in writer/data/review.toml ([[placeholder]], [[chatbot]],
[[markdown]] entries with GH-GEN- ids), matched by the same engine as corpus/rules (one
Aho-Corasick pass over the normalised text, each pattern verified near its triggers).
"""
from __future__ import annotations

from functools import lru_cache

from ghplan.corpus.rules.engine import Catalogue, Match, default_catalogue
from ghplan.corpus.rules.model import Finding
from ghplan.corpus.rules.normalize import Normalised, normalise
from ghplan.writer.review.rules import review_rules
from ghplan.writer.review.spans import overlap_test


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The review-only pattern rules; each regex is compiled when its trigger is first seen."""
    return Catalogue([r for r in review_rules().values() if r.pattern or r.words], lazy=True)


@lru_cache(maxsize=1)
def with_shared() -> tuple[Catalogue, frozenset[str]]:
    """(one catalogue of the shared rules and these, the ids of these): review matches a text once
    for both, one automaton pass instead of two (this catalogue's literals alone cost a full
    pass, ~4 ms a megabyte of plan text that holds none of them). Its hits of the shared rules
    are the shared catalogue's: each rule is verified on its own windows."""
    own = catalogue()
    return Catalogue(default_catalogue().rules + own.rules, lazy=True), frozenset(r.id for r in own.rules)


def check(text: str, norm: Normalised | None = None, already: list[Finding] | None = None,
          hits: list[Match] | None = None) -> list[Finding]:
    """Findings the shared catalogue has not made: a hit overlapping one of `already` of the same
    category is left out (the catalogue's rule said it first). `hits`: this catalogue's hits on
    `norm`, when the caller matched it already (see `with_shared`)."""
    norm = norm or normalise(text)
    by_category: dict[str, list[tuple[int, int]]] = {}
    for f in already or ():
        by_category.setdefault(f.category, []).append((f.start, f.end))
    taken = {c: overlap_test(spans) for c, spans in by_category.items()}
    return [f for f in catalogue().scan(text, norm, hits=hits)
            if not (f.category in taken and taken[f.category](f.start, f.end))]
