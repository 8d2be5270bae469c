"""The lexical index on disk: BM25 postings in one SQLite file beside the chroma store.

Built once with the index (`store.build_index` writes it before the swap) instead of at every
process start. One file per build collection, `lexical/<collection>.sqlite3`, written to a
temporary name and renamed into place, so an interrupted build leaves the previous collection's
file serving; the build that replaces a collection deletes the files of collections that are gone.

Why plain SQLite tables with numpy postings rather than FTS5: FTS5's trigram tokenizer cannot
match a two-character word (职工, 帮扶, 教代会's 教代), which is most of a plan's vocabulary, and
FTS5's own bm25() clamps the idf of frequent terms to zero; storing our own character
unigram/bigram postings (one row per term, the document positions and term frequencies as int32
arrays) keeps exactly the scores of the in-memory BM25 it replaces (`lexical.BM25`), needs only the
standard library and numpy, and scores a term's whole posting list in one vectorised step.

An index built before this file existed has none: the first search builds it from the collection
(or, where the store is read-only, keeps the in-memory BM25 and says so).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import sys
from array import array
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from ghplan.writer.index.lexical import tokens

FORMAT = 1
POSTINGS_CACHE = 64 << 20      # bytes of postings a reader keeps in memory
LITTLE = sys.byteorder == "little"     # array("i") is native int32; the file's blobs are "<i4"


def _le(a: array) -> bytes:
    import numpy as np

    return np.asarray(a, dtype="<i4").tobytes()


def lexical_dir(loc: Any) -> Path:
    """Where a location keeps its lexical files (a server's live beside its local lock file)."""
    if loc.kind == "local":
        return Path(loc.path) / "lexical"
    tag = hashlib.sha256(loc.url.encode()).hexdigest()[:12]
    return loc.lock_path.parent / f"lexical-{tag}"


def lexical_path(loc: Any, collection: str) -> Path:
    return lexical_dir(loc) / f"{collection}.sqlite3"


def vectors_path(loc: Any, collection: str) -> Path:
    """The build's unit vectors, one row per chunk in the lexical file's order (a .npy, read mapped)."""
    return lexical_dir(loc) / f"{collection}.vectors.npy"


def write_vectors(path: Path, vectors: Sequence[Any]) -> None:
    """Write the vectors atomically (temporary name, then rename), float32."""
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.save(fh, np.asarray(vectors, dtype="float32"))
    os.replace(tmp, path)


class VectorWriter:
    """The vector matrix written as a build streams: the .npy header for its known shape, then
    each batch's rows appended, under a temporary name renamed by `close()`. Plain writes, not a
    writable memory map: a map's dirty pages count in the build's RSS (2 MB per 1k chunks at 512
    dims) until it is flushed; written pages sit in the page cache, which the kernel reclaims."""

    def __init__(self, path: Path, n: int, dim: int):
        import numpy as np

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.tmp, self.n, self.dim = path, path.with_name(f".{path.name}.{os.getpid()}.tmp"), n, dim
        self.done = 0
        self.fh: Any = open(self.tmp, "wb")
        np.lib.format.write_array_header_1_0(
            self.fh, {"descr": "<f4", "fortran_order": False, "shape": (n, dim)})

    def add(self, rows: Any) -> None:
        import numpy as np

        rows = np.ascontiguousarray(rows, dtype="<f4")
        if len(rows):
            if rows.shape[1:] != (self.dim,) or self.done + len(rows) > self.n:
                raise ValueError(f"vector rows {rows.shape} do not fit a ({self.n}, {self.dim}) matrix")
            self.fh.write(rows.tobytes())
            self.done += len(rows)

    def close(self) -> None:
        self.fh.close()
        if self.done != self.n:    # a short file would not load: never rename it into place
            self.tmp.unlink(missing_ok=True)
            raise ValueError(f"vector matrix has {self.done} of {self.n} rows")
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


def load_vectors(path: Path, n: int) -> Any:
    """The memory-mapped vector matrix, or None when missing or not of the lexical file's length."""
    import numpy as np

    try:
        m = np.load(path, mmap_mode="r")
    except (OSError, ValueError):
        return None
    return m if m.ndim == 2 and m.shape[0] == n else None


def dense_top(matrix: Any, allowed: Any, q: Any, n: int) -> list[tuple[int, float]]:
    """Exact cosine top-n among the allowed rows (unit vectors: a dot product), best first."""
    import numpy as np

    pos = (np.asarray(allowed, dtype="int64") if isinstance(allowed, np.ndarray)     # sorted positions
           else np.sort(np.fromiter(allowed, dtype="int64", count=len(allowed))))
    if not len(pos) or n < 1:
        return []
    q = np.asarray(q, dtype="float32")
    if 4 * len(pos) > len(matrix):
        s = (matrix @ q)[pos]      # a large share: one pass over the matrix beats copying rows out
    else:
        s = np.asarray(matrix[pos], dtype="float32") @ q
    n = min(n, len(pos))
    top = np.argpartition(-s, n - 1)[:n]
    top = top[np.lexsort((pos[top], -s[top]))]
    return [(int(pos[i]), float(s[i])) for i in top]


def lexical_text(text: str, meta: dict) -> str:
    """What the lexical side indexes: the heading context the dense side embedded, then the text."""
    return (meta.get("heading_path", "") or "") + "\n" + (text or "")


class LexicalWriter:
    """The lexical file, written as a build streams its batches: rows go to a temporary file,
    `close()` renames it into place, `abort()` removes it. Each `add` (a build's batch) leaves its
    postings as int32 blobs in a TEMP table, and `close()` joins each term's parts in order: the
    writer holds one batch's postings, not the corpus's (they grew 2.5 MB per 1k chunks held)."""

    def __init__(self, path: Path, k1: float = 1.2, b: float = 0.75):
        self.path, self.k1, self.b = path, k1, b
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.tmp.unlink(missing_ok=True)
        self.postings: dict[str, tuple[array, array]] = {}
        self.lengths = array("i")
        from ghplan.writer.index.table import ColumnWriter
        self.cols = ColumnWriter()        # the filter columns a search reads instead of every row
        self.con = sqlite3.connect(self.tmp)
        self.con.execute("PRAGMA temp_store = FILE")     # the parts stay on disk, not in memory
        self.con.execute("CREATE TEMP TABLE parts (term TEXT, docs BLOB, tfs BLOB)")
        self.con.execute("CREATE TABLE docs (pos INTEGER PRIMARY KEY, id TEXT, text TEXT, meta TEXT)")
        self.con.execute("CREATE TABLE postings (term TEXT PRIMARY KEY, docs BLOB, tfs BLOB)")
        self.con.execute("CREATE TABLE info (key TEXT PRIMARY KEY, value)")

    def add(self, rows: Iterable[tuple[str, str, dict]]) -> None:
        """Append (id, text, metadata) rows, in the order the build writes them."""
        batch = []
        for cid, text, meta in rows:
            pos, meta = len(self.lengths), meta or {}
            toks = tokens(lexical_text(text, meta))
            self.lengths.append(len(toks))
            tf: dict[str, int] = {}
            for t in toks:
                tf[t] = tf.get(t, 0) + 1
            for t, c in tf.items():
                p = self.postings.get(t)
                if p is None:
                    p = self.postings[t] = (array("i"), array("i"))
                p[0].append(pos)
                p[1].append(c)
            batch.append((pos, cid, text or "", json.dumps(meta, ensure_ascii=False)))
            self.cols.add(cid, meta)
        self.con.executemany("INSERT INTO docs VALUES (?,?,?,?)", batch)
        self.con.executemany("INSERT INTO temp.parts VALUES (?,?,?)", (
            (t, d.tobytes() if LITTLE else _le(d), c.tobytes() if LITTLE else _le(c))
            for t, (d, c) in self.postings.items()))
        self.postings.clear()

    def _merged(self) -> Iterator[tuple[str, bytes, bytes]]:
        """(term, positions, tfs): each term's parts joined in the order they were added (rowid),
        so positions stay ascending; one term's posting in memory at a time."""
        cur = self.con.execute("SELECT term, docs, tfs FROM temp.parts ORDER BY term, rowid")
        for term, group in groupby(cur, key=itemgetter(0)):
            parts = list(group)
            yield term, b"".join(p[1] for p in parts), b"".join(p[2] for p in parts)

    def close(self) -> int:
        """Write the postings, commit, and rename into place; returns the row count."""
        import numpy as np

        try:
            self.con.executemany("INSERT INTO postings VALUES (?,?,?)", self._merged())
            self.con.execute("DROP TABLE temp.parts")
            self.con.executemany("INSERT INTO info VALUES (?,?)", [
                ("format", FORMAT), ("n", len(self.lengths)), ("k1", self.k1), ("b", self.b),
                ("lengths", np.asarray(self.lengths, dtype="<i4").tobytes()), *self.cols.info_rows()])
            self.con.commit()
        finally:
            self.con.close()
        os.replace(self.tmp, self.path)
        return len(self.lengths)

    def abort(self) -> None:
        self.con.close()
        self.tmp.unlink(missing_ok=True)


def write_lexical(path: Path, rows: Iterable[tuple[str, str, dict]], k1: float = 1.2,
                  b: float = 0.75) -> int:
    """Write (id, text, metadata) rows to `path` atomically; returns the row count."""
    from itertools import islice

    w = LexicalWriter(path, k1, b)
    it = iter(rows)
    try:
        while part := list(islice(it, 1000)):
            w.add(part)
    except BaseException:
        w.abort()
        raise
    return w.close()


def remove_others(loc: Any, keep: set[str]) -> None:
    """Delete the lexical files of collections not in `keep` (replaced or interrupted builds)."""
    d = lexical_dir(loc)
    if not d.is_dir():
        return
    for f in d.iterdir():
        name = next((f.name[:-len(x)] for x in (".sqlite3", ".vectors.npy") if f.name.endswith(x)), None)
        if (name is not None and name not in keep) or f.name.endswith(".tmp"):
            try:
                f.unlink()
            except OSError:
                pass


def open_lexical(loc: Any, col: Any) -> tuple[list[str], list[str], list[dict], "DiskBM25"] | None:
    """(ids, texts, metadata, scorer) from the collection's lexical file, written first if an
    index built before it has none; None (with a note) where it can be neither read nor written."""
    from ghplan.writer.index.store import iter_collection

    path = lexical_path(loc, col.name)
    try:
        if not path.is_file():
            write_lexical(path, ((cid, doc or "", meta or {}) for cid, doc, meta in iter_collection(col)))
            print(f"ghplan: note: the index predates its lexical file; built {path}", file=sys.stderr)
        disk = DiskBM25(path)
        ids, texts, metas = disk.rows()
        return ids, texts, metas, disk
    except (OSError, sqlite3.Error) as exc:
        print(f"ghplan: note: no lexical index on disk at {path} ({exc}); BM25 built in memory",
              file=sys.stderr)
        return None


class DiskBM25:
    """BM25 over the postings on disk; the same scores as `lexical.BM25` over the same chunks."""

    def __init__(self, path: Path):
        import numpy as np

        self.path = path
        self.con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self.info = info = dict(self.con.execute("SELECT key, value FROM info"))
        if int(info.get("format", 0)) != FORMAT:
            raise sqlite3.DatabaseError(f"{path}: unknown lexical format {info.get('format')}")
        self.n = int(info["n"])
        self.k1, self.b = float(info["k1"]), float(info["b"])
        self.lengths = np.frombuffer(info["lengths"], dtype="<i4").astype("float64")
        self.avgdl = float(self.lengths.mean()) if self.n else 0.0
        # BM25's length normalisation per document, once (not per query term)
        self.norm = self.k1 * (1 - self.b + self.b * self.lengths / (self.avgdl or 1))
        self._postings: dict[str, tuple[Any, Any] | None] = {}
        self._cached = 0

    def rows(self) -> tuple[list[str], list[str], list[dict]]:
        ids, texts, metas = [], [], []
        for cid, text, meta in self.con.execute("SELECT id, text, meta FROM docs ORDER BY pos"):
            ids.append(cid)
            texts.append(text)
            metas.append(json.loads(meta))
        return ids, texts, metas

    def table(self) -> Any:
        """The filter columns and rows on demand (writer/index/table.py); built from every row
        for a file written before the columns."""
        from ghplan.writer.index.table import Table

        return Table.from_info(self.info, self.fetch) or Table.from_rows(*self.rows())

    def fetch(self, positions: Sequence[int]) -> dict[int, tuple[str, dict]]:
        out: dict[int, tuple[str, dict]] = {}
        for i in range(0, len(positions), 500):
            part = [int(p) for p in positions[i:i + 500]]
            q = f"SELECT pos, text, meta FROM docs WHERE pos IN ({','.join('?' * len(part))})"
            out.update((p, (t, json.loads(m))) for p, t, m in self.con.execute(q, part))
        return out

    def top(self, query: Sequence[str], allowed: Any, n: int) -> list[tuple[int, float]]:
        """The n best (position, score) among the allowed positions (an int array), best first,
        ties by position: `scores` sorted, without a dict of every matching row."""
        import numpy as np

        mask = np.zeros(self.n, dtype=bool)
        mask[np.asarray(allowed, dtype="int64")] = True
        total, hit = self._accumulate(query, mask)
        idx = np.flatnonzero(hit)
        s = total[idx]
        if len(idx) > n > 0:
            kth = np.partition(-s, n - 1)[n - 1]
            keep = -s <= kth                    # everything tied with the n-th stays in the sort
            idx, s = idx[keep], s[keep]
        order = np.lexsort((idx, -s))[:max(n, 0)]
        return [(int(idx[i]), float(s[i])) for i in order]

    def _accumulate(self, query: Sequence[str], mask: Any = None) -> tuple[Any, Any]:
        """Scores and a hit mask over all rows; with `mask`, only the masked rows are scored (a
        filtered search scores its share of a common term's postings, not all of them)."""
        import numpy as np

        total = np.zeros(self.n, dtype="float64")
        hit = np.zeros(self.n, dtype=bool)
        for term in dict.fromkeys(query):
            got = self._posting(term)
            if got is None:
                continue
            docs, tf = got
            idf = math.log(1 + (self.n - len(docs) + 0.5) / (len(docs) + 0.5))   # df: all rows
            if mask is not None:
                keep = mask[docs]
                docs, tf = docs[keep], tf[keep]
            tf = tf.astype("float64")
            total[docs] += idf * tf * (self.k1 + 1) / (tf + self.norm[docs])
            hit[docs] = True
        return total, hit

    def _posting(self, term: str) -> tuple[Any, Any] | None:
        """A term's (positions, term frequencies), kept in memory up to POSTINGS_CACHE bytes: a
        drafting session or a server asks for the same common characters again and again."""
        import numpy as np

        if term in self._postings:
            return self._postings[term]
        row = self.con.execute("SELECT docs, tfs FROM postings WHERE term = ?", (term,)).fetchone()
        got = None if row is None else (np.frombuffer(row[0], dtype="<i4"), np.frombuffer(row[1], dtype="<i4"))
        size = 0 if got is None else got[0].nbytes + got[1].nbytes
        if self._cached + size > POSTINGS_CACHE:
            self._postings.clear()
            self._cached = 0
        self._postings[term] = got
        self._cached += size
        return got

    def scores(self, query: Sequence[str], allowed: set[int] | None = None) -> dict[int, float]:
        import numpy as np

        total, hit = self._accumulate(query)
        if allowed is not None:
            mask = np.zeros(self.n, dtype=bool)
            if allowed:
                mask[np.fromiter(allowed, dtype="int64", count=len(allowed))] = True
            hit &= mask
        idx = np.nonzero(hit)[0]
        return {int(i): float(total[i]) for i in idx}

    def close(self) -> None:
        self.con.close()
