"""The chromadb index: where it lives, how it is built (aside, then swapped), what it holds.

Layout inside one chromadb (embedded PersistentClient at a directory, or a `chroma run` server):
- `ghplan-chunks-<build id>`: one collection per build; its metadata records the embedding model,
  its dimension, the corpus fingerprint and the build report.
- `ghplan-active`: an empty collection whose metadata names the active build collection.

Why build aside and swap: a build writes a brand-new collection and only then repoints
`ghplan-active` (one metadata update). A build that is interrupted, killed or fails leaves the
pointer on the previous collection, so search keeps working; the next build deletes the debris.

Why content-hash ids: a rebuild copies the vectors of unchanged chunks from the previous
collection and embeds only new or changed chunks.

We always hand chromadb our own vectors (embedding_function=None): its default embedding
function would download an ONNX model at run time.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import urlparse

from ghplan.writer.errors import IndexUnavailable
from ghplan.writer.index.chunk import Chunk


PREFIX = "ghplan-chunks-"
POINTER = "ghplan-active"
SCHEMA = 1
GET_PAGE = 1000


class StoreError(IndexUnavailable):
    """The index cannot be opened, built or read."""


class NoIndexError(StoreError):
    pass


class BuildLockedError(StoreError):
    pass


class ModelMismatchError(StoreError):
    pass


@dataclass(frozen=True)
class Location:
    kind: str                 # "local" (embedded PersistentClient) or "server" (HttpClient)
    path: Path | None = None
    url: str = ""
    lock_dir: Path | None = None   # where a server build keeps its local lock file

    def describe(self) -> str:
        return self.url if self.kind == "server" else str(self.path)

    @property
    def lock_path(self) -> Path:
        if self.kind == "local":
            assert self.path is not None
            return self.path / ".build.lock"
        # A server has no file we can lock; lock per URL on this machine (concurrent builds
        # from two machines against one server are not prevented: say so in the README).
        tag = hashlib.sha256(self.url.encode()).hexdigest()[:12]
        base = self.lock_dir or Path.home() / ".local" / "share" / "ghplan"
        return base / f".build-{tag}.lock"


def location_from(settings: Any, store: Path | None = None, chroma_url: str | None = None) -> Location:
    """Flags win over settings; an explicit --store means local even if a URL is configured."""
    if chroma_url:
        return Location("server", url=normalise_url(chroma_url), lock_dir=Path(settings.store_dir))
    if store is not None:
        return Location("local", path=Path(store).expanduser().resolve())
    if getattr(settings, "chroma_url", ""):
        return Location("server", url=normalise_url(settings.chroma_url), lock_dir=Path(settings.store_dir))
    return Location("local", path=Path(settings.store_dir).expanduser().resolve())


def normalise_url(url: str) -> str:
    u = urlparse(url if "://" in url else f"http://{url}")
    if u.scheme not in ("http", "https") or not u.hostname:
        raise StoreError(f"bad chroma URL {url!r}: expected http://host:port")
    try:
        port = u.port or (443 if u.scheme == "https" else 8000)
    except ValueError:
        raise StoreError(f"bad chroma URL {url!r}: bad port") from None
    return f"{u.scheme}://{u.hostname}:{port}"


def _chroma_settings():
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb

    return chromadb, chromadb.Settings(anonymized_telemetry=False)


def connect(loc: Location, create: bool = False):
    """A chromadb client for the location. Without `create`, a missing local store is NoIndexError
    (PersistentClient would otherwise create an empty directory as a side effect)."""
    if loc.kind == "local":
        assert loc.path is not None
        if loc.path.exists() and not loc.path.is_dir():
            raise StoreError(f"index store {loc.path} is not a directory")
        if not create and not (loc.path / "chroma.sqlite3").is_file():
            raise NoIndexError(f"no index yet at {loc.path}: run ghplan index build")
        loc.path.mkdir(parents=True, exist_ok=True)
        chromadb, cs = _chroma_settings()
        try:
            return chromadb.PersistentClient(path=str(loc.path), settings=cs)
        except Exception as exc:
            raise StoreError(f"cannot open index at {loc.path}: {_one_line(exc)}") from None
    u = urlparse(loc.url)
    chromadb, cs = _chroma_settings()
    try:
        client = chromadb.HttpClient(host=u.hostname, port=u.port, ssl=u.scheme == "https", settings=cs)
        client.heartbeat()
        return client
    except Exception as exc:
        detail = _one_line(exc)
        if detail.lstrip().startswith("<"):   # an HTML page: something else listens on that port
            raise StoreError(f"{loc.url} answered, but it is not a chroma server (check --chroma-url)") from None
        raise StoreError(f"chroma server at {loc.url} is unreachable: {detail}") from None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


@dataclass
class IndexInfo:
    location: str
    collection: str
    model: str
    dim: int
    count: int
    built_at: str = ""
    build_seconds: float = 0.0
    corpus_fingerprint: str = ""
    by_type: dict[str, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)
    year: int = 0                   # the plan year the stale flags were judged for
    corpus: str = ""                # where the corpus came from ("" = the bundled seeds)
    by_origin: dict[str, int] = field(default_factory=dict)   # "seed" / "user" chunk counts
    seeds: bool = True              # the bundled seeds are in it (beside a --corpus folder)


def _info(loc: Location, col) -> IndexInfo:
    m = col.metadata or {}
    return IndexInfo(
        location=loc.describe(), collection=col.name, model=str(m.get("model", "")),
        dim=int(m.get("dim", 0)), count=col.count(), built_at=str(m.get("built_at", "")),
        build_seconds=float(m.get("build_seconds", 0.0)),
        corpus_fingerprint=str(m.get("corpus_fingerprint", "")),
        by_type=json.loads(m.get("by_type", "{}")), by_role=json.loads(m.get("by_role", "{}")),
        year=int(m.get("year", 0)), corpus=str(m.get("corpus", "")),
        # an index built before origins existed holds only seed chunks
        by_origin=json.loads(m["by_origin"]) if "by_origin" in m else {"seed": col.count()},
        seeds=bool(m.get("seeds", True)),
    )


def _get_collection(client, name: str):
    return client.get_collection(name, embedding_function=None)


def active_name(client) -> str | None:
    try:
        ptr = _get_collection(client, POINTER)
    except Exception:   # NotFoundError (local) / various HTTP errors: treat as "no pointer"
        return None
    return (ptr.metadata or {}).get("active") or None


def open_index(loc: Location, model: str | None = None, client=None) -> tuple[Any, IndexInfo]:
    """The active collection and its info. `model`: the configured model name to check against."""
    client = client or connect(loc)
    name = active_name(client)
    if not name:
        raise NoIndexError(f"no index yet at {loc.describe()}: run ghplan index build")
    try:
        col = _get_collection(client, name)
    except Exception:
        raise StoreError(f"index at {loc.describe()} is damaged (collection {name} missing): "
                         "run ghplan index build --rebuild") from None
    info = _info(loc, col)
    if model is not None and info.model != model:
        raise ModelMismatchError(
            f"index at {loc.describe()} was built with embedding model {info.model} ({info.dim} dims) "
            f"but the configured model is {model}: run ghplan index build --rebuild")
    return col, info


def check_dim(info: IndexInfo, dim: int, model: str) -> None:
    if info.dim != dim:
        raise ModelMismatchError(
            f"index at {info.location} holds {info.dim}-dim vectors but model {model} gives {dim}: "
            "run ghplan index build --rebuild")


@contextmanager
def build_lock(loc: Location) -> Iterator[None]:
    """An flock (released by the kernel if the process dies, so no stale locks)."""
    if loc.kind == "local" and loc.path is not None and loc.path.exists() and not loc.path.is_dir():
        raise StoreError(f"index store {loc.path} is not a directory")
    path = loc.lock_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:   # a read-only place, a file where a directory should be
        raise StoreError(f"cannot create the index at {loc.describe()}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            raise BuildLockedError(
                f"another build is running on {loc.describe()} (pid {holder}); wait for it to finish") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)   # closing drops the flock


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


def _reusable_vectors(old_col, ids: list[str]) -> dict[str, Any]:
    """Vectors of `ids` already in the previous collection (content-hash ids: same id, same text)."""
    found: dict[str, Any] = {}
    for i in range(0, len(ids), GET_PAGE):
        got = old_col.get(ids=ids[i:i + GET_PAGE], include=["embeddings"])
        for cid, vec in zip(got["ids"], got["embeddings"]):
            found[cid] = vec
    return found


def _collect_garbage(client, keep: set[str]) -> list[str]:
    """Delete build collections not in `keep` (debris of interrupted or replaced builds)."""
    dropped = []
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        if name.startswith(PREFIX) and name not in keep:
            client.delete_collection(name)
            dropped.append(name)
    return dropped


def _set_active(client, name: str) -> None:
    try:
        ptr = _get_collection(client, POINTER)
    except Exception:
        client.create_collection(POINTER, embedding_function=None,
                                 metadata={"active": name, "schema": SCHEMA})
        return
    ptr.modify(metadata={"active": name, "schema": SCHEMA})


def build_index(chunks: Sequence[Chunk], loc: Location, embedder_factory: Callable[[], Any],
                model_name: str, rebuild: bool = False,
                progress: Callable[[str, int, int], None] | None = None,
                client=None, year: int = 0, corpus: str = "", seeds: bool = True) -> BuildReport:
    """Build a new collection aside, then swap it in.

    `embedder_factory()` returns an Embedder; it is called only if something needs embedding,
    so a warm rebuild of an unchanged corpus never loads the model.
    `progress(stage, done, total)` is called as chunks are embedded and written.
    """
    from ghplan.writer.index.chunk import corpus_fingerprint

    t0 = time.perf_counter()
    with build_lock(loc):
        client = client or connect(loc, create=True)
        old_name, old_col, old_info = _previous(client, loc)
        vec = _vectors_for(chunks, old_col, old_info, model_name, rebuild, embedder_factory, progress)

        fp = corpus_fingerprint(chunks)
        by_type, by_role = counts(chunks, lambda c: c.org_type), counts(chunks, lambda c: c.role)
        by_origin = counts(chunks, lambda c: getattr(c, "origin", "seed") or "seed")
        name = f"{PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        meta = {
            "model": model_name, "dim": int(vec.dim), "schema": SCHEMA,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "corpus_fingerprint": fp, "by_type": json.dumps(by_type, ensure_ascii=False),
            "by_role": json.dumps(by_role, ensure_ascii=False), "build_seconds": 0.0,
            "year": int(year), "corpus": corpus,
            "by_origin": json.dumps(by_origin, ensure_ascii=False), "seeds": bool(seeds),
        }
        col = _write_collection(client, name, meta, chunks, vec.vectors, progress)
        from ghplan.writer.index.lexstore import lexical_path, remove_others, write_lexical, write_vectors, vectors_path
        # the lexical index and the vector matrix (writer/index/lexstore.py): before the swap, atomically
        write_vectors(vectors_path(loc, name), [vec.vectors[c.id] for c in chunks])
        write_lexical(lexical_path(loc, name), ((c.id, c.text, c.metadata()) for c in chunks))
        seconds = time.perf_counter() - t0
        col.modify(metadata={**meta, "build_seconds": round(seconds, 3)})
        _swap(client, name, old_name)
        remove_others(loc, keep={name})
    return BuildReport(
        location=loc.describe(), collection=name, model=model_name, dim=int(vec.dim),
        chunks=len(chunks), embedded=vec.embedded, reused=len(chunks) - vec.embedded,
        seconds=seconds, embed_seconds=vec.seconds, by_type=by_type, by_role=by_role,
        corpus_fingerprint=fp, previous=old_name or "", note=vec.note, year=int(year),
        by_origin=by_origin,
    )


def _previous(client, loc: Location) -> tuple[str | None, Any, IndexInfo | None]:
    """The active collection a build replaces (name, collection, info), after clearing debris."""
    old_name = active_name(client)
    _collect_garbage(client, keep={old_name} if old_name else set())
    if not old_name:
        return None, None, None
    try:
        old_col = _get_collection(client, old_name)
        return old_name, old_col, _info(loc, old_col)
    except Exception:
        return old_name, None, None


@dataclass
class _Vectors:
    vectors: dict[str, Any]
    dim: int
    embedded: int       # how many chunks were embedded (the rest were reused)
    note: str
    seconds: float      # loading the model and embedding


def _vectors_for(chunks: Sequence[Chunk], old_col, old_info: IndexInfo | None, model_name: str,
                 rebuild: bool, embedder_factory: Callable[[], Any],
                 progress: Callable[[str, int, int], None] | None) -> _Vectors:
    """A vector for every chunk: reused from the previous build where the model and text are the
    same, embedded otherwise (the model loads only if something needs embedding)."""
    note = ""
    reuse = old_col is not None and not rebuild and old_info is not None and old_info.model == model_name
    if old_info is not None and old_info.model != model_name:
        note = f"model changed from {old_info.model} to {model_name}: every chunk re-embedded"
    vectors: dict[str, Any] = _reusable_vectors(old_col, [c.id for c in chunks]) if reuse else {}
    todo = [c for c in chunks if c.id not in vectors]
    dim = old_info.dim if (reuse and old_info) else 0
    t0 = time.perf_counter()
    if not (todo or not dim):
        return _Vectors(vectors, dim, 0, note, time.perf_counter() - t0)
    if progress:
        progress("model", 0, 1)     # loading takes seconds: show that something happens
    emb = embedder_factory()
    if progress:
        progress("model", 1, 1)
    dim = emb.dim
    if reuse and old_info and old_info.dim != emb.dim:
        # same name, different weights: the old vectors are worthless
        vectors, todo = {}, list(chunks)
        note = f"model {model_name} now gives {emb.dim} dims (was {old_info.dim}): every chunk re-embedded"
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embed", done, len(todo))

    if progress:
        progress("embed", 0, len(todo))
    new_vecs = emb.encode([c.embed_text for c in todo], progress=tick)
    for c, v in zip(todo, new_vecs):
        vectors[c.id] = v
    return _Vectors(vectors, dim, len(todo), note, time.perf_counter() - t0)


def _write_collection(client, name: str, meta: dict, chunks: Sequence[Chunk], vectors: dict[str, Any],
                      progress: Callable[[str, int, int], None] | None):
    """The new build collection, filled in batches (not yet active)."""
    import numpy as np

    col = client.create_collection(name, embedding_function=None, metadata=meta,
                                   configuration={"hnsw": {"space": "cosine"}})
    batch = max(1, min(client.get_max_batch_size(), 2000))
    for i in range(0, len(chunks), batch):
        part = chunks[i:i + batch]
        col.add(ids=[c.id for c in part],
                embeddings=np.asarray([vectors[c.id] for c in part], dtype="float32"),
                documents=[c.text for c in part], metadatas=[c.metadata() for c in part])
        if progress:
            progress("write", min(i + batch, len(chunks)), len(chunks))
    return col


def _swap(client, name: str, old_name: str | None) -> None:
    """Point readers at the new collection, then drop the one it replaced."""
    _set_active(client, name)          # the swap: from here on readers see the new index
    if old_name:
        try:
            client.delete_collection(old_name)
        except Exception:
            pass                           # debris; the next build collects it


@dataclass
class Status:
    location: str
    kind: str
    exists: bool
    info: IndexInfo | None = None
    stale: bool | None = None       # against the current corpus; None when not checked
    current_fingerprint: str = ""
    debris: list[str] = field(default_factory=list)   # collections of interrupted builds

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"location": self.location, "kind": self.kind, "exists": self.exists,
                             "stale": self.stale, "debris": self.debris}
        if self.info:
            d.update({"collection": self.info.collection, "model": self.info.model,
                      "dim": self.info.dim, "chunks": self.info.count, "built_at": self.info.built_at,
                      "build_seconds": self.info.build_seconds,
                      "corpus_fingerprint": self.info.corpus_fingerprint, "year": self.info.year,
                      "corpus": self.info.corpus,
                      "current_fingerprint": self.current_fingerprint,
                      "by_type": self.info.by_type, "by_role": self.info.by_role,
                      "by_origin": self.info.by_origin, "seeds": self.info.seeds})
        return d


def index_status(loc: Location, current_fingerprint: str | None = None) -> Status:
    try:
        client = connect(loc)
        _, info = open_index(loc, client=client)
    except NoIndexError:
        return Status(location=loc.describe(), kind=loc.kind, exists=False)
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    debris = sorted(n for n in names if n.startswith(PREFIX) and n != info.collection)
    stale = None if current_fingerprint is None else current_fingerprint != info.corpus_fingerprint
    return Status(location=loc.describe(), kind=loc.kind, exists=True, info=info, stale=stale,
                  current_fingerprint=current_fingerprint or "", debris=debris)


def iter_collection(col, include: Sequence[str] = ("documents", "metadatas"),
                    where: dict | None = None) -> Iterator[tuple[str, Any, Any]]:
    """(id, document, metadata) for every record, paged (a server caps response sizes)."""
    offset = 0
    while True:
        got = col.get(include=list(include), where=where, limit=GET_PAGE, offset=offset)
        ids = got["ids"]
        if not ids:
            return
        docs = got.get("documents") or [None] * len(ids)
        metas = got.get("metadatas") or [None] * len(ids)
        yield from zip(ids, docs, metas)
        if len(ids) < GET_PAGE:
            return
        offset += len(ids)
