"""Copying: the longest runs a text shares verbatim with any corpus document.

The index maps every k-gram of every corpus document (normalised, whitespace removed, so a
reflowed copy is still a copy) to where it occurs. The bundled corpus's index is built once and
kept on disk ($XDG_CACHE_HOME/ghplan), keyed by a fingerprint of everything the corpus is made
from, so a review neither rebuilds it nor imports the corpus pipeline. A text is
probed only every `threshold - k + 1` characters: any shared run of `threshold` characters
or more must contain a whole k-gram starting at a probed position, so nothing above the
threshold is missed while probing costs a few dict look-ups per 40 characters. Each hit is
extended both ways with slice comparisons (galloping, then binary search).
"""
from __future__ import annotations

import bisect
import hashlib
import marshal
import os
import re
import sys
from pathlib import Path, PurePath
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate
from typing import Iterable, Sequence

from ghplan.corpus.cache import bundled, cache_dir
from ghplan.corpus.model import Document
from ghplan.corpus.rules.model import Finding
from ghplan.corpus.rules.normalize import Normalised, normalise
from ghplan.writer.review.rules import review_data, review_rules, say

RULE = "GH-COPY-RUN"
_SPACE = re.compile(r"\s+")
# The same runs as `_SPACE`, the characters spelled out (str.isspace's, which is what \s means):
# `re` scans a literal class ~1.7x faster than the \s category; captured, so one split yields
# the words and the runs between them (tests/test_review_fastpath.py checks the class).
_WHITESPACE_CLASS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_RUNS = re.compile(f"([{_WHITESPACE_CLASS}]+)")
# Whitespace other than a line break: a plan's normalised text often has none (one search, ~3x
# faster than the split by runs, which scans each character in `re`'s slower loop).
_OTHER_SPACE = re.compile(f"[{_WHITESPACE_CLASS.replace(chr(10), '')}]")


@dataclass(frozen=True)
class Source:
    doc_id: str
    title: str
    source: str

    def label(self) -> str:
        """How a finding names the source: its title (or file name) and document id."""
        name = self.title or PurePath(self.source).name or self.doc_id
        return f"“{name}” ({self.doc_id})" if self.doc_id and self.doc_id != name else f"“{name}”"


@dataclass(frozen=True)
class Run:
    """A shared run: [start, end) in the probed text's compact coordinates, and where it came from."""
    start: int
    end: int
    doc: int
    doc_start: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Compact:
    """Text without whitespace, with a map back to the normalised text."""
    text: str
    gaps: tuple[int, ...]      # compact positions where whitespace was removed ...
    removed: tuple[int, ...]   # ... and how many characters had been removed up to there

    def to_norm(self, i: int) -> int:
        k = bisect.bisect_right(self.gaps, i) - 1
        return i + (self.removed[k] if k >= 0 else 0)


def compact(norm_text: str) -> Compact:
    """Each whitespace run's compact position is the length of the words before it, and what it
    removes adds to the runs before it: both running sums, taken in C (no Python per run)."""
    if _OTHER_SPACE.search(norm_text) is None:
        # line breaks only: split at each (str.split, in C); the breaks of one run share their
        # compact position, and a dict keeps the last (the run's whole) count at each position
        parts = norm_text.split("\n")
        at = dict(zip(accumulate(map(len, parts[:-1])), range(1, len(parts))))
        return Compact("".join(parts), tuple(at), tuple(at.values()))
    parts = _SPACE_RUNS.split(norm_text)       # word, run, word, run, …, word
    words = parts[0::2]
    gaps = tuple(accumulate(map(len, words[:-1])))
    removed = tuple(accumulate(map(len, parts[1::2])))
    return Compact("".join(words), gaps, removed)


def compact_by_run(norm_text: str) -> Compact:
    """`compact` one whitespace run at a time: the plain reading (tests hold `compact` to it)."""
    gaps: list[int] = []
    removed: list[int] = []
    total = 0
    for m in _SPACE.finditer(norm_text):
        total += m.end() - m.start()
        gaps.append(m.start() - (total - (m.end() - m.start())))
        removed.append(total)
    return Compact(_SPACE.sub("", norm_text), tuple(gaps), tuple(removed))


def _forward(a: str, i: int, b: str, j: int) -> int:
    """Length of the common prefix of a[i:] and b[j:]."""
    limit = min(len(a) - i, len(b) - j)
    lo, step = 0, 16
    while lo < limit:
        n = min(step, limit - lo)
        if a[i + lo:i + lo + n] != b[j + lo:j + lo + n]:
            hi = lo + n       # the mismatch is within (lo, hi]
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if a[i + lo:i + mid] == b[j + lo:j + mid]:
                    lo = mid
                else:
                    hi = mid
            return lo
        lo += n
        step *= 2
    return lo


def _backward(a: str, i: int, b: str, j: int) -> int:
    """Length of the common suffix of a[:i] and b[:j]."""
    limit = min(i, j)
    lo, step = 0, 16
    while lo < limit:
        n = min(step, limit - lo)
        if a[i - lo - n:i - lo] != b[j - lo - n:j - lo]:
            hi = lo + n
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if a[i - mid:i - lo] == b[j - mid:j - lo]:
                    lo = mid
                else:
                    hi = mid
            return lo
        lo += n
        step *= 2
    return lo


def drop_contained(found: list[Run]) -> list[Run]:
    """The runs, longest first (then by start), without those inside another run; of runs with
    the same span, the first found is kept.

    Sort and sweep, O(n log n): in (start, -end) order every run that contains a run comes
    before it, so a run is inside another exactly when the furthest end seen so far reaches
    its end. (This replaces a pairwise filter over the kept runs, quadratic on long texts;
    tests/test_review_copy_sweep.py checks the two agree.)"""
    ranked = sorted(found, key=lambda r: (-r.length, r.start))
    order = sorted(range(len(ranked)), key=lambda i: (ranked[i].start, -ranked[i].end, i))
    inside = [False] * len(ranked)
    reach = -1
    for i in order:
        end = ranked[i].end
        if reach >= end:
            inside[i] = True
        else:
            reach = end
    return [r for r, dropped in zip(ranked, inside) if not dropped]


class CopyIndex:
    """k-gram index over corpus documents. Build once; `runs()` is then cheap per text."""

    def __init__(self, texts: Sequence[str], sources: Sequence[Source], k: int | None = None,
                 max_postings: int | None = None):
        cfg = review_data().get("copy_index", {})
        self.k = int(k or cfg.get("k", 12))
        self.max_postings = int(max_postings or cfg.get("max_postings", 64))
        self.sources = list(sources)
        self.texts = [compact(normalise(t).text).text for t in texts]
        self._grams: dict[str, list[tuple[int, int]]] | None = {}
        self._grams_blob: bytes | None = None
        k = self.k
        grams = self._grams
        cap = self.max_postings
        for d, t in enumerate(self.texts):
            for i in range(len(t) - k + 1):
                post = grams.setdefault(t[i:i + k], [])
                if len(post) <= cap:    # one past the cap marks a stock phrase (skipped when probing)
                    post.append((d, i))

    @property
    def grams(self) -> dict[str, list[tuple[int, int]]]:
        """k-gram -> its first max_postings + 1 places (document, offset); read from the cache
        file's blob on first use (see `_cached`)."""
        if self._grams is None:
            self._grams = marshal.loads(self._grams_blob)
            self._grams_blob = None
        return self._grams

    def _scan_postings(self, gram: str) -> list[tuple[int, int]]:
        """What `grams` holds for `gram`, found with str.find in the documents: every place in
        document, then offset order, stopping one past the cap as the index does."""
        out: list[tuple[int, int]] = []
        for d, t in enumerate(self.texts):
            i = t.find(gram)
            while i >= 0:
                out.append((d, i))
                if len(out) > self.max_postings:
                    return out
                i = t.find(gram, i + 1)
        return out

    def _postings(self, probes: int):
        """The look-up `runs` uses. A short text (a 2 KB plan probes ~50 grams) scans the
        documents instead of unmarshalling the whole gram table (~15 ms of a review's start)."""
        if self._grams is None and probes <= SCAN_PROBES:
            return self._scan_postings
        return self.grams.get

    @classmethod
    def from_state(cls, state: tuple) -> "CopyIndex":
        """The index `state()` described, without re-indexing."""
        k, cap, texts, sources, grams = state
        index = cls.__new__(cls)
        index.k, index.max_postings, index.texts, index._grams = k, cap, list(texts), grams
        index._grams_blob = None
        index.sources = [Source(*s) for s in sources]
        return index

    @classmethod
    def _cached(cls, head: tuple, grams_blob: bytes) -> "CopyIndex":
        """The index from the cache file: `state()` without its gram table, which stays a
        marshal blob until a text long enough to need it (see `_postings`)."""
        if not isinstance(grams_blob, bytes):
            raise TypeError("gram table is not a marshal blob")
        index = cls.from_state((*head, None))
        index._grams_blob = grams_blob
        return index

    def state(self) -> tuple:
        """Everything the index holds, as plain values (marshal-able)."""
        return (self.k, self.max_postings, list(self.texts),
                [(s.doc_id, s.title, s.source) for s in self.sources], self.grams)

    @classmethod
    def from_documents(cls, docs: Iterable[Document], **kw) -> "CopyIndex":
        """The documents copying is checked against: web 范文 and the bundled seeds, never the
        user's own plans (origin "user"): carrying your own plan forward is not copying."""
        docs = [d for d in docs if d.text and getattr(d, "origin", "seed") != "user"]
        return cls([d.text for d in docs],
                   [Source(d.doc_id, d.title, d.source) for d in docs], **kw)

    def __len__(self) -> int:
        return len(self.texts)

    def runs(self, text: str, threshold: int) -> list[Run]:
        """Maximal shared runs of at least `threshold` characters in compact `text`, longest first,
        none inside another."""
        k = self.k
        if threshold < k or len(text) < threshold:
            threshold = max(threshold, k)
        step = max(1, threshold - k + 1)
        reach: dict[tuple[int, int], int] = {}    # (doc, diagonal) -> end of the run found there
        found: list[Run] = []
        probes = range(0, len(text) - k + 1, step)
        lookup = self._postings(len(probes))
        cap, texts, reached = self.max_postings, self.texts, reach.get    # locals: ~18k probes a MB
        # the grams cut by one comprehension and looked up by map (in C for the gram table)
        for p, post in zip(probes, map(lookup, [text[p:p + k] for p in probes])):
            if not post or len(post) > cap:
                continue
            for d, q in post:
                diag = (d, q - p)
                if reached(diag, -1) > p:
                    continue
                src = texts[d]
                back = _backward(text, p, src, q)
                fwd = _forward(text, p + k, src, q + k)
                s, e = p - back, p + k + fwd
                reach[diag] = e
                if e - s >= threshold:
                    found.append(Run(s, e, d, q - back))
        return drop_contained(found)

    def check(self, text: str, threshold: int, norm: Normalised | None = None) -> list[Finding]:
        """One error per shared run of `threshold`+ characters, naming its source document."""
        if threshold <= 0 or not self.texts:
            return []
        norm = norm or normalise(text)
        c = compact(norm.text)
        severity = review_rules()[RULE].severity
        out: list[Finding] = []
        said: dict[tuple[int, int], tuple[str, str]] = {}    # (length, document) -> message, made once
        for r in self.runs(c.text, threshold):
            ns, ne = c.to_norm(r.start), c.to_norm(r.end - 1) + 1
            s, e = norm.span(ns, ne)
            key = (r.length, r.doc)
            if key not in said:
                said[key] = say("copy_run", length=r.length, source=self.sources[r.doc].label())
            en, zh = said[key]
            out.append(Finding(rule=RULE, category="copy", severity=severity, start=s, end=e,
                               text=text[s:e], message=en, message_zh=zh))
        return sorted(out, key=lambda f: f.start)

    def longest(self, text: str) -> tuple[int, Source | None]:
        """The longest shared run (of at least k characters) and its source."""
        runs = self.runs(compact(normalise(text).text).text, self.k)
        if not runs:
            return 0, None
        return runs[0].length, self.sources[runs[0].doc]


_CACHE_FORMAT = 2        # 2: the gram table as a nested marshal blob, read on first need
SCAN_PROBES = 400        # up to this many probes, `runs` scans the documents (see `_postings`)


def corpus_key() -> str:
    """A fingerprint of everything the bundled corpus's copy index is made from, without building
    it: every file of the corpus package (the seed pages, the cleaning code and its rule data),
    this module, review.toml, the user's facts file, the default target year (the cleaning's
    stale-reference year) and the Python version."""
    from ghplan.corpus.rules.dated_table import facts_path

    year = date.today().year + 1       # corpus.pipeline.default_year, without importing the pipeline
    h = hashlib.sha256(f"copy-index {_CACHE_FORMAT} {sys.version_info[:2]} {year}".encode())
    root = Path(str(bundled("ghplan.corpus")))
    files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    facts = facts_path()
    extra = [Path(__file__), Path(str(bundled("ghplan.writer").joinpath("data/review.toml")))]
    for p in files + extra + ([facts] if facts else []):
        h.update(str(p).encode("utf-8") + b"\0")
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"unreadable")
        h.update(b"\0")
    return h.hexdigest()[:32]


def _load(path: Path, key: str) -> CopyIndex | None:
    try:
        tag, stored_key, head, grams_blob = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if tag != ("ghplan-copy-index", _CACHE_FORMAT) or stored_key != key:
        return None
    try:
        return CopyIndex._cached(head, grams_blob)
    except (TypeError, ValueError):
        return None


def _save(path: Path, key: str, index: CopyIndex) -> None:
    """Write atomically (a temporary file, then a rename) and drop older copy indexes; a cache
    that cannot be written is no error (the next review builds the index again)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        state = index.state()
        blob = marshal.dumps(state[4])
        tmp.write_bytes(marshal.dumps((("ghplan-copy-index", _CACHE_FORMAT), key, state[:4], blob)))
        os.replace(tmp, path)
        for old in path.parent.glob("copy-index-*.marshal"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


@lru_cache(maxsize=1)
def default_index() -> CopyIndex:
    """The bundled corpus (cleaned by corpus.pipeline), indexed once and then read from the
    on-disk cache while its fingerprint (`corpus_key`) holds. Only the seeds: the user's own
    plans in the retrieval index are never copy sources."""
    key = corpus_key()
    path = cache_dir() / f"copy-index-{key}.marshal"
    index = _load(path, key)
    if index is None:
        index = build_default_index()
        _save(path, key, index)
    return index


def build_default_index() -> CopyIndex:
    """The bundled corpus's copy index, built from scratch (no cache)."""
    from ghplan.corpus.pipeline import build_corpus

    return CopyIndex.from_documents(build_corpus().documents)
