"""Building an index: chunks streamed in batches into a new collection, then swapped in.

A build holds one batch of vectors at a time: embed a batch (or take its vectors from the
previous build) → add it to the new chroma collection, the lexical file and the vector matrix →
next batch. So memory stays flat however large the corpus (the chunks' texts aside, their ids
and chroma's own in-memory HNSW index, ~3 MB per 1k chunks at 512 dims), and the progress
callback moves as the batches land. The lexical postings wait on disk (lexstore.LexicalWriter).
The lexical file and the matrix are written under temporary names and renamed before the swap;
an interrupted build removes them and leaves its half-filled collection as debris the next build
collects (writer/index/store.py).

After the swap the same build keeps the ONNX query model beside the index
(writer/index/onnx_embed.py), so an index built through the library queries without torch just
as one built by `ghplan index build` does.
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Sequence

from ghplan.writer.index import store
from ghplan.writer.index.chunk import Chunk
from ghplan.writer.index.store import PREFIX, GET_PAGE, IndexInfo, Location

# 512 chunks a batch: big enough that the embedder's sort-by-length batching inside it pads
# about as little as over the whole corpus, small enough that its vectors are 1 MB at 512 dims.
STREAM_BATCH = 512
QUERY_SAMPLES = 16       # chunks the ONNX export is checked on


@dataclass
class BuildReport:
    location: str
    collection: str
    model: str
    dim: int
    chunks: int
    embedded: int
    reused: int
    seconds: float
    embed_seconds: float
    by_type: dict[str, int]
    by_role: dict[str, int]
    corpus_fingerprint: str
    previous: str = ""          # the collection this build replaced
    note: str = ""
    year: int = 0
    by_origin: dict[str, int] = field(default_factory=dict)

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["seconds"] = round(self.seconds, 3)
        d["embed_seconds"] = round(self.embed_seconds, 3)
        d["chunks_per_second"] = round(self.chunks_per_second, 1)
        return d


def counts(chunks: Sequence[Chunk], key: Callable[[Chunk], str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in chunks:
        out[key(c)] = out.get(key(c), 0) + 1
    return dict(sorted(out.items()))


def build_index(chunks: Sequence[Chunk], loc: Location, embedder_factory: Callable[[], Any],
                model_name: str, rebuild: bool = False,
                progress: Callable[[str, int, int], None] | None = None,
                client=None, year: int = 0, corpus: str = "", seeds: bool = True,
                query_model: bool = True, batch_size: int = STREAM_BATCH) -> BuildReport:
    """Build a new collection aside, streaming `batch_size` chunks at a time, then swap it in.

    `embedder_factory()` returns an Embedder; it is called only if something needs embedding
    (or the ONNX query model must be exported), so a warm rebuild of an unchanged corpus with its
    export in place never loads the model. `progress(stage, done, total)`: stages "model",
    "embed" (chunks embedded of those to embed) and "write" (chunks stored of all).
    `query_model`: keep the ONNX export beside the index (writer/index/onnx_embed.py).
    """
    from ghplan.writer.index.chunk import corpus_fingerprint
    from ghplan.writer.index.lexstore import remove_others

    t0 = time.perf_counter()
    with store.build_lock(loc):
        client = client or store.connect(loc, create=True)
        old_name, old_col, old_info = _previous(client, loc)
        plan = _plan(chunks, old_col, old_info, model_name, rebuild, embedder_factory, progress)
        fp = corpus_fingerprint(chunks)
        by_type, by_role = counts(chunks, lambda c: c.org_type), counts(chunks, lambda c: c.role)
        by_origin = counts(chunks, lambda c: getattr(c, "origin", "seed") or "seed")
        name = f"{PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        meta = {
            "model": model_name, "dim": int(plan.dim), "schema": store.SCHEMA, "chunks": len(chunks),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "corpus_fingerprint": fp, "by_type": json.dumps(by_type, ensure_ascii=False),
            "by_role": json.dumps(by_role, ensure_ascii=False), "build_seconds": 0.0,
            "year": int(year), "corpus": corpus,
            "by_origin": json.dumps(by_origin, ensure_ascii=False), "seeds": bool(seeds),
        }
        col = client.create_collection(name, embedding_function=None, metadata=meta,
                                       configuration={"hnsw": {"space": "cosine"}})
        batch = max(1, min(client.get_max_batch_size(), batch_size))
        embed_seconds = _stream(chunks, loc, col, plan, old_col, batch, progress)
        seconds = time.perf_counter() - t0
        col.modify(metadata={**meta, "build_seconds": round(seconds, 3)})
        store._swap(client, name, old_name)
        remove_others(loc, keep={name})
        notes = [plan.note]
        if query_model:
            notes.append(_query_model(loc, model_name, embedder_factory, chunks, rebuild))
    return BuildReport(
        location=loc.describe(), collection=name, model=model_name, dim=int(plan.dim),
        chunks=len(chunks), embedded=len(plan.todo), reused=len(chunks) - len(plan.todo),
        seconds=seconds, embed_seconds=plan.load_seconds + embed_seconds, by_type=by_type,
        by_role=by_role, corpus_fingerprint=fp, previous=old_name or "",
        note="; ".join(filter(None, notes)), year=int(year), by_origin=by_origin,
    )


def _query_model(loc: Location, model_name: str, embedder_factory: Callable[[], Any],
                 chunks: Sequence[Chunk], rebuild: bool) -> str:
    """The ONNX export queries use, added or refreshed after the swap (never fails the build)."""
    from ghplan.writer.index.onnx_embed import ensure_query_model

    step = max(1, len(chunks) // QUERY_SAMPLES)      # a spread of real chunks checks the export
    samples = [c.embed_text for c in chunks[::step]][:QUERY_SAMPLES]
    return ensure_query_model(loc, model_name, embedder_factory, samples, force=rebuild)


def _previous(client, loc: Location) -> tuple[str | None, Any, IndexInfo | None]:
    """The active collection a build replaces (name, collection, info), after clearing debris."""
    old_name = store.active_name(client)
    store._collect_garbage(client, keep={old_name} if old_name else set())
    if not old_name:
        return None, None, None
    try:
        old_col = store._get_collection(client, old_name)
        return old_name, old_col, store._info(loc, old_col)
    except Exception:
        return old_name, None, None


@dataclass
class _Plan:
    todo: set[str]          # ids to embed; every other chunk's vector comes from the previous build
    dim: int
    embedder: Any           # None when nothing needs embedding
    note: str
    load_seconds: float     # loading the model


def _present(old_col, ids: list[str]) -> set[str]:
    """Which of `ids` the previous collection holds (content-hash ids: same id, same text)."""
    found: set[str] = set()
    for i in range(0, len(ids), GET_PAGE):
        found.update(old_col.get(ids=ids[i:i + GET_PAGE], include=[])["ids"])
    return found


def _plan(chunks: Sequence[Chunk], old_col, old_info: IndexInfo | None, model_name: str,
          rebuild: bool, embedder_factory: Callable[[], Any],
          progress: Callable[[str, int, int], None] | None) -> _Plan:
    """What to embed and what to reuse: reused from the previous build where the model and text
    are the same, embedded otherwise (the model loads only if something needs embedding)."""
    note = ""
    reuse = old_col is not None and not rebuild and old_info is not None and old_info.model == model_name
    if old_info is not None and old_info.model != model_name:
        note = f"model changed from {old_info.model} to {model_name}: every chunk re-embedded"
    ids = [c.id for c in chunks]
    have = _present(old_col, ids) if reuse else set()
    todo = {i for i in ids if i not in have}
    dim = old_info.dim if (reuse and old_info) else 0
    if not (todo or not dim):
        return _Plan(set(), dim, None, note, 0.0)
    t0 = time.perf_counter()
    if progress:
        progress("model", 0, 1)     # loading takes seconds: show that something happens
    emb = embedder_factory()
    if progress:
        progress("model", 1, 1)
    if reuse and old_info and old_info.dim != emb.dim:
        # same name, different weights: the old vectors are worthless
        todo = set(ids)
        note = f"model {model_name} now gives {emb.dim} dims (was {old_info.dim}): every chunk re-embedded"
    return _Plan(todo, int(emb.dim), emb, note, time.perf_counter() - t0)


def _stream(chunks: Sequence[Chunk], loc: Location, col, plan: _Plan, old_col, batch: int,
            progress: Callable[[str, int, int], None] | None) -> float:
    """Fill the new collection, the lexical file and the vector matrix one batch at a time;
    returns the seconds spent embedding. On any failure the temporary files are removed.

    The stores are written from a thread of their own, one call at a time (no overlap): glibc
    gives that thread its own heap (arena), so what chroma, SQLite and the rows keep between
    batches is not allocated among the embedder's freed buffers, where it pinned them and the
    build's peak RSS climbed ~70 MB a 512-chunk batch."""
    from concurrent.futures import ThreadPoolExecutor

    from ghplan.writer.index.lexstore import LexicalWriter, VectorWriter, lexical_path, vectors_path

    embedded, seconds = 0, 0.0

    def tick(n: int) -> None:
        nonlocal embedded
        embedded += n
        if progress:
            progress("embed", embedded, len(plan.todo))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ghplan-build-store") as pool:
        def store_side(fn: Callable[..., Any], *args: Any) -> Any:
            return pool.submit(fn, *args).result()

        lex = store_side(LexicalWriter, lexical_path(loc, col.name))
        vec = store_side(VectorWriter, vectors_path(loc, col.name), len(chunks), plan.dim)
        try:
            if progress and plan.todo:
                progress("embed", 0, len(plan.todo))
            for i in range(0, len(chunks), batch):
                part = chunks[i:i + batch]
                t = time.perf_counter()
                vectors = _batch_vectors(part, plan, old_col, tick)
                if plan.embedder is not None:
                    _release_freed_memory()
                seconds += time.perf_counter() - t
                store_side(_write, col, lex, vec, part, vectors)
                if progress:
                    progress("write", min(i + batch, len(chunks)), len(chunks))
            store_side(lex.close)
            store_side(vec.close)
        except BaseException:
            store_side(lex.abort)
            store_side(vec.abort)
            raise
    return seconds


def _write(col, lex, vec, part: Sequence[Chunk], vectors) -> None:
    """One batch into the collection, the lexical file and the vector matrix."""
    col.add(ids=[c.id for c in part], embeddings=vectors, documents=[c.text for c in part],
            metadatas=[c.metadata() for c in part])
    lex.add((c.id, c.text, c.metadata()) for c in part)
    vec.add(vectors)


@lru_cache(maxsize=1)
def _libc() -> Any:
    try:
        import ctypes

        lib = ctypes.CDLL("libc.so.6")
        return lib if hasattr(lib, "malloc_trim") else None
    except OSError:                      # not glibc (macOS, musl): nothing to trim
        return None


def _release_freed_memory() -> None:
    """Hand the small blocks a batch freed back to the system (glibc), so RSS between batches is
    what the build keeps, not what the last batch touched."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def _batch_vectors(part: Sequence[Chunk], plan: _Plan, old_col, tick: Callable[[int], None]):
    """One batch's unit vectors, in its order: embedded where needed, else the previous build's."""
    import numpy as np

    out = np.zeros((len(part), plan.dim), dtype="float32")
    new = [j for j, c in enumerate(part) if c.id in plan.todo]
    if new:
        out[new] = plan.embedder.encode([part[j].embed_text for j in new], progress=tick)
    old = [j for j, c in enumerate(part) if c.id not in plan.todo]
    if old:
        got = old_col.get(ids=[part[j].id for j in old], include=["embeddings"])
        by_id = dict(zip(got["ids"], got["embeddings"]))
        out[old] = np.asarray([by_id[part[j].id] for j in old], dtype="float32")
    return out
