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
    # the build records its chunk count: chroma's count() opens the segments (0.6 s at 100k
    # chunks, on every search process's start); an index built before that asks chroma
    count = int(m["chunks"]) if "chunks" in m else col.count()
    return IndexInfo(
        location=loc.describe(), collection=col.name, model=str(m.get("model", "")),
        dim=int(m.get("dim", 0)), count=count, built_at=str(m.get("built_at", "")),
        build_seconds=float(m.get("build_seconds", 0.0)),
        corpus_fingerprint=str(m.get("corpus_fingerprint", "")),
        by_type=json.loads(m.get("by_type", "{}")), by_role=json.loads(m.get("by_role", "{}")),
        year=int(m.get("year", 0)), corpus=str(m.get("corpus", "")),
        # an index built before origins existed holds only seed chunks
        by_origin=json.loads(m["by_origin"]) if "by_origin" in m else {"seed": count},
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


def build_index(chunks: Sequence[Chunk], loc: Location, embedder_factory: Callable[[], Any],
                model_name: str, **kw: Any):
    """Build a new collection aside (streamed in batches), then swap it in: see
    writer/index/build.py, kept apart so opening an index never loads the build's code."""
    from ghplan.writer.index.build import build_index as build

    return build(chunks, loc, embedder_factory, model_name, **kw)


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
    query_model: dict[str, Any] = field(default_factory=dict)   # the ONNX export (onnx_embed.export_status)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"location": self.location, "kind": self.kind, "exists": self.exists,
                             "stale": self.stale, "debris": self.debris, "query_model": self.query_model}
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
    from ghplan.writer.index.onnx_embed import export_status
    return Status(location=loc.describe(), kind=loc.kind, exists=True, info=info, stale=stale,
                  current_fingerprint=current_fingerprint or "", debris=debris,
                  query_model=export_status(loc, info.model))


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
