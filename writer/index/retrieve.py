"""Hybrid retrieval over the index: dense + lexical, fused by reciprocal rank, then MMR.

Why hybrid: m3e-small knows that 教代会 and 职代会 are alike, which is right for meaning and
wrong for vocabulary (a school plan must not get a factory's words); BM25 on character n-grams
catches the exact terms (新就业形态, 金秋助学) that a small model blurs. Reciprocal-rank fusion
needs no score calibration between the two. MMR then keeps the k results from being near-copies
of one another (content-farm plans copy each other heavily).

The user's own plans (chunks with origin "user", indexed from `index build --corpus DIR`) come
first: chunks of the organisation asked for (`org`, matched against the organisation each plan
names in its title or signature) ahead of everything, then the user's other plans of the type
asked for, then the rest (bundled seeds, stand-in types) as before. A chunk without an origin (an
index built before origins existed) is a seed.

Only material fit for drafting is ever served: plan parts (never summary material), never stale
chunks. Types with too few plans fall back to stand-in types listed in writer/data/fallback.toml,
and the result says so.

The draft layer calls `retrieve(profile_or_type, role, k, query=None)`; the CLI calls `search`.
"""
from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

from ghplan.writer.errors import GhplanError, UsageError
from ghplan.corpus.model import ORG_TYPES, ROLES
from ghplan.writer.org_types import resolve_optional

from ghplan.writer.index.fusion import MMR_LAMBDA, mmr, rrf
from ghplan.writer.index.lexical import BM25, tokens
from ghplan.writer.index.lexstore import dense_top
from ghplan.writer.index.results import Hit, SearchResult
from ghplan.writer.index.store import Location, check_dim, iter_collection, location_from, open_index, connect, active_name

MODES = ("hybrid", "dense", "lexical")
TYPES = ORG_TYPES + ("other",)


class RetrievalError(UsageError):
    """A search request that cannot be answered as asked (empty query, unknown type or role)."""


# ---------------------------------------------------------------- data: fallback, vocabulary

@dataclass(frozen=True)
class Fallback:
    order: tuple[str, ...]
    reason: str


@lru_cache(maxsize=1)
def fallback_table() -> tuple[dict[str, Fallback], float]:
    data = tomllib.loads(resources.files("ghplan.writer").joinpath("data/fallback.toml").read_text("utf-8"))
    penalty = float(data.get("type_penalty", 0.25))
    table: dict[str, Fallback] = {}
    for t, entry in data.items():
        if not isinstance(entry, dict):
            continue
        order = tuple(entry.get("order", ()))
        bad = [x for x in (t, *order) if x not in TYPES]
        if bad or not entry.get("reason"):
            raise GhplanError(f"writer/data/fallback.toml [{t}]: unknown type {bad} or no reason")
        table[t] = Fallback(order=order, reason=str(entry["reason"]))
    return table, penalty


@lru_cache(maxsize=1)
def _vocab() -> tuple[dict[str, dict], dict[str, list[str]]]:
    """Type names/words (corpus.label.vocabularies) and role heading words (corpus.lexicon).
    Missing or reshaped files only make default queries plainer, never break retrieval."""
    try:
        from ghplan.corpus.label import vocabularies
        vocab = {t: {"name": v.name, "belongs": list(v.belongs)} for t, v in vocabularies().items()}
    except Exception:
        vocab = {}
    try:
        from ghplan.corpus.lexicon import role_words
        roles = {k: list(v) for k, v in role_words().items()}
    except Exception:
        roles = {}
    return vocab, roles


def default_query(org_type: str | None, role: str | None, topics: Sequence[str] = ()) -> str:
    """A query that asks for `role` material in `org_type`'s own words."""
    vocab, roles = _vocab()
    parts: list[str] = []
    if org_type and org_type in vocab:
        parts.append(f"{vocab[org_type].get('name', '')}工会")
    if role:
        parts.extend(roles.get(role, [])[:3] or [role])
    if org_type and org_type in vocab:
        parts.extend(vocab[org_type].get("belongs", [])[:4])
    parts.extend(topics)
    return " ".join(p for p in parts if p) or "工会工作计划"


# ---------------------------------------------------------------- the retriever

def eligible(meta: dict, year: int | None) -> bool:
    """Fit for drafting: plan material, current. Summary parts and stale chunks never are."""
    if not meta.get("plan", False):
        return False
    if year is None:
        return not meta.get("stale", False)
    return int(meta.get("current_until", 0)) >= year


def origin_of(meta: dict) -> str:
    """A chunk's origin; chunks of an index built before origins existed are seeds."""
    return str(meta.get("origin") or "seed")


def _where(types: Sequence[str] | None, role: str | None, year: int | None,
           orgs: Sequence[str] = ()) -> dict:
    conds: list[dict] = [{"plan": True}]
    conds.append({"stale": False} if year is None else {"current_until": {"$gte": year}})
    if types and orgs:     # the organisation's own plans are served whatever type they read as
        conds.append({"$or": [{"org_type": {"$in": list(types)}}, {"org": {"$in": list(orgs)}}]})
    elif types:
        conds.append({"org_type": {"$in": list(types)}})
    if role:
        conds.append({"role": role})
    return {"$and": conds}


class Retriever:
    """One open index: the chroma collection, its lexical index and the model, loaded lazily."""

    def __init__(self, loc: Location, model_name: str):
        self.loc, self.model_name = loc, model_name
        self.client = connect(loc)
        self.col, self.info = open_index(loc, model_name, client=self.client)
        self._lex: tuple[list[str], list[str], list[dict], BM25] | None = None
        self._tab: tuple[Any, Any] | None = None
        self._emb = None
        self._matrix: Any = False

    @property
    def collection_name(self) -> str:
        return self.col.name

    def embedder(self):
        if self._emb is None:
            from ghplan.writer.index.embed import get_query_embedder
            from ghplan.writer.index.onnx_embed import query_model_dir
            emb = get_query_embedder(self.model_name, query_model_dir(self.loc))
            check_dim(self.info, emb.dim, self.model_name)
            self._emb = emb
        return self._emb

    def lexical(self) -> tuple[list[str], list[str], list[dict], Any]:
        """Ids, texts, metadata and the BM25 scorer: read from the lexical index on disk
        (writer/index/lexstore.py); an index built before it had one gets it on first use."""
        if self._lex is None:
            from ghplan.writer.index.lexstore import open_lexical
            self._lex = open_lexical(self.loc, self.col) or self._memory_lexical()
        return self._lex

    def table(self) -> tuple[Any, Any]:
        """(the filter columns with rows on demand, the lexical scorer): what a search reads,
        without every chunk's text (writer/index/table.py)."""
        if self._tab is None:
            from ghplan.writer.index.lexstore import DiskBM25, lexical_path
            from ghplan.writer.index.table import Table
            path = lexical_path(self.loc, self.col.name)
            disk = None
            if self._lex is None and path.is_file():
                try:
                    disk = DiskBM25(path)
                except Exception:     # unreadable: lexical() rewrites it or falls back, with a note
                    disk = None
            if disk is not None:
                self._tab = (disk.table(), disk)
            else:
                ids, texts, metas, scorer = self.lexical()
                self._tab = (Table.from_rows(ids, texts, metas), scorer)
        return self._tab

    def matrix(self) -> Any:
        """The build's vector matrix (memory-mapped), None for an index built before it."""
        if self._matrix is False:
            from ghplan.writer.index.lexstore import DiskBM25, load_vectors, vectors_path
            tab, scorer = self.table()
            self._matrix = (load_vectors(vectors_path(self.loc, self.col.name), len(tab))
                            if isinstance(scorer, DiskBM25) else None)
        return self._matrix

    def _memory_lexical(self) -> tuple[list[str], list[str], list[dict], BM25]:
        """BM25 rebuilt from every chunk (where the lexical file cannot be read or written)."""
        rows = [(cid, doc or "", meta or {}) for cid, doc, meta in iter_collection(self.col)]
        ids, texts, metas = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
        # the lexical side sees the same heading context the dense side embedded
        toks = [tokens(m.get("heading_path", "") + "\n" + t) for t, m in zip(texts, metas)]
        return ids, texts, metas, BM25(toks)

    def available(self, types: Sequence[str], role: str | None, year: int | None) -> int:
        return int(self.table()[0].mask(types, role, year).sum())

    def plan_types(self, org_type: str | None, role: str | None, k: int,
                   year: int | None) -> tuple[list[str] | None, int]:
        """(types to search, eligible count of the requested type).

        A type with at least k eligible chunks is searched alone. Otherwise every stand-in type
        in its fallback order joins the pool: relevance decides among them, and the per-step
        penalty keeps nearer types ahead unless a farther one is clearly better. (Taking only
        the first stand-in would hand a hospital five government chunks on any topic.)
        """
        if org_type is None:
            return None, 0
        have = self.available([org_type], role, year)
        fb = fallback_table()[0].get(org_type)
        if have >= k or fb is None:
            return [org_type], have
        return [org_type, *[t for t in fb.order if self.available([t], role, year)]], have

    @staticmethod
    def fallback_note(org_type: str, role: str | None, have: int, used: list[str]) -> str:
        fb = fallback_table()[0][org_type]
        what = f"{role} sections of " if role else ""
        return (f"only {have} {what}{org_type} plans in the index; fell back to "
                f"{', '.join(used)} (order: {', '.join(fb.order)}): {fb.reason}")

    def _current_in(self, ids: list[str], meta_of: dict, year: int) -> list[str]:
        from ghplan.writer.index.chunk import stale_fn_for

        check = stale_fn_for(year)
        if check is None:
            return ids
        return [c for c in ids
                if not check(meta_of[c][1].get("heading_path", "") + "\n" + meta_of[c][0])]

    def own_orgs(self, org: str | None) -> list[str]:
        """The organisation names on the user's chunks that are `org` (as each plan wrote it)."""
        if not org:
            return []
        from ghplan.corpus.org import same_org

        return sorted(n for n in self.table()[0].user_orgs() if same_org(org, n))

    def search(self, query: str, org_type: str | None = None, role: str | None = None, k: int = 5,
               year: int | None = None, mode: str = "hybrid", candidates: int | None = None,
               lam: float = MMR_LAMBDA, org: str | None = None) -> SearchResult:
        check_request(query, org_type, role, k, mode)
        types, have = self.plan_types(org_type, role, k, year)
        result = self._search(query, org_type, role, k, year, mode, candidates, lam, org, types, have)
        fb = fallback_table()[0].get(org_type) if org_type else None
        if len(result.hits) < k and fb is not None and types == [org_type]:
            # the stored flags counted k, but fewer survived (a later plan year made some stale,
            # or near-copies): fill the rest from the declared stand-ins
            wider = [org_type, *[t for t in fb.order if self.available([t], role, year)]]
            if wider != types:
                result = self._search(query, org_type, role, k, year, mode, candidates, lam, org, wider, have)
        if org_type and len(result.hits) < k:
            what = f"{role} " if role else ""
            stand_ins = f" or its stand-ins ({', '.join(fb.order)})" if fb is not None else ""
            result.short_note = (f"asked for {k}, found {len(result.hits)}: the index holds no more "
                                 f"servable {what}chunks of {org_type}{stand_ins}")
        return result

    def _search(self, query: str, org_type: str | None, role: str | None, k: int, year: int | None,
                mode: str, candidates: int | None, lam: float, org: str | None,
                types: list[str] | None, have: int) -> SearchResult:
        result = SearchResult(query=query, type=org_type, role=role, k=k, mode=mode, available=have)
        orgs = self.own_orgs(org)
        allowed = self._allowed(types, role, year, orgs)
        if not len(allowed):
            return result
        n_cand = min(len(allowed), candidates or max(50, 10 * k))
        dense, vectors = (self._dense(query, types, role, year, n_cand, orgs, allowed)
                          if mode in ("hybrid", "dense") else ([], {}))
        lexical = self._lexical_ranking(query, allowed, n_cand) if mode in ("hybrid", "lexical") else []
        tab = self.table()[0]
        cands = list(dict.fromkeys(dense + lexical))     # texts and metadata of the candidates only
        rows = tab.rows([tab.pos(c) for c in cands])
        meta_of = {c: rows[tab.pos(c)] for c in cands}
        fused = _penalised(rrf([r for r in (dense, lexical) if r]), meta_of, types)
        ranked = sorted(fused, key=lambda c: (-fused[c], c))
        if year is not None and year > self.info.year:
            # The stored flags were judged for the build year; a later plan year can make more
            # references stale (二十大 in a 2028 plan). Judge the candidates again for `year`.
            ranked = self._current_in(ranked, meta_of, year)
        own = {c for c in ranked if origin_of(meta_of[c][1]) == "user" and meta_of[c][1].get("org") in orgs}
        vecs = self._vectors(ranked, vectors)
        chosen: list[str] = []
        for tier in _tiers(ranked, meta_of, own, org_type):
            chosen += mmr(tier, fused, vecs, k - len(chosen), lam=lam)
            if len(chosen) >= k:
                break
        ranks = ({c: i for i, c in enumerate(dense, start=1)}, {c: i for i, c in enumerate(lexical, start=1)})
        result.hits = [_hit(cid, meta_of[cid], fused[cid], org_type, ranks, own=cid in own) for cid in chosen]
        served = {h.org_type for h in result.hits if h.fallback}
        if org_type and served:
            # the stand-ins that actually supplied results, in the stated order
            result.fallback_types = [t for t in (types or []) if t in served]
            result.fallback_reason = self.fallback_note(org_type, role, have, result.fallback_types)
        return result

    def _allowed(self, types: Sequence[str] | None, role: str | None, year: int | None,
                 orgs: Sequence[str] = ()) -> Any:
        """Positions (in the lexical index, sorted) of the chunks a search may serve: eligible,
        of the types asked for, or the user's own plans of the organisation asked for (whatever
        type they read as); a numpy mask over the filter columns."""
        return self.table()[0].positions(types, role, year, orgs)

    def _dense(self, query: str, types: Sequence[str] | None, role: str | None, year: int | None,
               n: int, orgs: Sequence[str] = (), allowed: Any = None) -> tuple[list[str], dict[str, Any]]:
        """The dense ranking and the vectors it used: exact, over the allowed rows of the build's
        vector matrix (no scan of the other types); from chroma where the index has no matrix."""
        matrix = self.matrix()
        if matrix is not None and allowed is not None:
            q = self.embedder().encode_one(query)
            ids = self.table()[0].ids
            top = [i for i, _ in dense_top(matrix, allowed, q, n)]
            rows = matrix[top] if top else []     # one read of the rows, not one per row
            return [ids[i] for i in top], {ids[i]: v for i, v in zip(top, rows)}
        q = self.embedder().encode_one(query)
        got = self.col.query(query_embeddings=[q.tolist()], n_results=n,
                             where=_where(types, role, year, orgs), include=["embeddings"])
        dense = list(got["ids"][0])
        return dense, dict(zip(dense, got["embeddings"][0]))

    def _lexical_ranking(self, query: str, allowed: Any, n: int) -> list[str]:
        from ghplan.writer.index.lexstore import DiskBM25
        tab, bm25 = self.table()
        ids = tab.ids
        if isinstance(bm25, DiskBM25):
            return [ids[i] for i, _ in bm25.top(tokens(query), allowed, n)]
        scores = bm25.scores(tokens(query), {int(i) for i in allowed})
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [ids[i] for i, _ in best]

    def _vectors(self, ranked: list[str], vectors: dict[str, Any]) -> dict[str, Any]:
        """Unit vectors for every ranked id: those the dense query returned, the rest fetched."""
        import numpy as np

        vectors = dict(vectors)
        missing = [c for c in ranked if c not in vectors]
        matrix = self.matrix()
        if matrix is not None:       # the build's matrix holds them: no chroma round trip
            tab = self.table()[0]
            if missing:
                vectors.update(zip(missing, matrix[[tab.pos(c) for c in missing]]))
            missing = []
        for i in range(0, len(missing), 1000):
            got = self.col.get(ids=missing[i:i + 1000], include=["embeddings"])
            for cid, vec in zip(got["ids"], got["embeddings"]):
                vectors[cid] = vec
        return {c: np.asarray(v, dtype="float32") for c, v in vectors.items()}


def check_request(query: str, org_type: str | None, role: str | None, k: int, mode: str) -> None:
    """Bad arguments are bad usage: exit 2, like every other command's."""
    if not query or not query.strip():
        raise RetrievalError("empty query")
    if org_type is not None and org_type not in TYPES:
        raise RetrievalError(f"unknown type {org_type!r}: one of {', '.join(TYPES)}")
    if role is not None and role not in ROLES:
        raise RetrievalError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if k < 1:
        raise RetrievalError("k must be at least 1")
    if mode not in MODES:
        raise RetrievalError(f"unknown mode {mode!r}: one of {', '.join(MODES)}")


def _penalised(fused: dict[str, float], meta_of: dict, types: Sequence[str] | None) -> dict[str, float]:
    """Each step down the fallback order divides a stand-in's score by 1 + penalty."""
    _, penalty = fallback_table()
    step = {t: i for i, t in enumerate(types or [])}
    for cid in fused:
        t = meta_of[cid][1].get("org_type", "")
        fused[cid] /= 1 + penalty * step.get(t, 0)
    return fused


def _tiers(ranked: list[str], meta_of: dict, own: set[str], org_type: str | None) -> list[list[str]]:
    """The order results are served in, each tier ranked by relevance: the user's plans of the
    organisation asked for; the user's other plans of the type asked for (of any type when none
    is asked for); everything else (seeds, stand-in types, as the fused scores rank them)."""
    def users_of_type(c: str) -> bool:
        m = meta_of[c][1]
        return origin_of(m) == "user" and (org_type is None or m.get("org_type") == org_type)

    first = [c for c in ranked if c in own]
    second = [c for c in ranked if c not in own and users_of_type(c)]
    taken = set(first) | set(second)
    return [t for t in (first, second, [c for c in ranked if c not in taken]) if t]


def _hit(cid: str, text_meta: tuple[str, dict], score: float, org_type: str | None,
         ranks: tuple[dict[str, int], dict[str, int]], own: bool = False) -> Hit:
    text, m = text_meta
    return Hit(
        id=cid, text=text, source=str(m.get("source", "")), org_type=str(m.get("org_type", "")),
        role=str(m.get("role", "")), heading=str(m.get("heading", "")),
        heading_path=str(m.get("heading_path", "")), doc_id=str(m.get("doc_id", "")),
        title=str(m.get("title", "")), score=score,
        fallback=bool(org_type) and m.get("org_type") != org_type and not own,
        dense_rank=ranks[0].get(cid, 0), lexical_rank=ranks[1].get(cid, 0),
        origin=origin_of(m), org=str(m.get("org", "")), own=own)


_RETRIEVERS: dict[tuple[str, str], Retriever] = {}
_LOCK = threading.Lock()


def get_retriever(settings: Any = None, location: Location | None = None) -> Retriever:
    """A cached Retriever per (index location, model); reopened when a build swapped the index."""
    if settings is None:
        from ghplan.writer.config import load_settings
        settings = load_settings()
    loc = location or location_from(settings)
    key = (loc.describe(), settings.embed_model)
    with _LOCK:
        r = _RETRIEVERS.get(key)
        if r is not None and active_name(r.client) == r.collection_name:
            return r
        r = Retriever(loc, settings.embed_model)
        _RETRIEVERS[key] = r
        return r


def search(query: str, org_type: str | None = None, role: str | None = None, k: int = 5,
           year: int | None = None, mode: str = "hybrid", settings: Any = None,
           location: Location | None = None, org: str | None = None) -> SearchResult:
    """`org_type` as users write it (hospital, 医院, 卫生院 …: writer/org_types.py)."""
    org_type = resolve_optional(org_type, allow_other=True)
    return get_retriever(settings, location).search(query, org_type, role, k, year=year, mode=mode, org=org)


def _profile_type(profile_or_type: Any) -> tuple[str, int | None, list[str]]:
    if isinstance(profile_or_type, str):
        return profile_or_type, None, []
    org_type = getattr(profile_or_type, "org_type", None) or getattr(profile_or_type, "type", None)
    if not org_type and isinstance(profile_or_type, dict):
        org_type = profile_or_type.get("org_type") or profile_or_type.get("type")
    if not org_type:
        raise UsageError("profile has no org_type")
    get = (profile_or_type.get if isinstance(profile_or_type, dict)
           else lambda name, default=None: getattr(profile_or_type, name, default))
    year = get("year", None)
    topics = list(get("topics", None) or [])
    return str(org_type), int(year) if year else None, [str(t) for t in topics]


def retrieve(profile_or_type: Any, role: str | None, k: int = 5, query: str | None = None,
             year: int | None = None, settings: Any = None,
             location: Location | None = None) -> list[Hit]:
    """Material for drafting `role` sections for an organisation type (or a profile with
    `org_type`, optional `year`, `topics` and `org`: the user's own plans of that organisation
    come first). Hits from stand-in types have `fallback=True`; call `search` for the fallback
    types and reason."""
    org_type, p_year, topics = _profile_type(profile_or_type)
    q = query if query is not None else default_query(org_type, role, topics)
    return search(q, org_type, role, k, year=year or p_year, settings=settings, location=location,
                  org=_profile_org(profile_or_type)).hits


def _profile_org(profile_or_type: Any) -> str | None:
    if isinstance(profile_or_type, str):
        return None
    if isinstance(profile_or_type, dict):
        return profile_or_type.get("org") or None
    return getattr(profile_or_type, "org", None) or None
