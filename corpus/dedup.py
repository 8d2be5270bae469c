"""Near-duplicate documents across pages: character shingles and Jaccard similarity.

Content farms republish the same plan under new titles with a few words swapped (积极 → 主动),
so exact hashes miss them. Character 5-gram shingles over the CJK text see through that; the
corpus is small enough that exact Jaccard on shingle sets beats an approximate MinHash.
"""
from __future__ import annotations

import re

_NON_CJK = re.compile(r"[^\u4e00-\u9fff]")
SHINGLE = 5
THRESHOLD = 0.5


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    core = _NON_CJK.sub("", text)
    return {hash(core[i:i + k]) for i in range(max(0, len(core) - k + 1))}


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: set[int], b: set[int]) -> float:
    """Share of the smaller set found in the larger: catches a plan republished inside a longer one."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def duplicate_pairs(texts: list[str], threshold: float = THRESHOLD) -> list[tuple[int, int, float]]:
    """(kept index, dropped index, similarity) for every near-duplicate; the earlier one is kept."""
    sets = [shingles(t) for t in texts]
    dropped: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    for j in range(len(texts)):
        for i in range(j):
            if i in dropped:
                continue
            sim = max(jaccard(sets[i], sets[j]), containment(sets[i], sets[j]) - 0.2)
            if sim >= threshold:
                pairs.append((i, j, round(sim, 3)))
                dropped.add(j)
                break
    return pairs
