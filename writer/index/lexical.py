"""The lexical side of retrieval: BM25 over character n-grams.

m3e-small blurs exact terms (新就业形态, 金秋助学) that a plan for one organisation type must
match; BM25 on CJK unigrams and bigrams catches them without a word segmenter.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Sequence

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Character unigrams and bigrams of CJK runs, whole ASCII words. No segmenter needed, and
    bigrams capture most two-character words (职工, 帮扶, 集体)."""
    norm = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for run in _CJK_RUN.findall(norm):
        if run[0].isascii():
            out.append(run)
            continue
        out.extend(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


class BM25:
    """Okapi BM25 with an inverted index (score only the postings of the query's terms)."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.n = len(docs)
        self.lengths = [len(d) for d in docs]
        self.avgdl = (sum(self.lengths) / self.n) if self.n else 0.0
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, d in enumerate(docs):
            tf: dict[str, int] = {}
            for t in d:
                tf[t] = tf.get(t, 0) + 1
            for t, c in tf.items():
                self.postings.setdefault(t, []).append((i, c))

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, query: Sequence[str], allowed: set[int] | None = None) -> dict[int, float]:
        out: dict[int, float] = {}
        for term in dict.fromkeys(query):
            plist = self.postings.get(term)
            if not plist:
                continue
            idf = self.idf(term)
            for i, tf in plist:
                if allowed is not None and i not in allowed:
                    continue
                norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / (self.avgdl or 1))
                out[i] = out.get(i, 0.0) + idf * tf * (self.k1 + 1) / (tf + norm)
        return out
