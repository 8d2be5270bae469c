"""Fusing rankings and keeping results apart: reciprocal-rank fusion of the dense and lexical
lists (no score calibration needed between them), then maximal marginal relevance so the k results
are not near-copies of one another (content-farm plans copy each other heavily)."""
from __future__ import annotations

from typing import Any, Iterable, Sequence

RRF_K = 60            # the usual reciprocal-rank constant: damps the head so both lists count
MMR_LAMBDA = 0.7      # relevance vs novelty; 0.7 keeps relevance first
NEAR_COPY = 0.95      # cosine above which a candidate is a near-copy of a chosen result


def rrf(rankings: Iterable[Sequence[str]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal-rank fusion: sum of 1/(k + rank) over the lists an id appears in."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking, start=1):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (k + rank)
    return fused


def mmr(candidates: Sequence[str], relevance: dict[str, float], vectors: dict[str, Any], k: int,
        lam: float = MMR_LAMBDA, near_copy: float = NEAR_COPY) -> list[str]:
    """Maximal marginal relevance over unit vectors; near-copies are skipped while others remain."""
    import numpy as np

    if not candidates:
        return []
    top = max(relevance[c] for c in candidates) or 1.0
    chosen: list[str] = []
    pool = list(candidates)
    sims_to_chosen = {c: -1.0 for c in pool}
    while pool and len(chosen) < k:
        def value(c: str) -> float:
            return lam * relevance[c] / top - (1 - lam) * max(sims_to_chosen[c], 0.0)

        fresh = [c for c in pool if sims_to_chosen[c] < near_copy]
        best = max(fresh or pool, key=value)
        chosen.append(best)
        pool.remove(best)
        vb = np.asarray(vectors[best])
        for c in pool:
            sims_to_chosen[c] = max(sims_to_chosen[c], float(np.dot(np.asarray(vectors[c]), vb)))
    return chosen
